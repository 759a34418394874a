/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Renderers: pure functions from typed cgroup counters and the host's own
 * /proc text to the text a container reader sees. No I/O, no globals, no
 * clocks: time comes in through arguments. Each appends to out and returns 0
 * or -errno (-EINVAL for host text it cannot parse); out is unchanged on
 * failure.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "cgroup/backend.h"
#include "common/cpuset.h"

/* ---- CPU view (shared by cpuinfo, stat, sysfs and uptime) ---- */

typedef enum PvCpuViewMode {
        PV_CPU_VIEW_CPUSET, /* every CPU of the cpuset */
        PV_CPU_VIEW_QUOTA,  /* the first ceil(quota/period) CPUs of the cpuset */
} PvCpuViewMode;

/*
 * The CPUs a container sees: its cpuset intersected with the host's online
 * CPUs, trimmed to ceil(quota/period) in PV_CPU_VIEW_QUOTA mode. Never empty
 * when host_online is not empty (falls back to the lowest online CPU).
 */
void pv_cpu_view(const PvCpuSet *cpuset, const PvCpuSet *host_online, uint64_t quota_us,
                 uint64_t period_us, PvCpuViewMode mode, PvCpuSet *ret);

/* ---- meminfo ---- */
int meminfo_render(const char *host_meminfo, const PvMemory *mem, GString *out);

/* ---- cpuinfo: the host's blocks of the visible CPUs, host ids kept ---- */
int cpuinfo_render(const char *host_cpuinfo, const PvCpuSet *visible, GString *out);

/* ---- stat ---- */

/* Per-CPU values a container was last shown, so counters never go backwards. */
typedef struct PvStatMemo {
        /* indexed by host CPU id; grown as needed; [user, system, idle] in USER_HZ ticks */
        uint64_t (*cpu)[3];
        size_t n_cpus;
        uint64_t total[3];
} PvStatMemo;

void pv_stat_memo_clear(PvStatMemo *memo);

typedef struct PvStatInput {
        const PvCpuSet *visible;
        const PvCpuUsage *usage;
        const PvTaskCounts *tasks; /* NULL: procs_running/blocked from the host text */
        uint64_t container_uptime_ns; /* time since the container started */
        uint64_t boot_time_s;         /* container start as a unix time (btime) */
        uint64_t processes;           /* forks since start; 0: keep the host's line */
        unsigned user_hz;             /* sysconf(_SC_CLK_TCK), 100 */
} PvStatInput;

int stat_render(const char *host_stat, const PvStatInput *in, PvStatMemo *memo, GString *out);

/* ---- diskstats ---- */
int diskstats_render(const char *host_diskstats, const PvIoStats *io, GString *out);

/* ---- uptime: "UPTIME IDLE\n" with two decimals ---- */
int uptime_render(uint64_t uptime_ns, uint64_t idle_ns, GString *out);

/* ---- loadavg ---- */

typedef struct PvLoadAvg {
        double avg[3]; /* 1, 5, 15 minutes */
        bool primed;
} PvLoadAvg;

/* Folds one sample (running + uninterruptible) taken interval_s after the previous one. */
void pv_loadavg_update(PvLoadAvg *avg, unsigned active, double interval_s);
int loadavg_render(const PvLoadAvg *avg, const PvTaskCounts *tasks, GString *out);

/* ---- swaps ---- */
int swaps_render(const char *host_swaps, const PvMemory *mem, GString *out);

/* ---- sysfs cpu ---- */
/* "0-1,4\n" (online, possible, present); offline is the host's online minus visible. */
int cpulist_render(const PvCpuSet *set, GString *out);
