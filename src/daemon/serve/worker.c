/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "registry/caller.h"
#include "confine.h"
#include "fs.h"
#include "gate.h"
#include "gather/fs-table.h"
#include "gather/host.h"
#include "handle.h"
#include "journal.h"
#include "log.h"
#include "registry/sampler.h"
#include "sigset.h"
#include "worker-setup.h"

#define REPLAY_SLOT PV_WORKER_THREADS

/* The serving machinery of this process (one worker per process). */
typedef struct Worker {
        struct fuse_session *se;
        int fd;
        PvJournal journal;
        PvKeeperState *state;
        uint64_t init_unique;
        bool drop_init_reply; /* the kernel has its INIT reply already */
        int stop_event;       /* eventfd: a serving thread saw the connection end */
        pthread_t threads[PV_WORKER_THREADS];
        bool joined[PV_WORKER_THREADS];
        pthread_t watcher; /* of the gate */
        bool watching;     /* watcher started and not joined */
        int stopping;      /* atomic */
        int ended;         /* atomic: the connection is gone */
} Worker;

static Worker worker;
static __thread int thread_slot = -1;

static PvGate gate = PV_GATE_INIT;

/*
 * Every reply passes here. The slot of the thread that answers is marked
 * answered, so a worker killed afterwards leaves nothing to answer again. A
 * write failing with ENOENT means the kernel no longer waits for that id
 * (interrupted, or answered before a takeover): nothing is lost. Returns
 * what writev(2) returns, with its errno: libfuse's custom I/O reads both.
 */
static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
        const struct fuse_out_header *out = iov[0].iov_base;
        ssize_t n;

        if (worker.drop_init_reply && out->unique == worker.init_unique) {
                size_t total = 0;
                for (int i = 0; i < count; i++)
                        total += iov[i].iov_len;
                return (ssize_t)total;
        }
        n = writev(fd, iov, count);
        /* stores to shared memory only: no call below changes writev's errno */
        if (out->unique != 0 && thread_slot >= 0)
                pv_journal_answered(&worker.journal, (unsigned)thread_slot, out->unique);
        if (n >= 0 && out->unique == worker.init_unique && worker.state)
                __atomic_store_n(&worker.state->init_answered, 1, __ATOMIC_RELEASE);
        return n;
}

/* libfuse insists on a read function; requests are read by serve_thread itself. */
static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
        return read(fd, buf, len);
}

static const struct fuse_custom_io worker_io = {
    .writev = io_writev,
    .read = io_read,
};

static void *watch_thread(void *arg)
{
        pv_gate_watch(&gate, &worker.stopping);
        return NULL;
}

static void kick_handler(int sig)
{
        /* only interrupts a blocking read of /dev/fuse (installed without SA_RESTART) */
}

static void *serve_thread(void *arg)
{
        unsigned slot = (unsigned)(uintptr_t)arg;
        void *buf = pv_journal_slot(&worker.journal, slot);
        sigset_t kick;

        thread_slot = (int)slot;
        sigemptyset(&kick);
        sigaddset(&kick, SIGUSR2);
        pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
        /* touch the slot now: the kernel's copy into it must not fault later */
        memset(buf, 0, 8192);

        for (;;) {
                ssize_t n;

                pv_journal_begin(&worker.journal, slot);
                if (!pv_gate_enter(&gate, &worker.stopping))
                        break;
                n = read(worker.fd, buf, PV_JOURNAL_SLOT_SIZE);
                pv_gate_leave(&gate);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
                                continue;
                        if (errno != ENODEV)
                                pv_log_error("reading /dev/fuse: %m");
                        __atomic_store_n(&worker.ended, 1, __ATOMIC_RELEASE);
                        uint64_t one = 1;
                        if (write(worker.stop_event, &one, sizeof(one)) < 0)
                                pv_log_debug("cannot wake the worker's main thread: %m, ignoring");
                        break;
                }
                if ((size_t)n < sizeof(struct fuse_in_header))
                        continue;
                struct fuse_buf fb = {.mem = buf, .size = (size_t)n};
                fuse_session_process_buf(worker.se, &fb);
        }
        return NULL;
}

