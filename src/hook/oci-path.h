/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Opening a path inside a container's rootfs from outside it, so that
 * nothing the image holds (symlinks, "..") can make the hook reach a host
 * path, and finding the mount a file there lies on (whether it would
 * propagate elsewhere is pv_mountinfo_is_shared()'s, in pvparse).
 * libc only.
 */

#include <stdint.h>

/*
 * Opens path (relative) below the directory rootfd as an O_PATH fd,
 * resolving symlinks as if rootfd were "/" (openat2 RESOLVE_IN_ROOT, Linux
 * 5.6). A symlink as the last component is opened itself, not followed.
 * Where openat2 is missing, pv_oci_open_beneath() answers instead.
 * Returns 0 with the new fd (the caller closes it) in *ret_fd, or -errno;
 * *ret_fd untouched on failure.
 */
int pv_oci_open_in_root(int rootfd, const char *path, int *ret_fd);

/*
 * The fallback of pv_oci_open_in_root() for kernels without openat2: walks
 * path one component at a time with O_NOFOLLOW and refuses, rather than
 * resolves, a symlink before the last component (-ENOTDIR) and any ".."
 * (-EXDEV), because without RESOLVE_IN_ROOT an absolute symlink would
 * resolve against the host's root. Same return convention.
 */
int pv_oci_open_beneath(int rootfd, const char *path, int *ret_fd);

/*
 * Opens path (relative) beneath viewsfd, the root of procviewd's mount, as
 * an O_PATH fd: the source of a bind. Unlike a target in a rootfs, nothing
 * here is resolved: no symlink anywhere (not even the last component), no
 * ".." above viewsfd, no magic link and no other mount (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV), so a bind source is always a file
 * of the same file system as viewsfd. Without openat2 the path is walked
 * with pv_oci_open_beneath() and the result must be a non-symlink on
 * viewsfd's device. Returns 0 with the new fd in *ret_fd, -ELOOP or -EXDEV
 * for a path that would leave the mount, or -errno; *ret_fd untouched on
 * failure.
 */
int pv_oci_open_view(int viewsfd, const char *path, int *ret_fd);

/* Where pv_oci_fd_mount_id() takes a file's mount ID from. */
typedef enum PvOciMountIdFrom {
        PV_OCI_MOUNT_ID_ANY,    /* statx() STATX_MNT_ID (Linux 5.8), else fdinfo */
        PV_OCI_MOUNT_ID_FDINFO, /* /proc/self/fdinfo alone, as before Linux 5.8 */
} PvOciMountIdFrom;

/*
 * The ID of the mount that fd (any fd, O_PATH included) lies on, as the
 * first field of /proc/self/mountinfo shows it. statx() reports it since
 * Linux 5.8; before that, and whenever statx() leaves STATX_MNT_ID out of its
 * mask, the "mnt_id:" line of /proc/self/fdinfo/FD (3.15) gives the same ID.
 * from PV_OCI_MOUNT_ID_FDINFO skips statx(), so the fallback can be tested
 * on any kernel. Returns 0 with the ID in *ret_mnt_id, -EOPNOTSUPP when
 * neither source has it, or -errno; *ret_mnt_id untouched on failure.
 */
int pv_oci_fd_mount_id(int fd, PvOciMountIdFrom from, uint64_t *ret_mnt_id);

/*
 * The views' mount point that the settings file (/etc/default/procview, a
 * shell fragment also read by the unit, the sysvinit script and the LXC
 * hook) names in a plain assignment "MOUNTPOINT=DIR", "MOUNTPOINT='DIR'" or
 * "MOUNTPOINT=\"DIR\"" (the last one wins; comments and other lines are
 * ignored). Returns a new string (free() it), or NULL when there is none or
 * it is not an absolute path.
 */
char *pv_oci_settings_root(const char *text);
