/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pid namespace -> its init. The table's lock is held for lookups and
 * inserts only: a namespace being looked for has an entry marked resolving,
 * which the other readers of that namespace wait on (a few of them, for a
 * bounded time), while readers of every other namespace go on. Nobody waits
 * for a scan but the reader that runs it.
 *
 * A namespace whose init only a scan of /proc can find (kernels before 6.11,
 * readers that joined by setns) is marked wanted. Scans run one at a time,
 * each bounded in processes and running time, in short slices with rests
 * nineteen times as long between them (at most a twentieth of one CPU,
 * never held for long); each resolves every namespace wanted when it starts, in one pass.
 * Until then the readers of a wanted namespace get their own cgroups for the
 * request at once, without looking again, as readers whose init is missing
 * do: a tenant making namespaces as fast as it can costs a walk up the
 * parents per namespace and a share of the scans.
 */
#include "caller-pidns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "procfs.h"

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
 * charged for their time), in slices of PIDNS_SCAN_SLICE_US each followed by
 * a rest PIDNS_SCAN_SHARE - 1 times as long: scans take at most a twentieth
 * of one CPU, and never hold it for long (a thread that runs for long costs the
 * daemon its quick wake-ups, and other readers their latency). The reader
 * that runs a scan waits at most PIDNS_SCAN_WALL_US for it.
 */
#define PIDNS_SCAN_MAX_PROCS 131072
#define PIDNS_SCAN_MAX_US (200 * 1000)
#define PIDNS_SCAN_SLICE_US 250
#define PIDNS_SCAN_SHARE 20
#define PIDNS_SCAN_WALL_US (5 * G_USEC_PER_SEC)
/* Namespaces one scan looks for at most; the others wait for the next. */
#define PIDNS_SCAN_MAX_NS 1024
#define PIDNS_WAITERS_MAX 4
#define PIDNS_WAIT_US (400 * 1000)

typedef struct PidnsEntry {
        /*
         * Its /proc/PID/ns/pid, kept open: a namespace's inode number can be
         * reused once it is freed, never while it is held. -1 while resolving.
         */
        int nsfd;
        bool resolving; /* a thread is looking for the init without a scan */
        bool wanted;    /* only a scan finds the init: the next one (or the one running) looks */
        PvCallerTarget *init; /* one reference; NULL: not found, readers use their own cgroups */
        gint64 retry_us;      /* g_get_monotonic_time() after which a missing init is looked for */
} PidnsEntry;

struct PvPidnsCache {
        /* Protects table, its entries, waiters and scanning; never held across I/O.
         */
        GMutex lock;
        /* Broadcast whenever an entry stops resolving: its waiters look again. */
        GCond resolved;
        GHashTable *table; /* inode of the namespace (uint64_t *) -> PidnsEntry* */
        unsigned waiters;  /* threads waiting on resolved */
        bool scanning;     /* a scan of /proc runs */
        unsigned max_entries;
};

static void pidns_entry_free(gpointer p)
{
        PidnsEntry *e = p;
        if (e->nsfd >= 0)
                close(e->nsfd);
        pv_caller_target_unref(e->init);
        g_free(e);
}

PvPidnsCache *pv_pidns_cache_new(unsigned max_entries)
{
        PvPidnsCache *c = g_new0(PvPidnsCache, 1);
        c->max_entries =
            max_entries > 0 && max_entries < PIDNS_CACHE_MAX ? max_entries : PIDNS_CACHE_MAX;
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
        if (g_hash_table_size(cache->table) >= cache->max_entries)
                g_hash_table_foreach_remove(cache->table, pidns_settled, NULL);
        g_hash_table_replace(cache->table, key, p);
}

/*
 * What the table says of ns, lock held: 0 (*ret: a new reference), -ESRCH
 * (known missing), -EINPROGRESS (being looked for), -EAGAIN (wanted: only a
 * scan finds its init), -ENOENT (unknown or due a new look: a resolving
 * entry is in place and the caller looks).
 */
