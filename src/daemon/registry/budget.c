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

int pv_container_pin_open(PvDaemon *d, PvContainer *c, bool *ret_reopened)
{
        int r = 0;

        *ret_reopened = false;
        g_mutex_lock(&c->cg_lock);
        if (!c->cg) {
                r = cg_reopen(d, c);
                *ret_reopened = r == 0;
        }
        if (r == 0)
                c->pins++;
        g_mutex_unlock(&c->cg_lock);
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
