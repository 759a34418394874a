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

/*
 * The container of the cgroups paths names, registered on first use and
 * keyed by the paths. An entry whose directories are no longer the ones the
 * paths name (a v1 cgroup renamed, or removed and made again) is replaced by
 * a new container; a lookup checks that only after a rename event since its
 * last check (renames.h), or on every call when its directories are not
 * watched. start_ns is when the process whose cgroups
 * these are started; start_exact says it is the container's first process
 * (the init of its pid namespace), else the container's start is its
 * cgroup's oldest task's, if older. Returns a new reference in *ret, 0,
 * -ENOENT (a cgroup does not exist) or -errno.
 */
int pv_registry_get(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns, bool start_exact,
                    PvContainer **ret);
/*
 * pv_registry_get for the discovery scan: not a read, so a container nobody
 * read stays the least recently read (the first whose fds the budget takes
 * back), and its start is its cgroup's oldest task's.
 */
int pv_registry_discover(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns,
                         PvContainer **ret);

/*
 * Removes c from the registry if it is still the entry for its cgroups:
 * they were removed, and the next reader of those paths must get the
 * cgroups made anew under them (a container restarted under the same name).
 * Returns true when it removed c.
 */
bool pv_registry_forget(PvDaemon *d, PvContainer *c);

/*
 * Forgets, with the fds they hold, the registered containers whose cgroups
 * were removed: the next reader of their paths gets the cgroups made anew
 * there. Released containers hold no fds and are left to the expiry.
 */
void pv_registry_drop_removed(PvDaemon *d);

/*
 * Drops the registry entries unused for opts.idle_expiry_s, but not those
 * the discovery scan tracks while their last sample found tasks; and at
 * once those whose cgroups were removed, with the fds they held.
 */
void pv_registry_expire(PvDaemon *d);
/* Calls fn on a new reference to every registered container (fn unrefs). */
void pv_registry_foreach(PvDaemon *d, void (*fn)(PvDaemon *d, PvContainer *c, void *data),
                         void *data);
/* Drops every registry entry; handles keep their references. */
void pv_registry_clear(PvDaemon *d);
