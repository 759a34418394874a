/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * systemd's file descriptor store (sd_notify(3) FDSTORE=1, sd_listen_fds(3)),
 * spoken directly over $NOTIFY_SOCKET: under systemd the /dev/fuse fd and
 * the keeper's state outlive even a killed keeper, and the restarted keeper
 * takes them back. Without systemd every call does nothing.
 */

#include <glib.h>
#include <stdint.h>

/*
 * Takes the fds named "fuse" and "state" that systemd passed
 * ($LISTEN_PID/$LISTEN_FDS/$LISTEN_FDNAMES), and the workers' journals
 * ("journal-GENERATION"), appended to journal_fds (int) and journal_gens
 * (uint64_t). Returns 0 with both set (close-on-exec), or -ENOENT when there
 * are none; other passed fds are closed.
 */
int pv_fdstore_take(int *ret_fuse_fd, int *ret_state_fd, GArray *journal_fds, GArray *journal_gens);

/* Hands both fds to the fd store (no-op without $NOTIFY_SOCKET). */
void pv_fdstore_put(int fuse_fd, int state_fd);

/*
 * Keeps a worker's journal in the fd store, so that the requests it holds
 * are answered even when the keeper dies with it; removed once answered.
 */
void pv_fdstore_put_journal(int fd, uint64_t generation);
void pv_fdstore_remove_journal(uint64_t generation);

/* Empties procviewd's entries of the fd store: a clean stop. */
void pv_fdstore_remove(void);
