/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The life of a PvContainer: references, the load averages the sampler keeps. */
#include "container.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "parse-proc.h"
#include "daemon.h"
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
