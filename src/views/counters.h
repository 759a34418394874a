/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The counters of one container that the renderers (views.h) turn into text:
 * plain values, filled by the cgroup backends (cgroup/backend.h reads them)
 * and by tests and fuzz harnesses alike. Contract: libc only, no functions,
 * no backend state, nothing of glib or of the I/O helpers; src/views builds
 * with src/views and src/parse as its only include directories, so this
 * header and parse-types.h are all a renderer knows of a cgroup.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse-types.h"

/* ---- memory ---- */

/* memory.stat values in bytes, hierarchical (v1 total_* keys). 0 if the kernel lacks the key. */
typedef struct PvMemStat {
        uint64_t anon;        /* v1 total_rss (+ total_rss_huge is inside it), v2 anon */
        uint64_t file;        /* v1 total_cache, v2 file (both include shmem) */
        uint64_t shmem;       /* v1 total_shmem, v2 shmem */
        uint64_t mapped_file; /* v1 total_mapped_file, v2 file_mapped */
        uint64_t dirty;       /* v1 total_dirty, v2 file_dirty */
        uint64_t writeback;   /* v1 total_writeback, v2 file_writeback */
        uint64_t swapcached;  /* v1 total_swapcached (absent before 5.x: 0), v2 swapcached */
        uint64_t active_anon;
        uint64_t inactive_anon;
        uint64_t active_file;
        uint64_t inactive_file;
        uint64_t unevictable;
        uint64_t slab_reclaimable; /* v2 slab_reclaimable; v1: 0 (v1 memory.stat has no slab) */
        uint64_t slab_unreclaimable;
        uint64_t kernel_stack; /* v2 kernel_stack */
        uint64_t pagetables;   /* v2 pagetables */
        uint64_t anon_thp;     /* v1 total_rss_huge, v2 anon_thp */
        /*
         * Event counts, not bytes (the vm_event and workingset keys of
         * memory.stat; monotonic). 0 where the kernel lacks the key.
         */
        uint64_t pgfault;    /* v1 total_pgfault, v2 pgfault */
        uint64_t pgmajfault; /* v1 total_pgmajfault, v2 pgmajfault */
        uint64_t pswpin;     /* v2 pswpin (pages swapped in); v1 does not count it: 0 */
        uint64_t pswpout;    /* v2 pswpout */
        uint64_t workingset_refault_anon;  /* v1 total_workingset_refault_anon, v2 the same name */
        uint64_t workingset_refault_file;  /* v1 total_workingset_refault_file, v2 the same name */
        uint64_t workingset_activate_anon; /* v2 only, as the ones below */
        uint64_t workingset_activate_file;
        uint64_t workingset_restore_anon;
        uint64_t workingset_restore_file;
        uint64_t workingset_nodereclaim;
} PvMemStat;

typedef struct PvMemory {
        uint64_t limit;      /* bytes: min of the hard limit over the cgroup and its ancestors;
                                PV_UNLIMITED if none */
        uint64_t usage;      /* bytes charged: v1 memory.usage_in_bytes, v2 memory.current */
        bool swap_accounted; /* v1 memory.memsw.* present, v2 memory.swap.* present */
        uint64_t swap_limit; /* bytes of swap the cgroup may use (v1: min memsw.limit over ancestors
                                - limit); PV_UNLIMITED if none */
        uint64_t swap_usage; /* v1 memsw.usage - usage, v2 memory.swap.current */
        PvMemStat stat;
        /*
         * Processes of the cgroup or its descendants killed by the OOM killer:
         * v1 memory.oom_control oom_kill, v2 memory.events oom_kill (both
         * hierarchical). 0 where the kernel lacks the key. Only
         * pv_cgroup_read_memory_events fills it: one file fewer for meminfo.
         */
        uint64_t oom_kill;
} PvMemory;

/* ---- tasks (loadavg, stat procs_*) ---- */

typedef struct PvTaskCounts {
        unsigned running;         /* state R */
        unsigned uninterruptible; /* state D */
        unsigned total;           /* threads in the cgroup and its descendants */
        pid_t last_pid;           /* highest pid in the cgroup (host pid: the daemon translates) */
} PvTaskCounts;