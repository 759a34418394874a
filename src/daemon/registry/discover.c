/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The discovery scan: cgroups holding processes -> registered containers. */
#include "discover.h"
#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "container.h"
#include "parse-proc.h"
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
        disc->resume = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        disc->pass = 0;
}

void pv_discovery_clear(PvDiscovery *disc)
{
        g_clear_pointer(&disc->tracked, g_hash_table_destroy);
        g_clear_pointer(&disc->resume, g_hash_table_destroy);
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
        pid_t pid;
        return pv_parse_first_pid(buf, &pid) == 0 ? pid : 0;
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

/* A directory lists at most this many subdirectories to a pass. */
#define SCAN_LIST_MAX 65536

/* Where a pass starts among a directory's subdirectories. */
typedef struct Resume {
        unsigned offset;
        uint64_t pass; /* the last pass that scanned the directory */
} Resume;

/* The names of the subdirectories of dir_fd (at most SCAN_LIST_MAX), a new array. */
static GPtrArray *list_children(int dir_fd)
{
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        int list_fd = dup(dir_fd);
        DIR *dir = list_fd >= 0 ? fdopendir(list_fd) : NULL;
        if (!dir) {
                if (list_fd >= 0)
                        close(list_fd);
                return names;
        }
        struct dirent *de;
        while ((de = readdir(dir)) && names->len < SCAN_LIST_MAX)
                if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
                    strcmp(de->d_name, "..") != 0)
                        g_ptr_array_add(names, g_strdup(de->d_name));
        closedir(dir);
        return names;
}

/* The subdirectory of path named name ("" the root). */
static char *child_path(const char *path, const char *name)
{
        return *path ? g_strconcat(path, "/", name, NULL) : g_strdup(name);
}

/*
 * Visits the subdirectories of the cgroup path (open as dir_fd) and the
 * subtrees below them, at most budget directories in all. Its own
 * subdirectories come first; what is left goes to the subtrees below them
 * in equal shares, a subtree that needs less than its share leaving the rest
 * to those after it: each subtree gets at least an equal share, however
 * many cgroups another makes. A directory cut short resumes at the next pass
 * where this one stopped; otherwise the next pass goes the same way, so that
 * the cgroups tracked stay the same while the tree does (each cgroup newly
 * tracked costs a registration). Returns the directories visited.
 */
static unsigned scan_dir(PvDaemon *d, PvDiscovery *disc, const char *path, int dir_fd,
                         unsigned depth, unsigned budget)
{
        g_autoptr(GPtrArray) names = list_children(dir_fd);
        g_autoptr(GPtrArray) subtrees = g_ptr_array_new_with_free_func(g_free);
        unsigned n = names->len, left = budget, i;
        if (n == 0)
                return 0;
        Resume *resume = g_hash_table_lookup(disc->resume, path);
        if (!resume) {
                resume = g_new0(Resume, 1);
                g_hash_table_insert(disc->resume, g_strdup(path), resume);
        }
        unsigned start = resume->offset % n;
        for (i = 0; i < n && left > 0; i++) {
                const char *name = names->pdata[(start + i) % n];
                struct stat st;
                if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                left--;
                g_autofree char *sub = child_path(path, name);
                visit(d, disc, sub, (uint64_t)st.st_ino, dir_fd, name);
                /* a cgroup directory's link count is 2 plus its subdirectories (kernfs) */
                if (st.st_nlink > 2 && depth + 1 < SCAN_MAX_DEPTH)
                        g_ptr_array_add(subtrees, g_strdup(name));
        }
        if (i < n)
                disc->capped = true;
        resume->offset = i < n ? start + i : start;
        resume->pass = disc->pass;

        for (unsigned k = 0; k < subtrees->len; k++) {
                unsigned share = left / (subtrees->len - k);
                if (share == 0) {
                        disc->capped = true;
                        continue;
                }
                const char *name = subtrees->pdata[k];
                _cleanup_close_ int fd =
                    openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        continue;
                g_autofree char *sub = child_path(path, name);
                left -= scan_dir(d, disc, sub, fd, depth + 1, share);
        }
        return budget - left;
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

static gboolean resume_stale(gpointer key, gpointer value, gpointer data)
{
        return ((Resume *)value)->pass != *(uint64_t *)data;
}

int pv_discovery_scan(PvDaemon *d, PvDiscovery *disc)
{
        int ctrl = tasks_controller(&d->hier);
        if (ctrl < 0)
                return -ENODEV;
        int root_fd = d->hier.root_fd[ctrl];

        disc->pass++;
        disc->capped = false;
        _cleanup_close_ int fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* the root cgroup, the host's own, is never visited */
        if (d->opts.scan_max > 0)
                (void)scan_dir(d, disc, "", fd, 0, d->opts.scan_max);
        g_hash_table_foreach_remove(disc->resume, resume_stale, &disc->pass);
        sweep(d, disc, root_fd);
        return (int)g_hash_table_size(disc->tracked);
}
