/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The gatherers on fixture trees: a host directory in the shape of
 * --host-proc, --sys-cpu-dir and --sys-node-dir (tests/fixtures/daemon/host) and the cgroup
 * trees of tests/fixtures/cgroup. Every row of the file table is gathered
 * for each tree's container and compared with
 * tests/fixtures/daemon/expected-<tree>/<the row's path> where that file
 * exists; every row has one in some tree but the few whose text follows the
 * clock, tested apart. With PV_GATHER_WRITE=DIR set, the texts are written
 * to DIR/<tree>/<path> instead (to make a new golden file, then read it
 * before checking it in).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gather-fixture.h"
#include "pv-check.h"

#define NS_PER_DAY (86400ULL * NS_PER_S)

/*
 * Rows without a golden file in any tree: their text follows the clock
 * (test_v1_stat_uptime), or the fixture trees keep none of it
 * (test_pressure).
 */
static const char *const no_golden[] = {
    "proc/stat",
    "proc/uptime",
    "proc/pressure/memory",
    "proc/pressure/io",
};

static bool has_no_golden(const char *path)
{
        for (size_t i = 0; i < G_N_ELEMENTS(no_golden); i++)
                if (strcmp(path, no_golden[i]) == 0)
                        return true;
        return false;
}

/* Writes row's text for f's container to $PV_GATHER_WRITE/<tree>/<path>, if it has one. */
static void write_golden(Fixture *f, const PvFile *row, const char *write_dir)
{
        g_autoptr(GString) out = g_string_new(NULL);
        if (gather(f, row->gather, 0, out) < 0)
                return;
        g_autofree char *path = g_build_filename(write_dir, f->tree, row->path, NULL);
        g_autofree char *dir = g_path_get_dirname(path);
        ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
        ck_assert(g_file_set_contents(path, out->str, (gssize)out->len, NULL));
}

/* Whether row's text equals expected-<tree>/<path>; false when there is no such file. */
static bool check_golden(Fixture *f, const PvFile *row)
{
        g_autofree char *rel = g_strdup_printf("daemon/expected-%s/%s", f->tree, row->path);
        g_autofree char *path = fixture_path(rel);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
                return false;
        g_autoptr(GString) out = g_string_new(NULL);
        g_autofree char *expected = read_fixture(rel);
        ck_assert_msg(gather(f, row->gather, 0, out) == 0, "%s/%s failed", f->tree, row->path);
        ck_assert_msg(strcmp(out->str, expected) == 0, "%s/%s:\n%s\nwant:\n%s", f->tree, row->path,
                      out->str, expected);
        return true;
}

START_TEST(test_golden)
{
        static const char *const trees[] = {"v1", "v2"};
        const char *write_dir = getenv("PV_GATHER_WRITE");
        g_autofree unsigned *goldens = g_new0(unsigned, pv_fs_n_files);

        for (size_t t = 0; t < G_N_ELEMENTS(trees); t++) {
                Fixture f;
                fixture_open(&f, trees[t], PV_OPT_CPU_VIEW_CPUSET);
                for (size_t i = 0; i < pv_fs_n_files; i++) {
                        const PvFile *row = &pv_fs_files[i];
                        if (!row->gather)
                                continue;
                        if (write_dir)
                                write_golden(&f, row, write_dir);
                        else
                                goldens[i] += check_golden(&f, row);
                }
                fixture_close(&f);
        }
        if (write_dir)
                return;
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const PvFile *row = &pv_fs_files[i];
                if (row->gather && !has_no_golden(row->path))
                        ck_assert_msg(goldens[i] > 0, "%s: no expected-<tree>/%s", row->path,
                                      row->path);
        }
}
END_TEST

