/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The process whose cgroups define a reader's container: the init of its pid
 * namespace, or the reader itself. Shared by reference between the caches of
 * readers (caller.c) and of pid namespaces (caller-pidns.c).
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"
#include "pidref.h"

typedef struct PvCallerTarget {
        gint refs;
        pid_t pid;
        PvPidRef ref;  /* fd -1: the target is the reader itself, alive as long as it */
        bool in_pidns; /* the init of the reader's pid namespace */
        uint64_t start_ns;
        int cgroup_fd;   /* /proc/PID/cgroup, kept open: one pread per request */
        uint64_t serial; /* its pidfd's key with the reaper (caller.c), 0: not watched */
} PvCallerTarget;

/*
 * A target for pid: pins it when in_pidns (a reader is pinned by its own
 * cache entry), and has the caches told when it exits (a pidfd's exit is
 * watched by the reaper), and opens its /proc/PID/cgroup.
 * Returns 0, -ESRCH or -errno.
 */
int pv_caller_target_new(PvDaemon *d, pid_t pid, bool in_pidns, PvCallerTarget **ret);
PvCallerTarget *pv_caller_target_ref(PvCallerTarget *t);
void pv_caller_target_unref(PvCallerTarget *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PvCallerTarget, pv_caller_target_unref)

/* Whether t's process still runs (a target that is the reader: always). */
bool pv_caller_target_alive(const PvCallerTarget *t);
