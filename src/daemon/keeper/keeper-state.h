/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The keeper's state, held by keeper.c (signals, the loop) and handed to
 * keeper-workers.c (starting and burying workers), keeper-mount.c (getting
 * the connection) and handover.c (upgrades), each with its own header;
 * those files never call keeper.c.
 */

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib.h>

#include "journal.h"
#include "launch.h"
#include "sigset.h"

#define MAX_WORKERS 8
#define RESUME_ENV "PROCVIEWD_RESUME"
#define READY_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define RETIRE_TIMEOUT_US (15 * G_USEC_PER_SEC)
#define REPAIR_TIMEOUT_US (120 * G_USEC_PER_SEC)
/* workers in a row that die before serving, after which the keeper answers EIO itself */
#define REFUSE_AFTER_FAILED_STARTS 2

typedef struct KWorker {
        pid_t pid;
        uint64_t gen; /* its generation: names its journal in the fd store */
        int journal_fd;
        int ready_fd;  /* read end; -1 once ready */
        bool retiring; /* told to stop: its death is no crash */
        bool old;      /* started by the binary before an upgrade: replaced once ours serves */
        bool served;   /* said it serves, on its ready pipe */
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
        PvWorkerMain *worker_main; /* what a forked worker runs */
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
        bool told_to_stop; /* by a signal, not by a hand-over */
        bool mount_gone;
        pid_t repair_pid; /* the repairer (repair.h) while it runs, else 0 */
        gint64 repair_started_us;
        gint64 next_repair_us;
        unsigned failed_starts; /* workers in a row that died before serving */
        /*
         * Workers cannot start: the keeper answers every request with EIO
         * itself (keeper-refuse.c), on refuse_fd, a non-blocking clone of
         * fuse_fd, into refuse_buf.
         */
        bool refusing;
        int refuse_fd;
        void *refuse_buf;
        unsigned long refused; /* requests answered EIO since refusing began */
        /* take-over between processes (takeover.h) */
        int control_fd;    /* the listening control socket, or -1 */
        ino_t control_ino; /* its inode, to remove it only while it is ours */
        int peer_fd;       /* a keeper taking over from us, until it serves, or -1 */
        pid_t peer_pid;
        gint64 handover_us; /* when we handed the connection to it */
        bool handed_over;   /* it serves: stop without unmounting */
        int takeover_fd;    /* the keeper we took over from, until our worker serves, or -1 */
} Keeper;

/* Closes *fd, if open, and sets it to -1. */
static inline void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* The keeper takes these from its signalfd only; *ret_mask (if not NULL) gets them. */
static inline void pv_keeper_block_signals(sigset_t *ret_mask)
{
        sigset_t mask;
        pv_sigset_of(&mask, SIGCHLD, SIGHUP, SIGTERM, SIGINT, 0);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (ret_mask)
                *ret_mask = mask;
}
