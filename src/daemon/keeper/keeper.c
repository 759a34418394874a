/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The keeper's life: its signals and its loop, which keeps one worker
 * serving (keeper-workers.c) on the connection it got (keeper-mount.c) and
 * unmounts when told to stop.
 */
#include "keeper.h"

#include <errno.h>
#include <linux/fuse.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "fdstore.h"
#include "journal.h"
#include "handover.h"
#include "keeper-mount.h"
#include "keeper-refuse.h"
#include "keeper-workers.h"
#include "log.h"
#include "mountpoint.h"
#include "repair.h"
#include "takeover.h"

/* The keeper takes these from its signalfd only; *ret_mask (if not NULL) gets them. */

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
                        pv_keeper_reap(k);
                        break;
                case SIGHUP:
                        /* the binary on disk is the node's there, not this container's */
                        if (k->opts->mount_ns)
                                pv_log_warning("SIGHUP ignored: a procviewd in another "
                                               "mount namespace (--mount-ns) is upgraded by "
                                               "starting a new one, which takes over");
                        else if (!k->stopping)
                                pv_keeper_upgrade(k);
                        break;
                default:
                        if (!k->stopping)
                                pv_log_info("unmounting %s", k->opts->mountpoint);
                        k->stopping = true;
                        k->told_to_stop = true;
                        break;
                }
                struct pollfd p = {.fd = k->sigfd, .events = POLLIN};
                if (poll(&p, 1, 0) <= 0)
                        break;
        }
}

/*
 * Stopping: unmounts once, tells every worker to stop and kills those still
 * there after 10 s. Returns true once no worker is left.
 */
static bool stop_workers(Keeper *k, gint64 now, gint64 *stop_deadline)
{
        if (*stop_deadline == 0) {
                *stop_deadline = now + 10 * G_USEC_PER_SEC;
                /* handed over, or handing over: the new keeper serves this mount */
                if (!k->mount_gone && !k->handed_over && k->peer_fd < 0 &&
                    umount2(k->opts->mountpoint, MNT_DETACH) < 0)
                        pv_log_warning("cannot unmount %s: %m", k->opts->mountpoint);
        }
        for (unsigned i = 0; i < k->n_workers; i++) {
                pv_keeper_retire(&k->workers[i]);
                if (now > *stop_deadline)
                        kill(k->workers[i].pid, SIGKILL);
        }
        return k->n_workers == 0;
}

/*
 * Waits up to timeout_ms for a signal or a starting worker's readiness, and
 * handles them. A worker slow to start or to stop is killed.
 */
static void wait_events(Keeper *k, gint64 now, int timeout_ms)
{
        struct pollfd pfd[4 + MAX_WORKERS];
        KWorker *who[1 + MAX_WORKERS];
        unsigned n = 0, n_ready;

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
        n_ready = n;
        /* no worker can start: the keeper answers readers itself (keeper-refuse.h) */
        int refuse_fd = pv_keeper_refuse_fd(k);
        if (refuse_fd >= 0)
                pfd[n++] = (struct pollfd){.fd = refuse_fd, .events = POLLIN};
        /* the control socket, and a keeper taking over (takeover.h) */
        unsigned n_control = n;
        if (k->control_fd >= 0)
                pfd[n++] = (struct pollfd){.fd = k->control_fd, .events = POLLIN};
        unsigned n_peer = n;
        if (k->peer_fd >= 0)
                pfd[n++] = (struct pollfd){.fd = k->peer_fd, .events = POLLIN};
        if (poll(pfd, n, timeout_ms) < 0) {
                if (errno != EINTR) {
                        pv_log_error("poll: %m");
                        sleep(1);
                }
                return;
        }
        /* readiness first: signals may reorder the workers array */
        for (unsigned i = 1; i < n_ready; i++)
                if (pfd[i].revents)
                        pv_keeper_worker_ready(k, who[i]);
        if (refuse_fd >= 0 && pfd[n_ready].revents)
                pv_keeper_refuse_requests(k);
        if (k->peer_fd >= 0 && n_peer < n && pfd[n_peer].revents)
                pv_takeover_peer_event(k, g_get_monotonic_time());
        if (k->control_fd >= 0 && n_control < n_peer && pfd[n_control].revents)
                pv_takeover_accept(k);
        if (pfd[0].revents)
                handle_signals(k);
}

/*
 * Starts the repairer (repair.h) once a worker serves, and again every
 * PV_REPAIR_INTERVAL_S; kills one that takes over REPAIR_TIMEOUT_US.
 */
