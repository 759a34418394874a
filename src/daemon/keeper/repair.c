/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "repair.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "connections.h"
#include "fileio.h"
#include "log.h"
#include "mountinfo.h"
#include "repair-mount.h"

/* How long one namespace's child may take for all its mounts. */
#define CHILD_TIMEOUT_MS 5000

typedef struct Pass {
        const char *live_mp;    /* the live mount point as our mountinfo shows it */
        GArray *dead;           /* uint64_t: the earlier connections of the mount point */
        GHashTable *namespaces; /* the inodes of the mount namespaces visited */
        GHashTable *devices;    /* every procview device some namespace shows */
        PvRepairStats stats;
} Pass;

/*
 * The path of the live mount's view of root, the directory of procview's
 * tree a dead mount showed, or NULL when root would leave the tree.
 */
static char *live_path(const char *mp, const char *root)
{
        g_auto(GStrv) parts = NULL;

        if (root[0] != '/')
                return NULL;
        parts = g_strsplit(root, "/", -1);
        for (char **p = parts; *p; p++)
                if (strcmp(*p, "..") == 0 || strcmp(*p, ".") == 0)
                        return NULL;
        return strcmp(root, "/") == 0 ? g_strdup(mp) : g_strconcat(mp, root, NULL);
}

/* The child: enters the namespace, repairs, writes one result byte per mount to out. */
static G_NORETURN void run_child(int nsfd, int rootfd, GPtrArray *entries, const int *clones,
                                 int out)
{
        if (pv_repair_enter(nsfd, rootfd) < 0)
                _exit(1);
        for (guint i = 0; i < entries->len; i++) {
                unsigned char r = clones[i] < 0 ? PV_REPAIR_NO_CLONE
                                                : pv_repair_mount(entries->pdata[i], clones[i]);
                if (write(out, &r, 1) != 1)
                        _exit(1);
        }
        _exit(0);
}

/* Reads the child's results into res (n of them) for CHILD_TIMEOUT_MS at most; reaps it. */
static void collect(pid_t child, int in, unsigned char *res, guint n)
{
        gint64 deadline = g_get_monotonic_time() + CHILD_TIMEOUT_MS * 1000;
        guint got = 0;

        while (got < n) {
                gint64 left = (deadline - g_get_monotonic_time()) / 1000;
                struct pollfd p = {.fd = in, .events = POLLIN};
                ssize_t k;

                if (left <= 0 || poll(&p, 1, (int)left) <= 0)
                        break;
                k = read(in, res + got, n - got);
                if (k <= 0)
                        break;
                got += (guint)k;
        }
        if (got < n) {
                pv_log_warning("the repair in the mount namespace of a container took over "
                               "%d s: killed",
                               CHILD_TIMEOUT_MS / 1000);
                kill(child, SIGKILL);
        }
        /* a child blocked in a FUSE request dies when it is answered: never wait for it */
        for (int i = 0; i < 100 && waitpid(child, NULL, WNOHANG) == 0; i++)
                g_usleep(10000);
}

/* Logs what was done in the namespace of pid; counts it. */
static void report(Pass *p, pid_t pid, int pidfd, GPtrArray *entries, const unsigned char *res)
{
        g_autoptr(GString) line = g_string_new(NULL);
        char comm[64] = "?";
        unsigned done = 0, failed = 0;

        for (guint i = 0; i < entries->len; i++) {
                PvMountEntry *e = entries->pdata[i];
                if (res[i] == PV_REPAIR_LIVE || res[i] == PV_REPAIR_CHANGED)
                        continue; /* not ours to report: answered, or covered meanwhile */
                if (pv_repair_result_done(res[i]))
                        done++;
                else
                        failed++;
                g_string_append_printf(line, "%s%s (%s)", line->len ? ", " : "", e->mount_point,
                                       pv_repair_result_to_string(res[i]));
        }
        if (line->len == 0)
                return;
        if (pv_read_head_at(pidfd, "comm", comm, sizeof(comm)) > 0)
                comm[strcspn(comm, "\n")] = '\0';
        p->stats.repaired += done;
        p->stats.failed += failed;
        p->stats.containers += done > 0;
        if (failed)
                pv_log_warning("repair of pid %d (%s): %u of %u dead procview mounts: %s", (int)pid,
                               comm, done, done + failed, line->str);
        else
                pv_log_info("repaired pid %d (%s): %s", (int)pid, comm, line->str);
}

