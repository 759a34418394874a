/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Allowances: what the open files of one tenant (tenant.h) hold, and the
 * rule that shares the daemon's pool of handles and of kept text between
 * tenants.
 *
 * Each tenant may hold up to its cap (PvLimits.*_per_tenant). The first
 * half of the daemon's pool is first come, first served; past it a tenant
 * takes more only while it then holds at most its fair share of what the
 * pool then has free: 1/n of it, n the number of tenants holding handles,
 * itself included (so at most 1/n of the second half). So tenants that took
 * much early keep what they hold but get nothing of the second half; every
 * take past the first half leaves free at least n times what its taker
 * holds, so that tenants arriving one after another, each
 * taking all it can, leave the next about 3/(n+1) of the second half free
 * (a pool of 262,144 handles: room for hundreds of them); and the total
 * never passes the pool. The number of tenants
 * is one no tenant can raise by making cgroups or pid namespaces: containers
 * whose tenant is not known yet all take from one shared allowance, counted
 * as one tenant.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The caps: per tenant, and for all tenants together (the pool). */
typedef struct PvLimits {
        uint64_t handles_per_tenant;
        uint64_t handles_all;
        uint64_t bytes_per_tenant;
        uint64_t bytes_all;
} PvLimits;

/*
 * The daemon's caps (daemon.h) divided by divisor (1: as they are; tests
 * scale them down): each at least 1.
 */
PvLimits pv_limits_scaled(unsigned divisor);

/*
 * Whether a tenant may hold tenant_after while all tenants together hold
 * all_after (both counting the take), n_tenants tenants holding handles
 * (the taker among them; 0 counts as 1), under a cap per tenant and a pool.
 * Pure: the rule above.
 */
bool pv_fair_allows(uint64_t tenant_after, uint64_t all_after, uint64_t per_tenant, uint64_t pool,
                    unsigned n_tenants);

/*
 * A tenant's allowance, reference counted: its container's (tenant.h), or
 * the daemon's one pool for containers whose tenant is unknown. Counters
 * are atomic.
 */
typedef struct PvAllowance {
        gint refs;
        unsigned part;     /* holds at most 1/part of a tenant's caps: 1, or PV_UNKNOWN_PART */
        gint n_handles;    /* open handles it is charged for */
        gssize held_bytes; /* text those handles keep */
} PvAllowance;

/*
 * The containers whose tenant is unknown share an allowance of a sixteenth
 * of a tenant's (4096 handles, 1 MiB of text): a tenant whose containers'
 * tenant is hard to find (a scan of /proc must run first) holds at most
 * that much past its own allowance meanwhile, and a reader waits for no
 * scan.
 */
#define PV_UNKNOWN_PART 16

/* A new allowance of 1/part of a tenant's caps. */
PvAllowance *pv_allowance_new(unsigned part);
PvAllowance *pv_allowance_ref(PvAllowance *a);
void pv_allowance_unref(PvAllowance *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PvAllowance, pv_allowance_unref)

/*
 * The counts of the whole pool: handles and bytes held by all allowances,
 * and the allowances holding handles. Atomic.
 */
typedef struct PvPool {
        gint n_handles;
        gssize held_bytes;
        gint n_tenants;
} PvPool;

/* Charges a one handle, if the rule allows. Returns true when charged. */
bool pv_allowance_take_handle(PvAllowance *a, PvPool *p, const PvLimits *l);
/* Charges a one handle whatever the rule (a handle moving from another allowance). */
void pv_allowance_add_handle(PvAllowance *a, PvPool *p);
/* Gives back one handle of a (and of the pool when pool is true). */
void pv_allowance_give_handle(PvAllowance *a, PvPool *p, bool pool);
/* Charges a len bytes of text, if the rule allows. Returns true when charged. */
bool pv_allowance_take_bytes(PvAllowance *a, PvPool *p, const PvLimits *l, size_t len);
void pv_allowance_give_bytes(PvAllowance *a, PvPool *p, size_t len);
