/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: uptime. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

START_TEST(test_uptime)
{
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(pv_uptime_render(SEC(3291.4), UINT64_C(6474399999999), out), 0);
        ck_assert_str_eq(out->str, "3291.40 6474.39\n");
        g_string_truncate(out, 0);
        /* truncated like the kernel: 59.999 s is not yet a minute */
        ck_assert_int_eq(pv_uptime_render(UINT64_C(59999999999), 0, out), 0);
        ck_assert_str_eq(out->str, "59.99 0.00\n");
}
END_TEST

static Suite *uptime_suite(void)
{
        Suite *s = suite_create("views-uptime");
        TCase *tc = tcase_create("uptime");
        tcase_add_test(tc, test_uptime);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(uptime_suite());
}
