/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci-bind.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <glib.h>

#include "common/fileio.h"
#include "oci-log.h"
#include "oci-path.h"

/*
 * Whether mounting on the open fd would propagate to other mount namespaces:
 * a container whose config shares a mount with the host (a bind of the
 * host's /sys with "rshared", rootfsPropagation "shared") would otherwise
 * get our bind mount over the host's own path. Returns 1, 0, or -errno
 * (-EOPNOTSUPP before Linux 5.8, which has no STATX_MNT_ID).
 */
static int on_shared_mount(int fd)
{
        g_autofree char *mountinfo = NULL;
        struct statx stx;
        int r;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        r = pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL);
        if (r < 0)
                return r;
        return pv_oci_mountinfo_is_shared(mountinfo, stx.stx_mnt_id);
}

int pv_oci_bind_view(int rootfd, const char *src, const char *rel, unsigned long fs_magic,
                     bool want_dir)
{
        _cleanup_close_ int fd = -1, newfd = -1;
        char fdpath[64];
        struct statfs sfs;
        struct stat st;
        int r;

        r = pv_oci_open_in_root(rootfd, rel, &fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
                return -errno;
        if ((want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) ||
            (unsigned long)sfs.f_type != fs_magic)
                return -EMEDIUMTYPE;
        r = on_shared_mount(fd);
        if (r > 0)
                return -EXDEV;
        if (r < 0)
                pv_oci_log(LOG_DEBUG, "propagation of /%s unknown: %s, ignoring", rel,
                           g_strerror(-r));

        /* Mount on the fd's magic link: exactly the inode checked above. */
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
        if (mount(src, fdpath, NULL, MS_BIND, NULL) < 0)
                return -errno;

        /*
         * A bind mount keeps the source mount's flags (procviewd mounts
         * read-only), so this is belt and braces; a failure is harmless.
         * The old fd still names the covered inode: reopen to reach the new
         * mount's root.
         */
        if (pv_oci_open_in_root(rootfd, rel, &newfd) == 0) {
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", newfd);
                if (mount(NULL, fdpath, NULL,
                          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          NULL) < 0)
                        pv_oci_log(LOG_DEBUG, "read-only remount of /%s: %s, ignoring", rel,
                                   g_strerror(errno));
        }
        return 0;
}
