/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The renderer tests' shared helpers. Golden cases live in
 * tests/fixtures/views/<case>/: the host text the renderer reads (captured
 * from a cgroup-v1 host, or synthesized like a cgroup-v2 host's) and
 * "expected", checked by hand against the counters the tests give. Odd
 * inputs are built at runtime.
 */
#include <glib.h>
#include <stdint.h>

#include "views/views.h"

#define MiB(x) ((uint64_t)(x)*1024 * 1024)
#define SEC(x) ((uint64_t)((x)*1e9 + 0.5))

/* The text of file in the fixture case case_name; g_free() it. Fails the test if unreadable. */
char *fixture(const char *case_name, const char *file);

/* Fails the test unless out is the case's "expected" file. */
void assert_golden(const char *case_name, const GString *out);

/* The number after "key" and sep at the start of a line of text ("MemFree:", "pgfault "), or -1. */
long long line_value(const char *text, const char *key, char sep);

/* A v1 container: usage includes page cache, no slab counters. */
PvMemory mem_v1(void);

/* A v2 container with swap, slab and THP counters. */
PvMemory mem_v2(void);

/* The set parsed from a cpu list; fails the test on a parse error. */
PvCpuSet cpus(const char *list);
