/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: uptime and loadavg. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

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

static Suite *uptime_suite(void)
{
        Suite *s = suite_create("views-uptime");
        TCase *tc = tcase_create("uptime");
        tcase_add_test(tc, test_uptime);
        tcase_add_test(tc, test_loadavg);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(uptime_suite());
}
