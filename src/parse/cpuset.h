/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A fixed-size set of host CPU ids, and the kernel's "cpu list" text format
 * ("0,2,5-7"). libc only: shared by the daemon, libprocview and the preload.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux's NR_CPUS tops out at 8192 on x86_64 (MAXSMP). */
#define PV_CPU_MAX 8192
#define PV_CPUSET_WORDS (PV_CPU_MAX / 64)

typedef struct PvCpuSet {
        uint64_t bits[PV_CPUSET_WORDS];
} PvCpuSet;

void pv_cpuset_zero(PvCpuSet *set);
void pv_cpuset_add(PvCpuSet *set, unsigned cpu);
bool pv_cpuset_has(const PvCpuSet *set, unsigned cpu);
unsigned pv_cpuset_count(const PvCpuSet *set);
bool pv_cpuset_equal(const PvCpuSet *a, const PvCpuSet *b);
/* a &= b */
void pv_cpuset_and(PvCpuSet *a, const PvCpuSet *b);

/* The next CPU id >= from in the set, or -1. */
int pv_cpuset_next(const PvCpuSet *set, unsigned from);
/* The id of the index-th (0-based) CPU of the set, or -1 when index >= count. */
int pv_cpuset_nth(const PvCpuSet *set, unsigned index);
/* The highest CPU id of the set, or -1 when empty. */
int pv_cpuset_last(const PvCpuSet *set);
/* Keeps only the first n CPUs (lowest ids) of the set. */
void pv_cpuset_keep_first(PvCpuSet *set, unsigned n);

/*
 * Parses a cpu list as found in cpuset.cpus, cpuset.cpus.effective and
 * /sys/devices/system/cpu/online. Whitespace around the list and a trailing
 * newline are accepted; an empty list gives an empty set.
 * Returns 0, -EINVAL on malformed text, -ERANGE for an id >= PV_CPU_MAX.
 * ret is untouched on failure.
 */
int pv_cpuset_parse(const char *text, PvCpuSet *ret);

/*
 * Formats the set as a cpu list without newline ("" for an empty set) into
 * buf of size len, always NUL-terminated when len > 0.
 * Returns the length the full text needs (excluding NUL), like snprintf.
 */
size_t pv_cpuset_format(const PvCpuSet *set, char *buf, size_t len);
