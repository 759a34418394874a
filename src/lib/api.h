/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the public API (procview.c) and the preload; not exported. */

#include "cpuset.h"

/*
 * The calling thread's cpuset: the cgroup's effective set, else its affinity
 * mask (sched_getaffinity) when no cpuset hierarchy is visible.
 * Returns 0 or -errno; ret untouched on failure.
 */
int pv_lib_current_cpuset(PvCpuSet *ret);

/*
 * The effective CPU count of pv_cpu_count(3): PROCVIEW_CPUS if valid, else
 * min(cpuset size, ceil(quota/period)), at least 1.
 */
unsigned pv_lib_current_count(void);
