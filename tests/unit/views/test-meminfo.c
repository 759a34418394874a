/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: meminfo and swaps. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

/* The value of "Key:" in meminfo text, or -1. */
static long long meminfo_value(const char *text, const char *key)
{
        return line_value(text, key, ':');
}

static void render_meminfo_case(const char *case_name, const PvMemory *mem)
{
        g_autofree char *host = fixture(case_name, "meminfo");
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(pv_meminfo_render(host, mem, out), 0);
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
        ck_assert_int_eq(pv_meminfo_render(host, &m, out), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapTotal"), 8388604);
        ck_assert_int_eq(meminfo_value(out->str, "SwapFree"), 8126460);

        /* a host whose SwapFree is above SwapTotal (racing updates) is capped */
        g_autofree char *odd = g_strdup("MemTotal:        1000000 kB\nSwapTotal:          1000 kB\n"
                                        "SwapFree:           2000 kB\n");
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_meminfo_render(odd, &m, out), 0);
        ck_assert_str_eq(out->str, "MemTotal:        1000000 kB\nSwapTotal:          1000 kB\n"
                                   "SwapFree:           1000 kB\n");

        /* accounted, swap limit 0: no swap */
        m.swap_accounted = true;
        m.swap_limit = 0;
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_meminfo_render(host, &m, out), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapTotal"), 0);
        ck_assert_int_eq(meminfo_value(out->str, "SwapFree"), 0);

        /* swap usage above the limit: SwapFree 0, not negative */
        m.swap_limit = MiB(8);
        m.swap_usage = MiB(9);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_meminfo_render(host, &m, out), 0);
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
                        ck_assert_int_eq(pv_meminfo_render(host, &m, out), 0);
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
        ck_assert_int_eq(pv_meminfo_render(host, &m, out), 0);
        ck_assert(meminfo_u64(out->str, "MemTotal") == UINT64_MAX);
        ck_assert(meminfo_u64(out->str, "MemFree") == UINT64_MAX);
        ck_assert(meminfo_u64(out->str, "MemAvailable") == UINT64_MAX);

        /* file LRU pages whose sum does not fit: all of it is available, not 1 kB */
        g_autofree char *v1 = fixture("meminfo-v1", "meminfo");
        PvMemory n = {.limit = MiB(512), .usage = MiB(500)};
        n.stat.active_file = UINT64_MAX;
        n.stat.inactive_file = 2048;
        g_autoptr(GString) out2 = g_string_new(NULL);
        ck_assert_int_eq(pv_meminfo_render(v1, &n, out2), 0);
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
                ck_assert_int_eq(pv_meminfo_render(bad[i], &m, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
        }
}
END_TEST

/* ---- swaps ---- */

START_TEST(test_swaps)
{
        g_autofree char *v1 = fixture("swaps-v1", "swaps");
        g_autofree char *v2 = fixture("swaps-v2", "swaps");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();

        ck_assert_int_eq(pv_swaps_render(v2, &m, out), 0);
        assert_golden("swaps-v2", out);

        /* the host has no swap */
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_swaps_render(v1, &m, out), 0);
        assert_golden("swaps-v1", out);

        /* swap limit 0, or not accounted: header only */
        g_autofree char *header = g_strndup(v2, strchr(v2, '\n') + 1 - v2);
        m.swap_limit = 0;
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_swaps_render(v2, &m, out), 0);
        ck_assert_str_eq(out->str, header);
        m = mem_v2();
        m.swap_accounted = false;
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_swaps_render(v2, &m, out), 0);
        ck_assert_str_eq(out->str, header);

        /* unlimited: the host's total; usage over it is capped; big numbers lose a tab */
        m = mem_v2();
        m.swap_limit = PV_UNLIMITED;
        m.swap_usage = UINT64_C(1) << 40;
        g_autofree char *big = g_strdup_printf("%s/dev/sdb1 partition\t20000000\t0\t-3\n"
                                               "/dev/sdc1 partition\t1000\t0\t-4\n",
                                               header);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_swaps_render(big, &m, out), 0);
        g_autofree char *want =
            g_strdup_printf("%snone%36svirtual\t\t20001000\t20001000\t-1\n", header, "");
        ck_assert_str_eq(out->str, want);

        /* a limit below 1 KiB: no zero-sized area line (found by tests/fuzz/fuzz-swaps) */
        m = mem_v2();
        m.swap_limit = 1023;
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_swaps_render(v2, &m, out), 0);
        ck_assert_str_eq(out->str, header);
        m.swap_limit = PV_UNLIMITED;
        m.swap_usage = UINT64_C(1) << 40;

        /* areas whose sizes sum past 2^64 KiB: the total saturates instead of wrapping to 1024 */
        g_autofree char *huge = g_strdup_printf(
            "%s/a partition 18446744073709551615 0 -2\n/b file 1025 0 -3\n", header);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_swaps_render(huge, &m, out), 0);
        g_autofree char *want_huge = g_strdup_printf(
            "%snone%36svirtual\t\t18446744073709551615\t1073741824\t-1\n", header, "");
        ck_assert_str_eq(out->str, want_huge);

        const char *bad[] = {"", "Filename Type Size Used Priority\n/dev/sda1 partition x 0 -2\n"};
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) o = g_string_new("keep");
                ck_assert_int_eq(pv_swaps_render(bad[i], &m, o), -EINVAL);
                ck_assert_str_eq(o->str, "keep");
        }
}
END_TEST

static Suite *meminfo_suite(void)
{
        Suite *s = suite_create("views-meminfo");
        TCase *tc = tcase_create("meminfo");
        tcase_add_test(tc, test_meminfo_v1);
        tcase_add_test(tc, test_meminfo_v2_swap);
        tcase_add_test(tc, test_meminfo_unlimited);
        tcase_add_test(tc, test_meminfo_over_limit);
        tcase_add_test(tc, test_meminfo_swap_not_accounted);
        tcase_add_test(tc, test_meminfo_invariants);
        tcase_add_test(tc, test_meminfo_huge_values);
        tcase_add_test(tc, test_meminfo_malformed);
        tcase_add_test(tc, test_swaps);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(meminfo_suite());
}
