/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Renderer tests. Golden cases live in tests/fixtures/views/<case>/: the host
 * text the renderer reads (captured from a cgroup-v1 host, or synthesized
 * like a cgroup-v2 host's) and "expected", checked by hand against the
 * counters given here. Odd inputs are built at runtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "pv-check.h"
#include "views/views.h"

#define MiB(x) ((uint64_t)(x)*1024 * 1024)
#define SEC(x) ((uint64_t)((x)*1e9 + 0.5))

static char *fixture(const char *case_name, const char *file)
{
        const char *dir = getenv("PV_FIXTURES");
        char *text = NULL;
        ck_assert_msg(dir, "PV_FIXTURES not set");
        g_autofree char *path = g_strdup_printf("%s/views/%s/%s", dir, case_name, file);
        int r = pv_read_file_at(AT_FDCWD, path, &text, NULL);
        ck_assert_msg(r == 0, "reading %s: %s", path, g_strerror(-r));
        return text;
}

static void assert_golden(const char *case_name, const GString *out)
{
        g_autofree char *expected = fixture(case_name, "expected");
        ck_assert_str_eq(out->str, expected);
}

/* The value of "Key:" in meminfo text, or -1. */
static long long meminfo_value(const char *text, const char *key)
{
        g_autofree char *k = g_strdup_printf("%s:", key);
        size_t n = strlen(k);
        for (const char *p = text; p; p = strchr(p, '\n')) {
                if (*p == '\n')
                        p++;
                if (strncmp(p, k, n) == 0)
                        return strtoll(p + n, NULL, 10);
        }
        return -1;
}

/* ---- meminfo ---- */

/* A v1 container: usage includes page cache, no slab counters. */
static PvMemory mem_v1(void)
{
        return (PvMemory){
            .limit = MiB(512),
            .usage = MiB(300),
            .swap_accounted = true,
            .swap_limit = MiB(256),
            .swap_usage = 0,
            .stat =
                {
                    .anon = MiB(200),
                    .file = MiB(96),
                    .shmem = MiB(8),
                    .mapped_file = MiB(20),
                    .dirty = MiB(1),
                    .active_anon = MiB(150),
                    .inactive_anon = MiB(58),
                    .active_file = MiB(60),
                    .inactive_file = MiB(28),
                    .unevictable = MiB(4),
                },
        };
}

static PvMemory mem_v2(void)
{
        return (PvMemory){
            .limit = MiB(1024),
            .usage = MiB(700),
            .swap_accounted = true,
            .swap_limit = MiB(512),
            .swap_usage = MiB(10),
            .stat =
                {
                    .anon = MiB(400),
                    .file = MiB(250),
                    .shmem = MiB(16),
                    .mapped_file = MiB(30),
                    .dirty = MiB(2),
                    .writeback = 512 * 1024,
                    .swapcached = MiB(1),
                    .active_anon = MiB(300),
                    .inactive_anon = MiB(116),
                    .active_file = MiB(150),
                    .inactive_file = MiB(83),
                    .slab_reclaimable = MiB(20),
                    .slab_unreclaimable = MiB(10),
                    .kernel_stack = 1536 * 1024,
                    .pagetables = MiB(3),
                    .anon_thp = MiB(100),
                },
        };
}

static void render_meminfo_case(const char *case_name, const PvMemory *mem)
{
        g_autofree char *host = fixture(case_name, "meminfo");
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(meminfo_render(host, mem, out), 0);
        assert_golden(case_name, out);
}

START_TEST(test_meminfo_v1)
{
        PvMemory m = mem_v1();
        render_meminfo_case("meminfo-v1", &m);
}
END_TEST

START_TEST(test_meminfo_v2_swap)
{
        PvMemory m = mem_v2();
        render_meminfo_case("meminfo-v2-swap", &m);
}
END_TEST

START_TEST(test_meminfo_unlimited)
{
        PvMemory m = mem_v2();
        m.limit = PV_UNLIMITED;
        m.swap_limit = PV_UNLIMITED;
        render_meminfo_case("meminfo-unlimited", &m);
}
END_TEST

/* Charged above the limit (a limit lowered after the fact): nothing exceeds MemTotal. */
START_TEST(test_meminfo_over_limit)
{
        PvMemory m = {
            .limit = MiB(256),
            .usage = MiB(300),
            .stat =
                {
                    .file = MiB(300),
                    .active_file = MiB(200),
                    .inactive_file = MiB(100),
                },
        };
        render_meminfo_case("meminfo-over-limit", &m);
}
END_TEST

START_TEST(test_meminfo_swap_not_accounted)
{
        g_autofree char *host = fixture("meminfo-v2-swap", "meminfo");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();

        /* without memsw the container's share of swap is unknown: the host's values */
        m.swap_accounted = false;
        ck_assert_int_eq(meminfo_render(host, &m, out), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapTotal"), 8388604);
        ck_assert_int_eq(meminfo_value(out->str, "SwapFree"), 8126460);

        /* a host whose SwapFree is above SwapTotal (racing updates) is capped */
        g_autofree char *odd = g_strdup("MemTotal:        1000000 kB\nSwapTotal:          1000 kB\n"
                                        "SwapFree:           2000 kB\n");
        g_string_truncate(out, 0);
        ck_assert_int_eq(meminfo_render(odd, &m, out), 0);
        ck_assert_str_eq(out->str, "MemTotal:        1000000 kB\nSwapTotal:          1000 kB\n"
                                   "SwapFree:           1000 kB\n");

        /* accounted, swap limit 0: no swap */
        m.swap_accounted = true;
        m.swap_limit = 0;
        g_string_truncate(out, 0);
        ck_assert_int_eq(meminfo_render(host, &m, out), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapTotal"), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapFree"), 0);

        /* swap usage above the limit: SwapFree 0, not negative */
        m.swap_limit = MiB(8);
        m.swap_usage = MiB(9);
        g_string_truncate(out, 0);
        ck_assert_int_eq(meminfo_render(host, &m, out), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapTotal"), 8192);
        ck_assert_int_eq(meminfo_value(out->str, "SwapFree"), 0);
}
END_TEST

START_TEST(test_meminfo_invariants)
{
        g_autofree char *host = fixture("meminfo-v1", "meminfo");
        /* sweep usage, cache and slab across and beyond the limit */
        for (uint64_t usage = 0; usage <= MiB(2048); usage += MiB(128)) {
                for (uint64_t file = 0; file <= MiB(1024); file += MiB(256)) {
                        g_autoptr(GString) out = g_string_new(NULL);
                        PvMemory m = {.limit = MiB(512), .usage = usage};
                        m.stat.file = file;
                        m.stat.inactive_file = file;
                        m.stat.slab_reclaimable = MiB(64);
                        ck_assert_int_eq(meminfo_render(host, &m, out), 0);
                        long long total = meminfo_value(out->str, "MemTotal");
                        long long free_kb = meminfo_value(out->str, "MemFree");
                        long long avail = meminfo_value(out->str, "MemAvailable");
                        ck_assert_int_eq(total, 524288);
                        ck_assert_int_le(free_kb, avail);
                        ck_assert_int_le(avail, total);
                        ck_assert_int_le(meminfo_value(out->str, "Cached"), total);
                        ck_assert_int_le(meminfo_value(out->str, "SwapFree"),
                                         meminfo_value(out->str, "SwapTotal"));
                }
        }
}
END_TEST

/* The value of "Key:" as an unsigned 64-bit number (meminfo_value saturates at LLONG_MAX). */
static uint64_t meminfo_u64(const char *text, const char *key)
{
        g_autofree char *k = g_strdup_printf("\n%s:", key);
        g_autofree char *t = g_strdup_printf("\n%s", text);
        const char *p = strstr(t, k);
        ck_assert_msg(p, "no %s", key);
        return g_ascii_strtoull(p + strlen(k), NULL, 10);
}

/* Counters near 2^64 saturate instead of wrapping (found by tests/fuzz/fuzz-meminfo). */
START_TEST(test_meminfo_huge_values)
{
        /* an unlimited container on a host whose MemTotal is the largest u64 */
        const char *host = "MemTotal: 18446744073709551615 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n";
        PvMemory m = {.limit = PV_UNLIMITED};
        m.stat.file = MiB(1);
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(meminfo_render(host, &m, out), 0);
        ck_assert(meminfo_u64(out->str, "MemTotal") == UINT64_MAX);
        ck_assert(meminfo_u64(out->str, "MemFree") == UINT64_MAX);
        ck_assert(meminfo_u64(out->str, "MemAvailable") == UINT64_MAX);

        /* file LRU pages whose sum does not fit: all of it is available, not 1 kB */
        g_autofree char *v1 = fixture("meminfo-v1", "meminfo");
        PvMemory n = {.limit = MiB(512), .usage = MiB(500)};
        n.stat.active_file = UINT64_MAX;
        n.stat.inactive_file = 2048;
        g_autoptr(GString) out2 = g_string_new(NULL);
        ck_assert_int_eq(meminfo_render(v1, &n, out2), 0);
        ck_assert_int_eq(meminfo_value(out2->str, "MemFree"), 12288);
        ck_assert_int_eq(meminfo_value(out2->str, "MemAvailable"), 524288);
}
END_TEST

START_TEST(test_meminfo_malformed)
{
        PvMemory m = mem_v1();
        const char *bad[] = {
            "",                                       /* no MemTotal */
            "MemFree:  100 kB\n",                     /* no MemTotal */
            "MemTotal  100 kB\n",                     /* no colon */
            "MemTotal: abc kB\n",                     /* not a number */
            "MemTotal: 100 MB\n",                     /* unknown unit */
            "MemTotal: 100 kB\nCached: 7\n",          /* derived key without kB */
            "MemTotal: 99999999999999999999999 kB\n", /* overflow */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(meminfo_render(bad[i], &m, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
        }
}
END_TEST

/* ---- cpu view, cpuinfo, cpulist ---- */

static PvCpuSet cpus(const char *list)
{
        PvCpuSet s;
        ck_assert_int_eq(pv_cpuset_parse(list, &s), 0);
        return s;
}

static char *list(const PvCpuSet *s)
{
        GString *out = g_string_new(NULL);
        ck_assert_int_eq(cpulist_render(s, out), 0);
        return g_string_free(out, FALSE);
}

START_TEST(test_cpu_view)
{
        PvCpuSet cs = cpus("0,2,5-7"), online = cpus("0-6"), v;
        g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;

        pv_cpu_view(&cs, &online, 0, 100000, PV_CPU_VIEW_CPUSET, &v);
        ck_assert_str_eq(a = list(&v), "0,2,5-6\n");
        /* quota 1.5 CPUs: ceil = 2, the lowest ids */
        pv_cpu_view(&cs, &online, 150000, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_str_eq(b = list(&v), "0,2\n");
        /* the cpuset mode ignores the quota */
        pv_cpu_view(&cs, &online, 150000, 100000, PV_CPU_VIEW_CPUSET, &v);
        ck_assert_str_eq(c = list(&v), "0,2,5-6\n");
        /* quota 0 is "no limit" */
        pv_cpu_view(&cs, &online, 0, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_uint_eq(pv_cpuset_count(&v), 4);
        /* a quota above the cpuset keeps the whole set */
        pv_cpu_view(&cs, &online, 1000000, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_uint_eq(pv_cpuset_count(&v), 4);
        /* tiny quota: at least one CPU */
        pv_cpu_view(&cs, &online, 1000, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_str_eq(d = list(&v), "0\n");
        /* cpuset of offline CPUs only: the lowest online CPU */
        PvCpuSet off = cpus("7"), online2 = cpus("3-6");
        pv_cpu_view(&off, &online2, 0, 0, PV_CPU_VIEW_CPUSET, &v);
        ck_assert_str_eq(e = list(&v), "3\n");
        PvCpuSet empty = cpus("");
        ck_assert_str_eq(f = list(&empty), "\n");
}
END_TEST

START_TEST(test_cpulist_large)
{
        PvCpuSet s = cpus("0-511");
        for (unsigned i = 1; i < 512; i += 2)
                s.bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
        g_autoptr(GString) out = g_string_new("x");
        ck_assert_int_eq(cpulist_render(&s, out), 0);
        /* 256 ids, appended after the existing text */
        ck_assert(g_str_has_prefix(out->str, "x0,2,4,"));
        ck_assert(g_str_has_suffix(out->str, ",508,510\n"));
        PvCpuSet back;
        ck_assert_int_eq(pv_cpuset_parse(out->str + 1, &back), 0);
        ck_assert(pv_cpuset_equal(&s, &back));
}
END_TEST

START_TEST(test_cpuinfo_v1)
{
        g_autofree char *host = fixture("cpuinfo-v1", "cpuinfo");
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("1");
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        assert_golden("cpuinfo-v1", out);

        /* every CPU visible: the host's text unchanged */
        v = cpus("0-1");
        g_string_truncate(out, 0);
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, host);
}
END_TEST

START_TEST(test_cpuinfo_sparse)
{
        g_autofree char *host = fixture("cpuinfo-sparse", "cpuinfo");
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("0,2,5-7");
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        assert_golden("cpuinfo-sparse", out);
}
END_TEST

/* A 2-package x 128-core x 2-thread host; thread t of core c of package p is CPU p*128 + c + t*256.
 */
static char *host_cpuinfo_512(void)
{
        GString *s = g_string_new(NULL);
        for (unsigned cpu = 0; cpu < 512; cpu++) {
                unsigned pkg = (cpu % 256) / 128, core = cpu % 128;
                g_string_append_printf(s,
                                       "processor\t: %u\nvendor_id\t: GenuineIntel\n"
                                       "model name\t: Test CPU @ 2.00GHz\nphysical id\t: %u\n"
                                       "siblings\t: 256\ncore id\t\t: %u\ncpu cores\t: 128\n"
                                       "apicid\t\t: %u\nflags\t\t: fpu vme de pse tsc msr pae mce "
                                       "cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr "
                                       "sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc "
                                       "rep_good nopl xtopology cpuid tsc_known_freq pni "
                                       "pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe "
                                       "popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm\n"
                                       "bogomips\t: 4000.00\npower management:\n\n",
                                       cpu, pkg, core, cpu * 2);
        }
        return g_string_free(s, FALSE);
}

START_TEST(test_cpuinfo_512)
{
        g_autofree char *host = host_cpuinfo_512();
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("0-511");

        ck_assert_uint_gt(strlen(host), 3 * 65536); /* well past any page or 64 KiB buffer */
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        ck_assert_uint_eq(out->len, strlen(host));
        ck_assert_str_eq(out->str, host);

        /* CPUs 0, 2, 5-7 and their hyperthreads 256, 258, 261-263: package 0, 5 cores */
        v = cpus("0,2,5-7,256,258,261-263,511");
        g_string_truncate(out, 0);
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        g_auto(GStrv) blocks = g_strsplit(out->str, "\n\n", -1);
        ck_assert_uint_eq(g_strv_length(blocks), 12); /* 11 blocks and the empty tail */
        ck_assert_str_eq(blocks[11], "");
        const unsigned ids[] = {0, 2, 5, 6, 7, 256, 258, 261, 262, 263, 511};
        for (unsigned i = 0; i < 11; i++) {
                g_autofree char *head = g_strdup_printf("processor\t: %u\n", ids[i]);
                ck_assert(g_str_has_prefix(blocks[i], head));
                if (ids[i] == 511) {
                        /* alone in package 1 */
                        ck_assert(strstr(blocks[i], "\nsiblings\t: 1\n"));
                        ck_assert(strstr(blocks[i], "\ncpu cores\t: 1\n"));
                } else {
                        ck_assert(strstr(blocks[i], "\nsiblings\t: 10\n"));
                        ck_assert(strstr(blocks[i], "\ncpu cores\t: 5\n"));
                }
        }
}
END_TEST

/* arm-style text: no package/core lines to rewrite, and a trailing block without "processor" */
START_TEST(test_cpuinfo_global_block)
{
        const char *host = "processor\t: 0\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                           "processor\t: 1\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                           "processor\t: 2\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                           "Hardware\t: BCM2835\nRevision\t: c03111\n";
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("1");
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, "processor\t: 1\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                                   "Hardware\t: BCM2835\nRevision\t: c03111\n");
}
END_TEST

/*
 * No block with physical id and core id (arm64, or a hidden CPU): nothing to
 * count, and no qsort() of an empty array's NULL storage (found by
 * tests/fuzz/fuzz-cpuinfo under UBSan).
 */
START_TEST(test_cpuinfo_no_package)
{
        const char *host = "processor\t: 1\nvendor_id\t: AuthenticAMD\n";
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("1");
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, host);
        v = cpus("0");
        g_string_truncate(out, 0);
        ck_assert_int_eq(cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, "");
}
END_TEST

START_TEST(test_cpuinfo_malformed)
{
        PvCpuSet v = cpus("0");
        const char *bad[] = {
            "",
            "vendor_id\t: x\n\n",
            "processor\t: x\nvendor_id\t: y\n\n",
            "processor\t: 0\nphysical id\t: -1\n\n",
            "processor\t: 0\ncore id\t\t: \n\n",
            /* two ids in one block: CPU 1 hidden, yet shown with CPU 0 (tests/fuzz/fuzz-cpuinfo) */
            "processor:0\nprocessor:1",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(cpuinfo_render(bad[i], &v, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
        }
}
END_TEST

/* ---- stat ---- */

START_TEST(test_stat_v1)
{
        g_autofree char *host = fixture("stat-v1", "stat");
        g_autoptr(GString) out = g_string_new(NULL);
        uint64_t user[2] = {1234567890, 3456789012}, sys[2] = {987654321, 1500000000};
        PvCpuSet v = cpus("1");
        PvCpuUsage u = {
            .user_ns = user[0] + user[1],
            .system_ns = sys[0] + sys[1],
            .percpu_user_ns = user,
            .percpu_system_ns = sys,
            .n_cpus = 2,
        };
        PvTaskCounts t = {.running = 3, .uninterruptible = 1, .total = 17, .last_pid = 4242};
        PvStatInput in = {
            .visible = &v,
            .usage = &u,
            .tasks = &t,
            .container_uptime_ns = SEC(3000.5),
            .boot_time_s = 1795600000,
            .processes = 42,
            .user_hz = 100,
        };
        PvStatMemo memo = {0};
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        assert_golden("stat-v1", out);
        pv_stat_memo_clear(&memo);
}
END_TEST

static PvStatInput stat_v2_input(const PvCpuSet *v, const PvCpuUsage *u)
{
        return (PvStatInput){
            .visible = v,
            .usage = u,
            .container_uptime_ns = SEC(1000),
            .boot_time_s = 1795600100,
            .user_hz = 100,
        };
}

START_TEST(test_stat_v2_sparse)
{
        g_autofree char *host = fixture("stat-v2-sparse", "stat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("0,2,5-7");
        PvCpuUsage u = {.user_ns = SEC(123.45), .system_ns = SEC(67.89)};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};

        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        assert_golden("stat-v2-sparse", out);
        pv_stat_memo_clear(&memo);
}
END_TEST

/* Parses the "cpu" aggregate and "cpuN" lines into [N + 1][3] (user, system, idle); index 0 is the
 * aggregate. */
static void stat_values(const char *text, uint64_t v[][3], size_t n, bool shown[])
{
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        memset(shown, 0, n * sizeof(bool));
        for (char **l = lines; *l; l++) {
                unsigned long long x[10];
                int id = -1, used = 0;
                if (strncmp(*l, "cpu", 3) != 0)
                        continue;
                if ((*l)[3] != ' ')
                        ck_assert_int_eq(sscanf(*l + 3, "%d%n", &id, &used), 1);
                int k =
                    sscanf(*l + 3 + used, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                           &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7], &x[8], &x[9]);
                ck_assert_int_eq(k, 10);
                ck_assert_uint_lt((size_t)(id + 1), n);
                v[id + 1][0] = x[0];
                v[id + 1][1] = x[2];
                v[id + 1][2] = x[3];
                shown[id + 1] = true;
        }
}

START_TEST(test_stat_monotonic)
{
        g_autofree char *host = fixture("stat-v2-sparse", "stat");
        uint64_t user[8] = {0}, sys[8] = {0};
        PvCpuSet v = cpus("0-3");
        PvCpuUsage u = {.percpu_user_ns = user, .percpu_system_ns = sys, .n_cpus = 8};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        uint64_t prev[9][3] = {{0}}, cur[9][3] = {{0}};
        bool shown[9];

        for (int i = 0; i < 8; i++) {
                user[i] = SEC(10 + i);
                sys[i] = SEC(5);
        }
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, prev, 9, shown);
        ck_assert_uint_eq(prev[1 + 2][0], 1200);
        ck_assert_uint_eq(prev[0][0], 1000 + 1100 + 1200 + 1300);

        /* the counters go down (a cgroup recreated, a backend glitch) and uptime with them */
        for (int i = 0; i < 8; i++)
                user[i] = SEC(1);
        in.container_uptime_ns = SEC(500);
        g_string_truncate(out, 0);
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, cur, 9, shown);
        for (int i = 0; i < 5; i++)
                for (int k = 0; k < 3; k++)
                        ck_assert_uint_eq(cur[i][k], prev[i][k]);

        /* and grow again: CPU 2's user rises past its old value */
        user[2] = SEC(20);
        g_string_truncate(out, 0);
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, cur, 9, shown);
        ck_assert_uint_eq(cur[1 + 2][0], 2000);
        ck_assert_uint_eq(cur[0][0], prev[0][0] + 800);
        pv_stat_memo_clear(&memo);
        ck_assert_ptr_null(memo.cpu);
}
END_TEST

START_TEST(test_stat_cpuset_shrink_grow)
{
        g_autofree char *host = fixture("stat-v2-sparse", "stat");
        uint64_t user[8], sys[8];
        PvCpuSet v = cpus("0-3");
        PvCpuUsage u = {.percpu_user_ns = user, .percpu_system_ns = sys, .n_cpus = 8};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        uint64_t a[9][3] = {{0}}, b[9][3] = {{0}}, c[9][3] = {{0}};
        bool shown[9];
        g_autoptr(GString) out = g_string_new(NULL);

        for (int i = 0; i < 8; i++) {
                user[i] = SEC(100);
                sys[i] = SEC(50);
        }
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, a, 9, shown);
        ck_assert(shown[1 + 3] && !shown[1 + 4]);

        /* shrink to {0,1}: 2 and 3 disappear, the aggregate does not drop */
        v = cpus("0-1");
        for (int i = 0; i < 8; i++)
                user[i] = SEC(110);
        in.container_uptime_ns = SEC(1010);
        g_string_truncate(out, 0);
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, b, 9, shown);
        ck_assert(shown[1 + 0] && shown[1 + 1] && !shown[1 + 2] && !shown[1 + 3]);
        for (int k = 0; k < 3; k++)
                ck_assert_uint_ge(b[0][k], a[0][k]);
        /* the aggregate grew by exactly what CPUs 0 and 1 gained */
        ck_assert_uint_eq(b[0][0], a[0][0] + 2 * 1000);

        /* grow back to {0-3}, with CPU 3's counter now lower than when it left */
        v = cpus("0-3");
        user[3] = SEC(90);
        g_string_truncate(out, 0);
        ck_assert_int_eq(stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, c, 9, shown);
        ck_assert(shown[1 + 3]);
        ck_assert_uint_eq(c[1 + 3][0], a[1 + 3][0]); /* kept its memo: 10000, not 9000 */
        ck_assert_uint_eq(c[1 + 2][0], 11000);
        for (int k = 0; k < 3; k++)
                ck_assert_uint_ge(c[0][k], b[0][k]);
        pv_stat_memo_clear(&memo);
}
END_TEST

START_TEST(test_stat_512)
{
        g_autoptr(GString) host = g_string_new("cpu  1 2 3 4 5 6 7 8 9 10\n");
        for (unsigned i = 0; i < 512; i++)
                g_string_append_printf(host, "cpu%u 1 2 3 4 5 6 7 8 9 10\n", i);
        g_string_append(host, "intr 1 2 3\nctxt 99\nbtime 1\nprocesses 5\nprocs_running 1\n"
                              "procs_blocked 0\nsoftirq 1 2 3\n");
        g_autofree uint64_t *user = g_new0(uint64_t, 512);
        g_autofree uint64_t *sys = g_new0(uint64_t, 512);
        for (unsigned i = 0; i < 512; i++) {
                user[i] = SEC(i);
                sys[i] = SEC(1);
        }
        PvCpuSet v = cpus("0-511");
        PvCpuUsage u = {.percpu_user_ns = user, .percpu_system_ns = sys, .n_cpus = 512};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(stat_render(host->str, &in, &memo, out), 0);
        ck_assert(strstr(out->str, "\ncpu511 51100 0 100 48800 0 0 0 0 0 0\nintr 1 2 3\n"));
        /* sum of 0..511 seconds = 130816 s */
        ck_assert(g_str_has_prefix(out->str, "cpu  13081600 0 51200 38067200 0 0 0 0 0 0\n"));
        ck_assert(g_str_has_suffix(out->str, "btime 1795600100\nprocesses 5\nprocs_running 1\n"
                                             "procs_blocked 0\nsoftirq 1 2 3\n"));
        pv_stat_memo_clear(&memo);
}
END_TEST

START_TEST(test_stat_malformed)
{
        PvCpuSet v = cpus("0");
        PvCpuUsage u = {.user_ns = SEC(1)};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        const char *bad[] = {
            "",
            "intr 1\nctxt 2\n",         /* no cpu line */
            "cpu  1 2 x 4\n",           /* not a number */
            "cpu  1 2 3\ncpuX 1 2 3\n", /* bad id */
            "cpu  1 2 3\ncpu0\n",       /* no values */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(stat_render(bad[i], &in, &memo, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
                ck_assert_uint_eq(memo.n_cpus, 0);
        }
        /* USER_HZ 0 is a caller error */
        in.user_hz = 0;
        g_autoptr(GString) out = g_string_new("keep");
        ck_assert_int_eq(stat_render("cpu  1\n", &in, &memo, out), -EINVAL);
        ck_assert_str_eq(out->str, "keep");
}
END_TEST

/* ---- diskstats ---- */

START_TEST(test_diskstats_v1)
{
        g_autofree char *host = fixture("diskstats-v1", "diskstats");
        g_autoptr(GString) out = g_string_new(NULL);
        PvIoDev devs[] = {
            {.major = 7, .minor = 0},                            /* all zero: skipped */
            {.major = 8, .minor = 0, .rbytes = 4096, .rios = 1}, /* not on the host: skipped */
            {.major = 253, .minor = 0, .wbytes = 8192, .wios = 2},
            {.major = 254,
             .minor = 0,
             .rbytes = MiB(10),
             .wbytes = MiB(8),
             .rios = 160,
             .wios = 64,
             .dbytes = MiB(1),
             .dios = 3},
        };
        PvIoStats io = {devs, G_N_ELEMENTS(devs)};
        ck_assert_int_eq(diskstats_render(host, &io, out), 0);
        assert_golden("diskstats-v1", out);
}
END_TEST

START_TEST(test_diskstats_v2)
{
        g_autofree char *host = fixture("diskstats-v2", "diskstats");
        g_autoptr(GString) out = g_string_new(NULL);
        PvIoDev devs[] = {
            {.major = 8, .minor = 0, .rbytes = MiB(1), .rios = 16},
            {.major = 253,
             .minor = 0,
             .rbytes = 512,
             .rios = 1,
             .wbytes = 4096,
             .wios = 1,
             .dbytes = MiB(4),
             .dios = 4},
            {.major = 259,
             .minor = 0,
             .rbytes = MiB(50),
             .wbytes = MiB(100),
             .rios = 1200,
             .wios = 800},
            {.major = 259, .minor = 9, .rbytes = 512, .rios = 1},
        };
        PvIoStats io = {devs, G_N_ELEMENTS(devs)};
        ck_assert_int_eq(diskstats_render(host, &io, out), 0);
        assert_golden("diskstats-v2", out);

        /* no I/O: an empty file */
        PvIoStats none = {NULL, 0};
        g_string_truncate(out, 0);
        ck_assert_int_eq(diskstats_render(host, &none, out), 0);
        ck_assert_str_eq(out->str, "");
}
END_TEST

START_TEST(test_diskstats_malformed)
{
        PvIoDev d = {.major = 8, .minor = 0, .rios = 1};
        PvIoStats io = {&d, 1};
        const char *bad[] = {
            "   8       0\n", "   x       0 sda 1 2 3\n", "   8 sda 1 2 3\n",
            "0 9\t\v", /* a name of whitespace (found by tests/fuzz/fuzz-diskstats) */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(diskstats_render(bad[i], &io, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
        }

        /* a name ends at any whitespace, so a line keeps its 20 fields for split() readers */
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(diskstats_render("   8       0 sda\vx 1 2 3\n", &io, out), 0);
        ck_assert_str_eq(out->str, "   8       0 sda 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}
END_TEST

/* ---- uptime, loadavg ---- */

START_TEST(test_uptime)
{
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(uptime_render(SEC(3291.4), UINT64_C(6474399999999), out), 0);
        ck_assert_str_eq(out->str, "3291.40 6474.39\n");
        g_string_truncate(out, 0);
        /* truncated like the kernel: 59.999 s is not yet a minute */
        ck_assert_int_eq(uptime_render(UINT64_C(59999999999), 0, out), 0);
        ck_assert_str_eq(out->str, "59.99 0.00\n");
}
END_TEST

START_TEST(test_loadavg)
{
        PvLoadAvg avg = {0};
        PvTaskCounts t = {.running = 2, .uninterruptible = 1, .total = 40, .last_pid = 31337};
        g_autoptr(GString) out = g_string_new(NULL);

        ck_assert_int_eq(loadavg_render(&avg, &t, out), 0);
        ck_assert_str_eq(out->str, "0.00 0.00 0.00 2/40 31337\n");

        pv_loadavg_update(&avg, 4, 5.0); /* primes */
        ck_assert(avg.primed);
        ck_assert_double_eq(avg.avg[0], 4.0);
        ck_assert_double_eq(avg.avg[2], 4.0);

        /* one minute idle: the 1-min average falls to 4/e, the others by exp(-60/300), exp(-60/900)
         */
        pv_loadavg_update(&avg, 0, 60.0);
        ck_assert_double_eq_tol(avg.avg[0], 1.4715177646857693, 1e-12);
        ck_assert_double_eq_tol(avg.avg[1], 3.2749230123119273, 1e-12);
        ck_assert_double_eq_tol(avg.avg[2], 3.742027940126471, 1e-12);

        /* the same minute in 12 steps of 5 s gives the same values */
        PvLoadAvg steps = {0};
        pv_loadavg_update(&steps, 4, 5.0);
        for (int i = 0; i < 12; i++)
                pv_loadavg_update(&steps, 0, 5.0);
        for (int i = 0; i < 3; i++)
                ck_assert_double_eq_tol(steps.avg[i], avg.avg[i], 1e-12);

        /* a fractional interval */
        PvLoadAvg f = {.avg = {1, 1, 1}, .primed = true};
        pv_loadavg_update(&f, 0, 2.5);
        ck_assert_double_eq_tol(f.avg[0], 0.9591894571091382, 1e-12);

        /* zero or negative intervals change nothing; very long ones converge */
        pv_loadavg_update(&avg, 100, 0.0);
        pv_loadavg_update(&avg, 100, -3.0);
        ck_assert_double_eq_tol(avg.avg[0], 1.4715177646857693, 1e-12);
        pv_loadavg_update(&avg, 3, 1e6);
        ck_assert_double_eq_tol(avg.avg[2], 3.0, 1e-12);

        g_string_truncate(out, 0);
        ck_assert_int_eq(loadavg_render(&avg, &t, out), 0);
        ck_assert_str_eq(out->str, "3.00 3.00 3.00 2/40 31337\n");
}
END_TEST

/* ---- swaps ---- */

START_TEST(test_swaps)
{
        g_autofree char *v1 = fixture("swaps-v1", "swaps");
        g_autofree char *v2 = fixture("swaps-v2", "swaps");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();

        ck_assert_int_eq(swaps_render(v2, &m, out), 0);
        assert_golden("swaps-v2", out);

        /* the host has no swap */
        g_string_truncate(out, 0);
        ck_assert_int_eq(swaps_render(v1, &m, out), 0);
        assert_golden("swaps-v1", out);

        /* swap limit 0, or not accounted: header only */
        g_autofree char *header = g_strndup(v2, strchr(v2, '\n') + 1 - v2);
        m.swap_limit = 0;
        g_string_truncate(out, 0);
        ck_assert_int_eq(swaps_render(v2, &m, out), 0);
        ck_assert_str_eq(out->str, header);
        m = mem_v2();
        m.swap_accounted = false;
        g_string_truncate(out, 0);
        ck_assert_int_eq(swaps_render(v2, &m, out), 0);
        ck_assert_str_eq(out->str, header);

        /* unlimited: the host's total; usage over it is capped; big numbers lose a tab */
        m = mem_v2();
        m.swap_limit = PV_UNLIMITED;
        m.swap_usage = UINT64_C(1) << 40;
        g_autofree char *big = g_strdup_printf("%s/dev/sdb1 partition\t20000000\t0\t-3\n"
                                               "/dev/sdc1 partition\t1000\t0\t-4\n",
                                               header);
        g_string_truncate(out, 0);
        ck_assert_int_eq(swaps_render(big, &m, out), 0);
        g_autofree char *want =
            g_strdup_printf("%snone%36svirtual\t\t20001000\t20001000\t-1\n", header, "");
        ck_assert_str_eq(out->str, want);

        /* a limit below 1 KiB: no zero-sized area line (found by tests/fuzz/fuzz-swaps) */
        m = mem_v2();
        m.swap_limit = 1023;
        g_string_truncate(out, 0);
        ck_assert_int_eq(swaps_render(v2, &m, out), 0);
        ck_assert_str_eq(out->str, header);
        m.swap_limit = PV_UNLIMITED;
        m.swap_usage = UINT64_C(1) << 40;

        /* areas whose sizes sum past 2^64 KiB: the total saturates instead of wrapping to 1024 */
        g_autofree char *huge = g_strdup_printf(
            "%s/a partition 18446744073709551615 0 -2\n/b file 1025 0 -3\n", header);
        g_string_truncate(out, 0);
        ck_assert_int_eq(swaps_render(huge, &m, out), 0);
        g_autofree char *want_huge = g_strdup_printf(
            "%snone%36svirtual\t\t18446744073709551615\t1073741824\t-1\n", header, "");
        ck_assert_str_eq(out->str, want_huge);

        const char *bad[] = {"", "Filename Type Size Used Priority\n/dev/sda1 partition x 0 -2\n"};
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) o = g_string_new("keep");
                ck_assert_int_eq(swaps_render(bad[i], &m, o), -EINVAL);
                ck_assert_str_eq(o->str, "keep");
        }
}
END_TEST

/* ---- vmstat ---- */

/* The value of "key " in vmstat text, or -1. */
static long long vmstat_value(const char *text, const char *key)
{
        g_autofree char *k = g_strdup_printf("%s ", key);
        size_t n = strlen(k);
        for (const char *p = text; p; p = strchr(p, '\n')) {
                if (*p == '\n')
                        p++;
                if (strncmp(p, k, n) == 0)
                        return strtoll(p + n, NULL, 10);
        }
        return -1;
}

/* The keys of vmstat text in order, one per line. */
static char *vmstat_keys(const char *text)
{
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        GString *keys = g_string_new(NULL);
        for (char **l = lines; *l; l++) {
                const char *sp = strchr(*l, ' ');
                if (sp)
                        g_string_append_printf(keys, "%.*s\n", (int)(sp - *l), *l);
        }
        return g_string_free(keys, FALSE);
}

/* Every key of the host in the host's order; a key not derived from the cgroup is the host's line.
 */
static void assert_vmstat_shape(const char *host, const char *out)
{
        g_autofree char *hk = vmstat_keys(host);
        g_autofree char *ok = vmstat_keys(out);
        ck_assert_str_eq(ok, hk);
        ck_assert_int_eq(vmstat_value(out, "numa_hit"), vmstat_value(host, "numa_hit"));
        ck_assert_int_eq(vmstat_value(out, "nr_zone_active_anon"),
                         vmstat_value(host, "nr_zone_active_anon"));
        ck_assert_int_eq(vmstat_value(out, "pgsteal_kswapd"), vmstat_value(host, "pgsteal_kswapd"));
}

static const PvIoDev vmstat_devs[] = {
    {.major = 8, .minor = 0, .rbytes = MiB(40) + 1023, .wbytes = MiB(8)},
    {.major = 253, .minor = 0, .rbytes = 4096, .wbytes = 512},
};

/* v1: fault counters and refaults from total_*, no swap or activate/restore counters. */
START_TEST(test_vmstat_v1)
{
        g_autofree char *host = fixture("vmstat-v1", "vmstat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v1();
        m.stat.anon_thp = MiB(4);
        m.stat.pgfault = 123456;
        m.stat.pgmajfault = 78;
        m.stat.workingset_refault_file = 910;
        m.oom_kill = 2;
        PvIoStats io = {.devs = (PvIoDev *)vmstat_devs, .n_devs = G_N_ELEMENTS(vmstat_devs)};

        ck_assert_int_eq(vmstat_render(host, &m, &io, 4096, out), 0);
        assert_golden("vmstat-v1", out);
        assert_vmstat_shape(host, out->str);
        /* (512 - 300) MiB free in 4 KiB pages; 40 MiB + 1023 + 4096 bytes read, in KiB */
        ck_assert_int_eq(vmstat_value(out->str, "nr_free_pages"), 54272);
        ck_assert_int_eq(vmstat_value(out->str, "pgpgin"), 40964);
        ck_assert_int_eq(vmstat_value(out->str, "pgpgout"), 8192);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_transparent_hugepages"), 2);
        ck_assert_int_eq(vmstat_value(out->str, "pswpin"), 0);
        ck_assert_int_eq(vmstat_value(out->str, "workingset_activate_file"), 0);
}
END_TEST

/* v2: every memory.stat counter, swap events, slab, kernel stack in KiB. */
START_TEST(test_vmstat_v2)
{
        g_autofree char *host = fixture("vmstat-v2", "vmstat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();
        m.stat.pgfault = 5000000;
        m.stat.pgmajfault = 4321;
        m.stat.pswpin = 17;
        m.stat.pswpout = 2560;
        m.stat.workingset_refault_anon = 11;
        m.stat.workingset_refault_file = 12;
        m.stat.workingset_activate_anon = 13;
        m.stat.workingset_activate_file = 14;
        m.stat.workingset_restore_anon = 15;
        m.stat.workingset_restore_file = 16;
        m.stat.workingset_nodereclaim = 17;
        m.oom_kill = 1;
        PvIoStats io = {.devs = (PvIoDev *)vmstat_devs, .n_devs = 1};

        ck_assert_int_eq(vmstat_render(host, &m, &io, 4096, out), 0);
        assert_golden("vmstat-v2", out);
        assert_vmstat_shape(host, out->str);
        ck_assert_int_eq(vmstat_value(out->str, "nr_free_pages"), 82944);
        ck_assert_int_eq(vmstat_value(out->str, "nr_kernel_stack"), 1536);
        ck_assert_int_eq(vmstat_value(out->str, "nr_slab_reclaimable"), 5120);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_transparent_hugepages"), 50);
        ck_assert_int_eq(vmstat_value(out->str, "pswpout"), 2560);
        ck_assert_int_eq(vmstat_value(out->str, "workingset_nodereclaim"), 17);
}
END_TEST

/* No limit: the host's nr_free_pages; no io: no block traffic; 64 KiB pages: 512 MiB PMDs. */
START_TEST(test_vmstat_unlimited_large_pages)
{
        g_autofree char *host = fixture("vmstat-v1", "vmstat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();
        m.limit = PV_UNLIMITED;
        m.stat.anon_thp = MiB(1024) + MiB(100);

        ck_assert_int_eq(vmstat_render(host, &m, NULL, 65536, out), 0);
        assert_vmstat_shape(host, out->str);
        ck_assert_int_eq(vmstat_value(out->str, "nr_free_pages"),
                         vmstat_value(host, "nr_free_pages"));
        ck_assert_int_eq(vmstat_value(out->str, "pgpgin"), 0);
        ck_assert_int_eq(vmstat_value(out->str, "pgpgout"), 0);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_transparent_hugepages"), 2);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_pages"), 6400);
        ck_assert_int_eq(vmstat_value(out->str, "nr_kernel_stack"), 1536);
}
END_TEST

START_TEST(test_vmstat_malformed)
{
        static const char *const bad[] = {
            "",
            "\n\n",
            "nr_free_pages\n",
            "nr_free_pages 12 13\n",
            "nr_free_pages -1\n",
            "nr_free_pages 12x\n",
            " nr_free_pages 12\n",
            "numa_hit 1\npgfault\n",
            "pgfault 18446744073709551616\n",
        };
        PvMemory m = mem_v1();
        g_autoptr(GString) out = g_string_new("kept");

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                ck_assert_int_eq(vmstat_render(bad[i], &m, NULL, 4096, out), -EINVAL);
                ck_assert_str_eq(out->str, "kept");
        }
        ck_assert_int_eq(vmstat_render("pgfault 1\n", &m, NULL, 0, out), -EINVAL);
        ck_assert_str_eq(out->str, "kept");
        /* the largest counter the kernel can print, and a last line without a newline */
        ck_assert_int_eq(
            vmstat_render("numa_hit 18446744073709551615\nnr_free_pages 1", &m, NULL, 4096, out),
            0);
        ck_assert_str_eq(out->str, "keptnuma_hit 18446744073709551615\nnr_free_pages 54272\n");
}
END_TEST

static Suite *views_suite(void)
{
        Suite *s = suite_create("views");
        TCase *tc = tcase_create("views");
        tcase_add_test(tc, test_meminfo_v1);
        tcase_add_test(tc, test_meminfo_v2_swap);
        tcase_add_test(tc, test_meminfo_unlimited);
        tcase_add_test(tc, test_meminfo_over_limit);
        tcase_add_test(tc, test_meminfo_swap_not_accounted);
        tcase_add_test(tc, test_meminfo_invariants);
        tcase_add_test(tc, test_meminfo_huge_values);
        tcase_add_test(tc, test_meminfo_malformed);
        tcase_add_test(tc, test_cpu_view);
        tcase_add_test(tc, test_cpulist_large);
        tcase_add_test(tc, test_cpuinfo_v1);
        tcase_add_test(tc, test_cpuinfo_sparse);
        tcase_add_test(tc, test_cpuinfo_512);
        tcase_add_test(tc, test_cpuinfo_global_block);
        tcase_add_test(tc, test_cpuinfo_no_package);
        tcase_add_test(tc, test_cpuinfo_malformed);
        tcase_add_test(tc, test_stat_v1);
        tcase_add_test(tc, test_stat_v2_sparse);
        tcase_add_test(tc, test_stat_monotonic);
        tcase_add_test(tc, test_stat_cpuset_shrink_grow);
        tcase_add_test(tc, test_stat_512);
        tcase_add_test(tc, test_stat_malformed);
        tcase_add_test(tc, test_diskstats_v1);
        tcase_add_test(tc, test_diskstats_v2);
        tcase_add_test(tc, test_diskstats_malformed);
        tcase_add_test(tc, test_uptime);
        tcase_add_test(tc, test_loadavg);
        tcase_add_test(tc, test_swaps);
        tcase_add_test(tc, test_vmstat_v1);
        tcase_add_test(tc, test_vmstat_v2);
        tcase_add_test(tc, test_vmstat_unlimited_large_pages);
        tcase_add_test(tc, test_vmstat_malformed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(views_suite());
}