static void maybe_repair(Keeper *k, gint64 now)
{
        KWorker *w = pv_keeper_live_worker(k);
        pid_t pid;

        if (k->repair_pid > 0) {
                if (now - k->repair_started_us > REPAIR_TIMEOUT_US)
                        kill(k->repair_pid, SIGKILL);
                return;
        }
        if (k->opts->no_repair || k->stopping || k->peer_fd >= 0 || !w || w->ready_fd >= 0 ||
            now < k->next_repair_us)
                return;
        k->next_repair_us = now + PV_REPAIR_INTERVAL_S * G_USEC_PER_SEC;
        if (!pv_repair_needed(k->opts->mountpoint))
                return;
        pid = pv_repair_start(k->opts->mountpoint);
        if (pid < 0) {
                pv_log_warning("cannot start the repair of containers' mounts: %s",
                               g_strerror(-pid));
                return;
        }
        k->repair_pid = pid;
        k->repair_started_us = now;
}

/* Tells the keeper we took over from that our worker serves (takeover.h). */
static void announce_serving(Keeper *k)
{
        KWorker *w = pv_keeper_live_worker(k);

        if (k->takeover_fd >= 0 && w && w->ready_fd < 0 && w->served) {
                pv_takeover_announce(k);
                pv_takeover_listen(k);
        }
}

/*
 * Whether a keeper taken over from, its workers gone, waits for a signal
 * before exiting: one in a container (--mount-ns) does, since its exit would
 * have the container restarted and take the connection back. It holds
 * nothing of the connection meanwhile: a new keeper that dies leaves a dead
 * mount for the next one to repair, not a hung one.
 */
static bool wait_retired(Keeper *k)
{
        if (!k->handed_over || !k->opts->mount_ns || k->told_to_stop)
                return false;
        if (k->fuse_fd >= 0) {
                pv_takeover_close(k);
                pv_state_unmap(k->state);
                k->state = NULL;
                close_fd(&k->state_fd);
                close_fd(&k->fuse_fd);
        }
        return true;
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
                if (k->peer_fd >= 0 && now - k->handover_us > PV_TAKEOVER_TIMEOUT_US)
                        pv_takeover_peer_event(k, now);
                if (k->stopping) {
                        if (stop_workers(k, now, &stop_deadline) && !wait_retired(k))
                                return;
                } else if (!pv_keeper_live_worker(k) && k->peer_fd < 0) {
                        /* (while a keeper takes over from us, its worker is the next one) */
                        if (now >= k->next_start_us)
                                pv_keeper_start_worker(k);
                        else
                                timeout_ms = (int)((k->next_start_us - now) / 1000) + 1;
                }
                maybe_repair(k, now);
                announce_serving(k);
                wait_events(k, now, timeout_ms);
        }
}

int pv_keeper_main(PvOptions *opts, char **argv, PvWorkerMain *worker_main)
{
        Keeper k = {
            .opts = opts,
            .worker_main = worker_main,
            .argv = argv,
            .fuse_fd = -1,
            .state_fd = -1,
            .sigfd = -1,
            .refuse_fd = -1,
            .control_fd = -1,
            .peer_fd = -1,
            .takeover_fd = -1,
            .orphans = g_array_new(FALSE, FALSE, sizeof(Orphan)),
        };
        g_autofree char *resume = g_strdup(getenv(RESUME_ENV));
        int status = EXIT_FAILURE;
        int r;

        unsetenv(RESUME_ENV);
        k.exe = realpath("/proc/self/exe", NULL);
        if (!k.exe) {
                pv_log_error("cannot resolve /proc/self/exe: %m");
                goto out;
        }
        /* before any path is looked up: the mount point, /run and /proc are that namespace's */
        if (opts->mount_ns && pv_mountpoint_enter_ns(opts->mount_ns) < 0)
                goto out; /* said why */
        r = setup_signals(&k);
        if (r < 0) {
                pv_log_error("cannot set up signals: %s", g_strerror(-r));
                goto out;
        }
        r = pv_keeper_connect(&k, resume);
        if (r < 0)
                goto out; /* said why */
        k.resend = !opts->recovery_journal && (k.state->kernel_flags & PV_FUSE_HAS_RESEND);
        prctl(PR_SET_CHILD_SUBREAPER, 0);
        /* one taking over listens once it serves: until then the old keeper answers there */
        if (k.takeover_fd < 0)
                pv_takeover_listen(&k);
        loop(&k);
        if (!k.handed_over)
                pv_fdstore_remove();
        status = EXIT_SUCCESS;
out:
        pv_takeover_close(&k);
        close_fd(&k.peer_fd);
        close_fd(&k.takeover_fd);
        if (k.repair_pid > 0)
                kill(k.repair_pid, SIGKILL);
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
        close_fd(&k.refuse_fd); /* answering readers itself when it stopped */
        g_free(k.refuse_buf);
        free(k.exe);
        return status;
}
