/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The table of pid namespaces (caller-pidns.c), its scanner
 * (caller-pidns-scan.c) and the inits both find (caller-pidns-entry.c).
 */

#include "caller-pidns.h"

/* Bounds the table: a host with more live namespaces than this looks some up again. */
#define PIDNS_CACHE_MAX 16384
/*
 * How long the readers of a pid namespace whose init was not found (it is
 * exiting, its main thread exited before its other threads, or a scan ran
 * out of budget) get their own cgroups before the init is looked for again,
 * and how long a wanted namespace waits for a scan before it is dropped:
 * bounds the scans one namespace can cause.
 */
#define PIDNS_RETRY_US (10 * G_USEC_PER_SEC)
/*
 * One scan of /proc visits at most this many processes and uses at most
 * this much CPU time (its thread's: a scan preempted by others is not
 * charged for their time) and wall time; after it the scanner rests
 * PIDNS_SCAN_SHARE - 1 times the CPU time it used.
 */
#define PIDNS_SCAN_MAX_PROCS 131072
#define PIDNS_SCAN_MAX_US (200 * 1000)
#define PIDNS_SCAN_SHARE 20
#define PIDNS_SCAN_WALL_US (5 * G_USEC_PER_SEC)
/* Namespaces one scan looks for at most; the others wait for the next. */
#define PIDNS_SCAN_MAX_NS 1024
/*
 * Serving threads that wait for a namespace being resolved without a scan,
 * and how long; those that wait for a scan, and how long at most (a rest
 * and a whole scan): one reader, since threads held waiting for scans are
 * what a flood of namespaces makes others wait for; and readers in the root
 * cgroups (processes of the host, which no tenant makes) that wait for
 * one besides. The other readers do not wait.
 */
#define PIDNS_WAITERS_MAX 4
#define PIDNS_WAIT_US (400 * 1000)
#define PIDNS_SCAN_WAITERS_MAX 1
#define PIDNS_HOST_WAITERS_MAX 4
#define PIDNS_SCAN_WAIT_US (PIDNS_SCAN_WALL_US + G_USEC_PER_SEC)

typedef struct PidnsEntry {
        /*
         * Its /proc/PID/ns/pid, kept open: a namespace's inode number can be
         * reused once it is freed, never while it is held. -1 while resolving.
         */
        int nsfd;
        bool resolving; /* a thread is looking for the init without a scan */
        bool wanted;    /* only a scan finds the init: the next one (or the one running) looks */
        bool unknown;   /* a scan cut short did not find the init: not known to be missing */
        PvCallerTarget *init; /* one reference; NULL: not found, readers use their own cgroups */
        gint64 retry_us;      /* g_get_monotonic_time() after which a missing init is looked for */
} PidnsEntry;

struct PvPidnsCache {
        GMutex lock; /* protects everything below but max_entries; never held across I/O */
        /* Broadcast whenever an entry stops resolving or a scan ends: waiters look again. */
        GCond resolved;
        GCond work;            /* signalled when a namespace is wanted, or stopping */
        GHashTable *table;     /* inode of the namespace (uint64_t *) -> PidnsEntry* */
        unsigned waiters;      /* threads waiting for a resolving entry */
        unsigned scan_waiters; /* threads waiting for a scan */
        unsigned host_waiters; /* threads of readers in the root cgroups waiting (await) */
        PvDaemon *d;           /* set with the scanner */
        GThread *scanner;      /* started at the first wanted namespace */
        bool stopping;
        unsigned max_entries;
};

/* caller-pidns-entry.c */
/*
 * init pinned, if it is still in ns: the pid found may have been reused
 * before it was pinned, and a namespace whose init died takes no new
 * processes. A new reference, or NULL.
 */
PvCallerTarget *pv_pidns_pin(PvDaemon *d, uint64_t ns, pid_t init);
/*
 * Drops ns's entry if its init, just set, exited (lock held): an exit
 * reported before the init was in the table found nothing to drop, and is
 * not reported again.
 */
void pv_pidns_check_init_locked(PvPidnsCache *cache, uint64_t ns);
/*
 * caller-pidns-scan.c: the scanner thread (data: the cache): scans while namespaces are wanted,
 * resting between scans, until the cache stops.
 */
gpointer pv_pidns_scanner_main(gpointer data);
