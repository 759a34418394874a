/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Who is reading: request pid -> the container whose view it gets. */

#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"

/*
 * Pure: the start time (field 22, clock ticks since boot) and parent pid
 * (field 4) from the text of /proc/PID/stat. The command name may hold spaces
 * and parentheses, so fields are counted after the last ')'.
 * Returns 0 or -EINVAL.
 */
int pv_parse_pid_stat(const char *text, pid_t *ret_ppid, uint64_t *ret_starttime);

/*
 * Pure: the innermost pid of the NSpid: line of /proc/PID/status (the pid as
 * the process's own pid namespace sees it). Returns 0, -ENOENT without an
 * NSpid line, or -EINVAL.
 */
int pv_parse_status_nspid(const char *text, pid_t *ret_inner);

/*
 * Pure: the pid after "KEY:" in the text of /proc/PID/status, for the
 * single-pid keys "Tgid" and "PPid" (as the reader of the file sees them).
 * Returns 0, -ENOENT without such a line, or -EINVAL.
 */
int pv_parse_status_pid(const char *text, const char *key, pid_t *ret);

PvCallerCache *pv_caller_cache_new(void);
void pv_caller_cache_free(PvCallerCache *cache);

/*
 * The container of the process pid: the cgroups of the init of its pid
 * namespace, or its own cgroups when it shares the daemon's pid namespace.
 * Returns a new reference in *ret, 0 or -errno (-ESRCH: the reader is gone,
 * -ENOENT: its cgroup vanished).
 */
int pv_caller_container(PvDaemon *d, pid_t pid, PvContainer **ret);

/*
 * Removes c from the registry if it is still the entry for its cgroup paths:
 * its cgroups were removed, and the next reader of those paths must get the
 * cgroups made anew under them (a container restarted under the same name).
 * Returns true when it removed c.
 */
bool pv_registry_forget(PvDaemon *d, PvContainer *c);

/* Drops registry entries unused for opts.idle_expiry_s and dead caller entries. */
void pv_registry_expire(PvDaemon *d);
/* Calls fn on a new reference to every registered container (the caller unrefs). */
void pv_registry_foreach(PvDaemon *d, void (*fn)(PvDaemon *d, PvContainer *c, void *data),
                         void *data);
void pv_registry_clear(PvDaemon *d);
