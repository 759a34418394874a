/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The discovery scan: cgroups holding processes -> registered containers. */
#include "discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "container.h"
#include "procfs.h"

/* Real containers nest a few levels; deeper directories are not scanned. */
#define SCAN_MAX_DEPTH 32

/* One tracked cgroup directory. */
typedef struct Tracked {
        uint64_t ino;   /* its directory's inode: a cgroup made anew under the path differs */
        uint64_t pass;  /* the last pass that saw it */
        PvContainer *c; /* one reference */
} Tracked;

static void tracked_free(gpointer p)
{
        Tracked *t = p;
        g_atomic_int_add(&t->c->discovered, -1);
        pv_container_unref(t->c);
        g_free(t);
}

void pv_discovery_init(PvDiscovery *disc)
{
        disc->tracked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, tracked_free);
        disc->pass = 0;
}

void pv_discovery_clear(PvDiscovery *disc)
{
        g_clear_pointer(&disc->tracked, g_hash_table_destroy);
}

/* The hierarchy pv_cgroup_read_tasks counts on, or -1. */
static int tasks_controller(const PvHierarchy *h)
{
        static const PvController order[] = {PV_CTRL_PIDS,   PV_CTRL_CPUACCT, PV_CTRL_CPU,
                                             PV_CTRL_MEMORY, PV_CTRL_CPUSET,  PV_CTRL_IO};
        for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
                if (h->root_fd[order[i]] >= 0)
                        return (int)order[i];
        return -1;
}

/* The first process listed in the cgroup name below parent_fd, or 0 when it has none (or is gone).
 */
static pid_t first_process(int parent_fd, const char *name)
{
        char buf[32];
        g_autofree char *path = g_strconcat(name, "/cgroup.procs", NULL);
        /* the first line is enough: no need to read a long list to its end */
        if (pv_read_head_at(parent_fd, path, buf, sizeof(buf)) < 0)
                return 0;
        char *end;
        long pid = strtol(buf, &end, 10);
        return end != buf && pid > 0 && pid <= INT32_MAX ? (pid_t)pid : 0;
}

/* The container whose cgroups are pid's, registered if new, as a new reference. */
static int register_process(PvDaemon *d, pid_t pid, PvContainer **ret)
{
        g_autofree char *text = NULL;
        PvCgroupPaths paths;
        uint64_t start_ns = 0;

        int r = pv_procfs_read(d->proc_fd, pid, "cgroup", &text);
        if (r < 0)
                return r;
        (void)pv_procfs_start_ns(d->proc_fd, d->clk_tck, pid, &start_ns);
        r = pv_cgroup_paths_from_proc(&d->hier, text, &paths);
        if (r < 0)
                return r;
        /* not the container's first process: its start is its oldest task's */
        r = pv_registry_discover(d, &paths, start_ns, ret);
        pv_cgroup_paths_clear(&paths);
        return r;
}

/*
 * Tracks the cgroup at path (the directory name below parent_fd, inode ino)
 * if it holds processes and is not tracked yet.
 */
static void visit(PvDaemon *d, PvDiscovery *disc, const char *path, uint64_t ino, int parent_fd,
                  const char *name)
{
        Tracked *t = g_hash_table_lookup(disc->tracked, path);
        if (t && t->ino == ino) {
                t->pass = disc->pass;
                return;
        }
        if (t) { /* removed and made anew under the same name between two passes */
                pv_registry_forget(d, t->c);
                g_hash_table_remove(disc->tracked, path);
        }
        pid_t pid = first_process(parent_fd, name);
        PvContainer *c = NULL;
        if (pid <= 0 || register_process(d, pid, &c) < 0)
                return;
        if (c->is_root) {
                pv_container_unref(c);
                return;
        }
        g_atomic_int_inc(&c->discovered);
        /*
         * Its processes were there before this pass: the kernel would fold
         * them at the tick that woke the sampler, so the first fold is that
         * tick's, not the next one's.
         */
        uint64_t tick = pv_load_tick(d, g_get_monotonic_time());
        g_mutex_lock(&c->lock);
        if (!c->have_tasks && tick > 0 && c->load_tick == tick)
                c->load_tick = tick - 1;
        g_mutex_unlock(&c->lock);
        t = g_new0(Tracked, 1);
        t->ino = ino;
        t->pass = disc->pass;
        t->c = c;
        g_hash_table_insert(disc->tracked, g_strdup(path), t);
}

