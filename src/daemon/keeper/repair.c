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
/*
 * Namespaces repaired at once. Each detach waits for an RCU grace period
 * (namespace_unlock()), most of a repair's time, which other namespaces'
 * children can spend meanwhile.
 */
#define MAX_JOBS 16

/* One namespace being repaired by its child. */
typedef struct Job {
        pid_t pid;   /* the process whose namespace and root it entered */
        int pidfd;   /* its /proc directory */
        pid_t child; /* 0 once reaped */
        int in;      /* the read end of the child's results */
        GPtrArray *entries;
        unsigned char *res; /* a PvRepairResult per entry */
        guint got;
        gint64 deadline_us;
} Job;

typedef struct Pass {
        const char *live_mp;    /* the live mount point as our mountinfo shows it */
        GArray *dead;           /* uint64_t: the earlier connections of the mount point */
        GHashTable *namespaces; /* the inodes of the mount namespaces visited */
        GHashTable *devices;    /* the dead devices some mount still holds */
        GPtrArray *jobs;        /* Job: the namespaces being repaired */
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

/* Logs what was done in the namespace of job; counts it. */
static void report(Pass *p, const Job *job)
{
        g_autoptr(GString) line = g_string_new(NULL);
        char comm[64] = "?";
        unsigned done = 0, failed = 0;

        for (guint i = 0; i < job->entries->len; i++) {
                PvMountEntry *e = job->entries->pdata[i];
                PvRepairResult r = job->res[i];
                uint64_t dev = pv_mount_devno(e);
                /* only a mount replaced beneath is gone; a covered one stays */
                if (r != PV_REPAIR_BENEATH && !g_hash_table_contains(p->devices, &dev))
                        g_hash_table_add(p->devices, g_memdup2(&dev, sizeof(dev)));
                if (r == PV_REPAIR_LIVE || r == PV_REPAIR_CHANGED)
                        continue; /* not ours to report: answered, or covered meanwhile */
                if (pv_repair_result_done(r))
                        done++;
                else
                        failed++;
                g_string_append_printf(line, "%s%s (%s)", line->len ? ", " : "", e->mount_point,
                                       pv_repair_result_to_string(r));
        }
        if (line->len == 0)
                return;
        if (pv_read_head_at(job->pidfd, "comm", comm, sizeof(comm)) > 0)
                comm[strcspn(comm, "\n")] = '\0';
        p->stats.repaired += done;
        p->stats.failed += failed;
        p->stats.containers += done > 0;
        if (failed)
                pv_log_warning("repair of pid %d (%s): %u of %u dead procview mounts: %s",
                               (int)job->pid, comm, done, done + failed, line->str);
        else
                pv_log_info("repaired pid %d (%s): %s", (int)job->pid, comm, line->str);
}

/* Ends a job: kills a child that did not finish, reaps it, reports, frees. */
static void job_end(Pass *p, Job *job)
{
        if (job->child > 0 && job->got < job->entries->len) {
                if (g_get_monotonic_time() >= job->deadline_us)
                        pv_log_warning("the repair in the mount namespace of pid %d took "
                                       "over %d s: killed",
                                       (int)job->pid, CHILD_TIMEOUT_MS / 1000);
                kill(job->child, SIGKILL);
        }
        /* a child blocked in a FUSE request dies when it is answered: never wait for it */
        for (int i = 0; job->child > 0 && i < 100 && waitpid(job->child, NULL, WNOHANG) == 0; i++)
                g_usleep(10000);
        report(p, job);
        close(job->in);
        close(job->pidfd);
        g_ptr_array_unref(job->entries);
        g_free(job->res);
        g_ptr_array_remove_fast(p->jobs, job);
        g_free(job);
}

/* Takes the jobs' results until at most max jobs remain. */
static void wait_jobs(Pass *p, guint max)
{
        while (p->jobs->len > max) {
                g_autofree struct pollfd *pfd = g_new0(struct pollfd, p->jobs->len);
                gint64 now = g_get_monotonic_time(), first = G_MAXINT64;
                guint n = p->jobs->len;
                g_autofree Job **jobs = g_memdup2(p->jobs->pdata, n * sizeof(Job *));

                for (guint i = 0; i < n; i++) {
                        pfd[i] = (struct pollfd){.fd = jobs[i]->in, .events = POLLIN};
                        first = MIN(first, jobs[i]->deadline_us);
                }
                if (poll(pfd, n, (int)CLAMP((first - now) / 1000 + 1, 0, CHILD_TIMEOUT_MS)) < 0 &&
                    errno != EINTR)
                        return;
                now = g_get_monotonic_time();
                for (guint i = 0; i < n; i++) {
                        Job *job = jobs[i];
                        ssize_t k = 0;
                        if (pfd[i].revents)
                                k = read(job->in, job->res + job->got,
                                         job->entries->len - job->got);
                        if (k > 0)
                                job->got += (guint)k;
                        /* done (all results, or the pipe closed), or out of time */
                        if ((pfd[i].revents && k <= 0) || job->got == job->entries->len ||
                            now >= job->deadline_us)
                                job_end(p, job);
                }
        }
}

/* Starts the repair of the dead mounts entries (taken) of the namespace nsfd of pid. */
static void job_start(Pass *p, pid_t pid, int pidfd, int nsfd, GPtrArray *entries)
{
        g_autoptr(GPtrArray) owned = entries;
        g_autofree int *clones = NULL;
        int rootfd, pipefd[2];
        Job *job;

        rootfd = openat(pidfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return; /* it exited */
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                pv_log_warning("repair of pid %d: pipe: %m", (int)pid);
                close(rootfd);
                return;
        }
        clones = g_new(int, entries->len);
        for (guint i = 0; i < entries->len; i++) {
                PvMountEntry *e = entries->pdata[i];
                g_autofree char *path = live_path(p->live_mp, e->root);
                clones[i] =
                    path ? open_tree(AT_FDCWD, path,
                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW)
                         : -1;
        }
        job = g_new0(Job, 1);
        *job = (Job){.pid = pid,
                     .pidfd = dup(pidfd),
                     .in = pipefd[0],
                     .entries = g_steal_pointer(&owned),
                     .res = g_malloc(entries->len),
                     .deadline_us = g_get_monotonic_time() + CHILD_TIMEOUT_MS * 1000};
        memset(job->res, PV_REPAIR_UNREACHED, entries->len);
        job->child = fork();
        if (job->child == 0) {
                close(pipefd[0]);
                run_child(nsfd, rootfd, entries, clones, pipefd[1]);
        }
        close(pipefd[1]);
        for (guint i = 0; i < entries->len; i++)
                if (clones[i] >= 0)
                        close(clones[i]);
        close(rootfd);
        g_ptr_array_add(p->jobs, job);
        if (job->child < 0) {
                pv_log_warning("repair of pid %d: fork: %m", (int)pid);
                job->deadline_us = 0;
                job_end(p, job);
        }
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
        /* a process that exits meanwhile reads nothing: its namespace's other processes may */
        if (pv_read_file_at(pidfd, "mountinfo", &text, NULL) < 0 || !*text)
                goto out;
        g_hash_table_add(p->namespaces, g_memdup2(&ino, sizeof(ino)));
        p->stats.namespaces++;
        if (pv_mountinfo_select(text, PV_MOUNT_FSTYPE, (const uint64_t *)(void *)p->dead->data,
                                p->dead->len, entries) > 0) {
                wait_jobs(p, MAX_JOBS - 1);
                job_start(p, (pid_t)strtol(name, NULL, 10), pidfd, nsfd, g_steal_pointer(&entries));
        }
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
        g_autoptr(GPtrArray) jobs = g_ptr_array_new();
        Pass p = {.dead = dead, .namespaces = namespaces, .devices = devices, .jobs = jobs};
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
                gint64 t0 = g_get_monotonic_time();
                proc = opendir("/proc");
                if (!proc)
                        return -errno;
                while ((de = readdir(proc)))
                        if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
                                visit(&p, dirfd(proc), de->d_name);
                closedir(proc);
                wait_jobs(&p, 0);
                if (p.stats.repaired + p.stats.failed > 0)
                        pv_log_info("repair of %s: %u mounts in %u of %u mount namespaces "
                                    "replaced, %u left dead, in %.0f ms",
                                    live.mount_point, p.stats.repaired, p.stats.containers,
                                    p.stats.namespaces, p.stats.failed,
                                    (double)(g_get_monotonic_time() - t0) / 1000.0);
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