/* Answers one request through the replay slot, so that it is journaled while it runs. */
static void replay(const void *req, size_t len)
{
        void *slot = pv_journal_slot(&worker.journal, REPLAY_SLOT);
        memcpy(slot, req, len);
        struct fuse_buf fb = {.mem = slot, .size = len};
        fuse_session_process_buf(worker.se, &fb);
        pv_journal_begin(&worker.journal, REPLAY_SLOT);
}

/* Negotiates as the kernel agreed: the saved INIT, answered for real only the first time. */
static int take_over_init(void)
{
        const struct fuse_in_header *h = (const void *)worker.state->init;
        unsigned char copy[PV_STATE_INIT_MAX];
        size_t len = worker.state->init_len;

        if (len < sizeof(*h))
                return -EPROTO;
        memcpy(copy, worker.state->init, len);
        worker.init_unique = h->unique;
        worker.drop_init_reply = __atomic_load_n(&worker.state->init_answered, __ATOMIC_ACQUIRE);
        thread_slot = REPLAY_SLOT;
        struct fuse_buf fb = {.mem = copy, .size = len};
        fuse_session_process_buf(worker.se, &fb);
        thread_slot = -1;
        if (fuse_session_exited(worker.se))
                return -EPROTO;
        return 0;
}

/* Answers what dead workers had read and not answered; returns how many. */
static unsigned replay_orphans(const int *orphan_fds, unsigned n_orphans)
{
        unsigned n = 0;

        thread_slot = REPLAY_SLOT;
        for (unsigned o = 0; o < n_orphans; o++) {
                PvJournal j;
                if (pv_journal_map(orphan_fds[o], &j) < 0) {
                        pv_log_warning("a dead worker's journal is unreadable, ignoring");
                        continue;
                }
                for (unsigned i = 0; i < j.n_slots; i++) {
                        const void *req;
                        size_t len;
                        if (!pv_journal_pending(&j, i, &req, &len))
                                continue;
                        uint64_t unique = ((const struct fuse_in_header *)req)->unique;
                        replay(req, len);
                        pv_journal_answered(&j, i, unique);
                        n++;
                }
                pv_journal_unmap(&j, false);
        }
        thread_slot = -1;
        return n;
}

int pv_worker_take_over(struct fuse_session *se, int fd, PvKeeperState *state,
                        const PvJournal *journal, const int *orphan_fds, unsigned n_orphans)
{
        int r;

        worker.se = se;
        worker.fd = fd;
        worker.state = state;
        worker.journal = *journal;
        /* the session closes the fd it is given: give it its own */
        r = fuse_session_custom_io(se, &worker_io, fcntl(fd, F_DUPFD_CLOEXEC, 3));
        if (r < 0)
                return r;
        r = take_over_init();
        if (r < 0)
                return r;
        return (int)replay_orphans(orphan_fds, n_orphans);
}

/* Requests read by threads that never answered them (none, unless a thread was stuck). */
static unsigned replay_own_leftovers(void)
{
        unsigned n = 0;

        for (unsigned i = 0; i < PV_WORKER_THREADS; i++) {
                const void *req;
                size_t len;
                if (!worker.joined[i] || !pv_journal_pending(&worker.journal, i, &req, &len))
                        continue;
                thread_slot = (int)i;
                struct fuse_buf fb = {.mem = (void *)req, .size = len};
                fuse_session_process_buf(worker.se, &fb);
                thread_slot = -1;
                n++;
        }
        return n;
}

/*
 * Stops the serving threads: each finishes the request it holds; those
 * blocked in read() are interrupted by SIGUSR2 until they notice, which
 * closes the window between their check of stopping and their read.
 */
