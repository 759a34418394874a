/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry's global budgets: cgroup fds held and containers registered (budget.h). */
#include "budget.h"

#include <errno.h>
#include <string.h>

void pv_container_count_fds(PvContainer *c, gint *total)
{
        c->n_fds = c->cg ? pv_cgroup_n_fds(c->cg) : 0;
        c->fds_total = total;
        if (total)
                g_atomic_int_add(total, (gint)c->n_fds);
}

/* Frees c->cg and gives its fds back (c->cg_lock held). */
static void cg_drop(PvContainer *c)
{
        if (c->fds_total)
                g_atomic_int_add(c->fds_total, -(gint)c->n_fds);
        c->n_fds = 0;
        g_clear_pointer(&c->cg, pv_cgroup_free);
}

/* Opens c's cgroups again (c->cg_lock held): they must be the directories c registered. */
static int cg_reopen(PvDaemon *d, PvContainer *c)
{
        PvCgroup *cg = NULL;
        uint64_t ids[_PV_CTRL_MAX];
        int r = pv_cgroup_open_paths(&d->hier, &c->paths, &cg);
        if (r < 0)
                return r;
        r = pv_cgroup_ids(cg, ids);
        if (r == 0 && memcmp(ids, c->ids, sizeof(ids)) != 0)
                r = -ENOENT; /* renamed away, or removed and made again: another cgroup */
        if (r < 0) {
                pv_cgroup_free(cg);
                return r;
        }
        c->cg = cg;
        pv_container_count_fds(c, c->fds_total ? c->fds_total : &d->cg_fds);
        return 0;
}

int pv_container_pin(PvDaemon *d, PvContainer *c)
{
        bool reopened = false;
        int r = 0;

        /* room first: threads reopening at once overshoot by what they open, no more */
        if (pv_budget_exceeded(d))
                pv_registry_trim_wait(d);
        g_mutex_lock(&c->cg_lock);
        if (!c->cg) {
                r = cg_reopen(d, c);
                reopened = r == 0;
        }
        if (r == 0)
                c->pins++;
        g_mutex_unlock(&c->cg_lock);
        if (reopened && pv_budget_exceeded(d))
                pv_registry_trim(d);
        return r;
}

void pv_container_unpin(PvContainer *c)
{
        g_mutex_lock(&c->cg_lock);
        g_assert(c->pins > 0);
        c->pins--;
        g_mutex_unlock(&c->cg_lock);
}

PvCgroup *pv_container_pin_if_open(PvContainer *c)
{
        g_mutex_lock(&c->cg_lock);
        PvCgroup *cg = c->cg;
        if (cg)
                c->pins++;
        g_mutex_unlock(&c->cg_lock);
        return cg;
}

bool pv_container_release(PvContainer *c)
{
        g_mutex_lock(&c->cg_lock);
        bool release = c->cg && c->pins == 0;
        if (release)
                cg_drop(c);
        g_mutex_unlock(&c->cg_lock);
        return release;
}

bool pv_budget_exceeded(PvDaemon *d)
{
        if (d->cg_fd_budget > 0 && (unsigned)g_atomic_int_get(&d->cg_fds) > d->cg_fd_budget)
                return true;
        if (d->registry_max == 0)
                return false;
        g_rw_lock_reader_lock(&d->containers_lock);
        unsigned n = g_hash_table_size(d->containers);
        g_rw_lock_reader_unlock(&d->containers_lock);
        return n > d->registry_max;
}

typedef struct LruEntry {
        gint64 used_us;
        PvContainer *c; /* one reference */
} LruEntry;

static int lru_compare(const void *a, const void *b)
{
        const LruEntry *x = a, *y = b;
        return (x->used_us > y->used_us) - (x->used_us < y->used_us);
}

static void trim_locked(PvDaemon *d);

void pv_registry_trim(PvDaemon *d)
{
        if (!g_mutex_trylock(&d->trim_lock))
                return;
        trim_locked(d);
        g_mutex_unlock(&d->trim_lock);
}

void pv_registry_trim_wait(PvDaemon *d)
{
        g_mutex_lock(&d->trim_lock);
        /* the trim waited for may have made the room already */
        if (pv_budget_exceeded(d))
                trim_locked(d);
        g_mutex_unlock(&d->trim_lock);
}

/* pv_registry_trim, d->trim_lock held. */
static void trim_locked(PvDaemon *d)
{
        /* down to 7/8: the next trims wait for an eighth of the budget, not one open */
        unsigned fd_low = d->cg_fd_budget - d->cg_fd_budget / 8;
        unsigned reg_low = d->registry_max - d->registry_max / 8;
        GHashTableIter it;
        gpointer value;

        g_rw_lock_reader_lock(&d->containers_lock);
        unsigned n = g_hash_table_size(d->containers), registered = n, i = 0;
        LruEntry *lru = g_new(LruEntry, n ? n : 1);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value) && i < n) {
                PvContainer *c = value;
                lru[i].used_us = __atomic_load_n(&c->last_used_us, __ATOMIC_RELAXED);
                lru[i++].c = pv_container_ref(c);
        }
        g_rw_lock_reader_unlock(&d->containers_lock);
        n = i;
        qsort(lru, n, sizeof(*lru), lru_compare);

        for (i = 0; i < n; i++) {
                PvContainer *c = lru[i].c;
                if (d->cg_fd_budget > 0 && (unsigned)g_atomic_int_get(&d->cg_fds) > fd_low)
                        (void)pv_container_release(c);
                /* an entry with open files keeps its counters monotonic for them */
                if (d->registry_max > 0 && registered > reg_low &&
                    g_atomic_int_get(&c->n_handles) == 0 && pv_registry_forget(d, c)) {
                        (void)pv_container_release(c);
                        registered--;
                }
                pv_container_unref(c);
        }
        g_free(lru);
}
