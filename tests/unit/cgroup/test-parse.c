/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure cgroup parsers on literal v1 and v2 texts, including malformed and cut-short ones. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/backend.h"
#include "parse.h"
#include "pv-check.h"

START_TEST(test_limit)
{
        uint64_t v = 5;
        ck_assert_int_eq(pv_parse_limit("max\n", &v), 0);
        ck_assert(v == PV_UNLIMITED);
        ck_assert_int_eq(pv_parse_limit("-1\n", &v), 0);
        ck_assert(v == PV_UNLIMITED);
        /* v1's "no limit" is LONG_MAX rounded down to a page */
        ck_assert_int_eq(pv_parse_limit("9223372036854771712\n", &v), 0);
        ck_assert(v == PV_UNLIMITED);
        ck_assert_int_eq(pv_parse_limit("4611686018427387903", &v), 0);
        ck_assert(v == UINT64_C(4611686018427387903));
        ck_assert_int_eq(pv_parse_limit("1073741824\n", &v), 0);
        ck_assert(v == 1073741824);
        v = 9;
        ck_assert_int_eq(pv_parse_limit("-2", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("-1x", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("12 34", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("99999999999999999999999", &v), -EINVAL);
        ck_assert(v == 9);
}
END_TEST

START_TEST(test_flat_keyed)
{
        uint64_t a = 1, b = 2, c = 3;
        PvKeyField f[] = {{"total_rss", &a}, {"total_cache", &b}, {"absent", &c}};
        ck_assert_int_eq(
            pv_parse_flat_keyed("cache 5\ntotal_cache 42\nrss 7\ntotal_rss 1000\n", f, 3), 2);
        ck_assert(a == 1000 && b == 42 && c == 3);

        /* malformed complete lines: nothing written */
        a = b = 0;
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10\ntotal_cache x\n", f, 3), -EINVAL);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10\ntotal_cache\n", f, 3), -EINVAL);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10 11\n", f, 3), -EINVAL);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss -1\n", f, 3), -EINVAL);
        ck_assert(a == 0 && b == 0);

        /* cut mid-line: the lines before it count, the cut one is dropped */
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10\ntotal_cac", f, 3), 1);
        ck_assert(a == 10 && b == 0);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 11\ntotal_cache ", f, 3), 1);
        ck_assert(a == 11 && b == 0);
        ck_assert_int_eq(pv_parse_flat_keyed("", f, 3), 0);
        ck_assert_int_eq(pv_parse_flat_keyed("\n\n", f, 3), 0);
}
END_TEST

