/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the repair (repair.h) does inside a container's mount namespace, in a
 * short-lived child of the repairer that runs nothing of the container's:
 * it enters the namespace and the root of one of its processes, checks that
 * a mount point still holds the dead procview mount mountinfo showed, and
 * puts a clone of the live mount's view there.
 *
 * How the clone goes in:
 * - beneath the dead mount (MOVE_MOUNT_BENEATH, Linux >= 6.5), and the dead
 *   one is then detached: readers see the dead view, then the live one,
 *   never the kernel's file beneath both (the host's numbers);
 * - on top of it where that cannot be: before Linux 6.5, where a shared
 *   mount would propagate the mount beneath, and where the dead mount is
 *   locked (a mount namespace made by a user namespace locks the mounts it
 *   copied, and no one may unmount those: mount_namespaces(7)). The dead
 *   mount then stays covered, harmless, as a mount-on-top always leaves it.
 * Detaching first and mounting after would leave a moment in which the
 * container reads the host's files: never done.
 */

#include <stdint.h>

#include "parse-mountinfo.h"

typedef enum PvRepairResult {
        PV_REPAIR_BENEATH,   /* the clone went beneath, the dead mount was detached */
        PV_REPAIR_ON_TOP,    /* the clone went on top of the dead mount (< 6.5, shared) */
        PV_REPAIR_LOCKED,    /* on top of a locked dead mount */
        PV_REPAIR_LIVE,      /* the mount answers: not dead, left alone */
        PV_REPAIR_CHANGED,   /* the mount point no longer holds that mount: left alone */
        PV_REPAIR_FAILED,    /* the kernel refused both ways */
        PV_REPAIR_NO_CLONE,  /* the live mount had no such view to clone */
        PV_REPAIR_UNREACHED, /* the child never got to it (namespace gone, killed) */
} PvRepairResult;

/* How result reads in a log line: "beneath", "locked, on top"... */
const char *pv_repair_result_to_string(PvRepairResult result);

/* True for the results that put the live view in place. */
static inline bool pv_repair_result_done(PvRepairResult r)
{
        return r == PV_REPAIR_BENEATH || r == PV_REPAIR_ON_TOP || r == PV_REPAIR_LOCKED;
}

/*
 * Enters the mount namespace nsfd (an fd of /proc/PID/ns/mnt) and then the
 * root rootfd (of /proc/PID/root: mountinfo shows mount points as that
 * process sees them), so that every path is resolved inside the container.
 * For a single-threaded child only. Returns 0 or -errno.
 */
int pv_repair_enter(int nsfd, int rootfd);

/*
 * Replaces the dead mount e (a line of the entered namespace's mountinfo)
 * with clone_fd, a detached clone of the same view (open_tree()
 * OPEN_TREE_CLONE), after checking that e->mount_point, not followed if it
 * is a symlink, is still the root of mount e->mount_id on e's device and
 * that the mount is dead (statfs fails with ENOTCONN or ECONNABORTED).
 * Returns what it did.
 */
PvRepairResult pv_repair_mount(const PvMountEntry *e, int clone_fd);
