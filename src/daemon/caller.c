/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Request pid -> the process whose cgroups define its container (the init of
 * its pid namespace, or itself), cached per reader thread and per namespace.
 */
#include "caller.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/parse-proc.h"
#include "common/fileio.h"
#include "pidref.h"
#include "procfs.h"

/* Bounds the caches: a host with more live readers than this re-resolves some. */
#define CALLER_CACHE_MAX 16384
/*
 * How long the readers of a pid namespace whose init was not found (it is
 * exiting, or its main thread exited before its other threads) get their own
 * cgroups before the init is looked for again: bounds the /proc scans one
 * namespace can cause.
 */
#define PIDNS_RETRY_US (10 * G_USEC_PER_SEC)

/* The process whose cgroups define a container. Shared by the readers that resolve to it. */
typedef struct CallerTarget {
        gint refs;
        pid_t pid;
        PvPidRef ref;  /* fd -1: the target is the reader itself, alive as long as it */
        bool in_pidns; /* the init of the reader's pid namespace */
        uint64_t start_ns;
        int cgroup_fd; /* /proc/PID/cgroup, kept open: one pread per request */
} CallerTarget;

/* One reader: a thread id as a FUSE request carries it. */
typedef struct CallerEntry {
        PvPidRef reader;
        CallerTarget *target; /* one reference */
} CallerEntry;

/* One pid namespace other than the daemon's. */
typedef struct PidnsEntry {
        /*
         * Its /proc/PID/ns/pid, kept open: a namespace's inode number can be
         * reused once it is freed, never while it is held.
         */
        int nsfd;
        CallerTarget *init; /* one reference; NULL: not found, readers use their own cgroups */
        gint64 retry_us;    /* g_get_monotonic_time() after which a missing init is looked for */
} PidnsEntry;

struct PvCallerCache {
        /*
         * Protects readers and pidns. Readers of a cached entry share it, and
         * check that its processes live (a poll each) side by side.
         */
        GRWLock lock;
        GHashTable *readers; /* pid (a thread id) -> CallerEntry* */
        GHashTable *pidns;   /* inode of the namespace (uint64_t *) -> PidnsEntry* */
        /*
         * Held while the init of a namespace is looked for (before lock), so
         * that each namespace is looked for once however many of its readers
         * arrive together: the lookup may read much of /proc.
         */
        GMutex resolve_lock;
};

static CallerTarget *target_ref(CallerTarget *t)
{
        g_atomic_int_inc(&t->refs);
        return t;
}

static void target_unref(CallerTarget *t)
{
        if (!t || !g_atomic_int_dec_and_test(&t->refs))
                return;
        pv_pidref_close(&t->ref);
        if (t->cgroup_fd >= 0)
                close(t->cgroup_fd);
        g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallerTarget, target_unref)

static void caller_entry_free(gpointer p)
{
        CallerEntry *e = p;
        pv_pidref_close(&e->reader);
        target_unref(e->target);
        g_free(e);
}

static void pidns_entry_free(gpointer p)
{
        PidnsEntry *e = p;
        if (e->nsfd >= 0)
                close(e->nsfd);
        target_unref(e->init);
        g_free(e);
}

PvCallerCache *pv_caller_cache_new(void)
{
        PvCallerCache *c = g_new0(PvCallerCache, 1);
        g_rw_lock_init(&c->lock);
        g_mutex_init(&c->resolve_lock);
        c->readers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, caller_entry_free);
        c->pidns = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, pidns_entry_free);
        return c;
}

void pv_caller_cache_free(PvCallerCache *cache)
{
        if (!cache)
                return;
        g_hash_table_destroy(cache->readers);
        g_hash_table_destroy(cache->pidns);
        g_mutex_clear(&cache->resolve_lock);
        g_rw_lock_clear(&cache->lock);
        g_free(cache);
}

static bool target_alive(const CallerTarget *t)
{
        return t->ref.fd < 0 || pv_pidref_alive(&t->ref);
}

/*
 * A target for pid: pins it (unless it is the reader, pinned by its entry)
 * and opens its /proc/PID/cgroup. Returns 0, -ESRCH or -errno.
 */