typedef struct Pending {
        char *path; /* "" for the root */
        unsigned depth;
} Pending;

/*
 * Visits the subdirectories of the cgroup p (open as dir_fd) while the
 * budget lasts, and queues those that have subdirectories of their own.
 */
static void scan_children(PvDaemon *d, PvDiscovery *disc, GQueue *queue, const Pending *p,
                          int dir_fd, unsigned *budget)
{
        int list_fd = dup(dir_fd);
        if (list_fd < 0)
                return;
        DIR *dir = fdopendir(list_fd);
        if (!dir) {
                close(list_fd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(dir))) {
                struct stat st;
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0 ||
                    fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (*budget == 0) { /* one more cgroup than the pass may visit */
                        disc->capped = true;
                        break;
                }
                (*budget)--;
                g_autofree char *path =
                    *p->path ? g_strconcat(p->path, "/", de->d_name, NULL) : g_strdup(de->d_name);
                visit(d, disc, path, (uint64_t)st.st_ino, dir_fd, de->d_name);
                /* a cgroup directory's link count is 2 plus its subdirectories (kernfs) */
                if (st.st_nlink <= 2 || p->depth + 1 >= SCAN_MAX_DEPTH)
                        continue;
                Pending *child = g_new(Pending, 1);
                child->path = g_steal_pointer(&path);
                child->depth = p->depth + 1;
                g_queue_push_tail(queue, child);
        }
        closedir(dir);
}

/* Whether the directory tracked at path is still the one t saw. */
static bool still_there(int root_fd, const char *path, const Tracked *t)
{
        struct stat st;
        return fstatat(root_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
               (uint64_t)st.st_ino == t->ino;
}

/* Stops tracking what this pass did not see, and what its last sample found empty. */
static void sweep(PvDaemon *d, PvDiscovery *disc, int root_fd)
{
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init(&it, disc->tracked);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                Tracked *t = value;
                bool seen = t->pass == disc->pass;
                g_mutex_lock(&t->c->lock);
                bool empty = t->c->have_tasks && t->c->tasks.total == 0;
                g_mutex_unlock(&t->c->lock);
                if (seen && !empty)
                        continue;
                if (!seen && !still_there(root_fd, key, t))
                        pv_registry_forget(d, t->c); /* removed: the next reader gets a new one */
                g_hash_table_iter_remove(&it);
        }
}

int pv_discovery_scan(PvDaemon *d, PvDiscovery *disc)
{
        int ctrl = tasks_controller(&d->hier);
        if (ctrl < 0)
                return -ENODEV;
        int root_fd = d->hier.root_fd[ctrl];
        GQueue queue = G_QUEUE_INIT;
        unsigned budget = d->opts.scan_max;
        int r = 0;

        disc->pass++;
        disc->capped = false;
        Pending *p = g_new(Pending, 1);
        p->path = g_strdup("");
        p->depth = 0;
        g_queue_push_tail(&queue, p);
        while ((p = g_queue_pop_head(&queue))) {
                _cleanup_close_ int fd = openat(root_fd, *p->path ? p->path : ".",
                                                O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 && !*p->path)
                        r = -errno;
                /* the root cgroup, the host's own, is never visited */
                if (fd >= 0)
                        scan_children(d, disc, &queue, p, fd, &budget);
                g_free(p->path);
                g_free(p);
        }
        if (r < 0)
                return r;
        sweep(d, disc, root_fd);
        return (int)g_hash_table_size(disc->tracked);
}
