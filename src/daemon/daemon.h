/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon object: options, the host's cgroup hierarchies and the shared caches. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup/backend.h"
#include "host.h"
#include "views/views.h"

typedef struct PvOptions {
        char *mountpoint;
        bool foreground;
        bool debug;
        PvCpuViewMode cpu_view;
        char *host_proc;            /* the host's meminfo, cpuinfo...: "/proc" (tests differ) */
        char *sys_cpu_dir;          /* "/sys/devices/system/cpu" */
        unsigned sample_interval_s; /* loadavg sampling period, 5 */
        unsigned idle_expiry_s;     /* forget containers nobody read for this long, 600 */
        bool recovery_journal;      /* answer a dead worker's requests from its journal even
                                       where the kernel could resend them (--recovery=journal) */
} PvOptions;

/*
 * What one container can make the daemon hold through open files (fs.c):
 * past the count its opens fail with EMFILE; past the bytes its handles keep
 * no text and render at read instead.
 */
#define PV_HANDLES_PER_CONTAINER 65536
#define PV_TEXT_BYTES_PER_CONTAINER (16 * 1024 * 1024)

/*
 * One container as procviewd sees it: a set of cgroups, plus what must be
 * remembered between reads (the stat memo that keeps counters monotonic and
 * the load averages). Reference counted; owned by the registry and by open
 * file handles.
 */
typedef struct PvContainer {
        gint refs;
        gint n_handles;    /* open file handles; atomic */
        gssize held_bytes; /* bytes of text those handles keep; atomic */
        char *key;         /* the registry's key: the cgroup paths (and v1 directory inodes) */
        PvCgroup *cg;
        bool is_root;        /* the host's root cgroups: serve host files */
        uint64_t start_ns;   /* CLOCK_BOOTTIME when the container started */
        gint64 last_used_us; /* g_get_monotonic_time() of the last open; atomic */

        GMutex lock; /* protects everything below */
        PvStatMemo stat_memo;
        PvLoadAvg load;
        PvTaskCounts tasks;
        bool have_tasks;
        gint64 last_sample_us;
        bool load_wanted;  /* somebody read loadavg: sample it */
        bool error_logged; /* one log line per failing container */
} PvContainer;

typedef struct PvCallerCache PvCallerCache;

struct PvDaemon {
        PvOptions opts;
        PvHierarchy hier;
        uint64_t host_btime_s;               /* boot time of the host, unix seconds */
        uint64_t self_pidns_ino;             /* the daemon's pid namespace */
        int proc_fd;                         /* dirfd of /proc: the readers' processes */
        int host_fd;                         /* dirfd of opts.host_proc: the host's own files */
        int host_file_fd[_PV_HOST_MAX];      /* those files, kept open (host.h) */
        GMutex host_file_lock[_PV_HOST_MAX]; /* one reader at a time per kept-open host file */
        long clk_tck;                        /* sysconf(_SC_CLK_TCK) */

        GMutex containers_lock; /* protects containers */
        GHashTable *containers; /* key -> PvContainer* (one reference) */

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

        GThread *sampler;
        GMutex sampler_lock;
        GCond sampler_cond;
        bool stopping; /* under sampler_lock */
};

PvContainer *pv_container_ref(PvContainer *c);
void pv_container_unref(PvContainer *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PvContainer, pv_container_unref)
