/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The life of a PvContainer, and the registry: cgroups -> the one PvContainer serving them. */
#include "container.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "parse-proc.h"
#include "daemon.h"
#include "gather/fs-table.h"
#include "procfs.h"
#include "renames.h"

PvContainer *pv_container_ref(PvContainer *c)
{
        g_atomic_int_inc(&c->refs);
        return c;
}

void pv_container_unref(PvContainer *c)
{
        if (!c || !g_atomic_int_dec_and_test(&c->refs))
                return;
        if (c->tenant && c->tenant != c)
                pv_container_unref(c->tenant);
        pv_allowance_unref(c->allowance);
        if (c->cg) {
                if (c->fds_total)
                        g_atomic_int_add(c->fds_total, -(gint)c->n_fds);
                pv_cgroup_free(c->cg);
        }
        pv_cgroup_paths_clear(&c->paths);
        g_free(c->key);
        g_free(c->name);
        g_mutex_clear(&c->cg_lock);
        pv_share_free(c->share);
        pv_stat_memo_clear(&c->stat_memo);
        g_mutex_clear(&c->lock);
        g_free(c);
}

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

/* ---- load averages: folded every 5 s from the container's registration ---- */

#define LOAD_TICK_US (5 * G_USEC_PER_SEC)

uint64_t pv_load_tick(const PvDaemon *d, gint64 now_us)
{
        return now_us > d->load_epoch_us ? (uint64_t)(now_us - d->load_epoch_us) / LOAD_TICK_US : 0;
}

/*
 * The pid the newest task (the highest host pid of the cgroup) has in its
 * own pid namespace, the innermost of its NSpid: what the kernel's last-pid
 * field of a container's /proc/loadavg counts in. A reader in the host's pid
 * namespace gets the host pid, as the kernel would show it. 0 when the task
 * is gone.
 */
static pid_t ns_last_pid(PvDaemon *d, pid_t host_pid)
{
        g_autofree char *status = NULL;
        pid_t inner;

        if (host_pid <= 0 || pv_procfs_read(d->hier.proc_fd, host_pid, "status", &status) < 0 ||
            pv_parse_status_nspid(status, &inner) < 0)
                return 0;
        return inner;
}

/*
 * Counts c's tasks and, when fold, folds the ticks from c->load_tick to tick
 * with the count of runnable and uninterruptible ones. Returns 0, or -errno
 * when the cgroup cannot be read (its averages stay).
 */
static int sample_load(PvDaemon *d, PvContainer *c, const PvCgroup *cg, bool fold, uint64_t tick)
{
        PvTaskCounts tasks;
        int r = pv_cgroup_read_tasks(cg, &tasks);
        if (r < 0)
                return r;
        g_mutex_lock(&c->lock);
        pid_t host_last = tasks.last_pid, known = c->have_tasks ? c->tasks.last_pid : 0;
        bool same = c->have_tasks && host_last == c->last_host_pid;
        g_mutex_unlock(&c->lock);
        /* the same newest task as last time keeps its translation: one /proc read saved */
        pid_t last = same ? known : ns_last_pid(d, host_last);
        g_mutex_lock(&c->lock);
        /* never the host's pid numbers: a task gone meanwhile keeps the last known */
        tasks.last_pid = last > 0 ? last : known;
        c->last_host_pid = host_last;
        if (fold && tick > c->load_tick) {
                uint64_t n = tick - c->load_tick;
                pv_loadavg_fold(&c->load, tasks.running + tasks.uninterruptible,
                                n > UINT_MAX ? UINT_MAX : (unsigned)n);
                c->load_tick = tick;
        }
        c->tasks = tasks;
        c->have_tasks = true;
        g_mutex_unlock(&c->lock);
        return 0;
}

/*
 * A cgroup of c's released container to count its tasks with, opened for
 * this sample alone: the controller that lists them, checked to be the
 * directory c registered. Returns 0 or -errno.
 */
static int open_for_sample(PvDaemon *d, PvContainer *c, PvCgroup **ret)
{
        static const PvController order[] = {PV_CTRL_PIDS,   PV_CTRL_CPUACCT, PV_CTRL_CPU,
                                             PV_CTRL_MEMORY, PV_CTRL_CPUSET,  PV_CTRL_IO};
        for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
                PvController ctrl = order[i];
                char *paths[_PV_CTRL_MAX] = {NULL};
                uint64_t ids[_PV_CTRL_MAX];
                PvCgroup *cg = NULL;
                if (!c->paths.path[ctrl] || d->hier.root_fd[ctrl] < 0)
                        continue;
                paths[ctrl] = c->paths.path[ctrl];
                int r = pv_cgroup_open(&d->hier, paths, &cg);
                if (r < 0)
                        return r;
                r = pv_cgroup_ids(cg, ids);
                if (r == 0 && ids[ctrl] != c->ids[ctrl])
                        r = -ENOENT;
                if (r < 0) {
                        pv_cgroup_free(cg);
                        return r;
                }
                *ret = cg;
                return 0;
        }
        return -ENODEV;
}

void pv_container_sample_load(PvDaemon *d, PvContainer *c, uint64_t tick)
{
        if (c->is_root)
                return;
        PvCgroup *cg = pv_container_pin_if_open(c);
        if (cg) {
                (void)sample_load(d, c, cg, true, tick);
                pv_container_unpin(c);
        } else if (open_for_sample(d, c, &cg) == 0) {
                /* released to the budget: sampled without taking it back */
                (void)sample_load(d, c, cg, true, tick);
                pv_cgroup_free(cg);
        }
}

/*
 * Reads within this time of a read that counted share its count: a reader
 * looping on loadavg or stat makes at most ten counts a second, whose cost
 * grows with the container's threads on cgroup v2.
 */
#define READ_COUNT_SHARED_US (G_USEC_PER_SEC / 10)

int pv_container_load(PvDaemon *d, PvContainer *c, PvLoadAvg *ret_load, PvTaskCounts *ret_tasks)
{
        gint64 now = g_get_monotonic_time();
        g_mutex_lock(&c->lock);
        bool shared =
            c->have_tasks && c->read_count_us > 0 && now - c->read_count_us < READ_COUNT_SHARED_US;
        g_mutex_unlock(&c->lock);
        /* R/T now, as the kernel's are; the averages move only at ticks */
        /* read by a gatherer: c is pinned */
        int r = shared ? 0 : sample_load(d, c, c->cg, false, 0);

        g_mutex_lock(&c->lock);
        if (!shared && r == 0)
                c->read_count_us = now;
        bool have = c->have_tasks;
        if (have) {
                if (ret_load)
                        *ret_load = c->load;
                *ret_tasks = c->tasks;
        }
        g_mutex_unlock(&c->lock);
        if (!have)
                return r < 0 ? r : -EIO;
        return 0;
}

/* ---- the registry ---- */

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
        c->share = pv_share_new(pv_fs_n_files);
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