static void stop_threads(void)
{
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        unsigned left = PV_WORKER_THREADS;

        __atomic_store_n(&worker.stopping, 1, __ATOMIC_RELEASE);
        while (left > 0 && g_get_monotonic_time() < deadline) {
                pv_gate_open_all(&gate);
                for (unsigned i = 0; i < PV_WORKER_THREADS; i++)
                        if (!worker.joined[i])
                                pthread_kill(worker.threads[i], SIGUSR2);
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 10 * 1000 * 1000;
                if (ts.tv_nsec >= 1000000000) {
                        ts.tv_sec++;
                        ts.tv_nsec -= 1000000000;
                }
                for (unsigned i = 0; i < PV_WORKER_THREADS; i++) {
                        if (!worker.joined[i] &&
                            pthread_timedjoin_np(worker.threads[i], NULL, &ts) == 0) {
                                worker.joined[i] = true;
                                left--;
                        }
                }
        }
        if (worker.watching) {
                pv_gate_open_all(&gate);
                pthread_join(worker.watcher, NULL);
                worker.watching = false;
        }
        if (left > 0)
                pv_log_warning("%u serving threads did not stop in 10 s; their requests stay "
                               "journaled",
                               left);
}

static const char *layout_name(PvCgroupLayout l)
{
        return l == PV_LAYOUT_V2 ? "v2 (unified)" : l == PV_LAYOUT_HYBRID ? "hybrid" : "v1";
}

/* ---- main ---- */

static int serve(PvDaemon *d, const PvWorkerArgs *a, int sigfd)
{
        unsigned replayed;
        int r;

        r = pv_worker_take_over(worker.se, a->fuse_fd, worker.state, &worker.journal, a->orphan_fds,
                                a->n_orphans);
        if (r < 0) {
                pv_log_error("cannot take over the FUSE connection: %s", g_strerror(-r));
                return PV_WORKER_EXIT_SETUP;
        }
        if (r > 0)
                pv_log_info("worker %d: replayed %d requests of a dead worker", (int)getpid(), r);

        r = pv_sampler_start(d);
        if (r < 0) {
                pv_log_error("cannot start the loadavg sampler: %s", g_strerror(-r));
                return PV_WORKER_EXIT_SETUP;
        }
        r = pv_caller_cache_start(d->callers);
        if (r < 0)
                pv_log_warning("exited readers are forgotten at the sampler's passes only: %s",
                               g_strerror(-r));
        r = pthread_create(&worker.watcher, NULL, watch_thread, NULL);
        if (r != 0) {
                pv_log_error("cannot start the gate's watcher: %s", g_strerror(r));
                return PV_WORKER_EXIT_SETUP;
        }
        worker.watching = true;
        for (unsigned i = 0; i < PV_WORKER_THREADS; i++) {
                r = pthread_create(&worker.threads[i], NULL, serve_thread, (void *)(uintptr_t)i);
                if (r != 0) {
                        pv_log_error("cannot start serving threads: %s", g_strerror(r));
                        for (unsigned k = i; k < PV_WORKER_THREADS; k++)
                                worker.joined[k] = true;
                        stop_threads();
                        return PV_WORKER_EXIT_SETUP;
                }
        }
        pv_log_info("procviewd %s worker %d serving %s (cgroups %s, cpu view %s, recovery: %s)",
                    PV_VERSION, (int)getpid(), d->opts.mountpoint, layout_name(d->hier.layout),
                    d->opts.cpu_view == PV_OPT_CPU_VIEW_QUOTA ? "quota" : "cpuset",
                    d->opts.recovery_journal || !(worker.state->kernel_flags & PV_FUSE_HAS_RESEND)
                        ? "journal"
                        : "resend");
        if (write(a->ready_fd, "R", 1) < 0)
                pv_log_debug("cannot tell the keeper we serve: %m, ignoring");
        close(a->ready_fd);

        /* wait for SIGTERM (the keeper) or the end of the connection */
        struct pollfd pfd[2] = {{.fd = sigfd, .events = POLLIN},
                                {.fd = worker.stop_event, .events = POLLIN}};
        for (;;) {
                int n = poll(pfd, 2, 10 * 1000);
                if (n < 0 && errno != EINTR)
                        break;
                if (n == 0) {
                        /* hand back what a burst of readers made the heap grow by */
                        malloc_trim(0);
                        continue;
                }
                if (pfd[1].revents)
                        break;
                if (pfd[0].revents) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGTERM)
                                break;
                }
        }
        stop_threads();
        replayed = replay_own_leftovers();
        if (replayed > 0)
                pv_log_info("worker %d: answered %u requests left by its threads", (int)getpid(),
                            replayed);
        return __atomic_load_n(&worker.ended, __ATOMIC_ACQUIRE) ? PV_WORKER_EXIT_UNMOUNTED
                                                                : PV_WORKER_EXIT_STOPPED;
}

