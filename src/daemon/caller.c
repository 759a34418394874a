/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "caller.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

typedef struct CallerEntry {
        gint refs;
        int pidfd;    /* identity of the reader: becomes readable when it exits; -1: not cached */
        pid_t target; /* the process whose cgroups define the container */
        int target_pidfd; /* -1 when target is the reader itself */
        bool in_pidns;    /* target is the init of the reader's pid namespace */
        uint64_t start_ns;
        int cgroup_fd; /* /proc/TARGET/cgroup, kept open: one pread per request */
} CallerEntry;

struct PvCallerCache {
        GMutex lock;         /* protects readers */
        GHashTable *readers; /* pid -> CallerEntry* */
};

static void caller_entry_unref(gpointer p)
{
        CallerEntry *e = p;
        if (!e || !g_atomic_int_dec_and_test(&e->refs))
                return;
        if (e->pidfd >= 0)
                close(e->pidfd);
        if (e->target_pidfd >= 0)
                close(e->target_pidfd);
        if (e->cgroup_fd >= 0)
                close(e->cgroup_fd);
        g_free(e);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallerEntry, caller_entry_unref)

PvCallerCache *pv_caller_cache_new(void)
{
        PvCallerCache *c = g_new0(PvCallerCache, 1);
        g_mutex_init(&c->lock);
        c->readers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, caller_entry_unref);
        return c;
}

void pv_caller_cache_free(PvCallerCache *cache)
{
        if (!cache)
                return;
        g_hash_table_destroy(cache->readers);
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

/* Linux >= 6.9: a pidfd for a thread that is not a thread-group leader. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/*
 * A FUSE request carries the pid of the calling thread, which is a thread id
 * when a non-main thread reads; pidfd_open() refuses those (ENOENT, or
 * EINVAL on older kernels) unless asked for a thread pidfd. Returns -1 with
 * errno EINVAL for such a thread on kernels without PIDFD_THREAD.
 */
static int pidfd_open_pid(pid_t pid)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0 && (errno == EINVAL || errno == ENOENT)) {
                fd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
                if (fd < 0 && errno != ESRCH)
                        errno = EINVAL;
        }
        if (fd < 0 && errno == ENOSYS) /* before Linux 5.3: resolve without caching */
                errno = EINVAL;
        return fd;
}

