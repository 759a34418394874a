/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "fdstore.h"
#include "keeper-private.h"
#include "journal.h"
#include "log.h"
#include "mountpoint.h"
#include "preflight.h"
#include "worker.h"

/* ---- mounting ---- */

/* Mounts a fuse.procview file system on mp; returns its /dev/fuse fd or -errno. */
static int mount_fuse(const char *mp)
{
        g_autofree char *opts = NULL;
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        opts = g_strdup_printf("fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,"
                               "default_permissions",
                               fd, (unsigned)getuid(), (unsigned)getgid());
        if (mount("procview", mp, "fuse.procview", MS_NOSUID | MS_NODEV | MS_RDONLY, opts) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Reads the INIT request the kernel queued at mount into the state. */
static int read_init(Keeper *k)
{
        /* the kernel refuses reads shorter than its largest request */
        g_autofree void *buf = g_malloc(PV_JOURNAL_SLOT_SIZE);
        ssize_t n;

        do
                n = read(k->fuse_fd, buf, PV_JOURNAL_SLOT_SIZE);
        while (n < 0 && (errno == EINTR || errno == ENOENT));
        if (n < 0)
                return -errno;
        return pv_state_save_init(k->state, buf, (size_t)n);
}

/* ---- workers ---- */

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static KWorker *live_worker(Keeper *k)
{
        for (unsigned i = 0; i < k->n_workers; i++)
                if (!k->workers[i].retiring && !k->workers[i].old)
                        return &k->workers[i];
        return NULL;
}

static void start_worker(Keeper *k)
{
        PvJournal j;
        int pipefd[2];
        pid_t keeper = getpid();
        int r;

        if (k->n_workers == MAX_WORKERS)
                return;
        r = pv_journal_create(PV_WORKER_THREADS + 1, &j);
        if (r < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
                pv_log_error("cannot prepare a worker: %s", g_strerror(r < 0 ? -r : errno));
                if (r == 0)
                        pv_journal_unmap(&j, true);
                k->next_start_us = g_get_monotonic_time() + G_USEC_PER_SEC;
                return;
        }
        int journal_fd = j.fd;
        pv_journal_unmap(&j, false); /* the keeper looks into it only when the worker died */
        uint64_t gen = k->state->next_generation++;
        pid_t pid = fork();
        if (pid < 0) {
                pv_log_error("cannot start a worker: %m");
                close(journal_fd);
                close(pipefd[0]);
                close(pipefd[1]);
                k->next_start_us = g_get_monotonic_time() + G_USEC_PER_SEC;
                return;
        }
        if (pid == 0) {
                /* die with the keeper: a worker alone would keep serving with nobody to replace it
                 */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != keeper)
                        _exit(PV_WORKER_EXIT_SETUP);
                close(pipefd[0]);
                close(k->sigfd);
                for (unsigned i = 0; i < k->n_workers; i++) {
                        close_fd(&k->workers[i].ready_fd);
                        close_fd(&k->workers[i].journal_fd);
                }
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                GArray *ofds = g_array_new(FALSE, FALSE, sizeof(int));
                for (guint i = 0; i < k->orphans->len; i++)
                        g_array_append_val(ofds, g_array_index(k->orphans, Orphan, i).fd);
                PvWorkerArgs a = {
                    .fuse_fd = k->fuse_fd,
                    .state_fd = k->state_fd,
                    .journal_fd = journal_fd,
                    .ready_fd = pipefd[1],
                    .orphan_fds = (const int *)(void *)ofds->data,
                    .n_orphans = ofds->len,
                    .generation = gen,
                };
                int st = pv_worker_main(k->opts, &a);
                g_array_free(ofds, TRUE);
                _exit(st);
        }
        close(pipefd[1]);
        pv_fdstore_put_journal(journal_fd, gen);
        k->workers[k->n_workers++] = (KWorker){
            .pid = pid,
            .gen = gen,
            .journal_fd = journal_fd,
            .ready_fd = pipefd[0],
            .started_us = g_get_monotonic_time(),
        };
        pv_log_info("worker %d started", (int)pid);
}

void pv_keeper_retire(KWorker *w)
{
        if (w->retiring)
                return;
        w->retiring = true;
        w->retire_us = g_get_monotonic_time();
        kill(w->pid, SIGTERM);
}

/* Closes the dead workers' journals that hold nothing to answer any more. */
static void prune_orphans(Keeper *k)
{
        for (guint i = 0; i < k->orphans->len;) {
                Orphan o = g_array_index(k->orphans, Orphan, i);
                PvJournal j;
                unsigned pending = 0;
                if (pv_journal_map(o.fd, &j) == 0) {
                        pending = pv_journal_count_pending(&j);
                        pv_journal_unmap(&j, false);
                }
                if (pending == 0) {
                        close(o.fd);
                        pv_fdstore_remove_journal(o.gen);
                        g_array_remove_index(k->orphans, i);
                } else {
                        i++;
                }
        }
}

static void worker_ready(Keeper *k, KWorker *w)
{
        char c;
        ssize_t n = read(w->ready_fd, &c, 1);
        if (n < 0 && errno == EINTR)
                return;
        close_fd(&w->ready_fd);
        if (n != 1)
                return; /* died during setup: reaped soon */
        /* it has answered the orphans and serves: the others may go */
        prune_orphans(k);
        for (unsigned i = 0; i < k->n_workers; i++)
                if (&k->workers[i] != w)
                        pv_keeper_retire(&k->workers[i]);
}

/* Asks the kernel to queue again every request read and not answered (Linux >= 6.9). */
void pv_keeper_notify_resend(Keeper *k)
{
        struct fuse_out_header h = {.len = sizeof(h), .error = PV_FUSE_NOTIFY_RESEND};
        if (write(k->fuse_fd, &h, sizeof(h)) < 0)
                pv_log_error("FUSE_NOTIFY_RESEND failed: %m");
        else
                pv_log_info("sent FUSE_NOTIFY_RESEND: the kernel queues the dead worker's "
                            "requests again");
}

static void reap(Keeper *k)
{
        bool resend = false;
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                unsigned i;
                for (i = 0; i < k->n_workers && k->workers[i].pid != pid; i++)
                        ;
                if (i == k->n_workers)
                        continue;
                KWorker w = k->workers[i];
                k->workers[i] = k->workers[--k->n_workers];
                close_fd(&w.ready_fd);

                bool crashed = !w.retiring || !WIFEXITED(status) ||
                               WEXITSTATUS(status) != PV_WORKER_EXIT_STOPPED;
                if (WIFSIGNALED(status))
                        pv_log_warning("worker %d killed by signal %d%s", (int)pid,
                                       WTERMSIG(status), w.retiring ? "" : ", starting a new one");
                else if (WEXITSTATUS(status) == PV_WORKER_EXIT_UNMOUNTED)
                        k->mount_gone = true;
                else if (crashed)
                        pv_log_warning("worker %d exited with status %d%s", (int)pid,
                                       WEXITSTATUS(status),
                                       w.retiring ? "" : ", starting a new one");
                else
                        pv_log_info("worker %d stopped", (int)pid);

                PvJournal j;
                unsigned pending = 0;
                if (pv_journal_map(w.journal_fd, &j) == 0) {
                        pending = pv_journal_count_pending(&j);
                        pv_journal_unmap(&j, false);
                }
                if (pending > 0 && !k->resend) {
                        Orphan o = {.fd = w.journal_fd, .gen = w.gen};
                        g_array_append_val(k->orphans, o);
                } else {
                        resend |= pending > 0;
                        close(w.journal_fd);
                        pv_fdstore_remove_journal(w.gen);
                }

                if (!w.retiring) {
                        gint64 now = g_get_monotonic_time();
                        /* crash loops back off: 0.1 s doubling to 5 s */
                        if (now - w.started_us < G_USEC_PER_SEC)
                                k->backoff_us = MIN(MAX(k->backoff_us * 2, G_USEC_PER_SEC / 10),
                                                    5 * G_USEC_PER_SEC);
                        else
                                k->backoff_us = 0;
                        if (k->backoff_us > 0)
                                pv_log_warning("workers die right after their start; next in "
                                               "%.1f s",
                                               (double)k->backoff_us / G_USEC_PER_SEC);
                        k->next_start_us = now + k->backoff_us;
                }
        }
        if (resend)
                pv_keeper_notify_resend(k);
        /* a retiring worker died with requests: a fresh worker answers them */
        KWorker *live = live_worker(k);
        if (k->orphans->len > 0 && live && live->ready_fd < 0)
                k->next_start_us = 0, pv_keeper_retire(live);
}

