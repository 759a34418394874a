/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pid namespace -> its init. The table's lock is held for lookups and
 * inserts only: a namespace being looked for has an entry marked resolving,
 * which the other readers of that namespace wait on (a few of them, for a
 * bounded time), while readers of every other namespace go on. Scans of
 * /proc (kernels before 6.11, readers that joined by setns) run one at a
 * time, each bounded in processes and time, and together take at most a
 * share of one CPU; a reader that would need one beyond that gets its own
 * cgroups for the request, as a reader whose init is missing does.
 */
#include "caller-pidns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "procfs.h"

/* Bounds the table: a host with more live namespaces than this looks some up again. */
#define PIDNS_CACHE_MAX 16384
/*
 * How long the readers of a pid namespace whose init was not found (it is
 * exiting, its main thread exited before its other threads, or a scan ran
 * out of budget) get their own cgroups before the init is looked for again:
 * bounds the scans one namespace can cause.
 */
#define PIDNS_RETRY_US (10 * G_USEC_PER_SEC)
/* One scan of /proc visits at most this many processes, for at most this long. */
#define PIDNS_SCAN_MAX_PROCS 131072
#define PIDNS_SCAN_MAX_US (200 * 1000)
/* After a scan that took T, the next starts T * (PIDNS_SCAN_SHARE - 1) later at the earliest. */
#define PIDNS_SCAN_SHARE 4
/* Threads that may wait at once for a namespace another thread is looking up, and how long. */
#define PIDNS_WAITERS_MAX 4
#define PIDNS_WAIT_US (2 * PIDNS_SCAN_MAX_US)

typedef struct PidnsEntry {
        /*
         * Its /proc/PID/ns/pid, kept open: a namespace's inode number can be
         * reused once it is freed, never while it is held. -1 while resolving.
         */
        int nsfd;
        bool resolving;       /* a thread is looking for the init */
        PvCallerTarget *init; /* one reference; NULL: not found, readers use their own cgroups */
        gint64 retry_us;      /* g_get_monotonic_time() after which a missing init is looked for */
} PidnsEntry;

struct PvPidnsCache {
        /* Protects table, its entries, waiters, scanning and next_scan_us; never held across I/O.
         */
        GMutex lock;
        /* Broadcast whenever an entry stops resolving: its waiters look again. */
        GCond resolved;
        GHashTable *table;   /* inode of the namespace (uint64_t *) -> PidnsEntry* */
        unsigned waiters;    /* threads waiting on resolved */
        bool scanning;       /* a scan of /proc runs */
        gint64 next_scan_us; /* no scan starts before */
};

static void pidns_entry_free(gpointer p)
{
        PidnsEntry *e = p;
        if (e->nsfd >= 0)
                close(e->nsfd);
        pv_caller_target_unref(e->init);
        g_free(e);
}

PvPidnsCache *pv_pidns_cache_new(void)
{
        PvPidnsCache *c = g_new0(PvPidnsCache, 1);
        g_mutex_init(&c->lock);
        g_cond_init(&c->resolved);
        c->table = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, pidns_entry_free);
        return c;
}

void pv_pidns_cache_free(PvPidnsCache *cache)
{
        if (!cache)
                return;
        g_hash_table_destroy(cache->table);
        g_cond_clear(&cache->resolved);
        g_mutex_clear(&cache->lock);
        g_free(cache);
}

static gboolean pidns_settled(gpointer key, gpointer value, gpointer user_data)
{
        return !((const PidnsEntry *)value)->resolving;
}

static gboolean pidns_expired(gpointer key, gpointer value, gpointer user_data)
{
        const PidnsEntry *p = value;
        const gint64 *now = user_data;
        if (p->resolving)
                return FALSE;
        return p->init ? !pv_caller_target_alive(p->init) : *now >= p->retry_us;
}

void pv_pidns_cache_expire(PvPidnsCache *cache)
{
        gint64 now = g_get_monotonic_time();

        g_mutex_lock(&cache->lock);
        g_hash_table_foreach_remove(cache->table, pidns_expired, &now);
        g_mutex_unlock(&cache->lock);
}

/* Puts entry p for ns into the table, lock held, replacing any. */
static void pidns_put_locked(PvPidnsCache *cache, uint64_t ns, PidnsEntry *p)
{
        uint64_t *key = g_new(uint64_t, 1);
        *key = ns;
        if (g_hash_table_size(cache->table) >= PIDNS_CACHE_MAX)
                g_hash_table_foreach_remove(cache->table, pidns_settled, NULL);
        g_hash_table_replace(cache->table, key, p);
}

/*
 * What the table says of ns, lock held: 0 (*ret: a new reference), -ESRCH
 * (known missing), -EINPROGRESS (being looked for), -ENOENT (unknown or due
 * a new look: a resolving entry is in place and the caller looks).
 */
