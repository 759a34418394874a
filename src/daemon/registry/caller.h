/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Who is reading: request pid -> the container whose view it gets. */

#include <sys/types.h>

#include "caller-target.h"
#include "container.h"
#include "daemon.h"

/*
 * The cache of who is reading: per reader thread, the process whose cgroups
 * define its container, and per pid namespace, its init. Has its own locks.
 */
/*
 * At most max_entries readers and as many namespaces (0: 16384), each
 * holding up to three fds (pidfds, /proc/PID/cgroup, /proc/PID/ns/pid; a
 * reader thread on a kernel without PIDFD_THREAD, before 6.9, a fourth):
 * past them a table starts anew and its readers resolve again.
 *
 * The entries of a reader that exits, and those of every reader and the
 * namespace of an init that exits, go at the exit, with their fds: a
 * thread of the cache's (reaper.h) watches their pidfds from
 * pv_caller_cache_start on. Until then, and for what it cannot watch,
 * pv_caller_cache_expire sweeps.
 */
PvCallerCache *pv_caller_cache_new(unsigned max_entries);
/* Starts the thread that watches for exits. Returns 0 or -errno (then only sweeps drop). */
int pv_caller_cache_start(PvCallerCache *cache);
/* Stops that thread, if started, and frees cache (NULL: nothing). */
void pv_caller_cache_free(PvCallerCache *cache);
/* Drops the entries of readers and targets that exited, and namespaces due a new look. */
void pv_caller_cache_expire(PvCallerCache *cache);

/*
 * The container of the process pid: the cgroups of the init of its pid
 * namespace, or its own cgroups when it shares the daemon's pid namespace.
 * An init whose /proc/PID/cgroup names only the root cgroups (on cgroup v1,
 * also an init whose main thread exited while its other threads live) is
 * known by a live thread outside them; when it has none, only a reader that
 * sits in the root cgroups itself gets them (the host's files), others -EIO.
 * Returns a new reference in *ret, 0 or -errno (-ESRCH: the reader is gone,
 * -ENOENT: its cgroup vanished, -EIO: see above).
 */
int pv_caller_container(PvDaemon *d, pid_t pid, PvContainer **ret);

/*
 * The init of the pid namespace ns, through the cache of namespaces
 * (caller-pidns.h): pid is a process of ns that the request's reader
 * descends from, or 0 to take only what the cache already knows. Returns 0
 * (*ret: a new reference), -ESRCH (no init found for now), -EBUSY (only a
 * scan of /proc can tell, and it must wait), -ENOENT (pid 0: not known) or
 * -errno.
 */
int pv_caller_pidns_init(PvDaemon *d, pid_t pid, uint64_t ns, PvCallerTarget **ret);
