/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Request pid -> the process whose cgroups define its container (the init of
 * its pid namespace, or itself), cached per reader thread and per namespace.
 */
#include "caller.h"
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller-cache.h"
#include "caller-pidns.h"
#include "caller-target.h"
#include "parse-proc.h"
#include "fileio.h"
#include "pidref.h"
#include "procfs.h"
#include "reaper.h"

/* Bounds the cache of readers: a host with more live readers than this re-resolves some. */
#define CALLER_CACHE_MAX 16384

/* One reader: a thread id as a FUSE request carries it. */
typedef struct CallerEntry {
        PvPidRef reader;
        /*
         * Where reader is no pidfd (a thread that is not its process's main
         * thread, on kernels without PIDFD_THREAD), a pidfd of its process:
         * only the process's exit can be watched there, a thread's own exit
         * waits for the sweeps. -1: none.
         */
        int exit_fd;
        uint32_t serial;        /* in its key (reader_key) */
        PvCallerTarget *target; /* one reference */
} CallerEntry;

static void caller_entry_free(gpointer p)
{
        CallerEntry *e = p;
        pv_pidref_close(&e->reader);
        if (e->exit_fd >= 0)
                close(e->exit_fd);
        pv_caller_target_unref(e->target);
        g_free(e);
}

static uint64_t reader_key(pid_t pid, uint32_t serial)
{
        return (uint64_t)(uint32_t)pid << 32 | serial;
}

static gboolean reader_of_target(gpointer key, gpointer value, gpointer user_data)
{
        const CallerEntry *e = value;
        return e->target->serial == *(const uint64_t *)user_data;
}

/* A PvReapFn: drops what the exited task named by key held. Runs on the reaper's thread. */
static void caller_reaped(void *data, uint64_t key)
{
        PvCallerCache *cache = data;

        if (key & TARGET_KEY) {
                /* the namespace first: its next reader finds the init gone, not a dead one */
                pv_pidns_cache_drop_init(cache->pidns, key);
                g_rw_lock_writer_lock(&cache->lock);
                g_hash_table_foreach_remove(cache->readers, reader_of_target, &key);
                g_rw_lock_writer_unlock(&cache->lock);
                return;
        }
        gpointer pid = GINT_TO_POINTER((pid_t)(key >> 32));
        g_rw_lock_writer_lock(&cache->lock);
        const CallerEntry *e = g_hash_table_lookup(cache->readers, pid);
        /* another serial: the entry of a later reader of that thread id */
        if (e && e->serial == (uint32_t)key)
                g_hash_table_remove(cache->readers, pid);
        g_rw_lock_writer_unlock(&cache->lock);
}

PvCallerCache *pv_caller_cache_new(unsigned max_entries)
{
        PvCallerCache *c = g_new0(PvCallerCache, 1);
        c->max_entries =
            max_entries > 0 && max_entries < CALLER_CACHE_MAX ? max_entries : CALLER_CACHE_MAX;
        g_rw_lock_init(&c->lock);
        c->readers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, caller_entry_free);
        c->pidns = pv_pidns_cache_new(c->max_entries);
        c->reaper = pv_reaper_new(caller_reaped, c);
        return c;
}

int pv_caller_cache_start(PvCallerCache *cache)
{
        return pv_reaper_start(cache->reaper);
}

void pv_caller_cache_free(PvCallerCache *cache)
{
        if (!cache)
                return;
        /* first: its thread uses the tables */
        pv_reaper_free(cache->reaper);
        g_hash_table_destroy(cache->readers);
        pv_pidns_cache_free(cache->pidns);
        g_rw_lock_clear(&cache->lock);
        g_free(cache);
}

/* Whether the process pid sits in the root cgroups (false when that cannot be read). */
static bool in_root_cgroups(PvDaemon *d, pid_t pid)
{
        g_autofree char *text = NULL;
        PvCgroupPaths paths;
        if (pv_procfs_read(d->proc_fd, pid, "cgroup", &text) < 0 || !*text ||
            pv_cgroup_paths_from_proc(&d->hier, text, &paths) < 0)
                return false;
        bool root = pv_cgroup_paths_is_root(&paths);
        pv_cgroup_paths_clear(&paths);
        return root;
}

/*
 * Which process's cgroups define pid's container: a new reference. Cached
 * per reader thread; the init of a pid namespace is found once per
 * namespace, so a new reader costs a few /proc lookups. A reader whose init
 * was not found or cannot be looked for now gets its own cgroups uncached,
 * and asks again; *ret_pending says that its init is not known yet (rather
 * than missing).
 */
