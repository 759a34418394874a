/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pvparse's cpu lists (cpuset.c): parsing, formatting, and the set operations; pvparse alone. */
#include <errno.h>
#include <string.h>

#include "cpuset.h"
#include "pv-check.h"

static char *fmt(const PvCpuSet *s)
{
        static char buf[65536];
        pv_cpuset_format(s, buf, sizeof(buf));
        return buf;
}

START_TEST(test_parse_sparse)
{
        PvCpuSet s;
        ck_assert_int_eq(pv_cpuset_parse("0,2,5-7\n", &s), 0);
        ck_assert_uint_eq(pv_cpuset_count(&s), 5);
        ck_assert(pv_cpuset_has(&s, 0) && !pv_cpuset_has(&s, 1) && pv_cpuset_has(&s, 6));
        ck_assert_str_eq(fmt(&s), "0,2,5-7");
        ck_assert_int_eq(pv_cpuset_nth(&s, 0), 0);
        ck_assert_int_eq(pv_cpuset_nth(&s, 2), 5);
        ck_assert_int_eq(pv_cpuset_nth(&s, 4), 7);
        ck_assert_int_eq(pv_cpuset_nth(&s, 5), -1);
        ck_assert_int_eq(pv_cpuset_next(&s, 3), 5);
        ck_assert_int_eq(pv_cpuset_last(&s), 7);
}
END_TEST

START_TEST(test_parse_empty_and_bad)
{
        PvCpuSet s, keep;
        ck_assert_int_eq(pv_cpuset_parse("\n", &s), 0);
        ck_assert_uint_eq(pv_cpuset_count(&s), 0);
        ck_assert_str_eq(fmt(&s), "");
        ck_assert_int_eq(pv_cpuset_last(&s), -1);

        pv_cpuset_zero(&keep);
        pv_cpuset_add(&keep, 3);
        s = keep;
        ck_assert_int_eq(pv_cpuset_parse("1-", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("3-1", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("a", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("1,,2", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("8192", &s), -ERANGE);
        ck_assert(pv_cpuset_equal(&s, &keep)); /* untouched on failure */
}
END_TEST

START_TEST(test_large)
{
        PvCpuSet s;
        ck_assert_int_eq(pv_cpuset_parse("0-511", &s), 0);
        ck_assert_uint_eq(pv_cpuset_count(&s), 512);
        ck_assert_str_eq(fmt(&s), "0-511");
        pv_cpuset_keep_first(&s, 3);
        ck_assert_str_eq(fmt(&s), "0-2");
        ck_assert_int_eq(pv_cpuset_parse("8191,63-64", &s), 0);
        ck_assert_str_eq(fmt(&s), "63-64,8191");
}
END_TEST

START_TEST(test_format_truncates_safely)
{
        PvCpuSet s;
        char small[4];
        ck_assert_int_eq(pv_cpuset_parse("0,2,4,6", &s), 0);
        ck_assert_uint_eq(pv_cpuset_format(&s, small, sizeof(small)), 7);
        ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("parse-cpuset");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_parse_sparse);
        tcase_add_test(tc, test_parse_empty_and_bad);
        tcase_add_test(tc, test_large);
        tcase_add_test(tc, test_format_truncates_safely);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
