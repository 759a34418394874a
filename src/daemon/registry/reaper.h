/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A watcher of pidfds: one thread waits on an epoll set of them and reports
 * each process (or thread, for a PIDFD_THREAD pidfd) that exits, so that
 * what a cache holds for it goes at the exit rather than at a later sweep.
 *
 * A pidfd is watched until it is closed: the kernel takes a file out of
 * every epoll set when its last descriptor goes (epoll(7)), so an owner
 * closes its pidfds as it always did and never unregisters them. An event
 * already taken by the thread may still name a pidfd closed meanwhile: the
 * thread hands out only the key it was registered with, never memory, and
 * the owner looks the key up under its own lock.
 */

#include <stdint.h>

typedef struct PvReaper PvReaper;

/*
 * Called from the reaper's thread, once per watched pidfd that polls
 * readable (its task exited), with the key it was watched with. Holds no
 * lock of the reaper's: it may take the owner's locks and close pidfds.
 */
typedef void (*PvReapFn)(void *data, uint64_t key);

/*
 * A reaper that calls fn(data, key); its thread starts at pv_reaper_start
 * (a confined worker starts threads only after its filter is loaded).
 * Returns NULL when no epoll or eventfd can be had: then nothing is reported.
 */
PvReaper *pv_reaper_new(PvReapFn fn, void *data);
/* Starts the thread. Returns 0 or -errno. */
int pv_reaper_start(PvReaper *r);
/* Stops and joins the thread, if started, and frees r (NULL: nothing). */
void pv_reaper_free(PvReaper *r);

/*
 * Reports pidfd's exit once, with key. The caller keeps pidfd open and
 * owns it. Returns 0, or -errno (a NULL r: -ENOSYS); a pidfd that could not
 * be watched waits for the owner's sweeps.
 */
int pv_reaper_watch(PvReaper *r, int pidfd, uint64_t key);