START_TEST(test_v1_cpu_online_flag)
{
        Fixture f;
        g_autoptr(GString) out = g_string_new(NULL);
        fixture_open(&f, "v1", PV_OPT_CPU_VIEW_CPUSET);
        /* a visible CPU (expected-v1/sys/devices/system/cpu/online) is online */
        ck_assert_int_eq(gather(&f, pv_fs_cpu_online_file.gather, 5, out), 0);
        ck_assert_str_eq(out->str, "1\n");
        /* a CPU outside the view has no cpuN directory, so no online file */
        g_string_assign(out, "kept");
        ck_assert_int_eq(pv_fs_cpu_online_file.gather(&f.d, &f.c, 1, out), -ENOENT);
        ck_assert_str_eq(out->str, "kept");
        fixture_close(&f);
}
END_TEST

START_TEST(test_v2_quota_view)
{
        Fixture f;
        g_autoptr(GString) out = g_string_new(NULL);
        /* cpu.max 50000 100000: ceil(0.5) = one CPU, the first of the cpuset */
        fixture_open(&f, "v2", PV_OPT_CPU_VIEW_QUOTA);
        ck_assert_int_eq(gather(&f, gatherer("sys/devices/system/cpu/online"), 0, out), 0);
        ck_assert_str_eq(out->str, "0\n");
        ck_assert_int_eq(gather(&f, gatherer("proc/cpuinfo"), 0, out), 0);
        ck_assert_ptr_nonnull(strstr(out->str, "processor\t: 0\n"));
        ck_assert_ptr_null(strstr(out->str, "processor\t: 1\n"));
        fixture_close(&f);
}
END_TEST

START_TEST(test_pressure)
{
        Fixture f;
        g_autoptr(GString) out = g_string_new(NULL);
        /* v2: the cgroup's own PSI text, not the host's */
        fixture_open(&f, "v2", PV_OPT_CPU_VIEW_CPUSET);
        g_autofree char *want = read_fixture("cgroup/v2/unified/kube/pod1/cpu.pressure");
        ck_assert_int_eq(gather(&f, gatherer("proc/pressure/cpu"), 0, out), 0);
        ck_assert_str_eq(out->str, want);
        fixture_close(&f);
        /* v1 controllers keep no pressure: an error, never the host's numbers */
        fixture_open(&f, "v1", PV_OPT_CPU_VIEW_CPUSET);
        g_string_truncate(out, 0);
        ck_assert_int_eq(gatherer("proc/pressure/memory")(&f.d, &f.c, 0, out), -EOPNOTSUPP);
        ck_assert_int_eq(out->len, 0);
        fixture_close(&f);
}
END_TEST

START_TEST(test_v1_stat_uptime)
{
        Fixture f;
        g_autoptr(GString) out = g_string_new(NULL);
        double up, idle;
        fixture_open(&f, "v1", PV_OPT_CPU_VIEW_CPUSET);
        ck_assert_int_eq(gather(&f, gatherer("proc/stat"), 0, out), 0);
        /* one line per visible CPU, none for the others, btime at the container's start */
        for (unsigned cpu = 0; cpu < 8; cpu++) {
                g_autofree char *line = g_strdup_printf("\ncpu%u ", cpu);
                bool visible = cpu == 0 || cpu == 2 || cpu >= 5;
                ck_assert_msg((strstr(out->str, line) != NULL) == visible, "cpu%u", cpu);
        }
        g_autofree char *btime = g_strdup_printf(
            "\nbtime %llu\n", 1795599717ULL + (unsigned long long)(f.c.start_ns / NS_PER_S));
        ck_assert_ptr_nonnull(strstr(out->str, btime));
        /* the container started 100 s ago; idle is at most 5 CPUs' worth of it */
        ck_assert_int_eq(gather(&f, gatherer("proc/uptime"), 0, out), 0);
        ck_assert_int_eq(sscanf(out->str, "%lf %lf", &up, &idle), 2);
        ck_assert(up >= 100 && up < 160);
        ck_assert(idle <= 5 * up);
        fixture_close(&f);
}
END_TEST

