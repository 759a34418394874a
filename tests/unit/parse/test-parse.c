/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of pvparse (src/parse) on literal kernel texts, linked against pvparse alone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "parse-numa.h"
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

int main(void)
{
        Suite *s = suite_create("parse");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_loadavg_uptime);
        tcase_add_test(tc, test_parse_numa_stat);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