static int resolve_target(PvDaemon *d, pid_t pid, PvCallerTarget **ret, bool *ret_pending)
{
        PvCallerCache *cache = d->callers;

        g_rw_lock_reader_lock(&cache->lock);
        CallerEntry *e = g_hash_table_lookup(cache->readers, GINT_TO_POINTER(pid));
        if (e && pv_pidref_alive(&e->reader) && pv_caller_target_alive(e->target)) {
                *ret = pv_caller_target_ref(e->target);
                g_rw_lock_reader_unlock(&cache->lock);
                return 0;
        }
        g_rw_lock_reader_unlock(&cache->lock);
        /* a stale entry of pid is replaced below */

        /* The reader is blocked in this request, so its pid is not reused until we reply. */
        PvPidRef reader;
        int r = pv_pidref_open(d->proc_fd, pid, &reader);
        if (r < 0)
                return r;
        g_autoptr(PvCallerTarget) t = NULL;
        uint64_t ns = 0;
        r = pv_procfs_pidns_ino(d->proc_fd, pid, &ns);
        if (r == 0 && ns != d->self_pidns_ino)
                r = pv_pidns_cache_init(d, cache->pidns, pid, ns, &t);
        /* a process of the host that entered the namespace: it may wait for the scan */
        if (r == -EBUSY && in_root_cgroups(d, pid))
                r = pv_pidns_cache_await(d, cache->pidns, ns, &t);
        /*
         * A reader whose init was not found, or cannot be looked for now, is
         * not cached: its namespace is looked at again later, and a tenant
         * making short-lived readers in such namespaces would otherwise fill
         * the cache with their pidfds and cgroup files.
         */
        bool passing = r == -EBUSY || r == -ESRCH;
        *ret_pending = r == -EBUSY;
        /* a reader of the daemon's namespace, or whose init was not found: its own cgroups */
        if (!t)
                r = pv_caller_target_new(d, pid, false, &t);
        if (r < 0 || passing) {
                pv_pidref_close(&reader);
                if (r == 0)
                        *ret = g_steal_pointer(&t);
                return r;
        }

        e = g_new0(CallerEntry, 1);
        e->reader = reader;
        e->exit_fd = reader.is_pidfd ? -1 : pv_pidfd_of_process(d->proc_fd, pid);
        e->serial = (uint32_t)__atomic_add_fetch(&cache->serial, 1, __ATOMIC_RELAXED);
        e->target = pv_caller_target_ref(t);
        int watched = reader.is_pidfd ? reader.fd : e->exit_fd;
        if (watched >= 0)
                (void)pv_reaper_watch(cache->reaper, watched, reader_key(pid, e->serial));
        g_rw_lock_writer_lock(&cache->lock);
        if (g_hash_table_size(cache->readers) >= cache->max_entries)
                g_hash_table_remove_all(cache->readers);
        g_hash_table_replace(cache->readers, GINT_TO_POINTER(pid), e);
        /*
         * An exit reported before the entry was in place found nothing to
         * drop, and is not reported again: its pidfd polls readable by now.
         */
        if (!pv_pidref_alive(&e->reader) || !pv_caller_target_alive(e->target))
                g_hash_table_remove(cache->readers, GINT_TO_POINTER(pid));
        g_rw_lock_writer_unlock(&cache->lock);
        *ret = g_steal_pointer(&t);
        return 0;
}

/*
 * The cgroups of a live thread of init, the init of a pid namespace whose
 * /proc/PID/cgroup names only root cgroups: on cgroup v1 the kernel shows an
 * exiting task in the root of every v1 hierarchy (proc_cgroup_show), and so
 * a main thread that called pthread_exit() while other threads run on, and
 * v1 lets each thread join cgroups of its own. The first thread that is
 * neither a zombie nor dead and sits outside the root cgroups decides.
 * Returns 0, -ENOENT when there is none, or -errno.
 */