/* The CPUs a text of path shows: its processors, its cpuN lines, or its CPU list. */
static PvCpuSet shown_cpus(const char *path, const char *text)
{
        PvCpuSet set;
        pv_cpuset_zero(&set);
        if (!g_str_has_prefix(path, "proc/")) {
                ck_assert_int_eq(pv_cpuset_parse(text, &set), 0);
                return set;
        }
        const char *key = strcmp(path, "proc/cpuinfo") == 0 ? "processor\t: " : "\ncpu";
        for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
                char *end;
                unsigned long cpu = strtoul(p + strlen(key), &end, 10);
                if (end == p + strlen(key))
                        continue; /* stat's "cpu " total line */
                pv_cpuset_add(&set, (unsigned)cpu);
        }
        return set;
}

static void assert_shows(Fixture *f, const char *path, unsigned node, const char *want)
{
        g_autoptr(GString) out = g_string_new(NULL);
        PvGatherFn *fn = g_str_has_suffix(path, "cpulist")
                             ? pv_fs_node_files[PV_NODE_CPULIST].gather
                             : gatherer(path);
        PvCpuSet want_set;
        ck_assert_int_eq(pv_cpuset_parse(want, &want_set), 0);
        int r = gather(f, fn, node, out);
        ck_assert_msg(r == 0, "%s: %s", path, g_strerror(-r));
        PvCpuSet got = shown_cpus(path, out->str);
        ck_assert_msg(pv_cpuset_equal(&got, &want_set), "%s shows:\n%.300s\nwant CPUs %s", path,
                      out->str, want);
}

/*
 * A host whose hierarchies have no cpuset controller: every online CPU of
 * the fixture host (0-7) in each file that shows CPUs, cut by the quota
 * of kube (150000/100000: two CPUs) in the quota view; every node.
 */
START_TEST(test_no_cpuset)
{
        static const struct {
                PvCpuViewOption view;
                const char *cpus, *has_cpu, *node0, *node1;
        } cases[] = {
            {PV_OPT_CPU_VIEW_CPUSET, "0-7", "0-1", "0-3", "4-7"},
            {PV_OPT_CPU_VIEW_QUOTA, "0-1", "0", "0-1", ""},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                Fixture f;
                fixture_open(&f, "v1-nocpuset", cases[i].view);
                assert_shows(&f, "proc/cpuinfo", 0, cases[i].cpus);
                assert_shows(&f, "proc/stat", 0, cases[i].cpus);
                assert_shows(&f, "sys/devices/system/cpu/online", 0, cases[i].cpus);
                assert_shows(&f, "sys/devices/system/node/online", 0, "0-1");
                assert_shows(&f, "sys/devices/system/node/has_cpu", 0, cases[i].has_cpu);
                assert_shows(&f, "node0/cpulist", 0, cases[i].node0);
                assert_shows(&f, "node1/cpulist", 1, cases[i].node1);
                fixture_close(&f);
        }
}
END_TEST

/* Runs argv, which must succeed. */
static void run(const char *const *argv)
{
        int status;
        ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, NULL));
        ck_assert(g_spawn_check_wait_status(status, NULL));
}

/*
 * The container's cgroups removed while it is held open, on a host with
 * the cpuset controller and on one without: every file computed from them
 * is -ENOENT (the reader's cgroups are then looked up again), never the
 * host's CPUs or nodes.
 */
