/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvparse's parse-limit.c on literal v1 and v2 texts, including malformed and
 * cut-short ones: limits, flat-keyed files, cpu.max, v1 cfs quota and period,
 * and the quota rules; linked against pvparse alone.
 */
#include <errno.h>
#include <stdint.h>

#include "parse-limit.h"
#include "pv-check.h"

START_TEST(test_limit)
{
        uint64_t v = 5;
        ck_assert_int_eq(pv_parse_limit("max\n", &v), 0);
        ck_assert(v == PV_UNLIMITED);
        ck_assert_int_eq(pv_parse_limit("-1\n", &v), 0);
        ck_assert(v == PV_UNLIMITED);
        /* v1's "no limit" is LONG_MAX rounded down to a page */
        ck_assert_int_eq(pv_parse_limit("9223372036854771712\n", &v), 0);
        ck_assert(v == PV_UNLIMITED);
        ck_assert_int_eq(pv_parse_limit("4611686018427387903", &v), 0);
        ck_assert(v == UINT64_C(4611686018427387903));
        ck_assert_int_eq(pv_parse_limit("1073741824\n", &v), 0);
        ck_assert(v == 1073741824);
        v = 9;
        ck_assert_int_eq(pv_parse_limit("-2", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("-1x", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("12 34", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_limit("99999999999999999999999", &v), -EINVAL);
        ck_assert(v == 9);
}
END_TEST

START_TEST(test_flat_keyed)
{
        uint64_t a = 1, b = 2, c = 3;
        PvKeyField f[] = {{"total_rss", &a}, {"total_cache", &b}, {"absent", &c}};
        ck_assert_int_eq(
            pv_parse_flat_keyed("cache 5\ntotal_cache 42\nrss 7\ntotal_rss 1000\n", f, 3), 2);
        ck_assert(a == 1000 && b == 42 && c == 3);

        /* malformed complete lines: nothing written */
        a = b = 0;
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10\ntotal_cache x\n", f, 3), -EINVAL);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10\ntotal_cache\n", f, 3), -EINVAL);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10 11\n", f, 3), -EINVAL);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss -1\n", f, 3), -EINVAL);
        ck_assert(a == 0 && b == 0);

        /* cut mid-line: the lines before it count, the cut one is dropped */
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 10\ntotal_cac", f, 3), 1);
        ck_assert(a == 10 && b == 0);
        ck_assert_int_eq(pv_parse_flat_keyed("total_rss 11\ntotal_cache ", f, 3), 1);
        ck_assert(a == 11 && b == 0);
        ck_assert_int_eq(pv_parse_flat_keyed("", f, 3), 0);
        ck_assert_int_eq(pv_parse_flat_keyed("\n\n", f, 3), 0);
}
END_TEST

START_TEST(test_cpu_max)
{
        uint64_t q = 1, p = 1;
        ck_assert_int_eq(pv_parse_cpu_max("max 100000\n", &q, &p), 0);
        ck_assert(q == 0 && p == 100000);
        ck_assert_int_eq(pv_parse_cpu_max("50000 100000\n", &q, &p), 0);
        ck_assert(q == 50000 && p == 100000);
        ck_assert_int_eq(pv_parse_cpu_max("50000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("50000 0\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("-1 100000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("0 100000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("maxx 100000\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("1 2 3\n", &q, &p), -EINVAL);
        ck_assert_int_eq(pv_parse_cpu_max("", &q, &p), -EINVAL);
        ck_assert(q == 50000 && p == 100000);
}
END_TEST

START_TEST(test_cfs)
{
        uint64_t q = 7, p = 7;
        ck_assert_int_eq(pv_parse_cfs_quota("-1\n", &q), 0);
        ck_assert(q == 0);
        ck_assert_int_eq(pv_parse_cfs_period("100000\n", &p), 0);
        ck_assert(p == 100000);
        ck_assert_int_eq(pv_parse_cfs_quota("50000\n", &q), 0);
        ck_assert(q == 50000);
        ck_assert_int_eq(pv_parse_cfs_quota("-2\n", &q), -EINVAL);
        ck_assert_int_eq(pv_parse_cfs_period("0\n", &p), -EINVAL);
        ck_assert(q == 50000 && p == 100000); /* untouched on failure */
}
END_TEST

START_TEST(test_keyed_and_limits)
{
        uint64_t v = 0;
        const char *stat =
            "cache 4096\nrss 100\ntotal_rss 200\nhierarchical_memory_limit 9223372036854771712\n";
        uint64_t rss = 0, total_rss = 0, shmem = 7;
        const PvKeyField keys[] = {{"rss", &rss},
                                   {"total_rss", &total_rss},
                                   {"total_shmem", &shmem},
                                   {"hierarchical_memory_limit", &v}};
        ck_assert_int_eq(pv_parse_flat_keyed(stat, keys, 4), 3);
        ck_assert(rss == 100 && total_rss == 200 && shmem == 7);
        ck_assert(pv_limit_normalize(v) == PV_UNLIMITED);
        /* 64 KiB pages (arm64, ppc64) give a different "unlimited" value. */
        ck_assert(pv_limit_normalize(9223372036854710272ULL) == PV_UNLIMITED);
        ck_assert(pv_limit_normalize(UINT64_MAX) == PV_UNLIMITED);
        ck_assert(pv_limit_normalize(536870912) == 536870912);
}
END_TEST

START_TEST(test_quota_rule)
{
        /* Rounded up: a 1.5-CPU quota can keep 2 CPUs busy 75% of the time. */
        ck_assert_uint_eq(pv_quota_cpus(150000, 100000), 2);
        ck_assert_uint_eq(pv_quota_cpus(200000, 100000), 2);
        ck_assert_uint_eq(pv_quota_cpus(200001, 100000), 3);
        ck_assert_uint_eq(pv_quota_cpus(1000, 100000), 1);
        ck_assert_uint_eq(pv_quota_cpus(0, 100000), 0);
        ck_assert_uint_eq(pv_quota_cpus(150000, 0), 0);
        ck_assert_uint_eq(pv_quota_cpus(UINT64_MAX, 1), UINT32_MAX);
        ck_assert(pv_quota_tighter(50000, 100000, 150000, 100000));
        ck_assert(!pv_quota_tighter(300000, 100000, 250000, 100000));
        ck_assert(pv_quota_tighter(250000, 100000, 150000, 50000)); /* 2.5 < 3 */
        ck_assert(pv_quota_tighter(1, 1, 0, 0));
        ck_assert(!pv_quota_tighter(0, 0, 1, 1));
        /* No overflow with the largest values the kernel accepts. */
        ck_assert(pv_quota_tighter(UINT64_MAX / 4, 1000000, UINT64_MAX / 2, 1000000));
}
END_TEST

START_TEST(test_u64_or_max)
{
        uint64_t v = 7;
        ck_assert_int_eq(pv_parse_u64_or_max("max\n", &v), 0);
        ck_assert(v == UINT64_MAX);
        ck_assert_int_eq(pv_parse_u64_or_max(" 123\n", &v), 0);
        ck_assert(v == 123);
        ck_assert_int_eq(pv_parse_u64_or_max("12x", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_u64_or_max("", &v), -EINVAL);
        ck_assert(v == 123);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("parse-limit");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_limit);
        tcase_add_test(tc, test_flat_keyed);
        tcase_add_test(tc, test_cpu_max);
        tcase_add_test(tc, test_cfs);
        tcase_add_test(tc, test_keyed_and_limits);
        tcase_add_test(tc, test_quota_rule);
        tcase_add_test(tc, test_u64_or_max);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
