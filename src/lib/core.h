/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Internal core of libprocview and libprocview-preload: finds the calling
 * process's cgroups from /proc/<pid>/cgroup and /proc/self/mountinfo and reads
 * its cpuset, CPU quota and memory limits. libc only, and allocation-free:
 * the preload runs these functions from sysconf(), which malloc
 * implementations call during their own initialisation, so nothing here may
 * call malloc() (no stdio, no opendir(); getdents64 and stack buffers instead).
 *
 * Every path is prefixed with a root ("" on a live system, a fixture tree in
 * unit tests). Functions return 0 or -errno, never log, and leave their ret_*
 * parameters untouched on failure. None of them keeps state, so they are
 * thread-safe and fork-safe by construction.
 *
 * The kernel's texts are parsed by the daemon's parsers, the allocation-free
 * library pvparse (src/parse: parse-limit.h, parse-proc.h with /proc/loadavg
 * and /proc/uptime, mount-line.h, text.h); what is here is the library's own.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse-types.h"
#include "cpuset.h"

#define PV_LIB_PATH_MAX 4096

/* ---- pure rules (unit-tested on literal strings) ---- */

/*
 * Where a cgroup path (as in /proc/PID/cgroup) lies below a mount whose
 * mountinfo root is mount_root. Both are relative to the reader's cgroup
 * namespace root, so a mount made outside the namespace shows a root of
 * "/.." components (kernel cgroup_show_path()).
 * Returns 0 with the path relative to the mount (without leading '/', "" for
 * the mount root) in buf and *ret_depth = 0; or 1 when the namespace root
 * lies *ret_depth levels below the mount root under names the reader cannot
 * see, buf then holding cg_path relative to that unknown directory; -ENOENT
 * when the cgroup is not below this mount; -ENAMETOOLONG.
 */
int pv_lib_mount_relative(const char *mount_root, const char *cg_path, char *buf, size_t len,
                          unsigned *ret_depth);

/*
 * The effective CPU count: min(cpuset_count, ceil(quota/period)), at least 1.
 * quota_us 0 means no limit.
 */
unsigned pv_lib_effective_count(unsigned cpuset_count, uint64_t quota_us, uint64_t period_us);

/* Parses PROCVIEW_CPUS: a decimal integer 1..PV_CPU_MAX. Returns 0 or -EINVAL. */
int pv_lib_parse_cpus_override(const char *text, unsigned *ret);

/*
 * The affinity remapping rule of the preload: when mask has no CPU inside
 * allowed, its bits are read as logical indexes and bit i becomes the i-th
 * CPU of allowed (indexes past the end are dropped). Returns 1 and *ret when
 * remapped; 0 (ret untouched) when mask is to pass unchanged: it intersects
 * allowed, allowed is empty, or no index falls inside allowed.
 */
int pv_lib_remap_mask(const PvCpuSet *allowed, const PvCpuSet *mask, PvCpuSet *ret);

/*
 * pv_lib_remap_mask() applied to the mask of an affinity call as passed to
 * sched_setaffinity(2): size bytes, which may be more or fewer than a
 * PvCpuSet (CPU_ALLOC()ed masks). Bits at or above PV_CPU_MAX name no CPU
 * Linux can have and are ignored. Returns 1 with the remapped mask in out
 * and its size in bytes in *ret_size (never above sizeof(out): the kernel
 * reads a shorter mask as zeros beyond its end); 0 when mask is to pass
 * unchanged (out and *ret_size untouched).
 */
int pv_lib_remap_affinity(const PvCpuSet *allowed, size_t size, const cpu_set_t *mask,
                          uint64_t out[PV_CPUSET_WORDS], size_t *ret_size);

/* ---- reads below a root ---- */

/*
 * Reads the file at dirfd/path (dirfd may be AT_FDCWD) into buf of size len,
 * NUL-terminated. Returns the length read or -errno; -EFBIG when it does not fit.
 */
ssize_t pv_lib_read_text_at(int dirfd, const char *path, char *buf, size_t len);

/*
 * Reads the cpu list file at dirfd/path (dirfd may be AT_FDCWD) into *ret.
 * Lists of any length for ids below PV_CPU_MAX are read (an alternating
 * cpuset on an 8192-CPU host is ~20 KB of text), without malloc().
 * Returns 0, -errno from the read, or the errors of pv_cpuset_parse().
 */
int pv_lib_read_cpulist_at(int dirfd, const char *path, PvCpuSet *ret);

/*
 * The directory of pid's cgroup for ctrl, as a path under root (pid 0: the
 * calling thread). *ret_v2 tells whether it is on the unified hierarchy.
 * Returns 0, -ENOENT when no mount of the hierarchy that holds the cgroup is
 * visible (a container without cgroupfs), or -errno. *ret_mount_len (may be
 * NULL) is the length of the prefix of buf naming the mount's root, where
 * walks towards the hierarchy root stop.
 */
int pv_lib_cgroup_dir(const char *root, pid_t pid, PvController ctrl, char *buf, size_t len,
                      bool *ret_v2, size_t *ret_mount_len);

/* The cgroup's effective cpuset. -ENOENT when cpuset is not visible. */
int pv_lib_read_cpuset(const char *root, pid_t pid, PvCpuSet *ret);

/*
 * The tightest CPU bandwidth limit over the cgroup and its visible ancestors;
 * *ret_quota_us = 0 when none. -ENOENT when the cpu controller is not visible.
 */
int pv_lib_read_quota(const char *root, pid_t pid, uint64_t *ret_quota_us, uint64_t *ret_period_us);

typedef struct PvLibMemory {
        uint64_t limit; /* bytes, min over the visible ancestors; PV_UNLIMITED if none */
        uint64_t usage; /* bytes charged to the cgroup (v1 usage_in_bytes, v2 memory.current) */
        uint64_t shmem; /* v1 total_shmem, v2 shmem */
        uint64_t swap_limit; /* bytes of swap the cgroup may use; PV_UNLIMITED if none */
        uint64_t swap_usage; /* v1 memsw.usage - usage, v2 memory.swap.current; 0 unaccounted */
} PvLibMemory;

/* The cgroup's memory limits and usage. -ENOENT when memory is not visible. */
int pv_lib_read_memory(const char *root, pid_t pid, PvLibMemory *ret);
