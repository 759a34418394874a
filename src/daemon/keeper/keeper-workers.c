/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The keeper's workers: starting one, telling it to stop, its readiness, and
 * its death (the journal it leaves, the back-off of crash loops).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdstore.h"
#include "journal.h"
#include "keeper-refuse.h"
#include "keeper-workers.h"
#include "log.h"
#include "launch.h"

KWorker *pv_keeper_live_worker(Keeper *k)
{
        for (unsigned i = 0; i < k->n_workers; i++)
                if (!k->workers[i].retiring && !k->workers[i].old)
                        return &k->workers[i];
        return NULL;
}

/* The worker's side of the fork: drops what is the keeper's, then serves. */
static _Noreturn void run_worker(Keeper *k, pid_t keeper, int journal_fd, int ready_fd,
                                 uint64_t gen)
{
        /* die with the keeper: a worker alone would keep serving with nobody to replace it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != keeper)
                _exit(PV_WORKER_EXIT_SETUP);
        close(k->sigfd);
        if (k->refusing)
                close(k->refuse_fd);
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
            .ready_fd = ready_fd,
            .orphan_fds = (const int *)(void *)ofds->data,
            .n_orphans = ofds->len,
            .generation = gen,
        };
        int st = k->worker_main(k->opts, &a);
        g_array_free(ofds, TRUE);
        _exit(st);
}

int pv_keeper_rehearse_worker(Keeper *k)
{
        gint64 deadline = g_get_monotonic_time() + READY_TIMEOUT_US;
        pid_t keeper = getpid();
        int status;
        pid_t pid = fork(), w;

        if (pid < 0) {
                int r = -errno;
                pv_log_error("cannot start a worker: %s", g_strerror(-r));
                return r;
        }
        if (pid == 0)
                run_worker(k, keeper, -1, -1, 0); /* not connected yet: fuse_fd is -1 */
        while ((w = waitpid(pid, &status, WNOHANG)) <= 0) {
                if (w < 0 && errno != EINTR) {
                        int r = -errno;
                        pv_log_error("cannot wait for a worker setting up: %s", g_strerror(-r));
                        return r;
                }
                if (g_get_monotonic_time() > deadline) {
                        pv_log_error("a worker did not set up in 30 s");
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return -ETIMEDOUT;
                }
                g_usleep(G_USEC_PER_SEC / 100);
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == PV_WORKER_EXIT_STOPPED)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == PV_WORKER_EXIT_SETUP)
                return -EINVAL; /* it said why */
        if (WIFSIGNALED(status))
                pv_log_error("a worker setting up was killed by signal %d", WTERMSIG(status));
        else if (WEXITSTATUS(status) != PV_WORKER_EXIT_SYSCALL) /* that one said why */
                pv_log_error("a worker setting up exited with status %d", WEXITSTATUS(status));
        return -EIO;
}

