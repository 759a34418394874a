/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Gatherers: read one container's counters and the host's text for a file,
 * and hand them to the pure renderers of src/views. Each appends to out and
 * returns 0 or -errno; out is left unchanged on failure. Never logs (the fs
 * layer does). cpu is the CPU of a per-CPU file, 0 otherwise.
 */

#include <glib.h>

#include "host.h"
#include "registry/daemon.h"

/*
 * A gatherer, pv_gather_NAME() in gather.c. The file table's rows are the
 * only callers, so each is declared where the table names it (fs-table.c)
 * and beside its definition, both with this type.
 */
typedef int PvGatherFn(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);

/*
 * The list read_list (pv_cgroup_read_cpuset, pv_cgroup_read_mems) reads of
 * c's cpuset, or all of the host's (all) when the host has no cpuset
 * controller, as long as c's cgroup is there. Returns 0, -ENOENT (the cgroup
 * is gone: the caller opens it again) or -errno.
 */
int pv_container_cpuset_list(PvContainer *c, int (*read_list)(const PvCgroup *, PvCpuSet *),
                             const PvCpuSet *all, PvCpuSet *ret);

/* The CPUs container c sees now. Returns 0 or -errno. */
int pv_container_visible_cpus(PvDaemon *d, PvContainer *c, PvCpuSet *ret);

/*
 * The NUMA nodes container c sees now: its cpuset's memory nodes among the
 * host's online nodes. Returns 0, -EOPNOTSUPP on a host without a node
 * directory, or -errno.
 */
int pv_container_visible_nodes(PvDaemon *d, PvContainer *c, PvCpuSet *ret);