static int init_thread_paths(PvDaemon *d, pid_t init, PvCgroupPaths *ret)
{
        g_autoptr(GArray) tids = NULL;
        int r = pv_procfs_threads(d->proc_fd, init, &tids);
        if (r < 0)
                return r;
        for (guint i = 0; i < tids->len; i++) {
                pid_t tid = g_array_index(tids, pid_t, i);
                g_autofree char *stat_text = NULL, *text = NULL;
                PvCgroupPaths paths;
                char state;
                if (tid == init) /* its answer was /proc/INIT/cgroup's */
                        continue;
                if (pv_procfs_thread_read(d->proc_fd, init, tid, "stat", &stat_text) < 0 ||
                    pv_parse_proc_stat_state(stat_text, &state) < 0 || state == 'Z' ||
                    state == 'X' ||
                    pv_procfs_thread_read(d->proc_fd, init, tid, "cgroup", &text) < 0)
                        continue;
                r = pv_cgroup_paths_from_proc(&d->hier, text, &paths);
                if (r < 0)
                        return r;
                if (!pv_cgroup_paths_is_root(&paths)) {
                        *ret = paths;
                        return 0;
                }
                pv_cgroup_paths_clear(&paths);
        }
        return -ENOENT;
}

/*
 * The cgroups that define t's container for the reader pid, re-read on every
 * call: a process can be moved to another cgroup at any moment. One read of
 * t's /proc/PID/cgroup, unless t is the init of a pid namespace that names
 * only root cgroups: then a live thread of the init outside them, or failing
 * that the reader's own cgroups if they are the root ones (the host's files
 * for a reader that sits there itself), else -EIO.
 */
static int target_paths(PvDaemon *d, const PvCallerTarget *t, pid_t pid, PvCgroupPaths *ret)
{
        g_autofree char *cgtext = NULL, *own = NULL;
        PvCgroupPaths paths;
        int r = pv_pread_all(t->cgroup_fd, &cgtext, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        if (!*cgtext) /* the target exited between the liveness check and the read */
                return -ESRCH;
        r = pv_cgroup_paths_from_proc(&d->hier, cgtext, &paths);
        if (r < 0)
                return r;
        if (!t->in_pidns || !pv_cgroup_paths_is_root(&paths)) {
                *ret = paths;
                return 0;
        }
        pv_cgroup_paths_clear(&paths);

        r = init_thread_paths(d, t->pid, ret);
        if (r != -ENOENT)
                return r;
        /*
         * The reader waits for this answer, so it is not exiting (one killed
         * meanwhile no longer waits): its cgroup file says where it sits.
         */
        r = pv_procfs_read(d->proc_fd, pid, "cgroup", &own);
        if (r < 0)
                return r;
        r = pv_cgroup_paths_from_proc(&d->hier, own, &paths);
        if (r < 0)
                return r;
        if (!*own || !pv_cgroup_paths_is_root(&paths)) {
                pv_cgroup_paths_clear(&paths);
                return -EIO;
        }
        *ret = paths;
        return 0;
}

int pv_caller_container(PvDaemon *d, pid_t pid, PvContainer **ret)
{
        g_autoptr(PvCallerTarget) t = NULL;
        bool pending = false;
        int r;

        if (pid <= 0)
                return -ESRCH;
        r = resolve_target(d, pid, &t, &pending);
        if (r < 0)
                return r;
        for (int attempt = 0;; attempt++) {
                PvCgroupPaths paths;
                r = target_paths(d, t, pid, &paths);
                if (r < 0)
                        return r;
                /*
                 * A reader in the root cgroups whose pid namespace's init is
                 * not known yet (nsenter from the host into a container's
                 * namespace, while a scan is due): never the host's files
                 * for what may be a container's reader.
                 */
                if (pending && pv_cgroup_paths_is_root(&paths)) {
                        pv_cgroup_paths_clear(&paths);
                        return -EIO;
                }
                r = pv_registry_get(d, &paths, t->start_ns, t->in_pidns, ret);
                pv_cgroup_paths_clear(&paths);
                /* moved out of a cgroup then removed, between the read and the lookup: once more */
                if (r != -ENOENT || attempt > 0)
                        return r;
        }
}

static gboolean reader_expired(gpointer key, gpointer value, gpointer user_data)
{
        const CallerEntry *e = value;
        return !pv_pidref_alive(&e->reader) || !pv_caller_target_alive(e->target);
}

void pv_caller_cache_expire(PvCallerCache *cache)
{
        g_rw_lock_writer_lock(&cache->lock);
        g_hash_table_foreach_remove(cache->readers, reader_expired, NULL);
        g_rw_lock_writer_unlock(&cache->lock);
        pv_pidns_cache_expire(cache->pidns);
}

int pv_caller_pidns_init(PvDaemon *d, pid_t pid, uint64_t ns, PvCallerTarget **ret)
{
        if (pid <= 0)
                return pv_pidns_cache_known(d->callers->pidns, ns, ret);
        return pv_pidns_cache_init(d, d->callers->pidns, pid, ns, ret);
}
