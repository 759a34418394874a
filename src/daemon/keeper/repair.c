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
#include <sys/resource.h>
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

/* How long a child may take per namespace, and for a whole batch at least. */
#define NS_TIMEOUT_MS 200
#define BATCH_TIMEOUT_MS 5000
/*
 * Namespaces one child repairs, one after another (it may enter any number
 * of them): a fork per namespace cost more than the repair, above all in the
 * copy-on-write faults and TLB shootdowns that also slowed the readers of
 * live containers.
 */
#define BATCH 32
/*
 * Children at work at once. Each detach waits for an RCU grace period
 * (namespace_unlock()), which other children can spend meanwhile.
 */
#define MAX_JOBS 4

/* One mount namespace to repair, entered through one of its processes. */
typedef struct Target {
        pid_t pid;
        int pidfd;  /* its /proc directory */
        int nsfd;   /* its ns/mnt, until the child has it */
        int rootfd; /* its root, until the child has it */
        GPtrArray *entries;
        int *clones; /* a clone of the live view per entry, or -1 */
} Target;

/* A batch of namespaces, repaired by one child. */
typedef struct Job {
        GPtrArray *targets; /* Target */
        guint n_entries;    /* of all targets */
        unsigned char *res; /* a PvRepairResult per entry, in the targets' order */
        guint got;
        pid_t child;
        int in; /* the read end of the child's results */
        gint64 deadline_us;
} Job;

