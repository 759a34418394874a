/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The keeper's state, shared by keeper.c (signals, the loop),
 * keeper-workers.c (starting and burying workers), keeper-mount.c (getting
 * the connection) and handover.c (upgrades).
 */

#include <signal.h>
#include <unistd.h>

#include "registry/daemon.h"
#include "journal.h"

#define MAX_WORKERS 8
#define RESUME_ENV "PROCVIEWD_RESUME"
#define READY_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define RETIRE_TIMEOUT_US (15 * G_USEC_PER_SEC)

typedef struct KWorker {
        pid_t pid;
        uint64_t gen; /* its generation: names its journal in the fd store */
        int journal_fd;
        int ready_fd;  /* read end; -1 once ready */
        bool retiring; /* told to stop: its death is no crash */
        bool old;      /* started by the binary before an upgrade: replaced once ours serves */
        gint64 started_us;
        gint64 retire_us;
} KWorker;

/* The journal of a dead worker that still holds requests to answer. */
typedef struct Orphan {
        int fd;
        uint64_t gen;
} Orphan;

typedef struct Keeper {
        PvOptions *opts;
        char *exe; /* what SIGHUP executes: the binary at the path we were started from */
        char **argv;
        int fuse_fd;
        int state_fd;
        PvKeeperState *state;
        bool resend; /* answer a dead worker's requests by FUSE_NOTIFY_RESEND */
        KWorker workers[MAX_WORKERS];
        unsigned n_workers;
        GArray *orphans; /* Orphan */
        int sigfd;
        gint64 next_start_us; /* back-off of the next start after a crash */
        gint64 backoff_us;
        bool stopping;
        bool mount_gone;
} Keeper;

/* Closes *fd, if open, and sets it to -1. */
static inline void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* The keeper takes these from its signalfd only; *ret_mask (if not NULL) gets them. */
void pv_keeper_block_signals(sigset_t *ret_mask);

/* keeper-mount.c: the connection */
/*
 * Gets k its FUSE connection and state: from the keeper that executed us
 * when resume (its hand-over) is not NULL, else from systemd's fd store,
 * else by mounting k->opts->mountpoint afresh. Returns 0 or -errno (said
 * why).
 */
int pv_keeper_connect(Keeper *k, const char *resume);

/* keeper-workers.c: the workers */
/* The worker that serves or will once ready: neither retiring nor an old binary's. */
KWorker *pv_keeper_live_worker(Keeper *k);
/* Starts a worker, or sets k->next_start_us to try again (logged). */
void pv_keeper_start_worker(Keeper *k);
/* Tells w to stop (SIGTERM), once. */
void pv_keeper_retire(KWorker *w);
/* w wrote on its ready pipe, or closed it: the others may go. */
void pv_keeper_worker_ready(Keeper *k, KWorker *w);
/* Forgets the workers that died (SIGCHLD): their journals, the next start. */
void pv_keeper_reap(Keeper *k);
/* Asks the kernel to queue again every request read and not answered (Linux >= 6.9). */
void pv_keeper_notify_resend(Keeper *k);

/* handover.c: what passes from one keeper to the next */
void pv_keeper_keep_fds(Keeper *k, bool keep);
/* Re-executes k->exe keeping the connection; returns only when that failed (logged). */
void pv_keeper_upgrade(Keeper *k);
/* Takes over from the keeper that executed us. 0, or -EINVAL on a bad hand-over. */
int pv_keeper_resume_from_env(Keeper *k, const char *env);
int pv_keeper_resume_from_fdstore(Keeper *k, GArray *jfds, GArray *jgens);
