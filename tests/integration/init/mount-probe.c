/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mount-probe PATH [TIMEOUT_MS]: prints what pv_mount_probe() says about
 * PATH (none, live, dead or hung) and, when something is mounted there, the
 * mountinfo entry pv_mount_find() returns ("fstype source mountpoint").
 * Exits 0 when the probe gave an answer, 1 when it failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

int main(int argc, char **argv)
{
        g_auto(PvMountEntry) e = {0};
        PvMountState state;
        int timeout_ms = argc > 2 ? atoi(argv[2]) : 1000;
        int r;

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "usage: mount-probe PATH [TIMEOUT_MS]\n");
                return 2;
        }
        r = pv_mount_probe(argv[1], timeout_ms, &state);
        if (r < 0) {
                fprintf(stderr, "mount-probe: %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        printf("%s\n", pv_mount_state_to_string(state));
        if (pv_mount_find(argv[1], &e) == 0)
                printf("%s %s %s\n", e.fs_type, e.source, e.mount_point);
        return 0;
}