static int pidns_lookup_locked(PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret)
{
        PidnsEntry *p = g_hash_table_lookup(cache->table, &ns);
        if (p && p->resolving)
                return -EINPROGRESS;
        if (p && p->wanted)
                return -EAGAIN;
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
 * init pinned, if it is still in ns: the pid found may have been reused
 * before it was pinned, and a namespace whose init died takes no new
 * processes. A new reference, or NULL.
 */
static PvCallerTarget *pidns_pin(PvDaemon *d, uint64_t ns, pid_t init)
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

static gint ns_cmp(gconstpointer a, gconstpointer b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* How far a scan has run. */
typedef struct ScanPace {
        gint64 slice_start_us; /* thread_cpu_us() at the start of the running slice */
        gint64 ran_us;         /* CPU time used before that slice */
        gint64 give_up_us;     /* g_get_monotonic_time() at which the scan stops */
} ScanPace;

/* The CPU time the calling thread has used (clock_gettime(2)). */
static gint64 thread_cpu_us(void)
{
        struct timespec ts;
        if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
                return g_get_monotonic_time(); /* cannot fail on Linux; wall time errs on the safe
                                                  side */
        return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/*
 * A PvProcfsScanPace: rests after each slice; false once the scan used
 * PIDNS_SCAN_MAX_US of CPU or lasted PIDNS_SCAN_WALL_US.
 */
static bool scan_pace(void *userdata)
{
        ScanPace *p = userdata;
        gint64 slice = thread_cpu_us() - p->slice_start_us;
        if (slice < PIDNS_SCAN_SLICE_US)
                return true;
        p->ran_us += slice;
        if (p->ran_us >= PIDNS_SCAN_MAX_US ||
            g_get_monotonic_time() + slice * (PIDNS_SCAN_SHARE - 1) >= p->give_up_us)
                return false;
        g_usleep((gulong)(slice * (PIDNS_SCAN_SHARE - 1)));
        p->slice_start_us = thread_cpu_us();
        return true;
}

/*
 * Scans /proc once for the init of ns, wanted, and of every other wanted
 * namespace (PIDNS_SCAN_MAX_NS in all), lock held on entry and on return
 * but not during the scan. Their entries stay wanted meanwhile, so that
 * their other readers get their own cgroups at once rather than hold
 * serving threads for the length of a paced scan; then each entry still
 * wanted has its init or is missing until PIDNS_RETRY_US from now. Returns
 * what the table then says of ns: 0 (*ret: a new reference) or -ESRCH.
 */
static int pidns_scan_locked(PvDaemon *d, PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret)
{
        g_autoptr(GArray) set = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        GHashTableIter it;
        gpointer key, value;
        gint64 now = g_get_monotonic_time();

        cache->scanning = true;
        g_array_append_val(set, ns);
        g_hash_table_iter_init(&it, cache->table);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                PidnsEntry *p = value;
                if (!p->wanted || (set->len >= PIDNS_SCAN_MAX_NS && *(uint64_t *)key != ns))
                        continue;
                p->retry_us = now + PIDNS_RETRY_US; /* not dropped during the scan */
                if (*(uint64_t *)key != ns)
                        g_array_append_val(set, *(uint64_t *)key);
        }
        g_array_sort(set, ns_cmp);
        g_mutex_unlock(&cache->lock);

        const uint64_t *wanted = (const uint64_t *)(void *)set->data;
        g_autofree pid_t *inits = g_new0(pid_t, set->len);
        g_autofree PvCallerTarget **targets = g_new0(PvCallerTarget *, set->len);
        ScanPace pace = {.slice_start_us = thread_cpu_us(),
                         .give_up_us = g_get_monotonic_time() + PIDNS_SCAN_WALL_US};
        int r = pv_procfs_pidns_init_scan(d->proc_fd, wanted, set->len, PIDNS_SCAN_MAX_PROCS,
                                          scan_pace, &pace, inits);
        for (guint i = 0; i < set->len && (r == 0 || r == -ETIME); i++)
                if (inits[i] > 0)
                        targets[i] = pidns_pin(d, wanted[i], inits[i]);

        g_mutex_lock(&cache->lock);
        cache->scanning = false;
        gint64 end = g_get_monotonic_time();
        /*
         * An entry dropped by eviction meanwhile may be back, wanted again
         * or being looked at: the pinned init is in its namespace all the same.
         */
        for (guint i = 0; i < set->len; i++) {
                PidnsEntry *p = g_hash_table_lookup(cache->table, &wanted[i]);
                if (!p || !p->wanted) {
                        pv_caller_target_unref(targets[i]);
                        continue;
                }
                p->wanted = false;
                p->init = targets[i];
                p->retry_us = end + PIDNS_RETRY_US;
        }
        PidnsEntry *own = g_hash_table_lookup(cache->table, &ns);
        if (!own || !own->init || !pv_caller_target_alive(own->init))
                return -ESRCH;
        *ret = pv_caller_target_ref(own->init);
        return 0;
}

/* Scans for ns, wanted, unless a scan runs (lock held): then -EBUSY. */
static int pidns_scan_if_allowed_locked(PvDaemon *d, PvPidnsCache *cache, uint64_t ns,
                                        PvCallerTarget **ret)
{
        if (cache->scanning)
                return -EBUSY;
        return pidns_scan_locked(d, cache, ns, ret);
}

/*
 * Looks for the init of ns without any lock, from the reader pid: 0 with a
 * pinned target still in ns or NULL (no init), -EAGAIN (only a scan of /proc
 * finds it), or -errno (nothing learnt). Sets *ret_nsfd to ns's open
 * /proc/PID/ns/pid on 0 and -EAGAIN.
 */
static int pidns_find(PvDaemon *d, pid_t pid, uint64_t ns, PvCallerTarget **ret, int *ret_nsfd)
{
        char path[64];
        struct stat st;
        pid_t init = 0;

        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        _cleanup_close_ int nsfd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || fstat(nsfd, &st) < 0 || (uint64_t)st.st_ino != ns)
                return -ESRCH;
        int r =
            pv_procfs_pidns_init_quick(d->proc_fd, pid, nsfd, ns, !d->opts.pidns_no_ioctl, &init);
        if (r < 0 && r != -EAGAIN && r != -ESRCH)
                return r;
        *ret = r == 0 ? pidns_pin(d, ns, init) : NULL;
        *ret_nsfd = g_steal_fd(&nsfd);
        return r == -EAGAIN ? r : 0;
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
        if (r == -EAGAIN)
                r = pidns_scan_if_allowed_locked(d, cache, ns, ret);
        g_mutex_unlock(&cache->lock);
        if (r != -ENOENT)
                return r;

        /* ns is ours to look for: its entry says so to other readers */
        PvCallerTarget *t = NULL;
        int nsfd = -1;
        r = pidns_find(d, pid, ns, &t, &nsfd);

        g_mutex_lock(&cache->lock);
        if (r == 0 || r == -EAGAIN) {
                /* resolving entries stay in the table: neither expiry nor eviction takes them */
                PidnsEntry *p = g_hash_table_lookup(cache->table, &ns);
                p->nsfd = nsfd;
                p->resolving = false;
                p->wanted = r == -EAGAIN;
                p->init = t;
                p->retry_us = g_get_monotonic_time() + PIDNS_RETRY_US;
                if (t)
                        *ret = pv_caller_target_ref(t);
        } else {
                /* nothing learnt: the next reader looks again */
                g_hash_table_remove(cache->table, &ns);
        }
        if (r == -EAGAIN)
                r = pidns_scan_if_allowed_locked(d, cache, ns, ret);
        else if (r == 0 && !t)
                r = -ESRCH;
        g_cond_broadcast(&cache->resolved);
        g_mutex_unlock(&cache->lock);
        return r;
}

int pv_pidns_cache_known(PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret)
{
        int r = -ENOENT;

        g_mutex_lock(&cache->lock);
        PidnsEntry *p = g_hash_table_lookup(cache->table, &ns);
        if (p && !p->resolving && p->init && pv_caller_target_alive(p->init)) {
                *ret = pv_caller_target_ref(p->init);
                r = 0;
        }
        g_mutex_unlock(&cache->lock);
        return r;
}
