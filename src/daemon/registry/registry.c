/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry: cgroups -> the one PvContainer serving them, and its trimming. */
#include "registry.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "daemon.h"
#include "procfs.h"
#include "renames.h"

static void container_touch(PvContainer *c)
{
        __atomic_store_n(&c->last_used_us, g_get_monotonic_time(), __ATOMIC_RELAXED);
}

/*
 * When the container of cg started. Seen from the host pid namespace, its
 * first process is unknown: the oldest still in its cgroup stands for it.
 */
static uint64_t container_start_ns(PvDaemon *d, const PvCgroup *cg, uint64_t start_ns,
                                   bool start_exact)
{
        uint64_t ticks;
        if (start_exact || pv_cgroup_oldest_task(cg, NULL, &ticks) < 0)
                return start_ns;
        uint64_t oldest = ticks * (1000000000ULL / (uint64_t)d->clk_tck);
        return oldest < start_ns ? oldest : start_ns;
}

/* The registered container of key, as a new reference, or NULL. */
static PvContainer *registry_lookup(PvDaemon *d, const char *key)
{
        g_rw_lock_reader_lock(&d->containers_lock);
        PvContainer *c = g_hash_table_lookup(d->containers, key);
        if (c)
                pv_container_ref(c);
        g_rw_lock_reader_unlock(&d->containers_lock);
        return c;
}

/*
 * 1 when c's directories are still the ones paths names, 0 when they are
 * not, -ENOENT when paths names no cgroup now, or -errno.
 */
static int container_current(PvDaemon *d, PvContainer *c, const PvCgroupPaths *paths,
                             uint64_t generation)
{
        uint64_t ids[_PV_CTRL_MAX];

        if (c->watched && __atomic_load_n(&c->checked_gen, __ATOMIC_ACQUIRE) == generation)
                return 1;
        int r = pv_cgroup_paths_ids(&d->hier, paths->path, ids);
        if (r < 0)
                return r;
        if (memcmp(ids, c->ids, sizeof(ids)) != 0)
                return 0;
        __atomic_store_n(&c->checked_gen, generation, __ATOMIC_RELEASE);
        return 1;
}

static void paths_copy(const PvCgroupPaths *from, PvCgroupPaths *to)
{
        /* pv_cgroup_paths_clear() frees them */
        for (int i = 0; i < _PV_CTRL_MAX; i++)
                to->path[i] = from->path[i] ? strdup(from->path[i]) : NULL;
        to->unified = from->unified ? strdup(from->unified) : NULL;
}

/* A new container for the cgroups paths names, unregistered. */
static int container_new(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns,
                         bool start_exact, PvContainer **ret)
{
        /* Opened and computed unlocked: may read many /proc files. */
        PvCgroup *cg = NULL;
        int r = pv_cgroup_open_paths(&d->hier, paths, &cg);
        if (r < 0)
                return r;
        uint64_t ids[_PV_CTRL_MAX];
        r = pv_cgroup_ids(cg, ids);
        if (r < 0) {
                pv_cgroup_free(cg);
                return r;
        }
        PvContainer *c = g_new0(PvContainer, 1);
        c->refs = 1;
        c->allowance = pv_allowance_new(1);
        g_mutex_init(&c->cg_lock);
        c->cg = cg;
        pv_container_count_fds(c, &d->cg_fds);
        c->key = g_strdup(pv_cgroup_key(cg));
        c->name = g_strdup(pv_cgroup_name(cg));
        paths_copy(paths, &c->paths);
        memcpy(c->ids, ids, sizeof(ids));
        /*
         * A rename between the open and the watch raises no event: the next
         * lookup checks by path once (no generation is UINT64_MAX).
         */
        c->watched = pv_renames_watch(d->renames, cg);
        c->checked_gen = UINT64_MAX;
        c->is_root = pv_cgroup_is_root(cg);
        c->start_ns = container_start_ns(d, cg, start_ns, start_exact);
        /* its averages start at 0 now, and take their first fold at the next tick */
        c->load_tick = pv_load_tick(d, g_get_monotonic_time());
        c->share = pv_share_new(d->n_files);
        g_mutex_init(&c->lock);
        *ret = c;
        return 0;
}

