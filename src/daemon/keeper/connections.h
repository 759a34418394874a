/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The FUSE connections a mount point has had: the devices (major << 32 |
 * minor, as pv_mount_devno()) of every procview mount a keeper made there,
 * and of every dead one it found there, in a small file under
 * PV_CONNECTIONS_DIR named after the mount point. A running container's
 * binds of an earlier connection keep that connection's device after the
 * daemon is gone, so the repair (repair.h) tells this mount point's dead
 * mounts from any other procview's by it. The directory is a tmpfs: the
 * history ends with the boot, as the connections do.
 */

#include <glib.h>
#include <stdint.h>

#ifndef PV_CONNECTIONS_DIR
#define PV_CONNECTIONS_DIR "/run/procview"
#endif

/* The most devices one history keeps: the newest. */
#define PV_CONNECTIONS_MAX 64

/*
 * The file of mountpoint of the given kind under PV_CONNECTIONS_DIR:
 * KIND-<the first 16 hex digits of the SHA-256 of its canonical path>
 * ("connections": the history; "control": takeover.h's socket). g_free() it.
 */
char *pv_connections_file(const char *mountpoint, const char *kind);

/*
 * Reads the history of mountpoint into devs (an array of uint64_t, emptied
 * first). Lines that are not "MAJ:MIN" are skipped. Returns 0 (an empty
 * history when there is no file), or -errno.
 */
int pv_connections_read(const char *mountpoint, GArray *devs);

/*
 * Replaces the history of mountpoint with devs (the newest
 * PV_CONNECTIONS_MAX), atomically. Returns 0 or -errno.
 */
int pv_connections_write(const char *mountpoint, const GArray *devs);

/* Adds dev to the history of mountpoint, unless there. Returns 0 or -errno. */
int pv_connections_add(const char *mountpoint, uint64_t dev);
