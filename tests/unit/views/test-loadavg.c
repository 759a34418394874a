/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Renderer tests: loadavg. The expected averages are the kernel's own
 * fixed-point numbers (kernel/sched/loadavg.c: calc_load per 5-second tick,
 * calc_load_n for missed ticks, FSHIFT 11, EXP_1/5/15 = 1884, 2014, 2037),
 * computed once outside this code by a separate implementation of that
 * integer arithmetic and written down here.
 */
#include <errno.h>

#include "pv-check.h"
#include "views-test.h"

static void fold_n(PvLoadAvg *avg, unsigned active, unsigned times)
{
        for (unsigned i = 0; i < times; i++)
                pv_loadavg_fold(avg, active, 1);
}

static void assert_avenrun(const PvLoadAvg *avg, unsigned long a1, unsigned long a5,
                           unsigned long a15)
{
        ck_assert_uint_eq(avg->avenrun[0], a1);
        ck_assert_uint_eq(avg->avenrun[1], a5);
        ck_assert_uint_eq(avg->avenrun[2], a15);
}

static const char *render(const PvLoadAvg *avg)
{
        static GString *out;
        PvTaskCounts t = {.running = 2, .uninterruptible = 1, .total = 40, .last_pid = 31337};
        if (!out)
                out = g_string_new(NULL);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_loadavg_render(avg, &t, out), 0);
        return out->str;
}

START_TEST(test_starts_at_zero)
{
        PvLoadAvg avg = {0};
        ck_assert_str_eq(render(&avg), "0.00 0.00 0.00 2/40 31337\n");
        pv_loadavg_fold(&avg, 7, 0); /* no tick: nothing */
        assert_avenrun(&avg, 0, 0, 0);
        fold_n(&avg, 0, 50); /* idle stays exactly 0 */
        assert_avenrun(&avg, 0, 0, 0);
}
END_TEST

/* 65 s of two busy loops from the container's start: 13 ticks of 2 */
START_TEST(test_thirteen_busy_ticks)
{
        PvLoadAvg avg = {0};
        pv_loadavg_fold(&avg, 2, 1);
        assert_avenrun(&avg, 328, 68, 22);
        ck_assert_str_eq(render(&avg), "0.16 0.03 0.01 2/40 31337\n");
        fold_n(&avg, 2, 12);
        assert_avenrun(&avg, 2716, 806, 282);
        ck_assert_str_eq(render(&avg), "1.33 0.39 0.14 2/40 31337\n");
        /* one idle minute after */
        fold_n(&avg, 0, 12);
        assert_avenrun(&avg, 993, 653, 258);
        ck_assert_str_eq(render(&avg), "0.48 0.32 0.13 2/40 31337\n");
}
END_TEST

/*
 * An 8 s burst of two busy loops spans one or two ticks, by where it falls
 * between them; 40 s after it the averages have decayed for 8 more ticks.
 */
START_TEST(test_burst)
{
        PvLoadAvg one = {0}, two = {0};
        fold_n(&one, 2, 1);
        fold_n(&one, 0, 8);
        assert_avenrun(&one, 164, 56, 14);
        ck_assert_str_eq(render(&one), "0.08 0.03 0.01 2/40 31337\n");
        fold_n(&two, 2, 2);
        assert_avenrun(&two, 630, 135, 44);
        ck_assert_str_eq(render(&two), "0.31 0.07 0.02 2/40 31337\n");
        fold_n(&two, 0, 8);
        assert_avenrun(&two, 320, 114, 36);
        ck_assert_str_eq(render(&two), "0.16 0.06 0.02 2/40 31337\n");
}
END_TEST

/* Missed ticks fold at once with the fixed-point power of e, as calc_load_n: not as n folds */
START_TEST(test_missed_ticks)
{
        PvLoadAvg late = {0};
        fold_n(&late, 2, 2);
        pv_loadavg_fold(&late, 0, 8);
        assert_avenrun(&late, 322, 118, 42);

        PvLoadAvg from_zero = {0};
        pv_loadavg_fold(&from_zero, 2, 13);
        assert_avenrun(&from_zero, 2714, 798, 280);
        ck_assert_str_eq(render(&from_zero), "1.33 0.39 0.14 2/40 31337\n");

        /* one missed tick is one tick */
        PvLoadAvg a = {.avenrun = {500, 500, 500}}, b = a;
        pv_loadavg_fold(&a, 1, 1);
        fold_n(&b, 1, 1);
        assert_avenrun(&a, b.avenrun[0], b.avenrun[1], b.avenrun[2]);

        /* an hour at once: the kernel's rounded power of EXP_15 stops at 42/2048 */
        PvLoadAvg hour = {.avenrun = {3 << 11, 3 << 11, 3 << 11}};
        pv_loadavg_fold(&hour, 0, 720);
        assert_avenrun(&hour, 0, 0, 126);
}
END_TEST

/* A steady count is reached exactly (the rounding up while climbing) */
START_TEST(test_steady)
{
        PvLoadAvg avg = {0};
        fold_n(&avg, 3, 1000);
        assert_avenrun(&avg, 3 << 11, 3 << 11, 3 << 11);
        ck_assert_str_eq(render(&avg), "3.00 3.00 3.00 2/40 31337\n");
        fold_n(&avg, 0, 2000);
        assert_avenrun(&avg, 0, 0, 0);
}
END_TEST

/* The kernel prints avg + FIXED_1/200, truncated to hundredths */
START_TEST(test_render_rounding)
{
        PvLoadAvg avg = {.avenrun = {10, 11, 2047 + 2048 * 12}};
        ck_assert_str_eq(render(&avg), "0.00 0.01 13.00 2/40 31337\n");
        ck_assert_int_eq(pv_loadavg_render(NULL, NULL, NULL), -EINVAL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("views-loadavg");
        TCase *tc = tcase_create("loadavg");
        tcase_add_test(tc, test_starts_at_zero);
        tcase_add_test(tc, test_thirteen_busy_ticks);
        tcase_add_test(tc, test_burst);
        tcase_add_test(tc, test_missed_ticks);
        tcase_add_test(tc, test_steady);
        tcase_add_test(tc, test_render_rounding);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
