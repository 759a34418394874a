/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connections.h"
#include "mountinfo.h"
#include "log.h"

/* Long enough for a daemon that is replacing its worker under load. */
#define PROBE_TIMEOUT_MS 3000

/* Notes the dead connection at path, whose containers' mounts the repair replaces. */
static void remember_dead(const char *path)
{
        g_auto(PvMountEntry) e = {0};

        if (pv_mount_find(path, &e) == 0)
                (void)pv_connections_add(path, pv_mount_devno(&e));
}

int pv_mountpoint_prepare(const char *path)
{
        PvMountState state;
        struct stat st;
        int r;

        for (int attempt = 0; attempt < 8; attempt++) {
                r = pv_mount_probe(path, PROBE_TIMEOUT_MS, &state);
                if (r < 0 && r != -ENOENT) {
                        pv_log_error("cannot use mount point %s: %s", path, g_strerror(-r));
                        return r;
                }
                if (r == -ENOENT || state == PV_MOUNT_NONE)
                        break;
                if (state == PV_MOUNT_LIVE) {
                        pv_log_error("cannot use mount point %s: another procviewd serves "
                                     "it already",
                                     path);
                        return -EBUSY;
                }
                if (state == PV_MOUNT_HUNG) {
                        pv_log_error("cannot use mount point %s: a procviewd mount there "
                                     "does not answer (stop that daemon first)",
                                     path);
                        return -EBUSY;
                }
                /* dead: stacked dead mounts are detached one by one, and repaired later */
                remember_dead(path);
                pv_log_warning("mount point %s: a dead procview mount, detaching it", path);
                if (umount2(path, MNT_DETACH) < 0) {
                        r = -errno;
                        pv_log_error("cannot detach the dead mount on %s: %s", path,
                                     g_strerror(-r));
                        return r;
                }
        }
        if (stat(path, &st) < 0) {
                if (errno != ENOENT || g_mkdir_with_parents(path, 0755) < 0) {
                        r = -errno;
                        pv_log_error("cannot use mount point %s: %s", path, g_strerror(-r));
                        return r;
                }
                return 0;
        }
        if (!S_ISDIR(st.st_mode)) {
                pv_log_error("cannot use mount point %s: %s", path, g_strerror(ENOTDIR));
                return -ENOTDIR;
        }
        return 0;
}

int pv_mountpoint_enter_ns(const char *ns_path)
{
        int fd = open(ns_path, O_RDONLY | O_CLOEXEC);
        int r = 0;

        if (fd < 0 || setns(fd, CLONE_NEWNS) < 0)
                r = -errno;
        if (fd >= 0)
                close(fd);
        if (r == -EINVAL)
                pv_log_error("--mount-ns: %s is not a mount namespace", ns_path);
        else if (r == -EPERM)
                pv_log_error("--mount-ns: cannot enter %s: entering a mount namespace takes "
                             "CAP_SYS_ADMIN and CAP_SYS_CHROOT (a privileged container)",
                             ns_path);
        else if (r < 0)
                pv_log_error("--mount-ns: cannot enter %s: %s", ns_path, g_strerror(-r));
        /* setns() made the namespace's root our root and cwd */
        return r < 0 ? r : chdir("/") < 0 ? -errno : 0;
}
