/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "caller.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"

/* Linux >= 6.11: translate a pid of a pid namespace into ours (linux/nsfs.h). */
#ifndef NS_GET_TGID_FROM_PIDNS
#define NS_GET_TGID_FROM_PIDNS _IOR(0xb7, 0x7, int)
#endif

/* Bounds the caches: a host with more live readers than this re-resolves some. */
#define CALLER_CACHE_MAX 16384
/* A pid namespace nests at most 32 levels, a process tree far less than this. */
#define PPID_WALK_MAX 4096
/*
 * How long the readers of a pid namespace whose init was not found (it is
 * exiting, or its main thread exited before its other threads) get their own
 * cgroups before the init is looked for again: bounds the /proc scans one
 * namespace can cause.
 */
#define PIDNS_RETRY_US (10 * G_USEC_PER_SEC)

/*
 * A process or thread held so that its exit is seen and a reuse of its pid
 * cannot be mistaken for it: a pidfd, or where the kernel gives none (a
 * thread that is not its process's main thread before Linux 6.9, any task
 * before 5.3) an O_PATH fd of its /proc directory. That directory holds the
 * kernel's struct pid of the task it was opened for, not the number: once
 * the task is gone, lookups below it fail, even if the number was reused.
 */
typedef struct PidRef {
        int fd; /* -1: none */
        bool is_pidfd;
} PidRef;

/* The process whose cgroups define a container. Shared by the readers that resolve to it. */
typedef struct CallerTarget {
        gint refs;
        pid_t pid;
        PidRef ref;    /* fd -1: the target is the reader itself, alive as long as it */
        bool in_pidns; /* the init of the reader's pid namespace */
        uint64_t start_ns;
        int cgroup_fd; /* /proc/PID/cgroup, kept open: one pread per request */
} CallerTarget;

/* One reader: a thread id as a FUSE request carries it. */
typedef struct CallerEntry {
        PidRef reader;
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
        GMutex lock;         /* protects readers and pidns */
        GHashTable *readers; /* pid (a thread id) -> CallerEntry* */
        GHashTable *pidns;   /* inode of the namespace (uint64_t *) -> PidnsEntry* */
        /*
         * Held while the init of a namespace is looked for (before lock), so
         * that each namespace is looked for once however many of its readers
         * arrive together: the lookup may read much of /proc.
         */
        GMutex resolve_lock;
};

static void pidref_close(PidRef *ref)
{
        if (ref->fd >= 0)
                close(ref->fd);
        ref->fd = -1;
}

static CallerTarget *target_ref(CallerTarget *t)
{
        g_atomic_int_inc(&t->refs);
        return t;
}

static void target_unref(CallerTarget *t)
{
        if (!t || !g_atomic_int_dec_and_test(&t->refs))
                return;
        pidref_close(&t->ref);
        if (t->cgroup_fd >= 0)
                close(t->cgroup_fd);
        g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallerTarget, target_unref)

static void caller_entry_free(gpointer p)
{
        CallerEntry *e = p;
        pidref_close(&e->reader);
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
        g_mutex_init(&c->lock);
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
        g_mutex_clear(&cache->lock);
        g_free(cache);
}

int pv_parse_pid_stat(const char *text, pid_t *ret_ppid, uint64_t *ret_starttime)
{
        const char *p = strrchr(text, ')');
        unsigned long long v = 0;
        long ppid = 0;

        if (!p)
                return -EINVAL;
        p++;
        /* after ')': field 3 (state) is the first; ppid is field 4, starttime field 22 */
        for (int field = 3; field <= 22; field++) {
                while (*p == ' ')
                        p++;
                if (!*p || *p == '\n')
                        return -EINVAL;
                if (field == 4 || field == 22) {
                        char *end;
                        errno = 0;
                        v = strtoull(p, &end, 10);
                        if (errno || end == p || (*end != ' ' && *end != '\n' && *end))
                                return -EINVAL;
                        if (field == 4)
                                ppid = (long)v;
                }
                while (*p && *p != ' ' && *p != '\n')
                        p++;
        }
        if (ret_ppid)
                *ret_ppid = (pid_t)ppid;
        if (ret_starttime)
                *ret_starttime = v;
        return 0;
}

