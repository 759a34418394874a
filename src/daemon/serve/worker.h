/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The worker: the process that serves FUSE requests on the keeper's
 * /dev/fuse fd. It takes over an initialised connection by replaying the
 * keeper's saved INIT request (its reply dropped when the kernel has one
 * already), answers the requests dead workers left in their journals, then
 * serves with a fixed pool of threads, each reading requests into its own
 * journal slot. SIGTERM makes it stop reading, answer what it holds and exit.
 */

#include <stdint.h>

#include "fs.h"
#include "journal.h"

#include "registry/daemon.h"

/* Serving threads of a worker; its journal has one more slot, for replays. */
#define PV_WORKER_THREADS 32

/* Exit statuses of a worker (anything else, or a signal, is a crash). */
enum {
        PV_WORKER_EXIT_STOPPED = 0,   /* asked to stop, stopped */
        PV_WORKER_EXIT_SETUP = 3,     /* could not set up (logged) */
        PV_WORKER_EXIT_UNMOUNTED = 4, /* the connection ended: unmounted or aborted */
        PV_WORKER_EXIT_SYSCALL = 5,   /* made a system call its seccomp filter forbids (logged) */
};

typedef struct PvWorkerArgs {
        int fuse_fd;           /* the connection, shared with the keeper */
        int state_fd;          /* the keeper's state memfd (saved INIT) */
        int journal_fd;        /* this worker's journal */
        int ready_fd;          /* one byte is written here once serving, then closed */
        const int *orphan_fds; /* journals of dead workers to answer from, n_orphans */
        unsigned n_orphans;
        uint64_t generation; /* distinct per worker: file handle ids carry it */
} PvWorkerArgs;

/* Runs a worker in this (forked) process; returns its exit status. opts is taken over. */
int pv_worker_main(PvOptions *opts, const PvWorkerArgs *args);

/*
 * Takes over the connection on fd in session se: sets the custom I/O that
 * journals into journal and drops a second INIT reply, replays the INIT
 * saved in state (answered for real only when state says no worker has),
 * then answers the pending requests of the dead workers' journals
 * orphan_fds (marking them answered there). Returns the number of requests
 * answered again, or -errno (-EPROTO: the INIT could not be replayed).
 */
int pv_worker_take_over(struct fuse_session *se, int fd, PvKeeperState *state,
                        const PvJournal *journal, const int *orphan_fds, unsigned n_orphans);