typedef struct Pass {
        const char *live_mp;    /* the live mount point as our mountinfo shows it */
        GArray *dead;           /* uint64_t: the earlier connections of the mount point */
        GHashTable *namespaces; /* the inodes of the mount namespaces visited */
        GHashTable *devices;    /* the dead devices some mount still holds */
        GPtrArray *jobs;        /* Job: the batches being repaired */
        Job *batch;             /* the batch being filled */
        /* for the summary: namespaces visited, those where a mount shows the live view
           now, mounts that do, dead mounts left dead */
        unsigned visited, containers, repaired, failed;
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

/* Closes the fds the child took: the namespace, the root, the clones. */
static void target_release(Target *t)
{
        for (guint i = 0; t->clones && i < t->entries->len; i++)
                if (t->clones[i] >= 0)
                        close(t->clones[i]);
        g_clear_pointer(&t->clones, g_free);
        if (t->nsfd >= 0)
                close(t->nsfd);
        if (t->rootfd >= 0)
                close(t->rootfd);
        t->nsfd = t->rootfd = -1;
}

static void target_free(gpointer data)
{
        Target *t = data;
        target_release(t);
        close(t->pidfd);
        g_ptr_array_unref(t->entries);
        g_free(t);
}

/*
 * The child: enters each namespace of the batch in turn and repairs its
 * mounts, writing one result byte per mount to out, in order.
 */
static G_NORETURN void run_child(const Job *job, int out)
{
        for (guint t = 0; t < job->targets->len; t++) {
                const Target *target = job->targets->pdata[t];
                bool in = pv_repair_enter(target->nsfd, target->rootfd) == 0;
                for (guint i = 0; i < target->entries->len; i++) {
                        unsigned char r =
                            !in ? PV_REPAIR_UNREACHED
                            : target->clones[i] < 0
                                ? PV_REPAIR_NO_CLONE
                                : pv_repair_mount(target->entries->pdata[i], target->clones[i]);
                        if (write(out, &r, 1) != 1)
                                _exit(1);
                }
        }
        _exit(0);
}

/* Logs what was done in the namespace of target (results res); counts it. */
static void report(Pass *p, const Target *target, const unsigned char *res)
{
        g_autoptr(GString) line = g_string_new(NULL);
        char comm[64] = "?";
        unsigned done = 0, failed = 0;

        for (guint i = 0; i < target->entries->len; i++) {
                PvMountEntry *e = target->entries->pdata[i];
                PvRepairResult r = res[i];
                uint64_t dev = pv_mount_devno(e);
                /* only a mount replaced beneath is gone; a covered one stays */
                if (r != PV_REPAIR_BENEATH && !g_hash_table_contains(p->devices, &dev))
                        g_hash_table_add(p->devices, g_memdup2(&dev, sizeof(dev)));
                if (r == PV_REPAIR_LIVE || r == PV_REPAIR_CHANGED)
                        continue; /* not ours to report: answered, or covered meanwhile */
                if (r == PV_REPAIR_UNREACHED && kill(target->pid, 0) < 0)
                        continue; /* it exited, and its namespace with it, or another has it */
                if (pv_repair_result_done(r))
                        done++;
                else
                        failed++;
                g_string_append_printf(line, "%s%s (%s)", line->len ? ", " : "", e->mount_point,
                                       pv_repair_result_to_string(r));
        }
        if (line->len == 0)
                return;
        if (pv_read_head_at(target->pidfd, "comm", comm, sizeof(comm)) > 0)
                comm[strcspn(comm, "\n")] = '\0';
        p->repaired += done;
        p->failed += failed;
        p->containers += done > 0;
        if (failed)
                pv_log_warning("repair of pid %d (%s): %u of %u dead procview mounts: %s",
                               (int)target->pid, comm, done, done + failed, line->str);
        else
                pv_log_info("repaired pid %d (%s): %s", (int)target->pid, comm, line->str);
}

static void job_free(Job *job)
{
        g_ptr_array_unref(job->targets);
        g_free(job->res);
        if (job->in >= 0)
                close(job->in);
        g_free(job);
}

/* Ends a job: kills a child that did not finish, reaps it, reports, frees. */
static void job_end(Pass *p, Job *job)
{
        if (job->child > 0 && job->got < job->n_entries) {
                pv_log_warning("the repair of %u mount namespaces took over %d ms: killed",
                               job->targets->len,
                               (int)(BATCH_TIMEOUT_MS + NS_TIMEOUT_MS * job->targets->len));
                kill(job->child, SIGKILL);
        }
        /* a child blocked in a FUSE request dies when it is answered: never wait for it */
        for (int i = 0; job->child > 0 && i < 100 && waitpid(job->child, NULL, WNOHANG) == 0; i++)
                g_usleep(10000);
        for (guint t = 0, first = 0; t < job->targets->len; t++) {
                const Target *target = job->targets->pdata[t];
                report(p, target, job->res + first);
                first += target->entries->len;
        }
        g_ptr_array_remove_fast(p->jobs, job);
        job_free(job);
}

/* Takes the jobs' results until at most max jobs remain. */
static void wait_jobs(Pass *p, guint max)
{
        while (p->jobs->len > max) {
                guint n = p->jobs->len;
                g_autofree struct pollfd *pfd = g_new0(struct pollfd, n);
                g_autofree Job **jobs = g_memdup2(p->jobs->pdata, n * sizeof(Job *));
                gint64 now = g_get_monotonic_time(), first = G_MAXINT64;

                for (guint i = 0; i < n; i++) {
                        pfd[i] = (struct pollfd){.fd = jobs[i]->in, .events = POLLIN};
                        first = MIN(first, jobs[i]->deadline_us);
                }
                if (poll(pfd, n, (int)CLAMP((first - now) / 1000 + 1, 0, BATCH_TIMEOUT_MS)) < 0 &&
                    errno != EINTR)
                        return;
                now = g_get_monotonic_time();
                for (guint i = 0; i < n; i++) {
                        Job *job = jobs[i];
                        ssize_t k = 0;
                        if (pfd[i].revents)
                                k = read(job->in, job->res + job->got, job->n_entries - job->got);
                        if (k > 0)
                                job->got += (guint)k;
                        /* done (all results, or the pipe closed), or out of time */
                        if ((pfd[i].revents && k <= 0) || job->got == job->n_entries ||
                            now >= job->deadline_us)
                                job_end(p, job);
                }
        }
}

/* Forks the child of the batch being filled, once fewer than MAX_JOBS work. */
static void batch_launch(Pass *p)
{
        Job *job = g_steal_pointer(&p->batch);
        int pipefd[2];

        if (!job)
                return;
        wait_jobs(p, MAX_JOBS - 1);
        job->res = g_malloc(job->n_entries);
        memset(job->res, PV_REPAIR_UNREACHED, job->n_entries);
        job->deadline_us = g_get_monotonic_time() +
                           (BATCH_TIMEOUT_MS + NS_TIMEOUT_MS * (gint64)job->targets->len) * 1000;
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                pv_log_warning("repair: pipe: %m");
                job->in = -1;
                job->child = 0;
        } else {
                job->in = pipefd[0];
                job->child = fork();
                if (job->child == 0) {
                        close(pipefd[0]);
                        run_child(job, pipefd[1]);
                }
                close(pipefd[1]);
                if (job->child < 0)
                        pv_log_warning("repair: fork: %m");
        }
        for (guint t = 0; t < job->targets->len; t++)
                target_release(job->targets->pdata[t]);
        g_ptr_array_add(p->jobs, job);
        if (job->child <= 0)
                job_end(p, job);
}

