/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The parser of a cgroup's memory.numa_stat. Pure, libc only and
 * allocation-free; the backends' v1 and v2 readers use it. Conventions as in
 * parse.h.
 */

#include <stdint.h>

#include "parse-types.h"

/*
 * Adds the "N<id>=<count>" fields of text's line starting with key (then
 * '=' on v1, ' ' on v2) to ret, each count times scale. Pure. Returns 0,
 * -ENOENT without such a line, -EINVAL on a malformed field, -ERANGE for a
 * node id >= PV_NODE_MAX.
 */
int pv_parse_numa_stat_line(const char *text, const char *key, uint64_t scale, PvNumaUsage *ret);
