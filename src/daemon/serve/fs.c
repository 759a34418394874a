/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The FUSE operations table: directory operations in fs-dir.c, file
 * operations in fs-file.c; here, INIT and the refusal of every operation that
 * would change the tree.
 */
#include "fs.h"

#include <errno.h>

#include "registry/caller.h"
#include "fs-dir.h"
#include "fs-file.h"
#include "gather/fs-table.h"
#include "log.h"

_Static_assert(INO_ROOT == FUSE_ROOT_ID, "the table's root is FUSE's");
_Static_assert(sizeof(PvIno) == sizeof(fuse_ino_t), "the table's inodes are FUSE's");

/* ---- everything that would change the tree is refused ---- */

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
        fuse_reply_err(req, EROFS);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
        fuse_reply_err(req, EROFS);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        fuse_reply_err(req, EROFS);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                      const char *newname, unsigned int flags)
{
        fuse_reply_err(req, EROFS);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                        size_t size, int flags)
{
        fuse_reply_err(req, EROFS);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
        /* Content changes on every open: no page cache, no readahead beyond what is asked. */
        conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA;
        /*
         * The kernel sends RELEASE as a background request, and lets only
         * max_background (12 unless raised) of those be queued for us at a
         * time; the rest wait behind every OPEN, which is not throttled. A
         * reader that opens and closes from many threads thus gets ahead of
         * its releases, and the handles it closed stay open here by the tens
         * of thousands until its per-container cap refuses it. This file
         * system has no other background requests (no readahead, no
         * writeback) to throttle: let releases through as they come.
         */
        conn->max_background = 4096;
        conn->congestion_threshold = 3072;
}

const struct fuse_lowlevel_ops pv_fs_ops = {
    .init = op_init,
    .lookup = pv_fs_op_lookup,
    .getattr = pv_fs_op_getattr,
    .opendir = pv_fs_op_opendir,
    .readdir = pv_fs_op_readdir,
    .releasedir = pv_fs_op_releasedir,
    .open = pv_fs_op_open,
    .read = pv_fs_op_read,
    .release = pv_fs_op_release,
    .setattr = op_setattr,
    .write = op_write,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_unlink,
    .rename = op_rename,
    .create = op_create,
    .setxattr = op_setxattr,
};
