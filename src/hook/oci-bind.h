/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bind-mounting one of procviewd's views over a path of the container's rootfs. */

#include <stdbool.h>

#include "oci-path.h"

/*
 * Opens the root of procviewd's mount at path as an O_PATH directory fd
 * for pv_oci_bind_view(), after checking that it is procview's file system
 * (a FUSE superblock whose device /proc/self/mountinfo lists with the fs
 * type fuse.procview): a plain directory, another file system or a
 * symlink into one is refused. Whether the daemon behind it answers is not
 * checked here (pv_mount_probe()). Returns 0 with the fd in *ret_fd,
 * -EMEDIUMTYPE for anything that is not a procview mount, or -errno;
 * *ret_fd untouched on failure.
 */
int pv_oci_open_views(const char *path, int *ret_fd);

/*
 * Bind-mounts the view rel (e.g. "proc/meminfo") beneath viewsfd (from
 * pv_oci_open_views()) over the same path rel of the rootfs rootfd
 * (O_PATH). Both ends are opened as fds and the mount is made from fd to
 * fd (open_tree + move_mount; before Linux 5.2 a bind of the fds' magic
 * links), so no path a container controls can redirect it:
 *  - the source is opened beneath viewsfd with no symlink, ".." or other
 *    mount on the way (pv_oci_open_view()) and must be a regular file (or
 *    with want_dir a directory) of the same FUSE file system;
 *  - the target is resolved inside the rootfs (pv_oci_open_in_root()) and
 *    must be a file (or directory) on a file system of type fs_magic: the
 *    container's own procfs or sysfs. Anything else means the container did
 *    not mount proc/sys there, and covering a file of its image would be
 *    wrong.
 *  - the target's mount must not be shared: the bind would propagate to
 *    its peers, the host's namespace among them. The mount is found in
 *    /proc/self/mountinfo by its ID, which from (PV_OCI_MOUNT_ID_ANY in the
 *    hook) says where to take: statx() STATX_MNT_ID, or before Linux 5.8
 *    /proc/self/fdinfo. A propagation that cannot be told refuses the bind.
 * The bind is read-only, nosuid, nodev and noexec.
 * Returns 0, -ENOENT when the view or the target does not exist,
 * -EMEDIUMTYPE for a source or target of another type, -ELOOP or -EXDEV for
 * a source path that leaves the views' mount, -EBUSY for a target on a
 * shared mount (the bind would propagate beyond the container), -EOPNOTSUPP
 * when the target's mount cannot be found in mountinfo (no mount ID), or
 * -errno from reading mountinfo or from the mount calls.
 */
int pv_oci_bind_view(int rootfd, int viewsfd, const char *rel, unsigned long fs_magic,
                     bool want_dir, PvOciMountIdFrom from);
