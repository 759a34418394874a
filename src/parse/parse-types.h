/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The types the parsers of cgroup texts fill, shared by the backends
 * (backend.h), libprocview and the preload: libc only, no backend state.
 */

#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"

/* The one sentinel for "max", "-1" and absent limit files. */
#define PV_UNLIMITED UINT64_MAX

typedef enum PvController {
        PV_CTRL_MEMORY,
        PV_CTRL_CPU,     /* v1 "cpu" (quota), v2 "cpu" (cpu.max, cpu.stat) */
        PV_CTRL_CPUACCT, /* v1 "cpuacct"; on v2 the same as PV_CTRL_CPU */
        PV_CTRL_CPUSET,
        PV_CTRL_IO, /* v1 "blkio", v2 "io" */
        PV_CTRL_PIDS,
        _PV_CTRL_MAX,
} PvController;

typedef struct PvIoDev {
        unsigned major, minor;
        uint64_t rbytes, wbytes, rios, wios, dbytes, dios;
} PvIoDev;

typedef struct PvIoStats {
        PvIoDev *devs; /* malloc()ed, sorted by (major, minor) */
        size_t n_devs;
} PvIoStats;

typedef struct PvCpuUsage {
        uint64_t user_ns; /* whole cgroup, hierarchical */
        uint64_t system_ns;
        /*
         * Per host CPU id, n_cpus entries, malloc()ed; NULL when the kernel
         * gives no per-CPU split (cgroup v2).
         */
        uint64_t *percpu_user_ns;
        uint64_t *percpu_system_ns;
        size_t n_cpus;
        /*
         * Bandwidth limit as quota/period, the smallest ratio over the cgroup and
         * its ancestors; quota_us = 0 when there is no limit.
         */
        uint64_t quota_us;
        uint64_t period_us;
} PvCpuUsage;

/* Frees the per-CPU arrays and zeroes u. */
void pv_cpu_usage_clear(PvCpuUsage *u);

/* Frees the device array and zeroes s; safe on a zeroed or cleared PvIoStats. */
void pv_io_stats_clear(PvIoStats *s);

/* The kernel's largest node count (MAX_NUMNODES with NODES_SHIFT 10). */
#define PV_NODE_MAX 1024

/* Bytes a cgroup and its descendants hold on each node (memory.numa_stat). */
typedef struct PvNumaUsage {
        PvCpuSet nodes; /* the nodes numa_stat lists */
        uint64_t bytes[PV_NODE_MAX];
} PvNumaUsage;
