/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * When workers cannot start (keeper-refuse.c): once REFUSE_AFTER_FAILED_STARTS
 * workers in a row died before serving (a host file or the cgroup
 * hierarchies gone since the mount), the keeper answers every request with
 * EIO itself, so that readers fail rather than wait for a worker that may
 * never come. It keeps starting workers, with the back-off, and stops
 * answering as soon as one serves.
 */

#include "keeper-state.h"

/*
 * Starts or stops answering as the workers' state asks, and returns the fd
 * to poll for requests to answer, or -1 when the workers answer them. The
 * requests dead workers left in their journals get EIO when answering
 * starts. Only once the kernel has a worker's INIT reply: before it, the
 * kernel holds every request back.
 */
int pv_keeper_refuse_fd(Keeper *k);

/* Answers with EIO the requests queued on the fd pv_keeper_refuse_fd() gave. */
void pv_keeper_refuse_requests(Keeper *k);
