/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tenants' allowances and the fair share of the daemon's pool (allowance.h). */
#include "allowance.h"

#include "daemon.h"

static uint64_t scaled(uint64_t v, unsigned divisor)
{
        uint64_t s = divisor > 1 ? v / divisor : v;
        return s > 0 ? s : 1;
}

PvLimits pv_limits_scaled(unsigned divisor)
{
        return (PvLimits){
            .handles_per_tenant = scaled(PV_HANDLES_PER_TENANT, divisor),
            .handles_all = scaled(PV_HANDLES_ALL, divisor),
            .bytes_per_tenant = scaled(PV_TEXT_BYTES_PER_TENANT, divisor),
            .bytes_all = scaled(PV_TEXT_BYTES_ALL, divisor),
        };
}

bool pv_fair_allows(uint64_t tenant_after, uint64_t all_after, uint64_t per_tenant, uint64_t pool,
                    unsigned n_tenants)
{
        if (tenant_after > per_tenant || all_after > pool)
                return false;
        /* the first half: first come, first served */
        uint64_t first = pool / 2;
        if (all_after <= first)
                return true;
        /*
         * The second half: a tenant's fair share of what stays free, 1/n of
         * it (so at most 1/n of the half): a tenant arriving after greedy
         * ones still finds free about 3/(n+1) of the half, since each arrival
         * leaves free n/(n+1) of what it found.
         */
        uint64_t n = n_tenants > 0 ? n_tenants : 1;
        return tenant_after * n <= pool - all_after;
}

PvAllowance *pv_allowance_new(unsigned part)
{
        PvAllowance *a = g_new0(PvAllowance, 1);
        a->refs = 1;
        a->part = part > 0 ? part : 1;
        return a;
}

PvAllowance *pv_allowance_ref(PvAllowance *a)
{
        g_atomic_int_inc(&a->refs);
        return a;
}

void pv_allowance_unref(PvAllowance *a)
{
        if (a && g_atomic_int_dec_and_test(&a->refs))
                g_free(a);
}

/* One more handle of a: counts a among the tenants holding handles at its first. */
static gint add_handle(PvAllowance *a, PvPool *p)
{
        gint had = g_atomic_int_add(&a->n_handles, 1);
        if (had == 0)
                g_atomic_int_inc(&p->n_tenants);
        return had;
}

static void remove_handle(PvAllowance *a, PvPool *p)
{
        if (g_atomic_int_add(&a->n_handles, -1) == 1)
                g_atomic_int_add(&p->n_tenants, -1);
}

/*
 * Every take adds first and checks after, with what concurrent takes added
 * meanwhile: at worst one is refused that would have fitted, but the pool
 * is never passed.
 */
bool pv_allowance_take_handle(PvAllowance *a, PvPool *p, const PvLimits *l)
{
        uint64_t mine = (uint64_t)add_handle(a, p) + 1;
        uint64_t all = (uint64_t)g_atomic_int_add(&p->n_handles, 1) + 1;
        unsigned n = (unsigned)g_atomic_int_get(&p->n_tenants);
        if (pv_fair_allows(mine, all, scaled(l->handles_per_tenant, a->part), l->handles_all, n))
                return true;
        g_atomic_int_add(&p->n_handles, -1);
        remove_handle(a, p);
        return false;
}

void pv_allowance_add_handle(PvAllowance *a, PvPool *p)
{
        (void)add_handle(a, p);
}

void pv_allowance_give_handle(PvAllowance *a, PvPool *p, bool pool)
{
        if (pool)
                g_atomic_int_add(&p->n_handles, -1);
        remove_handle(a, p);
}

bool pv_allowance_take_bytes(PvAllowance *a, PvPool *p, const PvLimits *l, size_t len)
{
        uint64_t mine = (uint64_t)g_atomic_pointer_add(&a->held_bytes, (gssize)len) + len;
        uint64_t all = (uint64_t)g_atomic_pointer_add(&p->held_bytes, (gssize)len) + len;
        unsigned n = (unsigned)g_atomic_int_get(&p->n_tenants);
        if (pv_fair_allows(mine, all, scaled(l->bytes_per_tenant, a->part), l->bytes_all, n))
                return true;
        pv_allowance_give_bytes(a, p, len);
        return false;
}

void pv_allowance_give_bytes(PvAllowance *a, PvPool *p, size_t len)
{
        g_atomic_pointer_add(&p->held_bytes, -(gssize)len);
        g_atomic_pointer_add(&a->held_bytes, -(gssize)len);
}
