/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The NUMA node view: the memory.numa_stat parser and the cgroup readers of
 * cpuset mems and per-node usage on the fixture trees (tests/fixtures/cgroup).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cgroup/backend.h"
#include "common/fileio.h"
#include "pv-check.h"

#define MIB (1024ULL * 1024ULL)

static char *fixture_path(const char *rel)
{
        const char *base = getenv("PV_FIXTURES");
        ck_assert_msg(base != NULL, "PV_FIXTURES not set");
        return g_build_filename(base, rel, NULL);
}

/* The cgroup of cgroup/<tree>/pid-cgroup on hier. */
static PvCgroup *open_tree(const char *tree, PvHierarchy *hier)
{
        g_autofree char *rel = g_build_filename("cgroup", tree, NULL);
        g_autofree char *dir = fixture_path(rel);
        g_autofree char *procs = g_build_filename(dir, "proc", NULL);
        g_autofree char *pid_path = g_build_filename(dir, "pid-cgroup", NULL);
        g_autofree char *pid_cgroup = NULL;
        PvCgroup *cg = NULL;

        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, pid_path, &pid_cgroup, NULL), 0);
        ck_assert_int_eq(pv_hierarchy_open_at(dir, hier), 0);
        ck_assert_int_eq(pv_hierarchy_set_proc_root(hier, procs), 0);
        ck_assert_int_eq(pv_cgroup_open_proc(hier, pid_cgroup, &cg), 0);
        return cg;
}

START_TEST(test_parse_numa_stat)
{
        g_autofree PvNumaUsage *u = g_new0(PvNumaUsage, 1);
        /* v1: "key=total" then pages per node */
        const char *v1 = "total=30 N0=10 N1=20\nhierarchical_total=40 N0=10 N3=30\n";
        ck_assert_int_eq(pv_parse_numa_stat_line(v1, "hierarchical_total", 4096, u), 0);
        ck_assert_uint_eq(pv_cpuset_count(&u->nodes), 2);
        ck_assert(u->bytes[0] == 10 * 4096 && u->bytes[3] == 30 * 4096 && u->bytes[1] == 0);
        /* "total" is not the prefix of "hierarchical_total", nor of a key it starts */
        memset(u, 0, sizeof(*u));
        ck_assert_int_eq(pv_parse_numa_stat_line(v1, "total", 1, u), 0);
        ck_assert(u->bytes[0] == 10 && u->bytes[1] == 20 && u->bytes[3] == 0);
        /* v2: "key N0=bytes", and the lines add up */
        memset(u, 0, sizeof(*u));
        const char *v2 = "anon N0=5 N1=6\nanon_thp N0=100 N1=100\nfile N0=1 N1=2";
        ck_assert_int_eq(pv_parse_numa_stat_line(v2, "anon", 1, u), 0);
        ck_assert_int_eq(pv_parse_numa_stat_line(v2, "file", 1, u), 0);
        ck_assert(u->bytes[0] == 6 && u->bytes[1] == 8);
        ck_assert_int_eq(pv_parse_numa_stat_line(v2, "shmem", 1, u), -ENOENT);
        /* malformed fields and node ids past the kernel's limit */
        ck_assert_int_eq(pv_parse_numa_stat_line("anon N0=5x\n", "anon", 1, u), -EINVAL);
        ck_assert_int_eq(pv_parse_numa_stat_line("anon X0=5\n", "anon", 1, u), -EINVAL);
        ck_assert_int_eq(pv_parse_numa_stat_line("anon N1024=5\n", "anon", 1, u), -ERANGE);
}
END_TEST

START_TEST(test_read_mems_numa)
{
        static const char *const trees[] = {"v1", "v2"};
        for (size_t t = 0; t < G_N_ELEMENTS(trees); t++) {
                PvHierarchy hier;
                PvCpuSet mems;
                g_autofree PvNumaUsage *u = g_new0(PvNumaUsage, 1);
                PvCgroup *cg = open_tree(trees[t], &hier);

                ck_assert_int_eq(pv_cgroup_read_mems(cg, &mems), 0);
                ck_assert_uint_eq(pv_cpuset_count(&mems), 2);
                ck_assert(pv_cpuset_has(&mems, 0) && pv_cpuset_has(&mems, 1));
                ck_assert_int_eq(pv_cgroup_read_numa(cg, u), 0);
                if (t == 0) { /* 15360 and 10240 pages of 4 KiB */
                        long page = sysconf(_SC_PAGESIZE);
                        ck_assert(u->bytes[0] == 15360ULL * (uint64_t)page &&
                                  u->bytes[1] == 10240ULL * (uint64_t)page);
                } else { /* anon + file + kernel_stack + pagetables + slab */
                        ck_assert(u->bytes[0] == 136 * MIB && u->bytes[1] == 64 * MIB);
                }
                pv_cgroup_free(cg);
                pv_hierarchy_close(&hier);
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("node");
        TCase *tc = tcase_create("cgroup");
        tcase_add_test(tc, test_parse_numa_stat);
        tcase_add_test(tc, test_read_mems_numa);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