int pv_parse_status_nspid(const char *text, pid_t *ret_inner)
{
        const char *line = text;
        while (line && *line) {
                if (strncmp(line, "NSpid:", 6) == 0) {
                        const char *p = line + 6;
                        long last = -1;
                        for (;;) {
                                while (*p == ' ' || *p == '\t')
                                        p++;
                                if (!isdigit((unsigned char)*p))
                                        break;
                                char *end;
                                last = strtol(p, &end, 10);
                                p = end;
                        }
                        if (last <= 0 || (*p && *p != '\n'))
                                return -EINVAL;
                        *ret_inner = (pid_t)last;
                        return 0;
                }
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -ENOENT;
}

int pv_parse_status_pid(const char *text, const char *key, pid_t *ret)
{
        size_t klen = strlen(key);
        for (const char *line = text; line && *line;) {
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        const char *p = line + klen + 1;
                        char *end;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        if (!isdigit((unsigned char)*p))
                                return -EINVAL;
                        errno = 0;
                        long v = strtol(p, &end, 10);
                        if (errno || v < 0 || v > INT_MAX || (*end && *end != '\n'))
                                return -EINVAL;
                        *ret = (pid_t)v;
                        return 0;
                }
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -ENOENT;
}

/* Linux >= 6.9: a pidfd for a thread that is not a thread-group leader. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/*
 * A FUSE request carries the pid of the calling thread, which is a thread id
 * when a non-main thread reads; pidfd_open() refuses those (ENOENT, or
 * EINVAL on older kernels) unless asked for a thread pidfd. Returns -1 with
 * errno EINVAL where no pidfd can be had: such a thread on kernels without
 * PIDFD_THREAD, or any task before Linux 5.3.
 */
static int pidfd_open_pid(pid_t pid)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0 && (errno == EINVAL || errno == ENOENT)) {
                fd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
                if (fd < 0 && errno != ESRCH)
                        errno = EINVAL;
        }
        if (fd < 0 && errno == ENOSYS)
                errno = EINVAL;
        return fd;
}

/*
 * Pins the task pid names now. The caller must know pid is not reused
 * meanwhile (a reader blocked in its request) or check what it pinned.
 * Returns 0, -ESRCH (gone) or -errno.
 */
static int pidref_open(PvDaemon *d, pid_t pid, PidRef *ret)
{
        char name[16];
        int fd = pidfd_open_pid(pid);
        if (fd >= 0) {
                *ret = (PidRef){.fd = fd, .is_pidfd = true};
                return 0;
        }
        if (errno != EINVAL)
                return errno == ENOENT ? -ESRCH : -errno;
        snprintf(name, sizeof(name), "%d", (int)pid);
        fd = openat(d->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        *ret = (PidRef){.fd = fd, .is_pidfd = false};
        return 0;
}

static bool pidref_alive(const PidRef *ref)
{
        if (ref->is_pidfd) {
                /* a pidfd polls readable once its process has exited */
                struct pollfd pfd = {.fd = ref->fd, .events = POLLIN};
                return poll(&pfd, 1, 0) == 0;
        }
        /*
         * procfs revalidates the entries of a task's directory against the
         * task its inode was made for: they vanish (ENOENT) when it is gone.
         */
        struct stat st;
        return fstatat(ref->fd, "stat", &st, 0) == 0;
}

static bool target_alive(const CallerTarget *t)
{
        return t->ref.fd < 0 || pidref_alive(&t->ref);
}

static int pidns_ino(PvDaemon *d, pid_t pid, uint64_t *ret)
{
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        if (fstatat(d->proc_fd, path, &st, 0) < 0)
                return -errno;
        *ret = st.st_ino;
        return 0;
}

static int read_pid_file(PvDaemon *d, pid_t pid, const char *name, char **ret)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
        int r = pv_read_file_at(d->proc_fd, path, ret, NULL);
        return r == -ENOENT ? -ESRCH : r;
}