static int registry_get(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns,
                        bool start_exact, bool read, PvContainer **ret)
{
        static const uint64_t no_ids[_PV_CTRL_MAX];
        uint64_t generation = pv_renames_generation(d->renames);
        g_autofree char *name = NULL;
        int r = pv_cgroup_paths_name(&d->hier, paths, no_ids, &name);
        if (r < 0)
                return r;
        PvContainer *c = registry_lookup(d, name);
        if (c) {
                r = container_current(d, c, paths, generation);
                if (r > 0) {
                        if (read)
                                container_touch(c);
                        *ret = c;
                        return 0;
                }
                /* renamed away, or removed and made again: the paths name another cgroup */
                if (r == 0)
                        pv_registry_forget(d, c);
                pv_container_unref(c);
                if (r < 0)
                        return r;
        }

        r = container_new(d, paths, start_ns, start_exact, &c);
        if (r < 0)
                return r;
        g_rw_lock_writer_lock(&d->containers_lock);
        PvContainer *other = g_hash_table_lookup(d->containers, c->name);
        if (other) { /* registered meanwhile by another thread */
                pv_container_unref(c);
                c = pv_container_ref(other);
        } else {
                g_hash_table_insert(d->containers, (gpointer)c->name, pv_container_ref(c));
        }
        bool over = d->registry_max > 0 && g_hash_table_size(d->containers) > d->registry_max;
        g_rw_lock_writer_unlock(&d->containers_lock);
        if (read)
                container_touch(c);
        if (over || pv_budget_exceeded(d))
                pv_registry_trim_wait(d);
        *ret = c;
        return 0;
}

int pv_registry_get(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns, bool start_exact,
                    PvContainer **ret)
{
        return registry_get(d, paths, start_ns, start_exact, true, ret);
}

int pv_registry_discover(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns,
                         PvContainer **ret)
{
        return registry_get(d, paths, start_ns, false, false, ret);
}

bool pv_registry_forget(PvDaemon *d, PvContainer *c)
{
        bool removed = false;
        g_rw_lock_writer_lock(&d->containers_lock);
        if (c->name && g_hash_table_lookup(d->containers, c->name) == c) {
                g_hash_table_steal(d->containers, c->name);
                removed = true;
        }
        g_rw_lock_writer_unlock(&d->containers_lock);
        if (removed)
                pv_container_unref(c); /* the registry's reference */
        return removed;
}

/* The discovery scan tracks c and its last sample (if any) found tasks in it. */
static bool container_holds_tasks(PvContainer *c)
{
        if (!g_atomic_int_get(&c->discovered))
                return false;
        g_mutex_lock(&c->lock);
        bool holds = !c->have_tasks || c->tasks.total > 0;
        g_mutex_unlock(&c->lock);
        return holds;
}

/*
 * Forgets c, and gives back its fds, when its cgroups were removed: the next
 * reader of its paths gets the cgroups made anew there, and the fds of a
 * removed cgroup go now rather than at the idle expiry. A released c holds
 * none and waits for that expiry (or its next reader) to be found gone.
 */
static void drop_if_gone(PvDaemon *d, PvContainer *c, void *data)
{
        PvCgroup *cg = pv_container_pin_if_open(c);
        bool gone = cg && pv_cgroup_alive(cg) < 0;
        if (cg)
                pv_container_unpin(c);
        if (gone && pv_registry_forget(d, c))
                (void)pv_container_release(c);
        pv_container_unref(c);
}

void pv_registry_drop_removed(PvDaemon *d)
{
        pv_registry_foreach(d, drop_if_gone, NULL);
}

void pv_registry_expire(PvDaemon *d)
{
        pv_registry_drop_removed(d);
        gint64 now = g_get_monotonic_time();
        gint64 max_idle = (gint64)d->opts.idle_expiry_s * G_USEC_PER_SEC;
        GHashTableIter it;
        gpointer value;

        g_rw_lock_writer_lock(&d->containers_lock);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                PvContainer *c = value;
                if (now - __atomic_load_n(&c->last_used_us, __ATOMIC_RELAXED) > max_idle &&
                    !container_holds_tasks(c)) {
                        g_hash_table_iter_steal(&it);
                        pv_container_unref(c);
                }
        }
        g_rw_lock_writer_unlock(&d->containers_lock);
}

void pv_registry_foreach(PvDaemon *d, void (*fn)(PvDaemon *d, PvContainer *c, void *data),
                         void *data)
{
        g_autoptr(GPtrArray) list = g_ptr_array_new();
        GHashTableIter it;
        gpointer value;

        g_rw_lock_writer_lock(&d->containers_lock);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value))
                g_ptr_array_add(list, pv_container_ref(value));
        g_rw_lock_writer_unlock(&d->containers_lock);

        for (guint i = 0; i < list->len; i++)
                fn(d, list->pdata[i], data);
}

void pv_registry_clear(PvDaemon *d)
{
        GHashTableIter it;
        gpointer value;
        g_rw_lock_writer_lock(&d->containers_lock);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                g_hash_table_iter_steal(&it);
                pv_container_unref(value);
        }
        g_rw_lock_writer_unlock(&d->containers_lock);
}

/* ---- trimming ---- */

int pv_container_pin(PvDaemon *d, PvContainer *c)
{
        bool reopened;

        /* room first: threads reopening at once overshoot by what they open, no more */
        if (pv_budget_exceeded(d))
                pv_registry_trim_wait(d);
        int r = pv_container_pin_open(d, c, &reopened);
        if (reopened && pv_budget_exceeded(d))
                pv_registry_trim(d);
        return r;
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