/* Replaces the dead mounts entries of the namespace nsfd of process pid. */
static void repair_namespace(Pass *p, pid_t pid, int pidfd, int nsfd, GPtrArray *entries)
{
        g_autofree int *clones = g_new(int, entries->len);
        g_autofree unsigned char *res = g_malloc(entries->len);
        int rootfd, pipefd[2];
        pid_t child;

        memset(res, PV_REPAIR_UNREACHED, entries->len);
        rootfd = openat(pidfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return; /* it exited */
        for (guint i = 0; i < entries->len; i++) {
                PvMountEntry *e = entries->pdata[i];
                g_autofree char *path = live_path(p->live_mp, e->root);
                clones[i] =
                    path ? open_tree(AT_FDCWD, path,
                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW)
                         : -1;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                pv_log_warning("repair of pid %d: pipe: %m", (int)pid);
                goto out;
        }
        child = fork();
        if (child == 0) {
                close(pipefd[0]);
                run_child(nsfd, rootfd, entries, clones, pipefd[1]);
        }
        close(pipefd[1]);
        if (child < 0)
                pv_log_warning("repair of pid %d: fork: %m", (int)pid);
        else
                collect(child, pipefd[0], res, entries->len);
        close(pipefd[0]);
        report(p, pid, pidfd, entries, res);
out:
        for (guint i = 0; i < entries->len; i++)
                if (clones[i] >= 0)
                        close(clones[i]);
        close(rootfd);
}

/* Visits the mount namespace of process name (a directory of /proc), once per namespace. */
static void visit(Pass *p, int procfd, const char *name)
{
        g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(pv_mount_entry_free);
        _cleanup_free_ char *text = NULL;
        struct stat st;
        int pidfd, nsfd = -1;
        uint64_t ino;

        pidfd = openat(procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (pidfd < 0)
                return;
        nsfd = openat(pidfd, "ns/mnt", O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || fstat(nsfd, &st) < 0)
                goto out;
        ino = (uint64_t)st.st_ino;
        if (g_hash_table_contains(p->namespaces, &ino))
                goto out;
        g_hash_table_add(p->namespaces, g_memdup2(&ino, sizeof(ino)));
        p->stats.namespaces++;
        if (pv_read_file_at(pidfd, "mountinfo", &text, NULL) < 0)
                goto out;
        if (pv_mountinfo_select(text, PV_MOUNT_FSTYPE, (const uint64_t *)(void *)p->dead->data,
                                p->dead->len, entries, p->devices) > 0)
                repair_namespace(p, (pid_t)strtol(name, NULL, 10), pidfd, nsfd, entries);
out:
        if (nsfd >= 0)
                close(nsfd);
        close(pidfd);
}

/* Keeps of the history the live connection and the dead ones some mount still uses. */
static void forget_unused(Pass *p, const char *mountpoint, uint64_t live)
{
        g_autoptr(GArray) keep = g_array_new(FALSE, FALSE, sizeof(uint64_t));

        for (guint i = 0; i < p->dead->len; i++)
                if (g_hash_table_contains(p->devices, &g_array_index(p->dead, uint64_t, i)))
                        g_array_append_val(keep, g_array_index(p->dead, uint64_t, i));
        g_array_append_val(keep, live);
        if (pv_connections_write(mountpoint, keep) < 0)
                pv_log_warning("cannot write the connections of %s under %s", mountpoint,
                               PV_CONNECTIONS_DIR);
}

int pv_repair_run(const char *mountpoint, PvRepairStats *stats)
{
        g_auto(PvMountEntry) live = {0};
        g_autoptr(GArray) history = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) dead = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GHashTable) namespaces =
            g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_autoptr(GHashTable) devices =
            g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        Pass p = {.dead = dead, .namespaces = namespaces, .devices = devices};
        uint64_t live_dev;
        struct dirent *de;
        DIR *proc;
        int r;

        r = pv_mount_find(mountpoint, &live);
        if (r < 0)
                return r;
        if (strcmp(live.fs_type, PV_MOUNT_FSTYPE) != 0)
                return -ENOENT;
        live_dev = pv_mount_devno(&live);
        p.live_mp = live.mount_point;
        r = pv_connections_read(mountpoint, history);
        if (r < 0)
                return r;
        for (guint i = 0; i < history->len; i++)
                if (g_array_index(history, uint64_t, i) != live_dev)
                        g_array_append_val(dead, g_array_index(history, uint64_t, i));
        if (dead->len > 0) {
                proc = opendir("/proc");
                if (!proc)
                        return -errno;
                while ((de = readdir(proc)))
                        if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
                                visit(&p, dirfd(proc), de->d_name);
                closedir(proc);
        }
        if (dead->len > 0 || history->len == 0)
                forget_unused(&p, mountpoint, live_dev);
        if (stats)
                *stats = p.stats;
        return 0;
}

bool pv_repair_needed(const char *mountpoint)
{
        g_auto(PvMountEntry) live = {0};
        g_autoptr(GArray) history = g_array_new(FALSE, FALSE, sizeof(uint64_t));

        if (pv_mount_find(mountpoint, &live) < 0 || pv_connections_read(mountpoint, history) < 0)
                return false;
        for (guint i = 0; i < history->len; i++)
                if (g_array_index(history, uint64_t, i) != pv_mount_devno(&live))
                        return true;
        return false;
}

pid_t pv_repair_start(const char *mountpoint)
{
        sigset_t none;
        pid_t pid = fork();

        if (pid != 0)
                return pid < 0 ? -errno : pid;
        /* the keeper's fds stay with it: above all, its FUSE connection */
        closelog();
        close_range(3, ~0U, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_NAME, PV_REPAIR_COMM);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        _exit(pv_repair_run(mountpoint, NULL) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}
