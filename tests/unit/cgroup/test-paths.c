/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/cgroup -> one path per controller of a host's hierarchies
 * (paths.c, on pvparse's pv_parse_cgroup_paths, tested in tests/unit/parse),
 * on fake v1, v2 and hybrid hierarchies and literal texts, including
 * malformed and cut-short ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/backend.h"
#include "pv-check.h"

static void fake_hierarchy(PvHierarchy *h, bool v2_cpu)
{
        memset(h, 0, sizeof(*h));
        h->unified_fd = 3;
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                h->root_fd[c] = 3; /* only compared with -1 by the pure parser */
                h->v1_hier_id[c] = c + 1;
        }
        h->root_fd[PV_CTRL_PIDS] = -1; /* the host lacks pids */
        if (v2_cpu) {
                h->is_v2[PV_CTRL_CPU] = h->is_v2[PV_CTRL_CPUACCT] = h->is_v2[PV_CTRL_IO] = true;
                h->v1_hier_id[PV_CTRL_CPU] = h->v1_hier_id[PV_CTRL_CPUACCT] =
                    h->v1_hier_id[PV_CTRL_IO] = 0;
        }
}

static void free_paths(char *p[_PV_CTRL_MAX])
{
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                free(p[c]);
}

START_TEST(test_proc_cgroup_v1)
{
        PvHierarchy h;
        char *p[_PV_CTRL_MAX];
        fake_hierarchy(&h, false);
        const char *text =
            "12:pids:/docker/abc\n9:name=systemd:/system.slice/docker.service\n"
            "4:memory:/docker/abc\n3:cpuset:/docker/abc\n2:cpu,cpuacct:/docker/abc/x\n"
            "7:blkio:/\n0::/\n";
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, text, p), 0);
        ck_assert_str_eq(p[PV_CTRL_MEMORY], "/docker/abc");
        ck_assert_str_eq(p[PV_CTRL_CPU], "/docker/abc/x");
        ck_assert_str_eq(p[PV_CTRL_CPUACCT], "/docker/abc/x");
        ck_assert_str_eq(p[PV_CTRL_CPUSET], "/docker/abc");
        ck_assert_str_eq(p[PV_CTRL_IO], "/");
        ck_assert_ptr_null(p[PV_CTRL_PIDS]); /* host lacks it */
        free_paths(p);
}
END_TEST

START_TEST(test_proc_cgroup_hybrid_and_bad)
{
        PvHierarchy h;
        char *p[_PV_CTRL_MAX];
        fake_hierarchy(&h, true);
        const char *text = "4:memory:/kube/pod:with:colons\n3:cpuset:/kube/pod\n1:name=systemd:/"
                           "x\n0::/kube/unified\n";
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, text, p), 0);
        ck_assert_str_eq(p[PV_CTRL_MEMORY], "/kube/pod:with:colons");
        ck_assert_str_eq(p[PV_CTRL_CPU], "/kube/unified");
        ck_assert_str_eq(p[PV_CTRL_IO], "/kube/unified");
        free_paths(p);

        /* a cut last line names no cgroup (its path could be a prefix of another) */
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "4:memory:/a\n3:cpuset:/kube/po", p), 0);
        ck_assert_str_eq(p[PV_CTRL_MEMORY], "/a");
        ck_assert_ptr_null(p[PV_CTRL_CPUSET]);
        free_paths(p);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "4:memory:/a\n3:cpu", p), 0);
        ck_assert_str_eq(p[PV_CTRL_MEMORY], "/a");
        free_paths(p);

        char *keep[_PV_CTRL_MAX] = {(char *)"untouched"};
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "garbage\n", keep), -EINVAL);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "x:memory:/a\n", keep), -EINVAL);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "4:memory:relative\n", keep), -EINVAL);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "0:memory:/a\n", keep), -EINVAL);
        ck_assert_str_eq(keep[0], "untouched");
}
END_TEST

/* Whether parsed paths name the root cgroups: what decides that a reader gets the host's files. */
START_TEST(test_paths_is_root)
{
        PvHierarchy h;
        PvCgroupPaths p;
        fake_hierarchy(&h, false);
        /* an exiting task on v1 (Linux proc_cgroup_show): "/" in every v1 hierarchy */
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&h,
                                                   "9:name=systemd:/\n4:memory:/\n3:cpuset:/\n"
                                                   "2:cpu,cpuacct:/\n7:blkio:/\n0::/kube/pod\n",
                                                   &p),
                         0);
        ck_assert(
            pv_cgroup_paths_is_root(&p)); /* neither name=systemd nor the unified path count */
        pv_cgroup_paths_clear(&p);
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&h, "4:memory:/\n3:cpuset:/a\n", &p), 0);
        ck_assert(!pv_cgroup_paths_is_root(&p)); /* one controller elsewhere is enough */
        pv_cgroup_paths_clear(&p);
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&h, "4:memory://\n", &p), 0);
        ck_assert(!pv_cgroup_paths_is_root(&p));
        pv_cgroup_paths_clear(&p);

        /* a controller on the unified hierarchy takes the "0::" path */
        fake_hierarchy(&h, true);
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&h, "4:memory:/\n0::/kube/pod\n", &p), 0);
        ck_assert(!pv_cgroup_paths_is_root(&p));
        pv_cgroup_paths_clear(&p);
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&h, "4:memory:/\n0::/\n", &p), 0);
        ck_assert(pv_cgroup_paths_is_root(&p));
        pv_cgroup_paths_clear(&p);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cgroup-paths");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_proc_cgroup_v1);
        tcase_add_test(tc, test_proc_cgroup_hybrid_and_bad);
        tcase_add_test(tc, test_paths_is_root);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