/* Adds the namespace nsfd of pid, with its dead mounts entries (taken), to the batch. */
static void batch_add(Pass *p, pid_t pid, int pidfd, int nsfd, GPtrArray *entries)
{
        Target *t;
        int rootfd = openat(pidfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (rootfd < 0) {
                g_ptr_array_unref(entries);
                return; /* it exited */
        }
        t = g_new0(Target, 1);
        *t = (Target){.pid = pid,
                      .pidfd = dup(pidfd),
                      .nsfd = dup(nsfd),
                      .rootfd = rootfd,
                      .entries = entries,
                      .clones = g_new(int, entries->len)};
        for (guint i = 0; i < entries->len; i++) {
                PvMountEntry *e = entries->pdata[i];
                g_autofree char *path = live_path(p->live_mp, e->root);
                t->clones[i] =
                    path ? open_tree(AT_FDCWD, path,
                                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW)
                         : -1;
        }
        if (!p->batch) {
                p->batch = g_new0(Job, 1);
                p->batch->targets = g_ptr_array_new_with_free_func(target_free);
                p->batch->in = -1;
        }
        g_ptr_array_add(p->batch->targets, t);
        p->batch->n_entries += entries->len;
        if (p->batch->targets->len >= BATCH)
                batch_launch(p);
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
        p->visited++;
        if (pv_mountinfo_select(text, PV_MOUNT_FSTYPE, (const uint64_t *)(void *)p->dead->data,
                                p->dead->len, entries) > 0) {
                batch_add(p, (pid_t)strtol(name, NULL, 10), pidfd, nsfd, g_steal_pointer(&entries));
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

/*
 * One pass over mountpoint's dead connections, in this process: logs one
 * line per namespace with dead mounts and a summary, then forgets the
 * connections no mount uses any more. Returns 0, -ENOENT when no procview
 * mount is live at mountpoint, or -errno.
 */
static int repair_run(const char *mountpoint)
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
                batch_launch(&p);
                wait_jobs(&p, 0);
                if (p.repaired + p.failed > 0)
                        pv_log_info("repair of %s: %u mounts in %u of %u mount namespaces "
                                    "replaced, %u left dead, in %.0f ms",
                                    live.mount_point, p.repaired, p.containers, p.visited, p.failed,
                                    (double)(g_get_monotonic_time() - t0) / 1000.0);
        }
        if (dead->len > 0 || history->len == 0)
                forget_unused(&p, mountpoint, live_dev);
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
        /* the readers of live containers come first */
        if (setpriority(PRIO_PROCESS, 0, 19) < 0)
                pv_log_debug("repair: setpriority: %m");
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        _exit(repair_run(mountpoint) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
}