START_TEST(test_cpu_max)
{
        uint64_t q = 1, p = 1;
        ck_assert_int_eq(pv_parse_cpu_max("max 100000\n", &q, &p), 0);
        ck_assert(q == 0 && p == 100000);
        ck_assert_int_eq(pv_parse_cpu_max("50000 100000\n", &q, &p), 0);
        ck_assert(q == 50000 && p == 100000);
        ck_assert_int_eq(pv_parse_cpu_max("50000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("50000 0\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("-1 100000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("0 100000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("maxx 100000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("1 2 3\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("", &q, &p), -EINVAL);
        ck_assert(q == 50000 && p == 100000);
}
END_TEST

START_TEST(test_cfs)
{
        uint64_t q = 7, p = 7;
        ck_assert_int_eq(pv_parse_cfs_quota("-1\n", &q), 0);
        ck_assert(q == 0);
        ck_assert_int_eq(pv_parse_cfs_period("100000\n", &p), 0);
        ck_assert(p == 100000);
        ck_assert_int_eq(pv_parse_cfs_quota("50000\n", &q), 0);
        ck_assert(q == 50000);
        ck_assert_int_eq(pv_parse_cfs_quota("-2\n", &q), -EINVAL);
        ck_assert_int_eq(pv_parse_cfs_period("0\n", &p), -EINVAL);
        ck_assert(q == 50000 && p == 100000); /* untouched on failure */
}
END_TEST

START_TEST(test_keyed_and_limits)
{
        uint64_t v = 0;
        const char *stat =
            "cache 4096\nrss 100\ntotal_rss 200\nhierarchical_memory_limit 9223372036854771712\n";
        uint64_t rss = 0, total_rss = 0, shmem = 7;
        const PvKeyField keys[] = {{"rss", &rss},
                                   {"total_rss", &total_rss},
                                   {"total_shmem", &shmem},
                                   {"hierarchical_memory_limit", &v}};
        ck_assert_int_eq(pv_parse_flat_keyed(stat, keys, 4), 3);
        ck_assert(rss == 100 && total_rss == 200 && shmem == 7);
        ck_assert(pv_limit_normalize(v) == PV_UNLIMITED);
        /* 64 KiB pages (arm64, ppc64) give a different "unlimited" value. */
        ck_assert(pv_limit_normalize(9223372036854710272ULL) == PV_UNLIMITED);
        ck_assert(pv_limit_normalize(UINT64_MAX) == PV_UNLIMITED);
        ck_assert(pv_limit_normalize(536870912) == 536870912);
}
END_TEST

START_TEST(test_quota_rule)
{
        /* Rounded up: a 1.5-CPU quota can keep 2 CPUs busy 75% of the time. */
        ck_assert_uint_eq(pv_quota_cpus(150000, 100000), 2);
        ck_assert_uint_eq(pv_quota_cpus(200000, 100000), 2);
        ck_assert_uint_eq(pv_quota_cpus(200001, 100000), 3);
        ck_assert_uint_eq(pv_quota_cpus(1000, 100000), 1);
        ck_assert_uint_eq(pv_quota_cpus(0, 100000), 0);
        ck_assert_uint_eq(pv_quota_cpus(150000, 0), 0);
        ck_assert_uint_eq(pv_quota_cpus(UINT64_MAX, 1), UINT32_MAX);
        ck_assert(pv_quota_tighter(50000, 100000, 150000, 100000));
        ck_assert(!pv_quota_tighter(300000, 100000, 250000, 100000));
        ck_assert(pv_quota_tighter(250000, 100000, 150000, 50000)); /* 2.5 < 3 */
        ck_assert(pv_quota_tighter(1, 1, 0, 0));
        ck_assert(!pv_quota_tighter(0, 0, 1, 1));
        /* No overflow with the largest values the kernel accepts. */
        ck_assert(pv_quota_tighter(UINT64_MAX / 4, 1000000, UINT64_MAX / 2, 1000000));
}
END_TEST

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

        char *u = NULL;
        ck_assert_int_eq(pv_parse_cgroup_unified_path(text, &u), 0);
        ck_assert_str_eq(u, "/");
        free(u);
        ck_assert_int_eq(pv_parse_cgroup_unified_path("4:memory:/a\n", &u), -ENOENT);
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
        char *u = NULL;
        ck_assert_int_eq(pv_parse_cgroup_unified_path("0::/kube/po", &u), -EINVAL);

        char *keep[_PV_CTRL_MAX] = {(char *)"untouched"};
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "garbage\n", keep), -EINVAL);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "x:memory:/a\n", keep), -EINVAL);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "4:memory:relative\n", keep), -EINVAL);
        ck_assert_int_eq(pv_cgroup_paths_parse(&h, "0:memory:/a\n", keep), -EINVAL);
        ck_assert_str_eq(keep[0], "untouched");
        ck_assert_int_eq(pv_parse_cgroup_unified_path("nonsense\n", &u), -EINVAL);
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

START_TEST(test_proc_stat_state)
{
        char st = '?';
        ck_assert_int_eq(pv_parse_proc_stat_state("42 (bash) S 1 42 42 0", &st), 0);
        ck_assert_int_eq(st, 'S');
        ck_assert_int_eq(pv_parse_proc_stat_state("43 (a) b) (c) D 1 2", &st), 0);
        ck_assert_int_eq(st, 'D');
        ck_assert_int_eq(pv_parse_proc_stat_state("44 (cut", &st), -EINVAL);
        ck_assert_int_eq(pv_parse_proc_stat_state("45 (x)", &st), -EINVAL);
        ck_assert_int_eq(st, 'D');
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cgroup-parse");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_limit);
        tcase_add_test(tc, test_flat_keyed);
        tcase_add_test(tc, test_cpu_max);
        tcase_add_test(tc, test_cfs);
        tcase_add_test(tc, test_keyed_and_limits);
        tcase_add_test(tc, test_quota_rule);
        tcase_add_test(tc, test_proc_cgroup_v1);
        tcase_add_test(tc, test_proc_cgroup_hybrid_and_bad);
        tcase_add_test(tc, test_paths_is_root);
        tcase_add_test(tc, test_proc_stat_state);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
