/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * oci-bind-view VIEWS ROOTFS REL any|fdinfo: binds the view REL of the
 * procview mount VIEWS over ROOTFS/REL as procview-oci-hook does
 * (pv_oci_bind_view()), finding the target's mount by statx() where it can
 * ("any", the hook's way) or by /proc/self/fdinfo alone ("fdinfo", the way
 * of kernels before 5.8, which lack STATX_MNT_ID). Prints "result N" on
 * stderr, N being 0 or -errno; exits 0 when the bind was made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>

#include "log.h"
#include "oci-bind.h"

int main(int argc, char **argv)
{
        PvOciMountIdFrom from;
        int viewsfd, rootfd, r;

        if (argc != 5 || (strcmp(argv[4], "any") != 0 && strcmp(argv[4], "fdinfo") != 0)) {
                fprintf(stderr, "usage: oci-bind-view VIEWS ROOTFS REL any|fdinfo\n");
                return 2;
        }
        /* the bind's log, debug lines too, in the hook's stderr format */
        pv_log_setup("oci-bind-view", PV_LOG_STDERR, true);
        from = strcmp(argv[4], "any") == 0 ? PV_OCI_MOUNT_ID_ANY : PV_OCI_MOUNT_ID_FDINFO;
        r = pv_oci_open_views(argv[1], &viewsfd);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
                return 2;
        }
        rootfd = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
                return 2;
        }
        bool dir = strncmp(argv[3], "sys/", 4) == 0;
        r = pv_oci_bind_view(rootfd, viewsfd, argv[3], dir ? SYSFS_MAGIC : PROC_SUPER_MAGIC, dir,
                             from);
        fprintf(stderr, "result %d\n", r);
        close(rootfd);
        close(viewsfd);
        return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
