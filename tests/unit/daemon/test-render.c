/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "pv-check.h"
#include "render.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_DAY (86400ULL * NS_PER_S)

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

int main(void)
{
        Suite *s = suite_create("render");
        TCase *tc = tcase_create("uptime");
        tcase_add_test(tc, test_idle_plain);
        tcase_add_test(tc, test_idle_big_host);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
