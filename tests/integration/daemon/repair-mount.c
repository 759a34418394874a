/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_repair_mount() (src/daemon/keeper/repair-mount.c) against real mounts,
 * in a private mount namespace of this process (root only): a dead
 * fuse.procview connection (a mount whose /dev/fuse fd was closed before its
 * handshake) bound at a.../dead, and a tmpfs standing for the live view.
 *   - a mount point that became a symbolic link to the dead mount is left
 *     alone (CHANGED), and the dead mount stays;
 *   - a line whose mount ID is no longer the one at the mount point, and a
 *     line of another device, are left alone (CHANGED);
 *   - a mount that answers statfs() is left alone (LIVE);
 *   - the dead mount itself is replaced by the clone: beneath and detached
 *     where the kernel has MOVE_MOUNT_BENEATH (Linux 6.5), on top before.
 * Prints "ok:"/"FAIL:" lines; exit 0 when every check passed, 77 without root.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fileio.h"
#include "keeper/repair-mount.h"
#include "mountinfo.h"

static int failed;

static void check(bool ok, const char *what)
{
        printf("%s: %s\n", ok ? "ok" : "FAIL", what);
        failed |= !ok;
}

/* The topmost mount at path in our mountinfo. */
static void find(const char *path, PvMountEntry *e)
{
        _cleanup_free_ char *text = NULL;
        if (pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL) < 0 ||
            pv_mountinfo_find(text, path, e) < 0) {
                printf("FAIL: nothing mounted at %s\n", path);
                exit(1);
        }
}

/* statfs errno of path: 0 when it answers. */
static int statfs_errno(const char *path, long *type)
{
        struct statfs sf;
        if (statfs(path, &sf) < 0)
                return errno;
        if (type)
                *type = (long)sf.f_type;
        return 0;
}

/* Makes a dead fuse.procview mount on dir. */
static void mount_dead(const char *dir)
{
        g_autofree char *opts = NULL;
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                printf("SKIP: /dev/fuse: %m\n");
                exit(77);
        }
        opts = g_strdup_printf("fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
        if (mount("procview", dir, "fuse.procview", MS_NOSUID | MS_NODEV | MS_RDONLY, opts) < 0) {
                printf("FAIL: mount fuse.procview on %s: %m\n", dir);
                exit(1);
        }
        close(fd); /* no daemon: the connection is aborted */
}

static bool kernel_at_least(int major, int minor)
{
        struct utsname u;
        int a = 0, b = 0;
        return uname(&u) == 0 && sscanf(u.release, "%d.%d", &a, &b) == 2 &&
               (a > major || (a == major && b >= minor));
}

int main(void)
{
        char tmpl[] = "/tmp/pvt-repair-XXXXXX";
        g_autofree char *dead = NULL, *bound = NULL, *link = NULL, *live = NULL, *other = NULL;
        g_auto(PvMountEntry) e = {0};
        g_auto(PvMountEntry) l = {0};
        PvMountEntry stale;
        int clone_fd;
        long type = 0;
        const char *dir;

        if (geteuid() != 0) {
                printf("SKIP: needs root\n");
                return 77;
        }
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                printf("FAIL: private mount namespace: %m\n");
                return 1;
        }
        dir = mkdtemp(tmpl);
        dead = g_strdup_printf("%s/dead", dir);
        bound = g_strdup_printf("%s/bound", dir);
        link = g_strdup_printf("%s/link", dir);
        live = g_strdup_printf("%s/live", dir);
        other = g_strdup_printf("%s/other", dir);
        if (!dir || mkdir(dead, 0755) < 0 || mkdir(bound, 0755) < 0 || mkdir(live, 0755) < 0 ||
            mkdir(other, 0755) < 0 || symlink(bound, link) < 0) {
                printf("FAIL: %s: %m\n", tmpl);
                return 1;
        }
        mount_dead(dead);
        if (mount(dead, bound, NULL, MS_BIND, NULL) < 0 ||
            mount("tmpfs", live, "tmpfs", 0, "size=64k") < 0 ||
            mount("tmpfs", other, "tmpfs", 0, "size=64k") < 0) {
                printf("FAIL: mounts: %m\n");
                return 1;
        }
        check(statfs_errno(bound, NULL) == ENOTCONN, "the bound dead mount fails with ENOTCONN");
        find(bound, &e);
        clone_fd = open_tree(AT_FDCWD, live, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (clone_fd < 0) {
                printf("FAIL: open_tree: %m\n");
                return 1;
        }

        stale = e;
        stale.mount_point = link;
        check(pv_repair_mount(&stale, clone_fd) == PV_REPAIR_CHANGED,
              "a mount point that became a symlink to the dead mount: left alone");
        stale = e;
        stale.mount_id = e.mount_id + 100000;
        check(pv_repair_mount(&stale, clone_fd) == PV_REPAIR_CHANGED,
              "a line whose mount ID is no longer at the mount point: left alone");
        stale = e;
        stale.minor = e.minor + 1;
        check(pv_repair_mount(&stale, clone_fd) == PV_REPAIR_CHANGED,
              "a line of another device: left alone");
        check(statfs_errno(bound, NULL) == ENOTCONN, "the dead mount is still there");
        find(other, &l);
        check(pv_repair_mount(&l, clone_fd) == PV_REPAIR_LIVE, "a mount that answers: left alone");

        PvRepairResult r = pv_repair_mount(&e, clone_fd);
        bool beneath = kernel_at_least(6, 5);
        check(r == (beneath ? PV_REPAIR_BENEATH : PV_REPAIR_ON_TOP),
              beneath ? "the dead mount was replaced: the clone beneath, the dead one detached"
                      : "the dead mount was covered by the clone (no MOVE_MOUNT_BENEATH)");
        check(statfs_errno(bound, &type) == 0 && type == TMPFS_MAGIC,
              "the mount point now shows the live view");
        check(statfs_errno(dead, NULL) == ENOTCONN, "the dead mount's other place is untouched");
        printf("%s\n", failed ? "some checks failed" : "all checks passed");
        umount2(bound, MNT_DETACH);
        umount2(bound, MNT_DETACH);
        umount2(dead, MNT_DETACH);
        umount2(live, MNT_DETACH);
        umount2(other, MNT_DETACH);
        unlink(link);
        rmdir(dead);
        rmdir(bound);
        rmdir(live);
        rmdir(other);
        rmdir(dir);
        return failed;
}
