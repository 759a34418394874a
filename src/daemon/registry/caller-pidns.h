/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The init of each pid namespace other than the daemon's, found once and
 * shared by all its readers. Finding it is cheap but for a reader that
 * joined its namespace from outside (setns) on a kernel before 6.11: then
 * only a scan of /proc tells, and scans run in a thread of their own,
 * bounded and rationed (see caller-pidns.c), so that no namespace can hold
 * the serving threads.
 */

#include <stdint.h>
#include <sys/types.h>

#include "caller-target.h"
#include "daemon.h"

typedef struct PvPidnsCache PvPidnsCache;

/* At most max_entries namespaces (0 or more than 16384: 16384). */
PvPidnsCache *pv_pidns_cache_new(unsigned max_entries);
void pv_pidns_cache_free(PvPidnsCache *cache);
/* Drops the namespaces whose init exited and those due a new look. */
void pv_pidns_cache_expire(PvPidnsCache *cache);
/* Drops the namespaces whose init is the target of serial (PvCallerTarget.serial), which exited. */
void pv_pidns_cache_drop_init(PvPidnsCache *cache, uint64_t serial);

/*
 * The init of ns, the pid namespace of the reader pid (blocked in its
 * request): a new reference. Returns 0; -ESRCH when ns has no init to be
 * found (its readers get their own cgroups until the namespace is looked at
 * again); -EBUSY when it is not known now: a scan of /proc is due and enough
 * readers wait for it already, or it did not come in time, or a scan cut
 * short missed it (this request gets its reader's own cgroups, a later one
 * asks again); or -errno. The reader may wait for a scan, a few seconds at
 * most.
 */
int pv_pidns_cache_init(PvDaemon *d, PvPidnsCache *cache, pid_t pid, uint64_t ns,
                        PvCallerTarget **ret);
/*
 * The init of ns if the table holds it, alive: a new reference. Never
 * looks, never waits. Returns 0 or -ENOENT.
 */
int pv_pidns_cache_known(PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret);
/*
 * Waits for the init of ns while only a scan of /proc, due or running, can
 * find it, for a reader in the root cgroups (a process of the host that
 * entered the namespace: no tenant can make those), a few at a time and a
 * few seconds at most. Returns 0 (*ret: a new reference), -ESRCH or -EBUSY.
 */
int pv_pidns_cache_await(PvDaemon *d, PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret);
