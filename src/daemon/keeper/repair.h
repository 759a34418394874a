/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The repair of running containers: after a daemon ends without handing its
 * connection on (a keeper killed where no fd store keeps it, a stop and a
 * start), every container that bound its views holds mounts of a dead FUSE
 * connection and reads ENOTCONN. The repair finds, in every mount namespace
 * on the host (the keeper's own included), the procview mounts of this
 * mount point's earlier connections (connections.h) and replaces each with
 * the same view of the live mount (repair-mount.h), running nothing inside
 * the container. Mounts of any other file system, and of any other
 * procview mount point's connections, are never touched; nor are live ones.
 *
 * It runs in a child of the keeper (the repairer), once the keeper's first
 * worker serves after it got its connection, and again every
 * PV_REPAIR_INTERVAL_S while dead connections are remembered: cloning the
 * live view asks the worker, which the keeper must never wait for.
 */

#include <stdbool.h>
#include <sys/types.h>

#define PV_REPAIR_INTERVAL_S 30

/*
 * True when the history of mountpoint (connections.h) holds a connection
 * other than the one live there: only then is a pass worth a process.
 * Reads mountinfo and the history, never the mount.
 */
bool pv_repair_needed(const char *mountpoint);

/*
 * Forks a repairer, named PV_REPAIR_COMM, that runs one pass and exits.
 * Returns its pid, or -errno.
 */
pid_t pv_repair_start(const char *mountpoint);

#define PV_REPAIR_COMM "procviewd-fix"
