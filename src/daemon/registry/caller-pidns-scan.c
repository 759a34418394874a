/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pid namespace scanner: one thread at nice 19 that looks for the inits
 * of the wanted namespaces (caller-pidns.c) in passes over /proc, each
 * bounded, with a rest after each nineteen times the CPU time it used.
 */
#include <errno.h>
#include <sys/resource.h>
#include <time.h>

#include "caller-pidns-private.h"
#include "log.h"
#include "procfs.h"

static gint ns_cmp(gconstpointer a, gconstpointer b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* The CPU time the calling thread has used (clock_gettime(2)). */
static gint64 thread_cpu_us(void)
{
        struct timespec ts;
        if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
                return g_get_monotonic_time(); /* cannot fail on Linux */
        return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* How far a scan has run. */
typedef struct ScanBudget {
        PvPidnsCache *cache;
        gint64 cpu_start_us; /* thread_cpu_us() when it started */
        gint64 give_up_us;   /* g_get_monotonic_time() at which it stops */
} ScanBudget;

/* A PvProcfsScanPace: false once the scan used its CPU or wall time, or the cache stops. */
static bool scan_go_on(void *userdata)
{
        ScanBudget *b = userdata;
        return thread_cpu_us() - b->cpu_start_us < PIDNS_SCAN_MAX_US &&
               g_get_monotonic_time() < b->give_up_us &&
               !__atomic_load_n(&b->cache->stopping, __ATOMIC_RELAXED);
}

/*
 * The wanted namespaces, PIDNS_SCAN_MAX_NS at most and sorted, lock held;
 * each is kept from expiry during the scan. Empty when none is wanted.
 */
static GArray *scan_set_locked(PvPidnsCache *cache)
{
        GArray *set = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        GHashTableIter it;
        gpointer key, value;
        gint64 now = g_get_monotonic_time();

        g_hash_table_iter_init(&it, cache->table);
        while (g_hash_table_iter_next(&it, &key, &value) && set->len < PIDNS_SCAN_MAX_NS) {
                PidnsEntry *p = value;
                if (!p->wanted)
                        continue;
                p->retry_us = now + PIDNS_RETRY_US; /* not dropped during the scan */
                g_array_append_val(set, *(uint64_t *)key);
        }
        g_array_sort(set, ns_cmp);
        return set;
}

/*
 * Scans /proc once for the inits of set, lock held on entry and on return
 * but not during the scan. Their entries stay wanted meanwhile; then each
 * entry still wanted has its init, or is missing (unknown, when the scan was
 * cut short) until PIDNS_RETRY_US from now. Returns the CPU time it used.
 */
static gint64 scan_locked(PvPidnsCache *cache, GArray *set)
{
        PvDaemon *d = cache->d;
        g_mutex_unlock(&cache->lock);

        const uint64_t *wanted = (const uint64_t *)(void *)set->data;
        g_autofree pid_t *inits = g_new0(pid_t, set->len);
        g_autofree PvCallerTarget **targets = g_new0(PvCallerTarget *, set->len);
        ScanBudget b = {.cache = cache,
                        .cpu_start_us = thread_cpu_us(),
                        .give_up_us = g_get_monotonic_time() + PIDNS_SCAN_WALL_US};
        int r = pv_procfs_pidns_init_scan(d->proc_fd, wanted, set->len, PIDNS_SCAN_MAX_PROCS,
                                          scan_go_on, &b, inits);
        for (guint i = 0; i < set->len && (r == 0 || r == -ETIME); i++)
                if (inits[i] > 0)
                        targets[i] = pv_pidns_pin(d, wanted[i], inits[i]);
        gint64 used = thread_cpu_us() - b.cpu_start_us;

        g_mutex_lock(&cache->lock);
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
                p->unknown = !targets[i] && r != 0;
                p->init = targets[i];
                p->retry_us = end + PIDNS_RETRY_US;
                pv_pidns_check_init_locked(cache, wanted[i]);
        }
        g_cond_broadcast(&cache->resolved);
        return used;
}

/* The scanner thread: scans while namespaces are wanted, resting between scans. */
gpointer pv_pidns_scanner_main(gpointer data)
{
        PvPidnsCache *cache = data;
        gint64 rest_until = 0;

        /* the lowest priority: readers take the CPU from a scan whenever they want it */
        if (setpriority(PRIO_PROCESS, 0, 19) < 0)
                pv_log_debug("cannot lower the pid namespace scanner's priority: %m");
        g_mutex_lock(&cache->lock);
        while (!cache->stopping) {
                gint64 now = g_get_monotonic_time();
                if (now < rest_until) {
                        g_cond_wait_until(&cache->work, &cache->lock, rest_until);
                        continue;
                }
                g_autoptr(GArray) set = scan_set_locked(cache);
                if (set->len == 0) {
                        g_cond_wait(&cache->work, &cache->lock);
                        continue;
                }
                gint64 used = scan_locked(cache, set);
                rest_until = g_get_monotonic_time() + used * (PIDNS_SCAN_SHARE - 1);
        }
        g_mutex_unlock(&cache->lock);
        return NULL;
}
