/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The FUSE side: one table of virtual files (fs-table.h) drives every
 * operation: directories in fs-dir.c, files in fs-file.c, the table of
 * operations in fs.c, which calls them; they call only what this header
 * holds inline.
 */

#include <fuse_lowlevel.h>

#include "log.h"
#include "registry/caller.h"
#include "registry/daemon.h"

/* The low-level operations of procviewd; userdata is the PvDaemon. */
extern const struct fuse_lowlevel_ops pv_fs_ops;

/*
 * Mount options every procviewd mount uses: readable by every user and every
 * container, read-only for all.
 */
#define PV_FS_MOUNT_OPTIONS "allow_other,ro,default_permissions,fsname=procview,subtype=procview"

/* For the operations: the daemon a request is for. */
static inline PvDaemon *pv_fs_daemon(fuse_req_t req)
{
        return fuse_req_userdata(req);
}

/*
 * The container of the reader of req, a new reference. Returns 0 or -errno
 * (logged at debug: -ESRCH, a reader that is gone, is no error of ours).
 */
static inline int pv_fs_caller_container(fuse_req_t req, PvContainer **ret)
{
        const struct fuse_ctx *ctx = fuse_req_ctx(req);
        int r = pv_caller_container(pv_fs_daemon(req), ctx->pid, ret);
        if (r < 0)
                pv_log_debug("cannot resolve the container of pid %d: %s", (int)ctx->pid,
                             g_strerror(-r));
        return r;
}
