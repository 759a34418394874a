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

#include "counters.h"
#include "cpuset.h"
#include "parse-types.h"

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

/*
 * Every host key in host order; container values where memory.stat knows
 * them, MemTotal = min(limit, host), MemFree <= MemAvailable <= MemTotal,
 * SwapFree <= SwapTotal (rules: meminfo.c). Returns 0, or -EINVAL for host
 * text it cannot parse or that lacks MemTotal.
 */
int pv_meminfo_render(const char *host_meminfo, const PvMemory *mem, GString *out);
/* MemTotal of the host's meminfo text, in bytes. Returns 0 or -EINVAL (missing, malformed). */
int pv_meminfo_total_bytes(const char *host_meminfo, uint64_t *ret);

/*
 * ---- vmstat ----
 * Every host key in host order; the container's page gauges (bytes of mem in
 * pages of page_size; nr_kernel_stack in KiB, nr_anon_transparent_hugepages
 * in PMD huge pages), fault, swap, workingset and oom_kill events, and
 * pgpgin/pgpgout as KiB of io (NULL: none); host values for the rest (rules:
 * vmstat.c). nr_free_pages is (mem->limit - usage) in pages: the caller caps
 * mem->limit at the host's MemTotal; PV_UNLIMITED keeps the host's value.
 * Returns 0, or -EINVAL for host text it cannot parse, empty text or a zero
 * page_size.
 */
int pv_vmstat_render(const char *host_vmstat, const PvMemory *mem, const PvIoStats *io,
                     uint64_t page_size, GString *out);

/*
 * ---- cpuinfo ----
 * The host's "processor" blocks of the visible CPUs, host ids kept, with
 * "siblings" and "cpu cores" counted over the visible CPUs of each package
 * (cpu.c). Returns 0, or -EINVAL when the text has no processor block, a
 * block with two processor lines, or a non-numeric processor/physical
 * id/core id.
 */
int pv_cpuinfo_render(const char *host_cpuinfo, const PvCpuSet *visible, GString *out);

/* ---- stat ---- */

/*
 * Per-CPU values a container was last shown, so counters never go backwards.
 * Zero-initialise it ({0}) before the first pv_stat_render; it owns cpu, which
 * pv_stat_render grows, and is freed by pv_stat_memo_clear. Not thread-safe:
 * one memo per container, used under the caller's lock.
 */
typedef struct PvStatMemo {
        /* indexed by host CPU id; grown as needed; [user, system, idle] in USER_HZ ticks */
        uint64_t (*cpu)[3];
        size_t n_cpus;
        uint64_t total[3]; /* the aggregate line last shown */
} PvStatMemo;

/* Frees memo->cpu and zeroes the memo, ready for reuse. NULL is allowed. */
void pv_stat_memo_clear(PvStatMemo *memo);

typedef struct PvStatInput {
        const PvCpuSet *visible;
        const PvCpuUsage *usage;
        const PvTaskCounts *tasks;    /* NULL: procs_running/blocked from the host text */
        uint64_t container_uptime_ns; /* time since the container started */
        uint64_t boot_time_s;         /* container start as a unix time (btime) */
        uint64_t processes;           /* forks since start; 0: keep the host's line */
        unsigned user_hz;             /* sysconf(_SC_CLK_TCK), 100 */
} PvStatInput;

/*
 * The host's /proc/stat with the container's cpu lines (visible CPUs only,
 * ten fields, monotonic through memo; the aggregate is the sum of the memo
 * over every CPU ever shown), btime, processes and procs_* (stat.c).
 * Updates memo. Returns 0, or -EINVAL for malformed host text, user_hz 0 or
 * a NULL visible/usage; on failure out and memo are unchanged.
 */
int pv_stat_render(const char *host_stat, const PvStatInput *in, PvStatMemo *memo, GString *out);

/*
 * ---- diskstats ----
 * One 20-field kernel-format line per device of io that the host text names
 * and that has a non-zero counter, in io's order (diskstats.c). Returns 0, or
 * -EINVAL for a host line without major, minor and name.
 */
int pv_diskstats_render(const char *host_diskstats, const PvIoStats *io, GString *out);

/*
 * ---- uptime ----
 * "UPTIME IDLE\n", seconds with two decimals, truncated as the kernel does
 * (uptime.c). Returns 0.
 */
int pv_uptime_render(uint64_t uptime_ns, uint64_t idle_ns, GString *out);
/*
 * The idle time of /proc/uptime: the capacity of n_cpus CPUs over up_ns that
 * the container did not use (busy_ns). 0 when busy_ns exceeds it; saturates
 * at UINT64_MAX instead of wrapping.
 */
uint64_t pv_uptime_idle_ns(uint64_t up_ns, unsigned n_cpus, uint64_t busy_ns);

/* ---- loadavg ---- */

typedef struct PvLoadAvg {
        /* 1, 5 and 15 minutes, fixed point with 11 fraction bits (the kernel's avenrun) */
        unsigned long avenrun[3];
} PvLoadAvg;

/*
 * Folds ticks 5-second ticks with active (running + uninterruptible) tasks
 * into avg, exactly as the kernel folds its own (calc_load, and calc_load_n
 * for more than one tick). 0 ticks change nothing. A zeroed avg is the
 * kernel's at boot: 0.00 0.00 0.00.
 */
void pv_loadavg_fold(PvLoadAvg *avg, unsigned active, unsigned ticks);
/*
 * The kernel's line "A.AA B.BB C.CC running/total last_pid\n", the averages
 * rounded as the kernel rounds them. Returns 0, or -EINVAL for a NULL argument.
 */
int pv_loadavg_render(const PvLoadAvg *avg, const PvTaskCounts *tasks, GString *out);

/*
 * ---- swaps ----
 * The host's header, then, when the container has swap (accounted, limit >= 1 KiB,
 * host swap > 0), one "none virtual SIZE USED -1" line in KiB (swaps.c).
 * Returns 0, or -EINVAL for an empty text or a non-numeric size/used field.
 */
int pv_swaps_render(const char *host_swaps, const PvMemory *mem, GString *out);

/* ---- sysfs cpu ---- */
/*
 * "0-1,4\n" (online, possible, present); "\n" for an empty set (offline: the
 * view holds only online CPUs, pv_cpu_view(), so none the container sees is
 * offline). Returns 0.
 */
int pv_cpulist_render(const PvCpuSet *set, GString *out);

/*
 * ---- sysfs node ----
 * Rules in node.c. pv_cpumap_render: set as the kernel's cpumap of nbits
 * (nr_cpu_ids) bits, "0f\n"; returns 0 or -EINVAL (nbits 0 or above
 * PV_CPU_MAX).
 */
int pv_cpumap_render(const PvCpuSet *set, unsigned nbits, GString *out);
/* MemTotal of a host nodeN/meminfo text, in kB. Returns 0 or -EINVAL (missing, malformed). */
int pv_node_meminfo_total_kb(const char *host_node_meminfo, uint64_t *ret);
/*
 * The container's MemTotal on each of n nodes, in kB: limit_kb shared in
 * proportion to the nodes' host MemTotal host_kb[i], none above its host's.
 */
void pv_node_memory_split(const uint64_t *host_kb, size_t n, uint64_t limit_kb, uint64_t *ret_kb);
/*
 * The host's nodeN/meminfo with MemTotal total_kb, MemUsed used_kb (at most
 * total_kb) and MemFree the rest. Returns 0, or -EINVAL for a malformed value.
 */
int pv_node_meminfo_render(const char *host_node_meminfo, uint64_t total_kb, uint64_t used_kb,
                           GString *out);
