/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The NUMA node view: the cgroup readers of cpuset mems and per-node usage
 * on the fixture trees (tests/fixtures/cgroup) (the memory.numa_stat parser's
 * test is in tests/unit/parse),
 * the node renderers, and the per-node files gathered for the fixture host
 * (tests/fixtures/daemon/host/sys-node: node0 has CPUs 0-3, node1 4-7) and
 * compared with tests/fixtures/daemon/expected-<tree>/sys/devices/system/node/nodeN/.
 * With PV_GATHER_WRITE=DIR set, their texts are written to DIR/<tree>/<path>
 * instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "cgroup/backend.h"
#include "fileio.h"
#include "gather-fixture.h"
#include "pv-check.h"

#define MIB (1024ULL * 1024ULL)

START_TEST(test_read_mems_numa)
{
        static const char *const trees[] = {"v1", "v2"};
        for (size_t t = 0; t < G_N_ELEMENTS(trees); t++) {
                PvHierarchy hier;
                PvCpuSet mems;
                g_autofree PvNumaUsage *u = g_new0(PvNumaUsage, 1);
                PvCgroup *cg = fixture_open_tree(trees[t], &hier);

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

/* The text of the per-node file slot of node for f's container; returns the gatherer's result. */
static int gather_node(Fixture *f, PvNodeSlot slot, unsigned node, GString *out)
{
        return gather(f, pv_fs_node_files[slot].gather, node, out);
}

static int gather_path(Fixture *f, const char *path, GString *out)
{
        return gather(f, gatherer(path), 0, out);
}

/* "Node N KEY:" 's value in a node meminfo text. */
static uint64_t node_value(const char *text, unsigned node, const char *key)
{
        g_autofree char *prefix = g_strdup_printf("Node %u %s:", node, key);
        const char *p = strstr(text, prefix);
        ck_assert_msg(p != NULL, "no %s in\n%s", prefix, text);
        return g_ascii_strtoull(p + strlen(prefix), NULL, 10);
}

START_TEST(test_node_golden)
{
        static const char *const trees[] = {"v1", "v2"};
        const char *write_dir = getenv("PV_GATHER_WRITE");
        g_autoptr(GString) out = g_string_new(NULL);

        for (size_t t = 0; t < G_N_ELEMENTS(trees); t++) {
                Fixture f;
                fixture_open(&f, trees[t], PV_OPT_CPU_VIEW_CPUSET);
                for (unsigned node = 0; node < 2; node++) {
                        for (int s = PV_NODE_DIR + 1; s < _PV_NODE_SLOTS; s++) {
                                const char *name = pv_fs_node_files[s].name;
                                g_autofree char *rel = g_strdup_printf(
                                    "sys/devices/system/node/node%u/%s", node, name);
                                ck_assert_int_eq(gather_node(&f, (PvNodeSlot)s, node, out), 0);
                                if (write_dir) {
                                        g_autofree char *path =
                                            g_build_filename(write_dir, trees[t], rel, NULL);
                                        g_autofree char *dir = g_path_get_dirname(path);
                                        ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
                                        ck_assert(g_file_set_contents(path, out->str, -1, NULL));
                                        continue;
                                }
                                g_autofree char *exp_rel =
                                    g_strdup_printf("daemon/expected-%s/%s", trees[t], rel);
                                g_autofree char *exp_path = fixture_path(exp_rel);
                                g_autofree char *want = NULL;
                                ck_assert_int_eq(pv_read_file_at(AT_FDCWD, exp_path, &want, NULL),
                                                 0);
                                ck_assert_msg(strcmp(out->str, want) == 0, "%s/%s:\n%s\nwant:\n%s",
                                              trees[t], rel, out->str, want);
                        }
                }
                fixture_close(&f);
        }
}
END_TEST

START_TEST(test_node_memory_rule)
{
        static const struct {
                const char *tree;
                uint64_t limit_kb, used_kb[2];
        } cases[] = {
            /* kube's 1 GiB; numa_stat hierarchical_total 15360 + 10240 pages */
            {"v1", 1048576, {15360 * 4, 10240 * 4}},
            /* kube's 2 GiB; anon + file + kernel_stack + pagetables + slab per node */
            {"v2", 2097152, {136 * 1024, 64 * 1024}},
        };
        g_autoptr(GString) out = g_string_new(NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                Fixture f;
                uint64_t total[2];
                fixture_open(&f, cases[i].tree, PV_OPT_CPU_VIEW_CPUSET);
                for (unsigned n = 0; n < 2; n++) {
                        ck_assert_int_eq(gather_node(&f, PV_NODE_MEMINFO, n, out), 0);
                        total[n] = node_value(out->str, n, "MemTotal");
                        ck_assert_uint_eq(node_value(out->str, n, "MemUsed"), cases[i].used_kb[n]);
                        ck_assert_uint_eq(node_value(out->str, n, "MemFree"),
                                          total[n] - cases[i].used_kb[n]);
                        /* the host node's other lines stay */
                        ck_assert_ptr_nonnull(strstr(out->str, "HugePages_Surp:      0\n"));
                }
                /* the nodes add up to the limit, shared 2:1 as the host's nodes */
                ck_assert_uint_eq(total[0] + total[1], cases[i].limit_kb);
                ck_assert_uint_eq(total[0], cases[i].limit_kb * 16455771 / 24683656);
                fixture_close(&f);
        }
}
END_TEST

START_TEST(test_node_cpus)
{
        Fixture f;
        g_autoptr(GString) out = g_string_new(NULL);
        /* v1 cpuset 0,2,5-7: node0 keeps 0 and 2, node1 5-7 */
        fixture_open(&f, "v1", PV_OPT_CPU_VIEW_CPUSET);
        ck_assert_int_eq(gather_node(&f, PV_NODE_CPULIST, 0, out), 0);
        ck_assert_str_eq(out->str, "0,2\n");
        ck_assert_int_eq(gather_node(&f, PV_NODE_CPUMAP, 1, out), 0);
        ck_assert_str_eq(out->str, "e0\n");
        /* a node the host lacks is no node of the container */
        g_string_assign(out, "kept");
        ck_assert_int_eq(pv_fs_node_files[PV_NODE_CPULIST].gather(&f.d, &f.c, 2, out), -ENOENT);
        ck_assert_str_eq(out->str, "kept");
        /* the host's root cgroups read the host's files */
        f.c.is_root = true;
        ck_assert_int_eq(gather_node(&f, PV_NODE_CPULIST, 1, out), 0);
        ck_assert_str_eq(out->str, "4-7\n");
        ck_assert_int_eq(gather_node(&f, PV_NODE_MEMINFO, 0, out), 0);
        ck_assert_uint_eq(node_value(out->str, 0, "MemTotal"), 16455771);
        fixture_close(&f);
        /* v2 with --cpu-view=quota: one CPU (0), so node1 has none of the visible CPUs */
        fixture_open(&f, "v2", PV_OPT_CPU_VIEW_QUOTA);
        ck_assert_int_eq(gather_path(&f, "sys/devices/system/node/has_cpu", out), 0);
        ck_assert_str_eq(out->str, "0\n");
        ck_assert_int_eq(gather_path(&f, "sys/devices/system/node/online", out), 0);
        ck_assert_str_eq(out->str, "0-1\n");
        ck_assert_int_eq(gather_node(&f, PV_NODE_CPULIST, 0, out), 0);
        ck_assert_str_eq(out->str, "0\n");
        ck_assert_int_eq(gather_node(&f, PV_NODE_CPULIST, 1, out), 0);
        ck_assert_str_eq(out->str, "\n");
        ck_assert_int_eq(gather_node(&f, PV_NODE_CPUMAP, 1, out), 0);
        ck_assert_str_eq(out->str, "00\n");
        fixture_close(&f);
}
END_TEST

START_TEST(test_cpumap_render)
{
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet set;
        pv_cpuset_zero(&set);
        pv_cpuset_add(&set, 0);
        pv_cpuset_add(&set, 33);
        /* 2 CPUs: one digit; 36: a short first word; 64: two full words */
        ck_assert_int_eq(pv_cpumap_render(&set, 2, out), 0);
        ck_assert_str_eq(out->str, "1\n");
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_cpumap_render(&set, 36, out), 0);
        ck_assert_str_eq(out->str, "2,00000001\n");
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_cpumap_render(&set, 64, out), 0);
        ck_assert_str_eq(out->str, "00000002,00000001\n");
        ck_assert_int_eq(pv_cpumap_render(&set, 0, out), -EINVAL);
}
END_TEST

