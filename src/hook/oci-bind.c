/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci-bind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>

#include <glib.h>

#include "fileio.h"
#include "log.h"
#include "mountinfo.h"
#include "oci-path.h"
#include "parse-mountinfo.h"

/*
 * Whether mounting on the open fd would propagate to other mount namespaces:
 * a container whose config shares a mount with the host (a bind of the
 * host's /sys with "rshared", rootfsPropagation "shared") would otherwise
 * get our bind mount over the host's own path. The fd's mount is found in
 * mountinfo by its ID (pv_oci_fd_mount_id(): statx, else fdinfo). Returns 1,
 * 0, -EOPNOTSUPP when the mount cannot be found (no ID, no /proc, no line
 * with the ID: never -ENOENT, which pv_oci_bind_view() keeps for a missing
 * file), or -errno.
 */
static int on_shared_mount(int fd, PvOciMountIdFrom from)
{
        g_autofree char *mountinfo = NULL;
        uint64_t mnt_id;
        int r;

        r = pv_oci_fd_mount_id(fd, from, &mnt_id);
        if (r >= 0)
                r = pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL);
        if (r >= 0)
                r = pv_mountinfo_is_shared(mountinfo, mnt_id);
        return r == -ENOENT ? -EOPNOTSUPP : r;
}

/* Whether fd is on procview's FUSE file system. Returns 0, -EMEDIUMTYPE or -errno. */
static int check_procview_fs(int fd)
{
        g_autofree char *mountinfo = NULL;
        struct statfs sfs;
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
                return -errno;
        if ((unsigned long)sfs.f_type != FUSE_SUPER_MAGIC)
                return -EMEDIUMTYPE;
        r = pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL);
        if (r < 0)
                return r;
        r = pv_mountinfo_dev_is(mountinfo, major(st.st_dev), minor(st.st_dev), PV_MOUNT_FSTYPE);
        return r > 0 ? 0 : -EMEDIUMTYPE;
}

int pv_oci_open_views(const char *path, int *ret_fd)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        int r;

        if (fd < 0)
                return -errno;
        r = check_procview_fs(fd);
        if (r < 0)
                return r;
        *ret_fd = fd;
        fd = -1;
        return 0;
}

/* Whether fd is a regular file (or with want_dir a directory). */
static bool has_type(int fd, bool want_dir)
{
        struct stat st;

        if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        return want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/*
 * Mounts a clone of the mount at srcfd, read-only, on tgtfd: open_tree()
 * makes a detached copy of exactly the inode srcfd holds, mount_setattr()
 * (5.12) restricts it before anyone can see it, move_mount() attaches it to
 * exactly the inode tgtfd holds. Before 5.2 the same by the fds' magic
 * links. Returns 0 or -errno.
 */
static int mount_fd_on_fd(int srcfd, int tgtfd)
{
        struct mount_attr attr = {
            .attr_set =
                MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
        };
        char src[64], tgt[64];
        _cleanup_close_ int tree =
            open_tree(srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

        if (tree >= 0) {
                /* A bind keeps procviewd's ro anyway: this is belt and braces. */
                if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                        pv_log_debug("read-only bind: %s, ignoring", g_strerror(errno));
                if (move_mount(tree, "", tgtfd, "",
                               MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return -errno;
                return 0;
        }
        if (errno != ENOSYS)
                return -errno;
        snprintf(src, sizeof(src), "/proc/self/fd/%d", srcfd);
        snprintf(tgt, sizeof(tgt), "/proc/self/fd/%d", tgtfd);
        if (mount(src, tgt, NULL, MS_BIND, NULL) < 0)
                return -errno;
        return 0;
}

int pv_oci_bind_view(int rootfd, int viewsfd, const char *rel, unsigned long fs_magic,
                     bool want_dir, PvOciMountIdFrom from)
{
        _cleanup_close_ int srcfd = -1, fd = -1;
        struct statfs sfs;
        int r;

        r = pv_oci_open_view(viewsfd, rel, &srcfd);
        if (r < 0)
                return r;
        if (!has_type(srcfd, want_dir))
                return -EMEDIUMTYPE;

        r = pv_oci_open_in_root(rootfd, rel, &fd);
        if (r < 0)
                return r;
        if (!has_type(fd, want_dir) || fstatfs(fd, &sfs) < 0 ||
            (unsigned long)sfs.f_type != fs_magic)
                return -EMEDIUMTYPE;
        /* A propagation that cannot be told is not known to stay in the container. */
        r = on_shared_mount(fd, from);
        if (r < 0)
                return r;
        if (r > 0)
                return -EBUSY;
        return mount_fd_on_fd(srcfd, fd);
}
