/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pure parsers of cgroup file texts: no I/O, no globals, libc only, so
 * libprocview and the preload can share them with the daemon. The v1/v2
 * choice is made by the caller picking the parser; none of these looks at
 * the host.
 *
 * Conventions: 0 or -errno; -EINVAL for malformed text, never a crash.
 * Out-parameters are untouched on failure. A last line without its newline
 * (a text cut short) is accepted when it parses, and ignored when it does not.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup/backend.h"

/* v1 reports "no limit" as LONG_MAX rounded down to a page (9223372036854771712). */
#define PV_V1_UNLIMITED_THRESHOLD (UINT64_C(1) << 62)

/*
 * The one place that maps a limit text to PV_UNLIMITED: "max" (v2),
 * "-1" (v1 cfs_quota_us, memsw) and v1 values >= 2^62 all become PV_UNLIMITED.
 * Returns 0 or -EINVAL.
 */
int pv_parse_limit(const char *text, uint64_t *ret);

/* One key wanted from a flat-keyed file ("key value" lines). */
typedef struct PvKeyField {
        const char *key;
        uint64_t *dst; /* written only when the key is present and the whole text parses */
} PvKeyField;

/*
 * Flat-keyed files: memory.stat, cpu.stat, cpuacct.stat. Every line must be
 * "key <unsigned>"; keys not listed are skipped. Returns the number of listed
 * keys found (>= 0), or -EINVAL; on failure no dst is written.
 */
int pv_parse_flat_keyed(const char *text, const PvKeyField *fields, size_t n_fields);

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
 * v2 cpu.max: "max 100000" -> quota 0 (no limit), "50000 100000" -> 50000/100000.
 * Returns 0 or -EINVAL.
 */
int pv_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us);

/*
 * From /proc/PID/stat text, the state letter (the field after the last ')').
 * Returns 0 or -EINVAL.
 */
int pv_parse_proc_stat_state(const char *text, char *ret);
