/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Discovery of containers nobody has read yet: a scan of the cgroup
 * hierarchy the task counts come from (pids, else the first v1 or v2
 * hierarchy that lists tasks, in pv_cgroup_read_tasks' order) that registers
 * each cgroup holding processes, so that the sampler folds its load from its
 * start and not from its first read.
 *
 * A cgroup's container is registered under the cgroups of its first listed
 * process (its /proc/PID/cgroup), as pv_caller_container registers a reader
 * whose pid-namespace init lives there: the reader finds the same entry.
 *
 * A pass visits at most opts.scan_max directories (so it tracks at most as
 * many cgroups), shared fairly between subtrees: in each directory its
 * subdirectories first, then what is left in equal shares to the subtrees
 * below them, a share a subtree does not need going to the others. So a
 * tenant making many cgroups below its own uses its share, not the scan:
 * cgroups beside its own, at any level, are still found, and the deeper
 * cgroups of a large subtree are the first left out. A directory cut short
 * resumes at the next pass where this one stopped. A cgroup past the cap is
 * registered by its first reader, and its averages start there.
 *
 * Used by the sampler thread only: no lock.
 */

#include "daemon.h"

/* What a scan remembers between passes; the sampler thread keeps it. */
typedef struct PvDiscovery {
        GHashTable *tracked; /* path relative to the hierarchy root -> its tracked cgroup */
        GHashTable *resume;  /* path -> where the next pass starts among its subdirectories */
        uint64_t pass;       /* passes done */
        bool capped;         /* the last pass left cgroups unvisited (opts.scan_max) */
} PvDiscovery;

/* Sets disc up with nothing tracked. */
void pv_discovery_init(PvDiscovery *disc);
/* Stops tracking (the registry keeps its entries to expire); disc may be cleared twice. */
void pv_discovery_clear(PvDiscovery *disc);

/*
 * One pass: registers the cgroups that hold processes and were not tracked,
 * stops tracking those removed (and drops them from the registry), replaced
 * by a new cgroup of the same name, emptied, or not visited this pass.
 * Returns the number of cgroups tracked, or -ENODEV when no hierarchy lists
 * tasks, or -errno when its root cannot be read.
 */
int pv_discovery_scan(PvDaemon *d, PvDiscovery *disc);