static int pidns_lookup_locked(PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret)
{
        PidnsEntry *p = g_hash_table_lookup(cache->table, &ns);
        if (p && p->resolving)
                return -EINPROGRESS;
        if (p && p->init && pv_caller_target_alive(p->init)) {
                *ret = pv_caller_target_ref(p->init);
                return 0;
        }
        if (p && !p->init && g_get_monotonic_time() < p->retry_us)
                return -ESRCH;
        p = g_new0(PidnsEntry, 1);
        p->nsfd = -1;
        p->resolving = true;
        pidns_put_locked(cache, ns, p);
        return -ENOENT;
}

/*
 * Scans /proc for the init of ns if the budget of scans allows one now:
 * 0, -ESRCH, -ETIME (ran out of budget) or -EBUSY (not now).
 */
static int pidns_scan(PvDaemon *d, PvPidnsCache *cache, uint64_t ns, pid_t *ret)
{
        gint64 start = g_get_monotonic_time();

        g_mutex_lock(&cache->lock);
        bool go = !cache->scanning && start >= cache->next_scan_us;
        if (go)
                cache->scanning = true;
        g_mutex_unlock(&cache->lock);
        if (!go)
                return -EBUSY;

        int r = pv_procfs_pidns_init_scan(d->proc_fd, ns, PIDNS_SCAN_MAX_PROCS,
                                          start + PIDNS_SCAN_MAX_US, ret);
        gint64 end = g_get_monotonic_time();
        g_mutex_lock(&cache->lock);
        cache->scanning = false;
        cache->next_scan_us = end + (end - start) * (PIDNS_SCAN_SHARE - 1);
        g_mutex_unlock(&cache->lock);
        return r;
}

/*
 * Looks for the init of ns without any lock: a pinned target still in ns,
 * or NULL with 0 (not found), or -EBUSY (a scan was needed and not allowed).
 * Sets *ret_nsfd to ns's open /proc/PID/ns/pid on 0.
 */
static int pidns_find(PvDaemon *d, PvPidnsCache *cache, pid_t pid, uint64_t ns,
                      PvCallerTarget **ret, int *ret_nsfd)
{
        char path[64];
        struct stat st;
        PvCallerTarget *t = NULL;
        pid_t init = 0;

        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        _cleanup_close_ int nsfd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || fstat(nsfd, &st) < 0 || (uint64_t)st.st_ino != ns)
                return -ESRCH;
        int r =
            pv_procfs_pidns_init_quick(d->proc_fd, pid, nsfd, ns, !d->opts.pidns_no_ioctl, &init);
        if (r == -EAGAIN)
                r = pidns_scan(d, cache, ns, &init);
        if (r == -EBUSY)
                return r;
        if (r == 0 && pv_caller_target_new(d, init, true, &t) == 0) {
                /*
                 * The pid found may have been reused before it was pinned: the
                 * pinned process must still be in ns (a namespace whose init
                 * died takes no new processes).
                 */
                uint64_t init_ns = 0;
                if (pv_procfs_pidns_ino(d->proc_fd, init, &init_ns) < 0 || init_ns != ns ||
                    !pv_caller_target_alive(t)) {
                        pv_caller_target_unref(t);
                        t = NULL;
                }
        }
        *ret = t;
        *ret_nsfd = g_steal_fd(&nsfd);
        return 0;
}

int pv_pidns_cache_init(PvDaemon *d, PvPidnsCache *cache, pid_t pid, uint64_t ns,
                        PvCallerTarget **ret)
{
        gint64 give_up = g_get_monotonic_time() + PIDNS_WAIT_US;
        int r;

        g_mutex_lock(&cache->lock);
        while ((r = pidns_lookup_locked(cache, ns, ret)) == -EINPROGRESS) {
                bool woken = false;
                if (cache->waiters < PIDNS_WAITERS_MAX) {
                        cache->waiters++;
                        woken = g_cond_wait_until(&cache->resolved, &cache->lock, give_up);
                        cache->waiters--;
                }
                if (!woken) {
                        g_mutex_unlock(&cache->lock);
                        return -EBUSY;
                }
        }
        g_mutex_unlock(&cache->lock);
        if (r != -ENOENT)
                return r;

        /* ns is ours to look for: its entry says so to other readers */
        PvCallerTarget *t = NULL;
        int nsfd = -1;
        r = pidns_find(d, cache, pid, ns, &t, &nsfd);

        g_mutex_lock(&cache->lock);
        if (r == 0) {
                PidnsEntry *p = g_new0(PidnsEntry, 1);
                p->nsfd = nsfd;
                p->init = t;
                p->retry_us = g_get_monotonic_time() + PIDNS_RETRY_US;
                pidns_put_locked(cache, ns, p);
                if (t)
                        *ret = pv_caller_target_ref(t);
        } else {
                /* nothing learnt: the next reader looks again */
                g_hash_table_remove(cache->table, &ns);
        }
        g_cond_broadcast(&cache->resolved);
        g_mutex_unlock(&cache->lock);
        if (r < 0)
                return r;
        return t ? 0 : -ESRCH;
}
