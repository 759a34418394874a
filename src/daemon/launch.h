/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the keeper hands a worker it starts, and what the worker's exit
 * status tells the keeper: the whole of the keeper's view of a worker. The
 * keeper forks and calls the PvWorkerMain main.c gave it (pv_worker_main,
 * serve/worker.h), so it never includes the worker's headers.
 */

#include <stdint.h>

#include "options.h"

/* Serving threads of a worker; its journal has one more slot, for replays. */
#define PV_WORKER_THREADS 32

/* Exit statuses of a worker (anything else, or a signal, is a crash). */
enum {
        PV_WORKER_EXIT_STOPPED = 0,   /* asked to stop, stopped */
        PV_WORKER_EXIT_SETUP = 3,     /* could not set up (logged) */
        PV_WORKER_EXIT_UNMOUNTED = 4, /* the connection ended: unmounted or aborted */
        PV_WORKER_EXIT_SYSCALL = 5,   /* made a system call its seccomp filter forbids (logged) */
};

/*
 * A worker started with fuse_fd -1 is a rehearsal: the keeper's check, before
 * it mounts, that a worker can set up (the host's files, the cgroup
 * hierarchies, its confinement). It sets up as a worker would, then exits
 * PV_WORKER_EXIT_STOPPED, or PV_WORKER_EXIT_SETUP having logged the cause.
 */
typedef struct PvWorkerArgs {
        int fuse_fd;           /* the connection, shared with the keeper; -1: a rehearsal */
        int state_fd;          /* the keeper's state memfd (saved INIT) */
        int journal_fd;        /* this worker's journal */
        int ready_fd;          /* one byte is written here once serving, then closed */
        const int *orphan_fds; /* journals of dead workers to answer from, n_orphans */
        unsigned n_orphans;
        uint64_t generation; /* distinct per worker: file handle ids carry it */
} PvWorkerArgs;

/* Runs a worker in this (forked) process; returns its exit status. opts is taken over. */
typedef int PvWorkerMain(PvOptions *opts, const PvWorkerArgs *args);
