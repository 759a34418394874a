/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Finding the mount at a path in /proc/self/mountinfo and telling whether a
 * procview mount there still has a daemon behind it. The text itself is
 * parsed by parse-mountinfo.h (pvparse).
 *
 * A FUSE mount whose daemon died keeps answering stat() and access() from
 * the attributes the kernel cached (procviewd gives them an hour), so those
 * calls cannot tell a dead mount from a live one. statfs() is never answered
 * from a cache: it is always sent to the daemon, and fails with ENOTCONN once
 * the connection is gone (fs/fuse/inode.c fuse_statfs, fuse_simple_request).
 *
 * Uses glib; not for libprocview or the preload.
 */

#include <glib.h>
#include <stdint.h>

#include "parse-mountinfo.h"

/* The fs type procviewd mounts with (subtype=procview): "fuse." + subtype. */
#define PV_MOUNT_FSTYPE "fuse.procview"

/*
 * The path mountinfo would show for the mount point path: the real path of
 * its parent directory plus its last component, with trailing slashes
 * dropped, following the last component only when it is a symlink. The last
 * component is never stat()ed, so a dead or hung FUSE mount there is not
 * asked anything (realpath() would stat it). The parent directories are, so
 * they must not be on such a mount; nor may path end in "." or "..", which
 * is resolved whole. path need not exist.
 * Returns 0 with a newly allocated string (g_free()) in *ret, -ELOOP after
 * 40 symlinks, or -errno from realpath() of the parent; *ret untouched on
 * failure.
 */
int pv_mount_canonical_path(const char *path, char **ret);

/*
 * Finds the topmost mount whose mount point is path (canonicalised with
 * pv_mount_canonical_path(), so a trailing slash, a symlink or a space in the
 * path do not matter) in /proc/self/mountinfo. Never touches the mounted
 * file system itself.
 * Returns 0 with the entry in *ret (the caller clears it), -ENOENT when
 * nothing is mounted at path (or its parent does not exist), or -errno;
 * *ret untouched on failure.
 */
int pv_mount_find(const char *path, PvMountEntry *ret);

typedef enum PvMountState {
        PV_MOUNT_NONE, /* no procview mount at the path (fs type is not PV_MOUNT_FSTYPE) */
        PV_MOUNT_LIVE, /* procview mount, the daemon answered */
        PV_MOUNT_DEAD, /* procview mount whose daemon is gone: every request fails with ENOTCONN */
        PV_MOUNT_HUNG, /* procview mount whose daemon did not answer in time */
} PvMountState;

/* "none", "live", "dead" or "hung". */
const char *pv_mount_state_to_string(PvMountState state);

/*
 * Tells what is mounted at path: finds the mount (pv_mount_find()) and, for
 * a procview mount, calls statfs() on it in a child process. A FUSE request
 * that the daemon has read cannot be cancelled: the task waiting for it
 * ignores even SIGKILL until the daemon answers or dies (fs/fuse/dev.c
 * request_wait_answer()), so only a process can be left behind, not a
 * thread. The child is a grandchild, reparented to init at once, so no
 * zombie is left for the caller to reap; the caller only sees a SIGCHLD of
 * a short-lived intermediate process. After timeout_ms the grandchild is
 * sent SIGKILL and not waited for; it keeps no descriptor of the caller's
 * (stdio is /dev/null), so it holds no pipe the caller's own parent waits on.
 * Returns within about timeout_ms, also on a hung daemon.
 * A statfs() that fails with ENOTCONN or ECONNABORTED means DEAD.
 * Returns 0 with the state in *ret, -EINVAL for timeout_ms < 1, or -errno
 * (fork failed, mountinfo unreadable, statfs() failed for another reason);
 * *ret untouched on failure.
 */
int pv_mount_probe(const char *path, int timeout_ms, PvMountState *ret);
