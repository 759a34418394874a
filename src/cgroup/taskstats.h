/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The taskstats generic-netlink family's CGROUPSTATS_CMD_GET: the kernel
 * counts a v1 cgroup's tasks by state (running, uninterruptible, ...) in one
 * request on a directory fd, instead of one /proc/<tid>/stat read per thread.
 * It covers only the tasks directly in that cgroup, and only v1 cgroupfs
 * (the kernel checks the fd's filesystem type).
 */

#include <stdint.h>

typedef struct PvCgroupStats {
        uint64_t running;
        uint64_t uninterruptible;
        uint64_t total; /* sleeping + running + stopped + uninterruptible + io_wait */
} PvCgroupStats;

/* Resolves the TASKSTATS family id. Returns the id (> 0), or 0 when unavailable. */
int pv_taskstats_family(void);

/*
 * A netlink socket for requests; one per caller thread or per call.
 * Returns the fd or -errno.
 */
int pv_taskstats_socket(void);

/*
 * Queries the counts for the cgroup directory dirfd (opened O_RDONLY, not
 * O_PATH: the kernel refuses path-only fds). Returns 0 or -errno (-EINVAL
 * for a v2 or non-cgroup directory).
 */
int pv_cgroupstats_get(int sock, int family, int dirfd, PvCgroupStats *ret);
