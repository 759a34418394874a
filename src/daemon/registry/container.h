/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A container as procviewd sees it, and the registry that shares one
 * PvContainer between all the readers of the same cgroups.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "allowance.h"
#include "cgroup/backend.h"
#include "share.h"
#include "views/views.h"

typedef struct PvDaemon PvDaemon;

/*
 * One container: a set of cgroups, plus what must be remembered between
 * reads (the stat memo that keeps counters monotonic and the load averages).
 * Reference counted; owned by the registry and by open file handles.
 */
typedef struct PvContainer {
        gint refs;
        gint n_handles; /* its open file handles; atomic */
        /* its allowance as a tenant (tenant.h): the handles charged to it; a reference */
        PvAllowance *allowance;
        /* whose allowance its handles take (tenant.h): NULL unknown, itself, or a reference */
        struct PvContainer *tenant;
        char *key;           /* pv_cgroup_key(cg) at registration, for log lines */
        char *name;          /* the registry's key: pv_cgroup_name(cg), the paths alone */
        PvCgroupPaths paths; /* what cg is opened from, again after a release */
        /*
         * Protects cg, pins and n_fds. cg holds directory fds the daemon's
         * budget counts (budget.h): NULL when released to it, opened again by
         * pv_container_pin. Read through it only while pinned.
         */
        GMutex cg_lock;
        PvCgroup *cg;
        unsigned pins;
        unsigned n_fds;             /* pv_cgroup_n_fds(cg), counted in *fds_total */
        gint *fds_total;            /* the daemon's count of such fds, or NULL */
        uint64_t ids[_PV_CTRL_MAX]; /* pv_cgroup_ids(cg) */
        bool watched;               /* its directories are watched for renames (renames.h) */
        uint64_t checked_gen; /* the rename generation its paths were last checked at; atomic */
        bool is_root;         /* the host's root cgroups: serve host files */
        uint64_t start_ns;    /* CLOCK_BOOTTIME when the container started */
        gint64 last_used_us;  /* g_get_monotonic_time() of the last open; atomic */
        gint discovered;      /* the discovery scan tracks its cgroup (discover.h); atomic */
        PvShare *share;       /* its files' texts, shared by its opens (share.h) */

        GMutex lock; /* protects everything below */
        PvStatMemo stat_memo;
        PvLoadAvg load;
        uint64_t load_tick;  /* the last 5-second tick (pv_load_tick) folded into load */
        PvTaskCounts tasks;  /* last_pid as the newest task's own pid namespace numbers it */
        pid_t last_host_pid; /* the host pid tasks.last_pid was translated from */
        bool have_tasks;
        gint64 read_count_us; /* when a read last counted tasks (monotonic), 0: never */
        bool error_logged;    /* one log line per failing container */
} PvContainer;

PvContainer *pv_container_ref(PvContainer *c);
void pv_container_unref(PvContainer *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PvContainer, pv_container_unref)

/* The number of 5-second load ticks (the kernel's LOAD_FREQ) from d's start to now_us. */
uint64_t pv_load_tick(const PvDaemon *d, gint64 now_us);

/*
 * The load averages of c (loadavg, and procs_running and procs_blocked of
 * stat), as the sampler folded them since c was registered, and its task
 * counts taken now (or those of its last sample when its cgroup cannot be
 * read). *ret_load (if not NULL) and *ret_tasks get them. Returns 0, or
 * -errno when no count was ever taken.
 */
int pv_container_load(PvDaemon *d, PvContainer *c, PvLoadAvg *ret_load, PvTaskCounts *ret_tasks);
/*
 * The sampler's tick: counts c's runnable and uninterruptible tasks and folds
 * the 5-second ticks passed since the last fold, up to tick, into its
 * averages (several at once as the kernel's calc_load_n when the sampler was
 * late). The host's root cgroups are never sampled (readers there get the
 * host's loadavg). A cgroup that cannot be read keeps its averages and folds
 * the ticks missed at its next sample.
 */
void pv_container_sample_load(PvDaemon *d, PvContainer *c, uint64_t tick);
