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

#include "launch.h"
#include "registry/daemon.h"

/* Runs a worker in this (forked) process; returns its exit status. opts is taken over. */
PvWorkerMain pv_worker_main;

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
