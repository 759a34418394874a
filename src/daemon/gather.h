/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Gatherers: read one container's counters and the host's text for a file,
 * and hand them to the pure renderers of src/views. Each appends to out and
 * returns 0 or -errno; out is left unchanged on failure. Never logs (the fs
 * layer does). cpu is the CPU of a per-CPU file, 0 otherwise.
 */

#include <glib.h>

#include "daemon.h"

/*
 * A gatherer, pv_gather_NAME() in gather.c. The file table's rows are the
 * only callers, so each is declared where the table names it (fs-table.c)
 * and beside its definition, both with this type.
 */
typedef int PvGatherFn(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);

/* The CPUs container c sees now. Returns 0 or -errno. */
int pv_container_visible_cpus(PvDaemon *d, PvContainer *c, PvCpuSet *ret);

/*
 * The NUMA nodes container c sees now: its cpuset's memory nodes among the
 * host's online nodes. Returns 0, -EOPNOTSUPP on a host without a node
 * directory, or -errno.
 */
int pv_container_visible_nodes(PvDaemon *d, PvContainer *c, PvCpuSet *ret);