/* A pidfd polls readable once its process has exited (and its pid may be reused). */
static bool pidfd_alive(int pidfd)
{
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        return poll(&pfd, 1, 0) == 0;
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

/* The host pid of the init of pid's namespace (ns), or -ESRCH. */
static int find_pidns_init(PvDaemon *d, pid_t pid, uint64_t ns, pid_t *ret)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        _cleanup_close_ int nsfd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (nsfd >= 0) {
                int init = ioctl(nsfd, NS_GET_TGID_FROM_PIDNS, 1);
                if (init > 0) {
                        *ret = init;
                        return 0;
                }
        }

        /* Older kernels: walk up the parents while they share the namespace. */
        pid_t x = pid;
        for (int i = 0; i < PPID_WALK_MAX && x > 0; i++) {
                g_autofree char *status = NULL;
                g_autofree char *stat = NULL;
                pid_t inner = 0, ppid = 0;
                uint64_t pns = 0;
                if (read_pid_file(d, x, "status", &status) < 0 ||
                    pv_parse_status_nspid(status, &inner) < 0)
                        break;
                if (inner == 1) {
                        *ret = x;
                        return 0;
                }
                if (read_pid_file(d, x, "stat", &stat) < 0 ||
                    pv_parse_pid_stat(stat, &ppid, NULL) < 0)
                        break;
                if (ppid <= 0 || pidns_ino(d, ppid, &pns) < 0 || pns != ns)
                        break;
                x = ppid;
        }

        /* A reader that joined the namespace from outside (setns): scan for its init. */
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
 * The registry key: the cgroup path of every controller, in controller order,
 * then the unified path (pressure is read there even on v1 hosts).
 */
static char *registry_key(char *const paths[_PV_CTRL_MAX], const char *unified)
{
        GString *key = g_string_new(NULL);
        for (int i = 0; i < _PV_CTRL_MAX; i++)
                g_string_append_printf(key, "%s\n", paths[i] ? paths[i] : "-");
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
        int r = pv_cgroup_paths_parse(&d->hier, cgtext, paths);
        if (r < 0)
                return r;
        r = pv_cgroup_unified_path_parse(cgtext, &unified);
        if (r < 0 && r != -ENOENT) {
                paths_free(paths);
                return r;
        }
        g_autofree char *key = registry_key(paths, unified);
        paths_free(paths);

        g_mutex_lock(&d->containers_lock);
        PvContainer *c = g_hash_table_lookup(d->containers, key);
        if (c)
                pv_container_ref(c);
        g_mutex_unlock(&d->containers_lock);
        if (c) {
                container_touch(c);
                *ret = c;
                return 0;
        }

        /* Opened and computed unlocked: may read many /proc files. */
        PvCgroup *cg = NULL;
        r = pv_cgroup_open_proc(&d->hier, cgtext, &cg);
        if (r < 0)
                return r;
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

/* Resolves (and caches) which process's cgroups define pid's container; returns a reference. */
static int resolve_target(PvDaemon *d, pid_t pid, CallerEntry **ret)
{
        PvCallerCache *cache = d->callers;
        char path[64];

        g_mutex_lock(&cache->lock);
        CallerEntry *e = g_hash_table_lookup(cache->readers, GINT_TO_POINTER(pid));
        if (e && pidfd_alive(e->pidfd) && (e->target_pidfd < 0 || pidfd_alive(e->target_pidfd))) {
                g_atomic_int_inc(&e->refs);
                g_mutex_unlock(&cache->lock);
                *ret = e;
                return 0;
        }
        if (e)
                g_hash_table_remove(cache->readers, GINT_TO_POINTER(pid));
        g_mutex_unlock(&cache->lock);

        e = g_new0(CallerEntry, 1);
        e->refs = 1;
        e->target = pid;
        e->target_pidfd = -1;
        e->cgroup_fd = -1;
        g_autoptr(CallerEntry) owned = e;

        /* The reader is blocked in this request, so its pid is not reused until we reply. */
        e->pidfd = pidfd_open_pid(pid);
        if (e->pidfd < 0 && errno != EINVAL)
                return -errno;
        /* without a pidfd (a thread, on kernels before 6.9) the entry is not cached */

        uint64_t ns = 0;
        int r = pidns_ino(d, pid, &ns);
        if (r == 0 && ns != d->self_pidns_ino) {
                pid_t init = 0;
                if (find_pidns_init(d, pid, ns, &init) == 0) {
                        e->target_pidfd = pidfd_open_pid(init);
                        /*
                         * The pid found may have been reused before the pidfd
                         * pinned it: the pidfd's process must still be in ns.
                         */
                        uint64_t init_ns = 0;
                        if (e->target_pidfd >= 0 &&
                            (pidns_ino(d, init, &init_ns) < 0 || init_ns != ns)) {
                                close(e->target_pidfd);
                                e->target_pidfd = -1;
                                errno = ESRCH;
                        }
                        /* EINVAL: no pidfds here; the entry is then not cached */
                        if (e->target_pidfd >= 0 || errno == EINVAL) {
                                e->target = init;
                                e->in_pidns = true;
                        }
                }
                /* no init found (it exited?): the reader's own cgroups */
        }
        r = pid_start_ns(d, e->target, &e->start_ns);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%d/cgroup", (int)e->target);
        e->cgroup_fd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (e->cgroup_fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        /* cached only while pidfds can tell when the reader or its init exit */
        if (e->pidfd >= 0 && (!e->in_pidns || e->target_pidfd >= 0)) {
                g_mutex_lock(&cache->lock);
                if (g_hash_table_size(cache->readers) >= CALLER_CACHE_MAX)
                        g_hash_table_remove_all(cache->readers);
                g_atomic_int_inc(&e->refs);
                g_hash_table_replace(cache->readers, GINT_TO_POINTER(pid), e);
                g_mutex_unlock(&cache->lock);
        }
        *ret = g_steal_pointer(&owned);
        return 0;
}

int pv_caller_container(PvDaemon *d, pid_t pid, PvContainer **ret)
{
        g_autoptr(CallerEntry) e = NULL;
        g_autofree char *cgtext = NULL;
        int r;

        if (pid <= 0)
                return -ESRCH;
        r = resolve_target(d, pid, &e);
        if (r < 0)
                return r;
        /* Re-read every time: a process can be moved to another cgroup at any moment. */
        r = pv_pread_all(e->cgroup_fd, &cgtext, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;
        if (!*cgtext) /* the target exited between the liveness check and the read */
                return -ESRCH;
        return registry_get(d, cgtext, e->in_pidns, e->start_ns, ret);
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
                if (!pidfd_alive(e->pidfd))
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