int pv_worker_main(PvOptions *opts, const PvWorkerArgs *a)
{
        PvDaemon d = {
            .opts = *opts,
            .proc_fd = -1,
            .generation = a->generation,
            .n_files = pv_fs_n_files,
        };
        char *fargv[] = {"procviewd", opts->debug ? "-d" : NULL, NULL};
        struct fuse_args args = FUSE_ARGS_INIT(opts->debug ? 2 : 1, fargv);
        struct sigaction kick = {.sa_handler = kick_handler};
        sigset_t mask;
        int sigfd = -1, r, status = PV_WORKER_EXIT_SETUP;

        prctl(PR_SET_NAME, "procviewd-work");
        /*
         * glibc gives each busy thread an arena of its own that is never
         * returned; a few shared arenas keep a burst's memory reusable.
         */
        mallopt(M_ARENA_MAX, 2);
        /* every thread blocks these; the main thread takes SIGTERM from a signalfd */
        pv_sigset_of(&mask, SIGTERM, SIGHUP, SIGUSR2, SIGCHLD, 0);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        signal(SIGINT, SIG_IGN); /* a terminal's ^C is for the keeper, which stops us */
        signal(SIGPIPE, SIG_IGN);
        sigaction(SIGUSR2, &kick, NULL);
        sigdelset(&mask, SIGUSR2);
        sigdelset(&mask, SIGCHLD);
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC);

        worker.fd = a->fuse_fd;
        worker.stop_event = eventfd(0, EFD_CLOEXEC);
        if (sigfd < 0 || worker.stop_event < 0) {
                pv_log_error("worker: cannot set up signals: %m");
                goto out;
        }
        /* a rehearsal (launch.h) has no connection, and no state or journal */
        r = a->fuse_fd < 0 ? 0 : pv_state_map(a->state_fd, &worker.state);
        if (r == 0 && a->fuse_fd >= 0)
                r = pv_journal_map(a->journal_fd, &worker.journal);
        if (r == 0 && a->fuse_fd >= 0 && worker.journal.n_slots < PV_WORKER_THREADS + 1)
                r = -EINVAL;
        if (r < 0) {
                pv_log_error("worker: the keeper's state is unusable: %s", g_strerror(-r));
                goto out;
        }
        if (pv_worker_setup(&d) < 0)
                goto out; /* said why */
        pv_handles_setup(&d);
        worker.se = fuse_session_new(&args, &pv_fs_ops, sizeof(pv_fs_ops), &d);
        fuse_opt_free_args(&args);
        if (!worker.se) {
                pv_log_error("cannot create the FUSE session");
                goto out;
        }
        /* set up: from here on only what reads need (confine.h) */
        r = pv_worker_confine(!opts->no_seccomp);
        if (r < 0) {
                pv_log_error("worker: cannot drop its privileges: %s%s", g_strerror(-r),
                             r == -EOPNOTSUPP ? " (no seccomp(2): run with --no-seccomp?)" : "");
                goto out;
        }
        if (opts->no_seccomp && a->fuse_fd >= 0) /* a rehearsal leaves it to the worker */
                pv_log_warning("worker %d runs without its seccomp filter (--no-seccomp)",
                               (int)getpid());
        status = a->fuse_fd < 0 ? PV_WORKER_EXIT_STOPPED : serve(&d, a, sigfd);
out:
        if (worker.se)
                fuse_session_destroy(worker.se);
        pv_sampler_stop(&d);
        pv_handles_teardown(&d);
        pv_daemon_teardown(&d);
        pv_host_close(&d);
        return status;
}