/* ---- upgrade: re-execute the binary on disk, keeping the connection ---- */

/* The keeper takes these from its signalfd only; *ret_mask (if not NULL) gets them. */
void pv_keeper_block_signals(sigset_t *ret_mask)
{
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (ret_mask)
                *ret_mask = mask;
}

/* ---- the loop ---- */

static int setup_signals(Keeper *k)
{
        sigset_t mask;
        pv_keeper_block_signals(&mask);
        signal(SIGPIPE, SIG_IGN);
        k->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
        return k->sigfd < 0 ? -errno : 0;
}

static void handle_signals(Keeper *k)
{
        struct signalfd_siginfo si;
        while (read(k->sigfd, &si, sizeof(si)) == sizeof(si)) {
                switch (si.ssi_signo) {
                case SIGCHLD:
                        reap(k);
                        break;
                case SIGHUP:
                        if (!k->stopping)
                                pv_keeper_upgrade(k);
                        break;
                default:
                        if (!k->stopping)
                                pv_log_info("unmounting %s", k->opts->mountpoint);
                        k->stopping = true;
                        break;
                }
                struct pollfd p = {.fd = k->sigfd, .events = POLLIN};
                if (poll(&p, 1, 0) <= 0)
                        break;
        }
}

static void loop(Keeper *k)
{
        gint64 stop_deadline = 0;

        for (;;) {
                gint64 now = g_get_monotonic_time();
                int timeout_ms = 1000;

                if (k->mount_gone && !k->stopping) {
                        pv_log_info("%s was unmounted, stopping", k->opts->mountpoint);
                        k->stopping = true;
                }
                if (k->stopping) {
                        if (stop_deadline == 0) {
                                stop_deadline = now + 10 * G_USEC_PER_SEC;
                                if (!k->mount_gone && umount2(k->opts->mountpoint, MNT_DETACH) < 0)
                                        pv_log_warning("cannot unmount %s: %m",
                                                       k->opts->mountpoint);
                        }
                        for (unsigned i = 0; i < k->n_workers; i++) {
                                pv_keeper_retire(&k->workers[i]);
                                if (now > stop_deadline)
                                        kill(k->workers[i].pid, SIGKILL);
                        }
                        if (k->n_workers == 0)
                                return;
                } else if (!live_worker(k)) {
                        if (now >= k->next_start_us)
                                start_worker(k);
                        else
                                timeout_ms = (int)((k->next_start_us - now) / 1000) + 1;
                }

                struct pollfd pfd[1 + MAX_WORKERS];
                KWorker *who[1 + MAX_WORKERS];
                unsigned n = 0;
                pfd[n++] = (struct pollfd){.fd = k->sigfd, .events = POLLIN};
                for (unsigned i = 0; i < k->n_workers; i++) {
                        KWorker *w = &k->workers[i];
                        if (w->ready_fd >= 0 && now - w->started_us > READY_TIMEOUT_US) {
                                pv_log_error("worker %d did not start serving in 30 s, killing it",
                                             (int)w->pid);
                                kill(w->pid, SIGKILL);
                        }
                        if (w->retiring && now - w->retire_us > RETIRE_TIMEOUT_US)
                                kill(w->pid, SIGKILL);
                        if (w->ready_fd >= 0) {
                                who[n] = w;
                                pfd[n++] = (struct pollfd){.fd = w->ready_fd, .events = POLLIN};
                        }
                }
                if (poll(pfd, n, timeout_ms) < 0 && errno != EINTR) {
                        pv_log_error("poll: %m");
                        sleep(1);
                        continue;
                }
                /* readiness first: signals may reorder the workers array */
                for (unsigned i = 1; i < n; i++)
                        if (pfd[i].revents)
                                worker_ready(k, who[i]);
                if (pfd[0].revents)
                        handle_signals(k);
        }
}