static int pid_start_ns(PvDaemon *d, pid_t pid, uint64_t *ret)
{
        g_autofree char *text = NULL;
        uint64_t ticks;
        int r = read_pid_file(d, pid, "stat", &text);
        if (r < 0)
                return r;
        r = pv_parse_pid_stat(text, NULL, &ticks);
        if (r < 0)
                return r;
        *ret = ticks * (1000000000ULL / (uint64_t)d->clk_tck);
        return 0;
}

/*
 * The host pid of the init of the pid namespace ns (open as nsfd) that pid
 * belongs to, or -ESRCH. Costly on kernels before 6.11 when pid joined the
 * namespace from outside (setns): done once per namespace (PvCallerCache).
 */
static int find_pidns_init(PvDaemon *d, pid_t pid, int nsfd, uint64_t ns, pid_t *ret)
{
        int init = ioctl(nsfd, NS_GET_TGID_FROM_PIDNS, 1);
        if (init > 0) {
                *ret = init;
                return 0;
        }

        /*
         * Older kernels: walk up while in the namespace, from a thread to its
         * process's main thread, from a process to its parent.
         */
        pid_t x = pid;
        for (int i = 0; i < PPID_WALK_MAX && x > 0; i++) {
                g_autofree char *status = NULL;
                pid_t inner = 0, tgid = 0, ppid = 0;
                uint64_t pns = 0;
                if (read_pid_file(d, x, "status", &status) < 0 ||
                    pv_parse_status_nspid(status, &inner) < 0)
                        break;
                if (inner == 1) {
                        *ret = x;
                        return 0;
                }
                if (pv_parse_status_pid(status, "Tgid", &tgid) < 0 ||
                    pv_parse_status_pid(status, "PPid", &ppid) < 0)
                        break;
                pid_t next = tgid != x ? tgid : ppid;
                if (next <= 0 || pidns_ino(d, next, &pns) < 0 || pns != ns)
                        break;
                x = next;
        }

        /*
         * A reader that joined the namespace from outside (setns): its
         * parents are not in it. Look at every process's namespace (one
         * fstatat each) and read the status of the few in ns only.
         */
        DIR *dir;
        int dfd = openat(d->proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        dir = fdopendir(dfd);
        if (!dir) {
                close(dfd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                pid_t cand = (pid_t)atoi(de->d_name);
                uint64_t cns = 0;
                g_autofree char *status = NULL;
                pid_t inner;
                if (pidns_ino(d, cand, &cns) < 0 || cns != ns)
                        continue;
                if (read_pid_file(d, cand, "status", &status) == 0 &&
                    pv_parse_status_nspid(status, &inner) == 0 && inner == 1) {
                        closedir(dir);
                        *ret = cand;
                        return 0;
                }
        }
        closedir(dir);
        return -ESRCH;
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
                r = pidref_open(d, pid, &t->ref);
                if (r < 0)
                        return r;
        }
        r = pid_start_ns(d, pid, &t->start_ns);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%d/cgroup", (int)pid);
        t->cgroup_fd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (t->cgroup_fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        *ret = g_steal_pointer(&t);
        return 0;
}

/* The cached init of namespace ns, under cache->lock: 0, -ESRCH (known missing), -ENOENT (unknown).
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

        g_mutex_lock(&cache->lock);
        r = pidns_lookup_locked(cache, ns, ret);
        g_mutex_unlock(&cache->lock);
        if (r != -ENOENT)
                return r;

        g_mutex_lock(&cache->resolve_lock);
        /* another reader of ns may have found it while we waited */
        g_mutex_lock(&cache->lock);
        r = pidns_lookup_locked(cache, ns, ret);
        g_mutex_unlock(&cache->lock);
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
        if (find_pidns_init(d, pid, nsfd, ns, &init) == 0 && target_new(d, init, true, &t) == 0) {
                /*
                 * The pid found may have been reused before it was pinned: the
                 * pinned process must still be in ns (a namespace whose init
                 * died takes no new processes).
                 */
                uint64_t init_ns = 0;
                if (pidns_ino(d, init, &init_ns) < 0 || init_ns != ns || !target_alive(t)) {
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
        g_mutex_lock(&cache->lock);
        if (g_hash_table_size(cache->pidns) >= CALLER_CACHE_MAX)
                g_hash_table_remove_all(cache->pidns);
        g_hash_table_replace(cache->pidns, key, p);
        if (t)
                *ret = target_ref(t);
        g_mutex_unlock(&cache->lock);
        g_mutex_unlock(&cache->resolve_lock);
        return t ? 0 : -ESRCH;
}

/*
 * The start of a container seen from the host pid namespace: the oldest
 * process still in its cgroup (a cgroup directory keeps no creation time).
 */
static uint64_t oldest_in_cgroup(PvDaemon *d, const PvCgroup *cg, uint64_t fallback)
{
        static const PvController order[] = {PV_CTRL_CPUACCT, PV_CTRL_MEMORY, PV_CTRL_PIDS};
        for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
                PvController c = order[i];
                const char *path = pv_cgroup_path(cg, c);
                if (!path || !d->hier.mount_path[c])
                        continue;
                g_autofree char *file =
                    g_build_filename(d->hier.mount_path[c], path, "cgroup.procs", NULL);
                g_autofree char *text = NULL;
                /*
                 * Read to EOF (glib reads until read() returns 0): cgroup.procs
                 * gives one page of pids per read, a short read is not its end.
                 */
                if (!g_file_get_contents(file, &text, NULL, NULL))
                        continue;
                uint64_t oldest = fallback;
                for (char *p = text; *p;) {
                        pid_t pid = (pid_t)strtol(p, &p, 10);
                        uint64_t s;
                        if (pid > 0 && pid_start_ns(d, pid, &s) == 0 && s < oldest)
                                oldest = s;
                        while (*p == '\n')
                                p++;
                        if (*p && !isdigit((unsigned char)*p))
                                break;
                }
                return oldest;
        }
        return fallback;
}

PvContainer *pv_container_ref(PvContainer *c)
{
        g_atomic_int_inc(&c->refs);
        return c;
}

void pv_container_unref(PvContainer *c)
{
        if (!c || !g_atomic_int_dec_and_test(&c->refs))
                return;
        pv_cgroup_free(c->cg);
        pv_stat_memo_clear(&c->stat_memo);
        g_mutex_clear(&c->lock);
        g_free(c->key);
        g_free(c);
}

static void paths_free(char *paths[_PV_CTRL_MAX])
{
        for (int i = 0; i < _PV_CTRL_MAX; i++)
                free(paths[i]);
}

/*
 * The registry key: the cgroup path of every controller, in controller
 * order, with the directory inode of those a rename can fool
 * (pv_cgroup_ids), then the unified path (pressure is read there even on v1
 * hosts). A v1 cgroup renamed keeps its directory, so an entry keyed by path
 * alone would serve its counters to the readers of a cgroup made anew under
 * its old path.
 */
static char *registry_key(char *const paths[_PV_CTRL_MAX], const char *unified,
                          const uint64_t ids[_PV_CTRL_MAX])
{
        GString *key = g_string_new(NULL);
        for (int i = 0; i < _PV_CTRL_MAX; i++)
                g_string_append_printf(key, "%s %" G_GUINT64_FORMAT "\n", paths[i] ? paths[i] : "-",
                                       ids[i]);
        g_string_append(key, unified ? unified : "-");
        return g_string_free(key, FALSE);
}

static void container_touch(PvContainer *c)
{
        __atomic_store_n(&c->last_used_us, g_get_monotonic_time(), __ATOMIC_RELAXED);
}

/* Looks up or registers the container of a /proc/PID/cgroup text. */
static int registry_get(PvDaemon *d, const char *cgtext, bool in_pidns, uint64_t target_start_ns,
                        PvContainer **ret)
{
        char *paths[_PV_CTRL_MAX] = {0};
        g_autofree char *unified = NULL;
        uint64_t ids[_PV_CTRL_MAX];
        int r = pv_cgroup_paths_parse(&d->hier, cgtext, paths);
        if (r < 0)
                return r;
        r = pv_cgroup_unified_path_parse(cgtext, &unified);
        if (r == 0 || r == -ENOENT)
                r = pv_cgroup_paths_ids(&d->hier, paths, ids);
        g_autofree char *key = r < 0 ? NULL : registry_key(paths, unified, ids);
        if (r < 0) {
                paths_free(paths);
                return r;
        }

        g_mutex_lock(&d->containers_lock);
        PvContainer *c = g_hash_table_lookup(d->containers, key);
        if (c)
                pv_container_ref(c);
        g_mutex_unlock(&d->containers_lock);
        if (c) {
                paths_free(paths);
                container_touch(c);
                *ret = c;
                return 0;
        }

        /* Opened and computed unlocked: may read many /proc files. */
        PvCgroup *cg = NULL;
        r = pv_cgroup_open_proc(&d->hier, cgtext, &cg);
        if (r == 0)
                r = pv_cgroup_ids(cg, ids);
        if (r < 0) {
                pv_cgroup_free(cg);
                paths_free(paths);
                return r;
        }
        /* keyed by what was opened, should a cgroup have been renamed since the lookup */
        g_free(key);
        key = registry_key(paths, unified, ids);
        paths_free(paths);
        c = g_new0(PvContainer, 1);
        c->refs = 1;
        c->cg = cg;
        c->key = g_steal_pointer(&key);
        c->is_root = pv_cgroup_is_root(cg);
        c->start_ns = in_pidns ? target_start_ns : oldest_in_cgroup(d, cg, target_start_ns);
        g_mutex_init(&c->lock);

        g_mutex_lock(&d->containers_lock);
        PvContainer *other = g_hash_table_lookup(d->containers, c->key);
        if (other) { /* registered meanwhile by another thread */
                pv_container_unref(c);
                c = pv_container_ref(other);
        } else {
                g_hash_table_insert(d->containers, c->key, pv_container_ref(c));
        }
        g_mutex_unlock(&d->containers_lock);
        container_touch(c);
        *ret = c;
        return 0;
}

/*
 * Which process's cgroups define pid's container: a new reference. Cached
 * per reader thread; the init of a pid namespace is found once per
 * namespace, so a new reader costs a few /proc lookups.
 */
static int resolve_target(PvDaemon *d, pid_t pid, CallerTarget **ret)
{
        PvCallerCache *cache = d->callers;

        g_mutex_lock(&cache->lock);
        CallerEntry *e = g_hash_table_lookup(cache->readers, GINT_TO_POINTER(pid));
        if (e && pidref_alive(&e->reader) && target_alive(e->target)) {
                *ret = target_ref(e->target);
                g_mutex_unlock(&cache->lock);
                return 0;
        }
        if (e)
                g_hash_table_remove(cache->readers, GINT_TO_POINTER(pid));
        g_mutex_unlock(&cache->lock);

        /* The reader is blocked in this request, so its pid is not reused until we reply. */
        PidRef reader;
        int r = pidref_open(d, pid, &reader);
        if (r < 0)
                return r;
        g_autoptr(CallerTarget) t = NULL;
        uint64_t ns = 0;
        r = pidns_ino(d, pid, &ns);
        if (r == 0 && ns != d->self_pidns_ino)
                r = pidns_target(d, pid, ns, &t);
        /* a reader of the daemon's namespace, or whose init was not found: its own cgroups */
        if (!t)
                r = target_new(d, pid, false, &t);
        if (r < 0) {
                pidref_close(&reader);
                return r;
        }

        e = g_new0(CallerEntry, 1);
        e->reader = reader;
        e->target = target_ref(t);
        g_mutex_lock(&cache->lock);
        if (g_hash_table_size(cache->readers) >= CALLER_CACHE_MAX)
                g_hash_table_remove_all(cache->readers);
        g_hash_table_replace(cache->readers, GINT_TO_POINTER(pid), e);
        g_mutex_unlock(&cache->lock);
        *ret = g_steal_pointer(&t);
        return 0;
}

int pv_caller_container(PvDaemon *d, pid_t pid, PvContainer **ret)
{
        g_autoptr(CallerTarget) t = NULL;
        g_autofree char *cgtext = NULL;
        int r;

        if (pid <= 0)
                return -ESRCH;
        r = resolve_target(d, pid, &t);
        if (r < 0)
                return r;
        for (int attempt = 0;; attempt++) {
                /* Re-read every time: a process can be moved to another cgroup at any moment. */
                r = pv_pread_all(t->cgroup_fd, &cgtext, NULL);
                if (r < 0)
                        return r == -ENOENT ? -ESRCH : r;
                if (!*cgtext) /* the target exited between the liveness check and the read */
                        return -ESRCH;
                r = registry_get(d, cgtext, t->in_pidns, t->start_ns, ret);
                /* moved out of a cgroup then removed, between the read and the lookup: once more */
                if (r != -ENOENT || attempt > 0)
                        return r;
                g_clear_pointer(&cgtext, g_free);
        }
}

bool pv_registry_forget(PvDaemon *d, PvContainer *c)
{
        bool removed = false;
        g_mutex_lock(&d->containers_lock);
        if (g_hash_table_lookup(d->containers, c->key) == c) {
                g_hash_table_steal(d->containers, c->key);
                removed = true;
        }
        g_mutex_unlock(&d->containers_lock);
        if (removed)
                pv_container_unref(c); /* the registry's reference */
        return removed;
}

void pv_registry_expire(PvDaemon *d)
{
        gint64 now = g_get_monotonic_time();
        gint64 max_idle = (gint64)d->opts.idle_expiry_s * G_USEC_PER_SEC;
        GHashTableIter it;
        gpointer value;

        g_mutex_lock(&d->containers_lock);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                PvContainer *c = value;
                if (now - __atomic_load_n(&c->last_used_us, __ATOMIC_RELAXED) > max_idle) {
                        g_hash_table_iter_steal(&it);
                        pv_container_unref(c);
                }
        }
        g_mutex_unlock(&d->containers_lock);

        g_mutex_lock(&d->callers->lock);
        g_hash_table_iter_init(&it, d->callers->readers);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                CallerEntry *e = value;
                if (!pidref_alive(&e->reader) || !target_alive(e->target))
                        g_hash_table_iter_remove(&it);
        }
        g_hash_table_iter_init(&it, d->callers->pidns);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                PidnsEntry *p = value;
                if (p->init ? !target_alive(p->init) : now >= p->retry_us)
                        g_hash_table_iter_remove(&it);
        }
        g_mutex_unlock(&d->callers->lock);
}

void pv_registry_foreach(PvDaemon *d, void (*fn)(PvDaemon *d, PvContainer *c, void *data),
                         void *data)
{
        g_autoptr(GPtrArray) list = g_ptr_array_new();
        GHashTableIter it;
        gpointer value;

        g_mutex_lock(&d->containers_lock);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value))
                g_ptr_array_add(list, pv_container_ref(value));
        g_mutex_unlock(&d->containers_lock);

        for (guint i = 0; i < list->len; i++)
                fn(d, list->pdata[i], data);
}

void pv_registry_clear(PvDaemon *d)
{
        GHashTableIter it;
        gpointer value;
        g_mutex_lock(&d->containers_lock);
        g_hash_table_iter_init(&it, d->containers);
        while (g_hash_table_iter_next(&it, NULL, &value)) {
                g_hash_table_iter_steal(&it);
                pv_container_unref(value);
        }
        g_mutex_unlock(&d->containers_lock);
}