void pv_keeper_start_worker(Keeper *k)
{
        PvJournal j;
        int pipefd[2];
        pid_t keeper = getpid();
        int r;

        if (k->n_workers == MAX_WORKERS)
                return;
        r = pv_journal_create(PV_WORKER_THREADS + 1, &j);
        if (r == 0 && pipe2(pipefd, O_CLOEXEC) < 0) {
                r = -errno;
                pv_journal_unmap(&j, true);
        }
        if (r < 0) {
                pv_log_error("cannot prepare a worker: %s", g_strerror(-r));
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
                close(pipefd[0]);
                run_worker(k, keeper, journal_fd, pipefd[1], gen);
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

/* How many requests the journal of a dead worker holds that it read and never answered. */
static unsigned journal_pending(int fd)
{
        PvJournal j;
        unsigned pending = 0;
        if (pv_journal_map(fd, &j) == 0) {
                pending = pv_journal_count_pending(&j);
                pv_journal_unmap(&j, false);
        }
        return pending;
}

/* Closes the dead workers' journals that hold nothing to answer any more. */
static void prune_orphans(Keeper *k)
{
        for (guint i = 0; i < k->orphans->len;) {
                Orphan o = g_array_index(k->orphans, Orphan, i);
                if (journal_pending(o.fd) == 0) {
                        close(o.fd);
                        pv_fdstore_remove_journal(o.gen);
                        g_array_remove_index(k->orphans, i);
                } else {
                        i++;
                }
        }
}

void pv_keeper_worker_ready(Keeper *k, KWorker *w)
{
        char c;
        ssize_t n = read(w->ready_fd, &c, 1);
        if (n < 0 && errno == EINTR)
                return;
        close_fd(&w->ready_fd);
        if (n != 1)
                return; /* died during setup: reaped soon */
        w->served = true;
        k->failed_starts = 0;
        /* the keeper's answering ends now, before it forks anything that would inherit it */
        pv_keeper_refuse_fd(k);
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

/* Says how worker w died. */
static void log_death(const KWorker *w, int status)
{
        bool crashed =
            !w->retiring || !WIFEXITED(status) || WEXITSTATUS(status) != PV_WORKER_EXIT_STOPPED;
        if (WIFSIGNALED(status))
                pv_log_warning("worker %d killed by signal %d%s", (int)w->pid, WTERMSIG(status),
                               w->retiring ? "" : ", starting a new one");
        else if (WEXITSTATUS(status) == PV_WORKER_EXIT_SYSCALL)
                pv_log_error("worker %d made a system call its seccomp filter forbids%s",
                             (int)w->pid, w->retiring ? "" : ", starting a new one");
        else if (crashed && WEXITSTATUS(status) != PV_WORKER_EXIT_UNMOUNTED)
                pv_log_warning("worker %d exited with status %d%s", (int)w->pid,
                               WEXITSTATUS(status), w->retiring ? "" : ", starting a new one");
        else if (!crashed)
                pv_log_info("worker %d stopped", (int)w->pid);
}

/* When the next worker starts after w, which was not told to stop, died. */
static void back_off(Keeper *k, const KWorker *w)
{
        gint64 now = g_get_monotonic_time();
        /* crash loops back off: 0.1 s doubling to 5 s */
        if (now - w->started_us < G_USEC_PER_SEC)
                k->backoff_us =
                    MIN(MAX(k->backoff_us * 2, G_USEC_PER_SEC / 10), 5 * G_USEC_PER_SEC);
        else
                k->backoff_us = 0;
        /* the start after a first failed one decides when readers get EIO: within 1 s */
        if (k->failed_starts == 1)
                k->backoff_us = MIN(k->backoff_us, G_USEC_PER_SEC);
        if (k->backoff_us > 0)
                pv_log_warning("workers die right after their start; next in %.1f s",
                               (double)k->backoff_us / G_USEC_PER_SEC);
        k->next_start_us = now + k->backoff_us;
}

/*
 * Forgets dead worker w. Its journal is kept as an orphan while it holds
 * requests the next worker must answer, unless the kernel resends them.
 * Returns whether it held any, to be resent.
 */
static bool bury(Keeper *k, const KWorker *w, int status)
{
        bool resend = false;

        log_death(w, status);
        if (WIFEXITED(status) && WEXITSTATUS(status) == PV_WORKER_EXIT_UNMOUNTED)
                k->mount_gone = true;
        unsigned pending = journal_pending(w->journal_fd);
        if (pending > 0 && !k->resend) {
                Orphan o = {.fd = w->journal_fd, .gen = w->gen};
                g_array_append_val(k->orphans, o);
        } else {
                resend = pending > 0;
                close(w->journal_fd);
                pv_fdstore_remove_journal(w->gen);
        }
        if (!w->retiring && !w->served)
                k->failed_starts++;
        if (!w->retiring)
                back_off(k, w);
        return resend;
}

void pv_keeper_reap(Keeper *k)
{
        bool resend = false;
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                unsigned i;
                for (i = 0; i < k->n_workers && k->workers[i].pid != pid; i++)
                        ;
                if (i == k->n_workers) {
                        if (pid == k->repair_pid)
                                k->repair_pid = 0;
                        continue;
                }
                KWorker w = k->workers[i];
                k->workers[i] = k->workers[--k->n_workers];
                close_fd(&w.ready_fd);
                resend |= bury(k, &w, status);
        }
        if (resend)
                pv_keeper_notify_resend(k);
        /* a retiring worker died with requests: a fresh worker answers them */
        KWorker *live = pv_keeper_live_worker(k);
        if (k->orphans->len > 0 && live && live->ready_fd < 0) {
                k->next_start_us = 0;
                pv_keeper_retire(live);
        }
}
