/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon object: options, the host's cgroup hierarchies and the shared caches. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "allowance.h"
#include "cgroup/backend.h"
#include "container.h"
#include "options.h"
#include "renames.h"

/*
 * What one tenant (tenant.h), and all of them together (the pool), can make
 * the daemon hold through open files (handle.h): past the count its opens
 * fail with EMFILE; past the bytes its handles keep no text and render at
 * read instead. All handles together cost at most about 64 MiB of state (a
 * handle is about 250 bytes) and 64 MiB of text. The pool is shared fairly
 * (allowance.h): half of it first come, first served, the other half only
 * to tenants below their fair share of it, so that four tenants at their
 * caps do not leave a fifth without handles. Containers whose tenant is not
 * known yet share one allowance, a sixteenth of a tenant's.
 */
#define PV_HANDLES_PER_TENANT 65536
#define PV_TEXT_BYTES_PER_TENANT (16 * 1024 * 1024)
#define PV_HANDLES_ALL (4 * PV_HANDLES_PER_TENANT)
#define PV_TEXT_BYTES_ALL (4 * PV_TEXT_BYTES_PER_TENANT)

/*
 * The inotify watches the registry places on cgroup directories to notice
 * renames (renames.h); containers past them are looked up on every open.
 */
#define PV_RENAME_WATCHES 16384

/*
 * Containers the registry keeps at most; past them, those nobody reads and
 * without open files are forgotten, least recently read first (budget.h).
 */
#define PV_REGISTRY_MAX 65536

typedef struct PvCallerCache PvCallerCache;
typedef struct PvHost PvHost;

struct PvDaemon {
        PvOptions opts;
        PvHierarchy hier;
        uint64_t host_btime_s;   /* boot time of the host, unix seconds */
        uint64_t self_pidns_ino; /* the daemon's pid namespace */
        int proc_fd;             /* dirfd of /proc: the readers' processes */
        PvHost *host;            /* the host's own files, kept open (gather/host.h) */
        size_t n_files;          /* the files the mount serves (gather/fs-table.h): a
                                    container keeps a shared text per file (share.h) */
        long clk_tck;            /* sysconf(_SC_CLK_TCK) */

        GRWLock containers_lock; /* protects containers; lookups share it */
        GHashTable *containers;  /* name -> PvContainer* (one reference) */
        PvRenames *renames;      /* NULL: no inotify, every lookup checks paths */
        /*
         * The registry's budgets (budget.h): directory fds its containers'
         * cgroups hold (a quarter of the open file limit; 0: none), and
         * containers registered (PV_REGISTRY_MAX; 0: none).
         */
        gint cg_fds; /* atomic */
        unsigned cg_fd_budget;
        unsigned registry_max;
        GMutex trim_lock; /* one trim at a time */

        PvCallerCache *callers; /* has its own lock */

        /*
         * Open file handles: id (uint64_t *, inside the handle) -> handle. An
         * id is (generation << 40 | counter), so the handles of earlier
         * workers are told apart from ours. Handles the kernel never released
         * are freed when the worker stops.
         */
        uint64_t generation; /* this worker's, from the keeper */
        GMutex handles_lock; /* protects handles and handle_counter */
        GHashTable *handles;
        uint64_t handle_counter;
        PvLimits limits;      /* the caps: PV_HANDLES_* and PV_TEXT_BYTES_*, or scaled */
        PvPool pool;          /* handles open and text they keep, in all; atomic */
        PvAllowance *unknown; /* the allowance of containers whose tenant is unknown */

        gint64 load_epoch_us; /* g_get_monotonic_time() of load tick 0 (pv_load_tick) */
        GThread *sampler;
        GMutex sampler_lock;
        GCond sampler_cond;
        bool stopping; /* under sampler_lock */
};

/*
 * Opens the cgroup hierarchies and makes the registry and the caches. d->opts
 * and d->n_files must be set, fds at -1. (The worker opens the host's files,
 * gather/host.h, and the table of handles, serve/handle.h.) Returns 0 or
 * -errno; pv_daemon_teardown() frees what was made either way. The cgroup
 * hierarchies are opened last: a failure with d->proc_fd open is theirs
 * (-ENOENT: no cgroup hierarchy is mounted).
 */
int pv_daemon_setup(PvDaemon *d);
void pv_daemon_teardown(PvDaemon *d);