static int target_new(PvDaemon *d, pid_t pid, bool in_pidns, CallerTarget **ret)
{
        char path[64];
        g_autoptr(CallerTarget) t = g_new0(CallerTarget, 1);
        int r;

        t->refs = 1;
        t->pid = pid;
        t->ref.fd = -1;
        t->cgroup_fd = -1;
        t->in_pidns = in_pidns;
        if (in_pidns) {
                r = pv_pidref_open(d->proc_fd, pid, &t->ref);
                if (r < 0)
                        return r;
        }
        r = pv_procfs_start_ns(d->proc_fd, d->clk_tck, pid, &t->start_ns);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%d/cgroup", (int)pid);
        t->cgroup_fd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (t->cgroup_fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        *ret = g_steal_pointer(&t);
        return 0;
}

/*
 * The cached init of namespace ns, cache->lock held for writing: 0, -ESRCH
 * (known missing), -ENOENT (unknown).
 */
static int pidns_lookup_locked(PvCallerCache *cache, uint64_t ns, CallerTarget **ret)
{
        PidnsEntry *p = g_hash_table_lookup(cache->pidns, &ns);
        if (!p)
                return -ENOENT;
        if (p->init && target_alive(p->init)) {
                *ret = target_ref(p->init);
                return 0;
        }
        if (!p->init && g_get_monotonic_time() < p->retry_us)
                return -ESRCH;
        g_hash_table_remove(cache->pidns, &ns);
        return -ENOENT;
}

/*
 * The init of ns, the pid namespace of the reader pid (blocked in its
 * request), found once per namespace and cached while the init lives.
 * Returns a new reference, or -ESRCH when the init cannot be found.
 */
static int pidns_target(PvDaemon *d, pid_t pid, uint64_t ns, CallerTarget **ret)
{
        PvCallerCache *cache = d->callers;
        char path[64];
        int r;

        g_rw_lock_writer_lock(&cache->lock);
        r = pidns_lookup_locked(cache, ns, ret);
        g_rw_lock_writer_unlock(&cache->lock);
        if (r != -ENOENT)
                return r;

        g_mutex_lock(&cache->resolve_lock);
        /* another reader of ns may have found it while we waited */
        g_rw_lock_writer_lock(&cache->lock);
        r = pidns_lookup_locked(cache, ns, ret);
        g_rw_lock_writer_unlock(&cache->lock);
        if (r != -ENOENT) {
                g_mutex_unlock(&cache->resolve_lock);
                return r;
        }

        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        _cleanup_close_ int nsfd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (nsfd < 0 || fstat(nsfd, &st) < 0 || (uint64_t)st.st_ino != ns) {
                g_mutex_unlock(&cache->resolve_lock);
                return -ESRCH;
        }
        CallerTarget *t = NULL;
        pid_t init = 0;
        r = pv_procfs_pidns_init_quick(d->proc_fd, pid, nsfd, ns, !d->opts.pidns_no_ioctl, &init);
        if (r == -EAGAIN)
                r = pv_procfs_pidns_init_scan(d->proc_fd, ns, UINT_MAX, G_MAXINT64, &init);
        if (r == 0 && target_new(d, init, true, &t) == 0) {
                /*
                 * The pid found may have been reused before it was pinned: the
                 * pinned process must still be in ns (a namespace whose init
                 * died takes no new processes).
                 */
                uint64_t init_ns = 0;
                if (pv_procfs_pidns_ino(d->proc_fd, init, &init_ns) < 0 || init_ns != ns ||
                    !target_alive(t)) {
                        target_unref(t);
                        t = NULL;
                }
        }

        PidnsEntry *p = g_new0(PidnsEntry, 1);
        p->nsfd = g_steal_fd(&nsfd);
        p->init = t;
        p->retry_us = g_get_monotonic_time() + PIDNS_RETRY_US;
        uint64_t *key = g_new(uint64_t, 1);
        *key = ns;
        g_rw_lock_writer_lock(&cache->lock);
        if (g_hash_table_size(cache->pidns) >= CALLER_CACHE_MAX)
                g_hash_table_remove_all(cache->pidns);
        g_hash_table_replace(cache->pidns, key, p);
        if (t)
                *ret = target_ref(t);
        g_rw_lock_writer_unlock(&cache->lock);
        g_mutex_unlock(&cache->resolve_lock);
        return t ? 0 : -ESRCH;
}

/*
 * Which process's cgroups define pid's container: a new reference. Cached
 * per reader thread; the init of a pid namespace is found once per
 * namespace, so a new reader costs a few /proc lookups.
 */
static int resolve_target(PvDaemon *d, pid_t pid, CallerTarget **ret)
{
        PvCallerCache *cache = d->callers;

        g_rw_lock_reader_lock(&cache->lock);
        CallerEntry *e = g_hash_table_lookup(cache->readers, GINT_TO_POINTER(pid));
        if (e && pv_pidref_alive(&e->reader) && target_alive(e->target)) {
                *ret = target_ref(e->target);
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
        g_autoptr(CallerTarget) t = NULL;
        uint64_t ns = 0;
        r = pv_procfs_pidns_ino(d->proc_fd, pid, &ns);
        if (r == 0 && ns != d->self_pidns_ino)
                r = pidns_target(d, pid, ns, &t);
        /* a reader of the daemon's namespace, or whose init was not found: its own cgroups */
        if (!t)
                r = target_new(d, pid, false, &t);
        if (r < 0) {
                pv_pidref_close(&reader);
                return r;
        }

        e = g_new0(CallerEntry, 1);
        e->reader = reader;
        e->target = target_ref(t);
        g_rw_lock_writer_lock(&cache->lock);
        if (g_hash_table_size(cache->readers) >= CALLER_CACHE_MAX)
                g_hash_table_remove_all(cache->readers);
        g_hash_table_replace(cache->readers, GINT_TO_POINTER(pid), e);
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
static int target_paths(PvDaemon *d, const CallerTarget *t, pid_t pid, PvCgroupPaths *ret)
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
        g_autoptr(CallerTarget) t = NULL;
        int r;

        if (pid <= 0)
                return -ESRCH;
        r = resolve_target(d, pid, &t);
        if (r < 0)
                return r;
        for (int attempt = 0;; attempt++) {
                PvCgroupPaths paths;
                r = target_paths(d, t, pid, &paths);
                if (r < 0)
                        return r;
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
        return !pv_pidref_alive(&e->reader) || !target_alive(e->target);
}

static gboolean pidns_expired(gpointer key, gpointer value, gpointer user_data)
{
        const PidnsEntry *p = value;
        const gint64 *now = user_data;
        return p->init ? !target_alive(p->init) : *now >= p->retry_us;
}

void pv_caller_cache_expire(PvCallerCache *cache)
{
        gint64 now = g_get_monotonic_time();

        g_rw_lock_writer_lock(&cache->lock);
        g_hash_table_foreach_remove(cache->readers, reader_expired, NULL);
        g_hash_table_foreach_remove(cache->pidns, pidns_expired, &now);
        g_rw_lock_writer_unlock(&cache->lock);
}
