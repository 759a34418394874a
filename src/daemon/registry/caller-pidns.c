/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pid namespace -> its init. The table's lock is held for lookups and
 * inserts only: a namespace being looked for has an entry marked resolving,
 * which the other readers of that namespace wait on (a few of them, for a
 * bounded time), while readers of every other namespace go on.
 *
 * A namespace whose init only a scan of /proc can find (kernels before 6.11,
 * readers that joined by setns) is marked wanted, and the scanner thread
 * looks for it. Scans run there, one at a time and never in a serving
 * thread, at the lowest priority (nice 19: a reader woken by a request takes
 * the CPU from a scan at once), each bounded in processes, CPU and wall time
 * and followed by a rest nineteen times as long as the CPU it used (at most
 * a twentieth of one CPU over a series of scans); each resolves every
 * namespace wanted when it starts, in one pass. The first scan after a rest
 * starts at once, so that the first reader of a namespace (docker exec,
 * nsenter) has its answer in the time one scan takes. A few readers of
 * wanted namespaces wait for their scan; the others get their own cgroups
 * for the request at once, as readers whose init is missing do: a tenant
 * making namespaces as fast as it can costs a walk up the parents per
 * namespace and a share of the scans.
 */
#include "caller-pidns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "procfs.h"

#include "caller-pidns-private.h"

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
        g_cond_init(&c->work);
        c->table = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, pidns_entry_free);
        return c;
}

void pv_pidns_cache_free(PvPidnsCache *cache)
{
        if (!cache)
                return;
        g_mutex_lock(&cache->lock);
        __atomic_store_n(&cache->stopping, true, __ATOMIC_RELAXED);
        g_cond_broadcast(&cache->work);
        g_mutex_unlock(&cache->lock);
        if (cache->scanner)
                g_thread_join(cache->scanner);
        g_hash_table_destroy(cache->table);
        g_cond_clear(&cache->work);
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

static gboolean pidns_of_init(gpointer key, gpointer value, gpointer user_data)
{
        const PidnsEntry *p = value;
        return p->init && p->init->serial == *(const uint64_t *)user_data;
}

void pv_pidns_cache_drop_init(PvPidnsCache *cache, uint64_t serial)
{
        g_mutex_lock(&cache->lock);
        g_hash_table_foreach_remove(cache->table, pidns_of_init, &serial);
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
 * (known missing), -EBUSY (a scan cut short did not find it: not known),
 * -EINPROGRESS (being looked for), -EAGAIN (wanted: only a scan finds its
 * init), -ENOENT (unknown or due a new look: a resolving entry is in place
 * and the caller looks).
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
                return p->unknown ? -EBUSY : -ESRCH;
        p = g_new0(PidnsEntry, 1);
        p->nsfd = -1;
        p->resolving = true;
        pidns_put_locked(cache, ns, p);
        return -ENOENT;
}

/* Starts the scanner unless it runs, and wakes it (lock held). Returns whether it runs. */
static bool pidns_wake_scanner_locked(PvDaemon *d, PvPidnsCache *cache)
{
        if (!cache->scanner && !cache->stopping) {
                g_autoptr(GError) err = NULL;
                cache->d = d;
                cache->scanner =
                    g_thread_try_new("pv-pidns-scan", pv_pidns_scanner_main, cache, &err);
                if (!cache->scanner)
                        pv_log_warning("cannot start the pid namespace scanner: %s", err->message);
        }
        g_cond_signal(&cache->work);
        return cache->scanner != NULL;
}

/*
 * Waits for ns while it is wanted or being resolved, as one of the max
 * threads *waiters counts (lock held): none when max wait already. Returns
 * what the table then says of ns: 0 (*ret: a new reference), -ESRCH, or
 * -EBUSY (not known in time, or no wait).
 */
static int pidns_await_locked(PvPidnsCache *cache, uint64_t ns, unsigned *waiters, unsigned max,
                              PvCallerTarget **ret)
{
        if (*waiters >= max)
                return -EBUSY;
        gint64 give_up = g_get_monotonic_time() + PIDNS_SCAN_WAIT_US;
        int r;
        (*waiters)++;
        while (((r = pidns_lookup_locked(cache, ns, ret)) == -EAGAIN || r == -EINPROGRESS) &&
               g_cond_wait_until(&cache->resolved, &cache->lock, give_up))
                ;
        (*waiters)--;
        /* -ENOENT: dropped and made anew meanwhile, a resolving entry now ours */
        if (r == -ENOENT) {
                g_hash_table_remove(cache->table, &ns);
                g_cond_broadcast(&cache->resolved);
        }
        return r == 0 || r == -ESRCH ? r : -EBUSY;
}

/*
 * Has the scanner look for ns, wanted (lock held), and waits for its answer
 * unless a reader waits for a scan already (readers waiting for scans held
 * serving threads a flood of namespaces could take). Returns 0 (*ret),
 * -ESRCH or -EBUSY.
 */
static int pidns_await_scan_locked(PvDaemon *d, PvPidnsCache *cache, uint64_t ns,
                                   PvCallerTarget **ret)
{
        if (!pidns_wake_scanner_locked(d, cache))
                return -EBUSY;
        return pidns_await_locked(cache, ns, &cache->scan_waiters, PIDNS_SCAN_WAITERS_MAX, ret);
}

int pv_pidns_cache_await(PvDaemon *d, PvPidnsCache *cache, uint64_t ns, PvCallerTarget **ret)
{
        g_mutex_lock(&cache->lock);
        int r = -EBUSY;
        if (pidns_wake_scanner_locked(d, cache))
                r = pidns_await_locked(cache, ns, &cache->host_waiters, PIDNS_HOST_WAITERS_MAX,
                                       ret);
        g_mutex_unlock(&cache->lock);
        return r;
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
        *ret = r == 0 ? pv_pidns_pin(d, ns, init) : NULL;
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
                r = pidns_await_scan_locked(d, cache, ns, ret);
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
                pv_pidns_check_init_locked(cache, ns);
        } else {
                /* nothing learnt: the next reader looks again */
                g_hash_table_remove(cache->table, &ns);
        }
        g_cond_broadcast(&cache->resolved);
        if (r == -EAGAIN)
                r = pidns_await_scan_locked(d, cache, ns, ret);
        else if (r == 0 && !t)
                r = -ESRCH;
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
