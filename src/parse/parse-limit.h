/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Parsers of counter, limit, CPU bandwidth and flat-keyed cgroup texts, and
 * the quota rules: the tightest of two quotas, the CPUs a quota keeps busy.
 * Pure, libc only and allocation-free:
 * the daemon's backends, libprocview and the preload all use these.
 * Conventions as in parse.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse-types.h"

/*
 * Parses one decimal number or "max" with optional surrounding whitespace.
 * The one place that maps "max", v2's word for no limit, to PV_UNLIMITED.
 * Returns 0 or -EINVAL.
 */
int pv_parse_u64_or_max(const char *text, uint64_t *ret);

/* v1 reports "no limit" as LONG_MAX rounded down to a page (9223372036854771712). */
#define PV_V1_UNLIMITED_THRESHOLD (UINT64_C(1) << 62)

/* Maps the v1 "no limit" values (>= PV_V1_UNLIMITED_THRESHOLD) to PV_UNLIMITED. */
uint64_t pv_limit_normalize(uint64_t v);

/*
 * A limit text: "max" (v2, by pv_parse_u64_or_max), "-1" (v1 cfs_quota_us,
 * memsw) and v1 values >= 2^62 all become PV_UNLIMITED.
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
 * v2 cpu.max: "max 100000" -> quota 0 (no limit), "50000 100000" -> 50000/100000.
 * Returns 0 or -EINVAL.
 */
int pv_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us);

/* v1 cpu.cfs_quota_us: "-1" (RUNTIME_INF) -> 0, no limit. Returns 0 or -EINVAL. */
int pv_parse_cfs_quota(const char *text, uint64_t *ret_quota_us);

/* v1 cpu.cfs_period_us, never 0 nor unlimited. Returns 0 or -EINVAL. */
int pv_parse_cfs_period(const char *text, uint64_t *ret_period_us);

/*
 * The CPUs a quota of quota_us per period_us can keep busy: ceil(quota /
 * period) (a 1.5-CPU quota keeps 2 CPUs busy 75% of the time), capped at
 * UINT32_MAX; 0 when quota_us or period_us is 0 (no limit).
 */
unsigned pv_quota_cpus(uint64_t quota_us, uint64_t period_us);

/*
 * True when quota qa per period pa is a tighter CPU limit than qb per pb
 * (quota 0 = no limit). The kernel throttles at every level, so the
 * tightest ratio over a cgroup and its ancestors rules.
 */
bool pv_quota_tighter(uint64_t qa, uint64_t pa, uint64_t qb, uint64_t pb);
