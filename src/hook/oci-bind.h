/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bind-mounting one of procviewd's views over a path of the container's rootfs. */

#include <stdbool.h>

/*
 * Bind-mounts src over rootfs/rel (rootfd: the rootfs, O_PATH), which must
 * be a file (or with want_dir a directory) on a file system of type
 * fs_magic: the container's own procfs or sysfs. Anything else means the
 * container did not mount proc/sys there, and covering a file of its image
 * would be wrong. The bind is then made read-only where possible.
 * Returns 0, -ENOENT when there is no such target, -EMEDIUMTYPE for a target
 * of another type, -EXDEV for a target on a shared mount (the bind would
 * propagate beyond the container), or -errno from mount(2).
 */
int pv_oci_bind_view(int rootfd, const char *src, const char *rel, unsigned long fs_magic,
                     bool want_dir);
