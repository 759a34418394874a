/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The keeper's workers: starting, retiring and burying them (keeper-workers.c). */

#include "keeper-state.h"

/* The worker that serves or will once ready: neither retiring nor an old binary's. */
KWorker *pv_keeper_live_worker(Keeper *k);
/*
 * Before mounting: runs a worker's set-up in a child, without a connection
 * (a rehearsal, launch.h), and waits for it, READY_TIMEOUT_US at most.
 * Returns 0 if it set up, else -errno (said why: the child names the cause).
 */
int pv_keeper_rehearse_worker(Keeper *k);
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
