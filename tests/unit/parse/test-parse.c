/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of pvparse (src/parse) on literal kernel texts, linked from pvparse alone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse-proc.h"
#include "pv-check.h"

START_TEST(test_loadavg_uptime)
{
        double l[3] = {0};
        unsigned run = 0, total = 0;
        ck_assert_int_eq(pv_parse_loadavg("0.50 1.25 12.00 3/456 7890\n", l, &run, &total), 0);
        ck_assert(l[0] > 0.499 && l[0] < 0.501 && l[1] > 1.249 && l[1] < 1.251 && l[2] > 11.99);
        ck_assert_uint_eq(run, 3);
        ck_assert_uint_eq(total, 456);
        ck_assert_int_eq(pv_parse_loadavg("0.50 1.25\n", l, NULL, NULL), -EINVAL);
        ck_assert_int_eq(pv_parse_loadavg("a b c 1/2 3\n", l, NULL, NULL), -EINVAL);
        double up = 0;
        ck_assert_int_eq(pv_parse_uptime("1234.56 789.00\n", &up), 0);
        ck_assert(up > 1234.5 && up < 1234.6);
        ck_assert_int_eq(pv_parse_uptime("x\n", &up), -EINVAL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("parse");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_loadavg_uptime);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
