/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PROCVIEW_H
#define PROCVIEW_H

/*
 * libprocview: what the calling process may really use inside its container
 * (cgroup v1, v2 or hybrid; with or without a cgroup namespace; with or
 * without cgroupfs visible). See libprocview(3).
 *
 * Every call re-reads the kernel's files: cpusets and quotas change while
 * containers run. Calls are thread-safe, async-signal-unsafe, never log,
 * never abort and never allocate memory. Errors are returned as -errno.
 */

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* pv_get_memory_limit(): no limit applies. */
#define PV_MEMORY_UNLIMITED UINT64_MAX

/*
 * The CPUs the calling thread's cgroup lets it run on (host CPU ids): the
 * cpuset controller's effective set, or the thread's affinity mask from
 * sched_getaffinity(2) where no cpuset hierarchy is visible.
 * set is a CPU set of setsize bytes (CPU_ALLOC_SIZE()), cleared and filled.
 * Returns 0, -EINVAL when setsize is too small for the highest CPU id, or -errno.
 * set is untouched on failure.
 */
int pv_get_cpuset(size_t setsize, cpu_set_t *set);

/*
 * The same set as a kernel cpu list ("0-3,8") written into buf of size len
 * (always NUL-terminated when len > 0). Returns the length of the full list
 * without NUL (like snprintf(3): a result >= len means it was truncated), or
 * -errno.
 */
int pv_get_cpuset_list(char *buf, size_t len);

/*
 * The CPU bandwidth limit: the tightest quota/period ratio over the cgroup
 * and its visible ancestors (v1 cpu.cfs_quota_us/cpu.cfs_period_us, v2
 * cpu.max). *ret_quota_us = 0 and *ret_period_us = 0 when there is none.
 * Returns 0, -ENOENT when no cpu controller hierarchy is visible, or -errno;
 * the out-parameters are untouched on failure.
 */
int pv_get_cpu_quota(uint64_t *ret_quota_us, uint64_t *ret_period_us);

/*
 * The number of CPUs the process should plan for: min(size of the cpuset,
 * ceil(quota / period)), at least 1. When the environment variable
 * PROCVIEW_CPUS holds an integer 1..8192 that value is returned instead.
 * Never fails.
 */
int pv_cpu_count(void);

/*
 * The memory limit in bytes: the smallest hard limit over the cgroup and its
 * ancestors (v1 memory.limit_in_bytes and hierarchical_memory_limit, v2
 * memory.max), PV_MEMORY_UNLIMITED when none. Not capped to the host's RAM.
 * Returns 0, -ENOENT when no memory hierarchy is visible, or -errno.
 */
int pv_get_memory_limit(uint64_t *ret_bytes);

/*
 * The host CPU id of logical CPU index (0-based) of the cpuset, in ascending
 * id order: index i names the i-th allowed CPU. Every index below
 * pv_cpu_count() is valid. Returns the id (>= 0), -EINVAL when index is not
 * below the size of the cpuset, or -errno.
 */
int pv_cpu_id(unsigned index);

/*
 * Pins thread (pthread_self() for the caller) to the CPU pv_cpu_id(index).
 * Returns 0, -EINVAL for an index outside the cpuset, or -errno from
 * pthread_setaffinity_np(3).
 */
int pv_pin_thread(pthread_t thread, unsigned index);

#ifdef __cplusplus
}
#endif

#endif
