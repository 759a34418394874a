/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pure parsers of cgroup file texts: no I/O, no globals, libc only, all in
 * the library pvparse. Those that allocate their results are declared here
 * and serve the daemon only (libprocview and the preload, which link
 * pvparse, never call them, so never link them); the allocation-free ones,
 * which libprocview and the preload share, are in parse-limit.h, parse-numa.h
 * and parse-proc.h. The v1/v2 choice is made by the caller picking the
 * parser; none of these looks at the host.
 *
 * Conventions: 0 or -errno; -EINVAL for malformed text, never a crash.
 * Out-parameters are untouched on failure. A last line without its newline
 * (a text cut short) is accepted when it parses, and ignored when it does not.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse-limit.h"
#include "parse-numa.h"
#include "parse-proc.h"
#include "parse-types.h"

/*
 * v1 cpuacct.usage_all: header "cpu user system", then "ID USER_NS SYS_NS"
 * per possible CPU. The arrays are indexed by CPU id (ids absent from the
 * text are 0), *ret_n = highest id + 1. Arrays are malloc()ed, caller frees.
 * Returns 0, -EINVAL, -ENOMEM.
 */
int pv_parse_cpuacct_usage_all(const char *text, uint64_t **ret_user, uint64_t **ret_sys,
                               size_t *ret_n);

/*
 * Whitespace-separated unsigned numbers (v1 cpuacct.usage_percpu_user/_sys).
 * *ret is malloc()ed (NULL when there are none). Returns 0, -EINVAL, -ENOMEM.
 */
int pv_parse_u64_list(const char *text, uint64_t **ret, size_t *ret_n);

/*
 * v1 blkio "MAJ:MIN Op value" files (throttle.io_service_bytes*,
 * throttle.io_serviced*, bfq.*). Read, Write and Discard lines fill rbytes,
 * wbytes, dbytes (ios = false) or rios, wios, dios (ios = true); Sync, Async
 * and Total lines and the final "Total N" are skipped. ret->devs is sorted by
 * (major, minor). Returns 0, -EINVAL, -ENOMEM.
 */
int pv_parse_blkio(const char *text, bool ios, PvIoStats *ret);

/* v2 io.stat ("MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=.."); sorted. */
int pv_parse_io_stat(const char *text, PvIoStats *ret);

/*
 * Merges src into dst: a device in both keeps, per counter, the larger value
 * (one device counted by two v1 policies, or bytes and ios from two files).
 * dst stays sorted. Returns 0 or -ENOMEM (dst unchanged).
 */
int pv_io_stats_merge_max(PvIoStats *dst, const PvIoStats *src);

/*
 * /proc/PID/cgroup: one path per controller, relative to its hierarchy's
 * root ("/" for the root cgroup). A controller with v2[c] takes the path of
 * the unified ("0::") line, one with v1[c] that of the v1 line naming it
 * ("cpu,cpuacct" names both); the others, and those no line names, get
 * NULL. Only complete lines name cgroups (a cut path could name another).
 * ret_paths[i] are malloc()ed. Returns 0 or -EINVAL (malformed), -ENOMEM.
 */
int pv_parse_cgroup_paths(const char *proc_pid_cgroup, const bool v2[_PV_CTRL_MAX],
                          const bool v1[_PV_CTRL_MAX], char *ret_paths[_PV_CTRL_MAX]);

/*
 * The path of the unified ("0::") line of /proc/PID/cgroup, malloc()ed.
 * Returns 0, -ENOENT when there is none, -EINVAL, -ENOMEM.
 */
int pv_parse_cgroup_unified_path(const char *proc_pid_cgroup, char **ret);
