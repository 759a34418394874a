/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Take-over between keepers of different processes (takeover.c). Every
 * keeper listens on its mount point's control socket,
 * PV_CONNECTIONS_DIR/control-HASH (HASH as connections.h's; mode 0600,
 * outside any mount point, so never inside a view's bind), and answers only
 * root of the host's pid namespace (SO_PEERCRED, and the peer's
 * /proc/PID/ns/pid).
 *
 * A procviewd started on a mount point that a live procviewd serves asks
 * it for the connection instead of refusing. The running keeper sends its
 * FUSE fd, its state (the saved INIT) and the journals of dead workers not
 * yet answered, and starts no worker meanwhile while its own keeps serving.
 * The new keeper starts its worker on the same connection and, once that
 * one serves, says so and listens on the control socket in its turn: the
 * old keeper's worker then stops taking requests,
 * answers those it holds and exits, and the old keeper exits 0 without
 * unmounting. Readers see no gap: both workers read the one connection for
 * a moment. A new keeper that goes away before it serves leaves the old one
 * serving on, as one that does not serve within PV_TAKEOVER_TIMEOUT_US.
 */

#include "keeper-state.h"

#define PV_TAKEOVER_TIMEOUT_US (60 * G_USEC_PER_SEC)

/* Opens the control socket of the mount point on k->control_fd. 0 or -errno (logged). */
int pv_takeover_listen(Keeper *k);

/* Removes the control socket, if it is still ours, and closes it. */
void pv_takeover_close(Keeper *k);

/* A process connected to k->control_fd: hands the connection over, or refuses. */
void pv_takeover_accept(Keeper *k);

/*
 * The keeper taking over (k->peer_fd) wrote or went away: on "serving" the
 * take-over is done (k->handed_over, k->stopping); on its end, or once
 * PV_TAKEOVER_TIMEOUT_US passed (now), this keeper serves on.
 */
void pv_takeover_peer_event(Keeper *k, gint64 now);

/*
 * Asks the keeper serving k->opts->mountpoint for its connection. Returns 0
 * with k->fuse_fd, k->state_fd, k->orphans and k->takeover_fd set, or
 * -errno (-ENOENT or -ECONNREFUSED: nobody listens; -EBUSY: it refused).
 */
int pv_takeover_request(Keeper *k);

/* Tells the keeper taken over from that our worker serves (once; closes k->takeover_fd). */
void pv_takeover_announce(Keeper *k);
