/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An init found for a pid namespace, by a reader (caller-pidns.c) or by a
 * scan (caller-pidns-scan.c): pinning it, and dropping it once it exited.
 */
#include "caller-pidns-private.h"

#include "procfs.h"

void pv_pidns_check_init_locked(PvPidnsCache *cache, uint64_t ns)
{
        PidnsEntry *p = g_hash_table_lookup(cache->table, &ns);
        if (p && p->init && !pv_caller_target_alive(p->init))
                g_hash_table_remove(cache->table, &ns);
}

PvCallerTarget *pv_pidns_pin(PvDaemon *d, uint64_t ns, pid_t init)
{
        PvCallerTarget *t = NULL;
        uint64_t init_ns = 0;
        if (pv_caller_target_new(d, init, true, &t) < 0)
                return NULL;
        if (pv_procfs_pidns_ino(d->proc_fd, init, &init_ns) < 0 || init_ns != ns ||
            !pv_caller_target_alive(t)) {
                pv_caller_target_unref(t);
                return NULL;
        }
        return t;
}
