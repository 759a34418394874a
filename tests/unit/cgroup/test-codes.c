/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backend keeps three failures apart: a controller no hierarchy has
 * (-ENODEV), an attribute the cgroup does not have (-ENODATA) and a cgroup
 * that is gone (-ENOENT). Only the last makes the daemon open the reader's
 * cgroups again; the first two have a meaning of their own (every online
 * CPU, no pressure kept). A scratch v1 tree whose cgroup is emptied of its
 * files, then removed, while it is held open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/backend.h"
#include "pv-check.h"

static void write_file(const char *dir, const char *name, const char *text)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        ck_assert_int_eq(unlink(path), 0);
}

START_TEST(test_cpuset_codes)
{
        char top[] = "/tmp/pv-cgroup-codes-XXXXXX";
        char d[4200], pod[4300];
        ck_assert_ptr_nonnull(mkdtemp(top));
        snprintf(d, sizeof(d), "%s/cpuset", top);
        ck_assert_int_eq(mkdir(d, 0755), 0);
        write_file(d, "cpuset.cpus", "0-3\n");
        snprintf(pod, sizeof(pod), "%s/pod", d);
        ck_assert_int_eq(mkdir(pod, 0755), 0);
        write_file(pod, "cgroup.procs", "");
        write_file(pod, "cpuset.cpus", "1\n");

        PvHierarchy h;
        PvCgroup *cg;
        PvCpuSet set;
        ck_assert_int_eq(pv_hierarchy_open_at(top, &h), 0);
        char *paths[_PV_CTRL_MAX] = {[PV_CTRL_CPUSET] = (char *)"/pod"};
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), 0);
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), 0);
        ck_assert(pv_cpuset_count(&set) == 1 && pv_cpuset_has(&set, 1));

        /* no hierarchy has memory: the controller is missing, not the cgroup */
        PvMemory m;
        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), -ENODEV);

        /* the cgroup is there (cgroup.procs) without a cpuset file: an attribute is missing */
        remove_file(pod, "cpuset.cpus");
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), -ENODATA);

        /* removed while held: gone */
        remove_file(pod, "cgroup.procs");
        ck_assert_int_eq(rmdir(pod), 0);
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), -ENOENT);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);

        remove_file(d, "cpuset.cpus");
        rmdir(d);
        rmdir(top);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cgroup-codes");
        TCase *tc = tcase_create("codes");
        tcase_add_test(tc, test_cpuset_codes);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