int pv_keeper_main(PvOptions *opts, char **argv)
{
        Keeper k = {
            .opts = opts,
            .argv = argv,
            .fuse_fd = -1,
            .state_fd = -1,
            .sigfd = -1,
            .orphans = g_array_new(FALSE, FALSE, sizeof(Orphan)),
        };
        g_autoptr(GArray) jfds = g_array_new(FALSE, FALSE, sizeof(int));
        g_autoptr(GArray) jgens = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        const char *resume = getenv(RESUME_ENV);
        g_autofree char *resume_copy = g_strdup(resume);
        int status = EXIT_FAILURE;
        int r;

        unsetenv(RESUME_ENV);
        k.exe = realpath("/proc/self/exe", NULL);
        if (!k.exe) {
                fprintf(stderr, "procviewd: cannot resolve /proc/self/exe: %m\n");
                goto out;
        }
        r = setup_signals(&k);
        if (r < 0) {
                fprintf(stderr, "procviewd: cannot set up signals: %s\n", g_strerror(-r));
                goto out;
        }

        if (resume_copy) {
                r = pv_keeper_resume_from_env(&k, resume_copy);
                if (r == 0)
                        r = pv_state_map(k.state_fd, &k.state);
                if (r < 0) {
                        pv_log_error("cannot take over from the previous keeper: %s",
                                     g_strerror(-r));
                        goto out;
                }
                pv_keeper_keep_fds(&k, false);
                pv_log_info("procviewd %s keeper took over %s", PV_VERSION, opts->mountpoint);
        } else if (pv_fdstore_take(&k.fuse_fd, &k.state_fd, jfds, jgens) == 0) {
                r = pv_keeper_resume_from_fdstore(&k, jfds, jgens);
                if (r < 0)
                        goto out; /* said why */
        } else {
                r = pv_preflight_check();
                if (r < 0)
                        goto out; /* said why */
                r = pv_mountpoint_prepare(opts->mountpoint);
                if (r < 0)
                        goto out; /* said why */
                r = pv_state_create(&k.state_fd, &k.state);
                if (r < 0) {
                        fprintf(stderr, "procviewd: cannot create the keeper's state: %s\n",
                                g_strerror(-r));
                        goto out;
                }
                r = mount_fuse(opts->mountpoint);
                if (r < 0) {
                        fprintf(stderr, "procviewd: cannot mount on %s: %s%s\n", opts->mountpoint,
                                g_strerror(-r), r == -EPERM ? " (procviewd needs root)" : "");
                        goto out;
                }
                k.fuse_fd = r;
                r = read_init(&k);
                if (r < 0) {
                        fprintf(stderr, "procviewd: no FUSE INIT from the kernel: %s\n",
                                g_strerror(-r));
                        umount2(opts->mountpoint, MNT_DETACH);
                        goto out;
                }
                if (!opts->foreground) {
                        pv_log_setup(false, opts->debug);
                        if (fuse_daemonize(0) < 0)
                                goto out;
                }
                pv_log_info("procviewd %s keeper mounted %s", PV_VERSION, opts->mountpoint);
                pv_fdstore_put(k.fuse_fd, k.state_fd);
        }
        k.resend = !opts->recovery_journal && (k.state->kernel_flags & PV_FUSE_HAS_RESEND);
        prctl(PR_SET_CHILD_SUBREAPER, 0);
        loop(&k);
        pv_fdstore_remove();
        status = EXIT_SUCCESS;
out:
        for (guint i = 0; i < k.orphans->len; i++) {
                close(g_array_index(k.orphans, Orphan, i).fd);
                if (status == EXIT_SUCCESS)
                        pv_fdstore_remove_journal(g_array_index(k.orphans, Orphan, i).gen);
        }
        g_array_free(k.orphans, TRUE);
        pv_state_unmap(k.state);
        close_fd(&k.state_fd);
        close_fd(&k.fuse_fd);
        close_fd(&k.sigfd);
        free(k.exe);
        return status;
}