START_TEST(test_memory_split)
{
        uint64_t host[3] = {300, 0, 100}, got[3];
        /* shared 3:1, the zero-size node gets nothing, the remainder goes to the last */
        pv_node_memory_split(host, 3, 201, got);
        ck_assert(got[0] == 150 && got[1] == 0 && got[2] == 51);
        /* a limit above the nodes' sum (or none) leaves each node its host size */
        pv_node_memory_split(host, 3, 1000, got);
        ck_assert(got[0] == 300 && got[1] == 0 && got[2] == 100);
        pv_node_memory_split(host, 3, UINT64_MAX, got);
        ck_assert(got[0] == 300 && got[2] == 100);
        /* no overflow with huge sizes */
        uint64_t big[2] = {UINT64_MAX / 2, UINT64_MAX / 2};
        pv_node_memory_split(big, 2, UINT64_MAX / 4, got);
        ck_assert(got[0] + got[1] == UINT64_MAX / 4);
}
END_TEST

START_TEST(test_node_meminfo_render)
{
        g_autoptr(GString) out = g_string_new(NULL);
        const char *host = "Node 1 MemTotal:       16455771 kB\n"
                           "Node 1 MemFree:        15992272 kB\n"
                           "Node 1 MemUsed:          463499 kB\n"
                           "Node 1 Active:            12345 kB\n";
        uint64_t kb;
        ck_assert_int_eq(pv_node_meminfo_total_kb(host, &kb), 0);
        ck_assert_uint_eq(kb, 16455771);
        /* the kernel's widths stay; usage above the share is capped */
        ck_assert_int_eq(pv_node_meminfo_render(host, 262144, 300000, out), 0);
        ck_assert_str_eq(out->str, "Node 1 MemTotal:         262144 kB\n"
                                   "Node 1 MemFree:               0 kB\n"
                                   "Node 1 MemUsed:          262144 kB\n"
                                   "Node 1 Active:            12345 kB\n");
        g_string_assign(out, "kept");
        ck_assert_int_eq(pv_node_meminfo_render("Node 0 MemFree: x kB\n", 1, 0, out), -EINVAL);
        ck_assert_str_eq(out->str, "kept");
        ck_assert_int_eq(pv_node_meminfo_total_kb("Node 0 MemFree: 5 kB\n", &kb), -EINVAL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("node");
        TCase *tc = tcase_create("cgroup");
        tcase_add_test(tc, test_read_mems_numa);
        suite_add_tcase(s, tc);
        tc = tcase_create("views");
        tcase_add_test(tc, test_cpumap_render);
        tcase_add_test(tc, test_memory_split);
        tcase_add_test(tc, test_node_meminfo_render);
        suite_add_tcase(s, tc);
        tc = tcase_create("gather");
        tcase_add_test(tc, test_node_golden);
        tcase_add_test(tc, test_node_memory_rule);
        tcase_add_test(tc, test_node_cpus);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
