/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hang-fuse MOUNTPOINT: a FUSE file system of procview's type whose root
 * answers getattr and statfs and whose every lookup is read by the server
 * and never answered, like a deadlocked procviewd. A task
 * waiting on a request the server has already read waits uninterruptibly
 * (fuse request_wait_answer()): even SIGKILL does not end it until the
 * server dies. Runs in the foreground until killed.
 */
#include <fuse_lowlevel.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The root answers, so the mount looks like a live procviewd until a view is looked up. */
static void root_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct stat st;

        if (ino != FUSE_ROOT_ID) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        memset(&st, 0, sizeof(st));
        st.st_ino = FUSE_ROOT_ID;
        st.st_mode = S_IFDIR | 0555;
        st.st_nlink = 2;
        fuse_reply_attr(req, &st, 3600.0);
}

static void hang_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        for (;;)
                pause();
}

static const struct fuse_lowlevel_ops ops = {
    .lookup = hang_lookup,
    .getattr = root_getattr,
};

int main(int argc, char **argv)
{
        /* procview's fs type: the hooks bind from nothing else */
        char *args_v[] = {argv[0], "-o", "allow_other,fsname=procview,subtype=procview", NULL};
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
