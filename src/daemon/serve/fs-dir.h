/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The directory operations of pv_fs_ops (fs.h): lookup, getattr, opendir, readdir, releasedir. */

#include "fs.h"

void pv_fs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void pv_fs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void pv_fs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void pv_fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi);
void pv_fs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