START_TEST(test_vanished)
{
        static const char *const trees[] = {"v1", "v1-nocpuset", "v2"};
        for (size_t t = 0; t < G_N_ELEMENTS(trees); t++) {
                g_autofree char *tmp = g_dir_make_tmp("pv-gather-XXXXXX", NULL);
                g_autofree char *rel = g_build_filename("cgroup", trees[t], NULL);
                g_autofree char *src = fixture_path(rel);
                g_autofree char *dir = g_build_filename(tmp, "tree", NULL);
                run((const char *[]){"cp", "-rL", src, dir, NULL});
                Fixture f;
                fixture_open_at(&f, dir, PV_OPT_CPU_VIEW_CPUSET);
                g_autofree char *rm = g_strdup_printf("rm -rf %s/*/kube/pod1", dir);
                run((const char *[]){"sh", "-c", rm, NULL});
                g_autoptr(GString) out = g_string_new(NULL);
                for (size_t i = 0; i < pv_fs_n_files; i++) {
                        const PvFile *row = &pv_fs_files[i];
                        /* offline is empty for every container: it reads nothing of one */
                        if (!row->gather ||
                            strcmp(row->path, "sys/devices/system/cpu/offline") == 0)
                                continue;
                        int r = gather(&f, row->gather, 0, out);
                        /* v1 keeps no pressure: that says so before anything is read */
                        bool no_psi =
                            g_str_has_prefix(row->path, "proc/pressure/") && r == -EOPNOTSUPP;
                        ck_assert_msg(r == -ENOENT || no_psi, "%s %s: %d", trees[t], row->path, r);
                }
                for (int s = PV_NODE_DIR + 1; s < _PV_NODE_SLOTS; s++)
                        ck_assert_int_eq(gather(&f, pv_fs_node_files[s].gather, 0, out), -ENOENT);
                ck_assert_int_eq(gather(&f, pv_fs_cpu_online_file.gather, 0, out), -ENOENT);
                fixture_close(&f);
                run((const char *[]){"rm", "-rf", tmp, NULL});
        }
}
END_TEST

/*
 * A container's averages start at 0 and follow the kernel's fold of its
 * runnable and uninterruptible tasks (2 R and 1 D in the v1 fixture) per
 * 5-second tick, several ticks at once when the sampler is late.
 */
START_TEST(test_loadavg_ticks)
{
        Fixture f;
        g_autoptr(GString) out = g_string_new(NULL);
        fixture_open(&f, "v1", PV_OPT_CPU_VIEW_CPUSET);
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "0.00 0.00 0.00 2/4 7\n");
        /* a tick already folded, or none passed: nothing */
        pv_container_sample_load(&f.d, &f.c, 0);
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "0.00 0.00 0.00 2/4 7\n");
        for (uint64_t tick = 1; tick <= 13; tick++)
                pv_container_sample_load(&f.d, &f.c, tick);
        ck_assert_uint_eq(f.c.load.avenrun[0], 4073);
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "1.99 0.59 0.21 2/4 7\n");
        /* a minute late: 12 ticks folded as one, as the kernel's calc_load_n */
        pv_container_sample_load(&f.d, &f.c, 25);
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "2.63 1.03 0.38 2/4 7\n");
        fixture_close(&f);
}
END_TEST

START_TEST(test_host_required)
{
        PvDaemon d = {0};
        /* a host directory without meminfo: a required file, so no start */
        d.opts.host_proc = fixture_path("daemon/host/sys-cpu");
        d.opts.sys_cpu_dir = fixture_path("daemon/host/sys-cpu");
        ck_assert_int_eq(pv_host_open(&d, pv_fs_files, pv_fs_n_files), -ENOENT);
        /* which one, by the option and the path: the line procviewd refuses to start with */
        g_autofree char *want =
            g_strdup_printf("--host-proc=%s: %s/meminfo", d.opts.host_proc, d.opts.host_proc);
        ck_assert_str_eq(pv_host_missing(&d), want);
        pv_host_close(&d);
        /* the directory itself */
        g_free(d.opts.host_proc);
        d.opts.host_proc = g_strdup("/nonexistent");
        ck_assert_int_eq(pv_host_open(&d, pv_fs_files, pv_fs_n_files), -ENOENT);
        ck_assert_str_eq(pv_host_missing(&d), "--host-proc=/nonexistent");
        pv_host_close(&d);
        g_free(d.opts.host_proc);
        g_free(d.opts.sys_cpu_dir);
}
END_TEST

