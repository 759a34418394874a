/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The file operations of pv_fs_ops (fs.h): open, read, release. A handle an
 * earlier worker issued is adopted at its first read here.
 */

#include "fs.h"

void pv_fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void pv_fs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                   struct fuse_file_info *fi);
void pv_fs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
