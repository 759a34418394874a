/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fair share of the daemon's pool (allowance.h): the first half first
 * come, first served; the second half only to tenants below their fair share
 * and what stays free; never more than the pool, nor a tenant past its cap;
 * and however greedy the tenants before it, one more finds room.
 */
#include "registry/allowance.h"
#include "registry/daemon.h"
#include "pv-check.h"

static uint64_t PER = 256, POOL = 1024;

START_TEST(test_rule)
{
        /* first half: any tenant up to its cap */
        ck_assert(pv_fair_allows(PER, PER, PER, POOL, 1));
        ck_assert(!pv_fair_allows(PER + 1, PER + 1, PER, POOL, 1));
        ck_assert(pv_fair_allows(1, POOL / 2, PER, POOL, 50));
        /* never past the pool, whatever the share */
        ck_assert(!pv_fair_allows(1, POOL + 1, PER, POOL, 1));
        /* second half: at most a fair share (1/4) of what stays free (511) */
        ck_assert(pv_fair_allows(127, POOL / 2 + 1, PER, POOL, 4));
        ck_assert(!pv_fair_allows(128, POOL / 2 + 1, PER, POOL, 4));
        ck_assert(pv_fair_allows(50, POOL - 100, PER, POOL, 2));
        ck_assert(!pv_fair_allows(51, POOL - 100, PER, POOL, 2));
        /* a tenant past its share gets nothing more, however little it asks */
        ck_assert(!pv_fair_allows(PER, POOL / 2 + 1, PER, POOL, 3));
        /* no tenant counted yet counts as one */
        ck_assert(pv_fair_allows(200, POOL / 2 + 200, PER, POOL, 0));
}
END_TEST

/* Tenant i takes one at a time (round robin over n) while any may; returns the total. */
static uint64_t fill(uint64_t *held, unsigned from, unsigned to, uint64_t total)
{
        for (bool took = true; took;) {
                took = false;
                for (unsigned i = from; i < to; i++) {
                        unsigned holding = 0;
                        for (unsigned j = 0; j < to; j++)
                                holding += held[j] > 0 || j == i;
                        if (pv_fair_allows(held[i] + 1, total + 1, PER, POOL, holding)) {
                                held[i]++;
                                total++;
                                took = true;
                        }
                }
        }
        return total;
}

START_TEST(test_five_greedy)
{
        /* with a pool of four caps, five greedy tenants at once leave room for a sixth */
        uint64_t held[6] = {0};
        uint64_t total = fill(held, 0, 5, 0);
        ck_assert_uint_le(total, POOL);
        for (int i = 0; i < 5; i++)
                ck_assert_uint_ge(held[i], POOL / 2 / 5);
        uint64_t before = total;
        total = fill(held, 5, 6, total);
        ck_assert_uint_le(total, POOL);
        /* the sixth finds a seventh of what was free */
        ck_assert_uint_ge(held[5], (POOL - before) / 7 - 1);
        ck_assert_uint_gt(held[5], 0);
}
END_TEST

START_TEST(test_arrivals)
{
        /* greedy tenants arriving one after another, each taking all it can */
        uint64_t held[40] = {0};
        uint64_t total = 0;
        PER = 4096;
        POOL = 4 * PER;
        for (unsigned n = 1; n <= 40; n++) {
                total = fill(held, n - 1, n, total);
                ck_assert_uint_le(total, POOL);
                ck_assert_msg(held[n - 1] > 0, "tenant %u found no room (%lu held)", n,
                              (unsigned long)total);
                if (n <= 2)
                        ck_assert_uint_eq(held[n - 1], PER); /* the first half, at the cap */
        }
}
END_TEST

START_TEST(test_counters)
{
        PvLimits l = pv_limits_scaled(256);
        ck_assert_uint_eq(l.handles_per_tenant, PV_HANDLES_PER_TENANT / 256);
        ck_assert_uint_eq(l.handles_all, 4 * l.handles_per_tenant);
        ck_assert_uint_eq(pv_limits_scaled(1).bytes_all, PV_TEXT_BYTES_ALL);

        PvPool pool = {0};
        g_autoptr(PvAllowance) a = pv_allowance_new(1);
        g_autoptr(PvAllowance) b = pv_allowance_new(1);
        unsigned got = 0;
        while (pv_allowance_take_handle(a, &pool, &l))
                got++;
        ck_assert_uint_eq(got, l.handles_per_tenant);
        ck_assert_int_eq(g_atomic_int_get(&pool.n_tenants), 1);
        ck_assert(pv_allowance_take_handle(b, &pool, &l));
        ck_assert_int_eq(g_atomic_int_get(&pool.n_tenants), 2);
        /* a handle moving from b to a: the pool's count stays, b holds none */
        pv_allowance_add_handle(a, &pool);
        pv_allowance_give_handle(b, &pool, false);
        ck_assert_int_eq(g_atomic_int_get(&pool.n_tenants), 1);
        ck_assert_int_eq(g_atomic_int_get(&pool.n_handles), (gint)got + 1);
        for (unsigned i = 0; i <= got; i++)
                pv_allowance_give_handle(a, &pool, true);
        ck_assert_int_eq(g_atomic_int_get(&pool.n_handles), 0);
        ck_assert_int_eq(g_atomic_int_get(&pool.n_tenants), 0);

        /* bytes: the same rule, refused takes leave nothing behind */
        ck_assert(pv_allowance_take_bytes(a, &pool, &l, l.bytes_per_tenant));
        ck_assert(!pv_allowance_take_bytes(a, &pool, &l, 1));
        ck_assert_int_eq((gssize)g_atomic_pointer_get(&pool.held_bytes), l.bytes_per_tenant);
        pv_allowance_give_bytes(a, &pool, l.bytes_per_tenant);
        ck_assert_int_eq((gssize)g_atomic_pointer_get(&a->held_bytes), 0);

        /* the allowance of unknown tenants: a sixteenth of a tenant's */
        g_autoptr(PvAllowance) u = pv_allowance_new(PV_UNKNOWN_PART);
        for (got = 0; pv_allowance_take_handle(u, &pool, &l);)
                got++;
        ck_assert_uint_eq(got, l.handles_per_tenant / PV_UNKNOWN_PART);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("allowance");
        TCase *tc = tcase_create("fair");
        tcase_add_test(tc, test_rule);
        tcase_add_test(tc, test_five_greedy);
        tcase_add_test(tc, test_arrivals);
        tcase_add_test(tc, test_counters);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
