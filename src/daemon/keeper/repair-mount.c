/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "repair-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200 /* Linux 6.5 */
#endif

const char *pv_repair_result_to_string(PvRepairResult result)
{
        switch (result) {
        case PV_REPAIR_BENEATH:
                return "replaced";
        case PV_REPAIR_ON_TOP:
                return "covered";
        case PV_REPAIR_LOCKED:
                return "locked, covered";
        case PV_REPAIR_LIVE:
                return "answers, left";
        case PV_REPAIR_CHANGED:
                return "changed, left";
        case PV_REPAIR_FAILED:
                return "refused by the kernel";
        case PV_REPAIR_NO_CLONE:
                return "no such view";
        case PV_REPAIR_UNREACHED:
                return "not reached";
        }
        return "?";
}

int pv_repair_enter(int nsfd, int rootfd)
{
        if (setns(nsfd, CLONE_NEWNS) < 0)
                return -errno;
        if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
                return -errno;
        return 0;
}

/* True when fd is the root of mount e: its mount ID and its device. */
static bool is_the_mount(int fd, const PvMountEntry *e)
{
        struct statx stx;

        /* cached attributes: a dead mount answers no getattr */
        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
                return false;
        return (stx.stx_mask & STATX_MNT_ID) && stx.stx_mnt_id == e->mount_id &&
               stx.stx_dev_major == e->major && stx.stx_dev_minor == e->minor;
}

/*
 * True when the mount at path is locked. umount2(MNT_EXPIRE) checks the
 * lock before anything else (EINVAL); past it, a mount in use (our fd holds
 * it) is only refused with EBUSY and never marked or unmounted.
 */
static bool is_locked(const char *path)
{
        return umount2(path, MNT_EXPIRE | UMOUNT_NOFOLLOW) < 0 && errno == EINVAL;
}

PvRepairResult pv_repair_mount(const PvMountEntry *e, int clone_fd)
{
        const unsigned empty = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
        PvRepairResult result = PV_REPAIR_FAILED;
        struct statfs sf;
        bool locked;
        int fd;

        fd = open(e->mount_point, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return PV_REPAIR_CHANGED;
        if (!is_the_mount(fd, e)) {
                result = PV_REPAIR_CHANGED;
                goto out;
        }
        if (fstatfs(fd, &sf) == 0 || (errno != ENOTCONN && errno != ECONNABORTED)) {
                result = PV_REPAIR_LIVE;
                goto out;
        }
        locked = is_locked(e->mount_point);
        if (!locked && move_mount(clone_fd, "", fd, "", empty | MOVE_MOUNT_BENEATH) == 0) {
                /* the path names the top: the dead mount, ours beneath it */
                if (umount2(e->mount_point, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
                        result = PV_REPAIR_BENEATH;
                goto out; /* failed: ours is beneath a mount we could not remove */
        }
        if (move_mount(clone_fd, "", fd, "", empty) == 0)
                result = locked ? PV_REPAIR_LOCKED : PV_REPAIR_ON_TOP;
out:
        close(fd);
        return result;
}