START_TEST(test_idle_plain)
{
        /* 4 CPUs for 10 s, 15 s of them busy: 25 s idle */
        ck_assert(pv_uptime_idle_ns(10 * NS_PER_S, 4, 15 * NS_PER_S) == 25 * NS_PER_S);
        /* busier than the capacity (usage counted on CPUs since hidden): 0, not a wrap */
        ck_assert(pv_uptime_idle_ns(10 * NS_PER_S, 1, 11 * NS_PER_S) == 0);
        ck_assert(pv_uptime_idle_ns(0, 8, 0) == 0);
}
END_TEST

START_TEST(test_idle_big_host)
{
        /* 1024 CPUs for 300 days is about 2.65e19 ns: more than 64 bits hold */
        uint64_t idle = pv_uptime_idle_ns(300 * NS_PER_DAY, 1024, 0);
        ck_assert(idle == UINT64_MAX);
        /* 1024 CPUs for 200 days still fits and is exact */
        idle = pv_uptime_idle_ns(200 * NS_PER_DAY, 1024, NS_PER_DAY);
        ck_assert(idle == 200 * NS_PER_DAY * 1024 - NS_PER_DAY);
        /* past 2^64 before subtracting busy, below it after: exact, not saturated */
        uint64_t up = 210 * NS_PER_DAY;
        unsigned __int128 cap = (unsigned __int128)up * 1024;
        uint64_t busy = (uint64_t)(cap - (UINT64_MAX - 5));
        ck_assert(pv_uptime_idle_ns(up, 1024, busy) == UINT64_MAX - 5);
}
END_TEST

/* Reads within 100 ms of a read that counted the tasks share its count; later ones count. */
START_TEST(test_count_shared)
{
        g_autofree char *tmp = g_dir_make_tmp("pv-gather-XXXXXX", NULL);
        g_autofree char *src = fixture_path("cgroup/v1");
        g_autofree char *dir = g_build_filename(tmp, "tree", NULL);
        run((const char *[]){"cp", "-rL", src, dir, NULL});
        Fixture f;
        fixture_open_at(&f, dir, PV_OPT_CPU_VIEW_CPUSET);
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "0.00 0.00 0.00 2/4 7\n");

        /* task 100 (running) leaves the cgroup */
        g_autofree char *tasks = g_build_filename(dir, "pids/kube/pod1/tasks", NULL);
        ck_assert(g_file_set_contents(tasks, "101\n102\n", -1, NULL));
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "0.00 0.00 0.00 2/4 7\n");
        g_usleep(G_USEC_PER_SEC / 10 + 10000);
        ck_assert_int_eq(gather(&f, gatherer("proc/loadavg"), 0, out), 0);
        ck_assert_str_eq(out->str, "0.00 0.00 0.00 1/3 7\n");
        fixture_close(&f);
        run((const char *[]){"rm", "-rf", tmp, NULL});
}
END_TEST

int main(void)
{
        Suite *s = suite_create("gather");
        TCase *tc = tcase_create("fixtures");
        tcase_add_test(tc, test_golden);
        tcase_add_test(tc, test_v1_cpu_online_flag);
        tcase_add_test(tc, test_v2_quota_view);
        tcase_add_test(tc, test_pressure);
        tcase_add_test(tc, test_v1_stat_uptime);
        tcase_add_test(tc, test_loadavg_ticks);
        tcase_add_test(tc, test_host_required);
        tcase_add_test(tc, test_no_cpuset);
        tcase_add_test(tc, test_vanished);
        tcase_add_test(tc, test_count_shared);
        suite_add_tcase(s, tc);
        tc = tcase_create("uptime");
        tcase_add_test(tc, test_idle_plain);
        tcase_add_test(tc, test_idle_big_host);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
