/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hang-fuse MOUNTPOINT: a FUSE file system whose every lookup is read by
 * the server and never answered, like a deadlocked procviewd. A task
 * waiting on a request the server has already read waits uninterruptibly
 * (fuse request_wait_answer()): even SIGKILL does not end it until the
 * server dies. Runs in the foreground until killed.
 */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void hang_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        for (;;)
                pause();
}

static const struct fuse_lowlevel_ops ops = {
    .lookup = hang_lookup,
};

int main(int argc, char **argv)
{
        char *args_v[] = {argv[0], "-o", "allow_other", NULL};
        struct fuse_args args = FUSE_ARGS_INIT(3, args_v);

        if (argc != 2) {
                fprintf(stderr, "usage: hang-fuse MOUNTPOINT\n");
                return 2;
        }
        struct fuse_session *se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
        if (!se || fuse_session_mount(se, argv[1]) != 0)
                return 1;
        int r = fuse_session_loop(se);
        fuse_session_unmount(se);
        fuse_session_destroy(se);
        return r ? 1 : 0;
}
