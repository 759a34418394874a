/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The FUSE side: one table of virtual files drives every operation. */

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "daemon.h"

/* The low-level operations of procviewd; userdata is the PvDaemon. */
extern const struct fuse_lowlevel_ops pv_fs_ops;

/*
 * Mount options every procviewd mount uses: readable by every user and every
 * container, read-only for all.
 */
#define PV_FS_MOUNT_OPTIONS "allow_other,ro,default_permissions,fsname=procview,subtype=procview"

/* For tests and --help: the relative paths of the static files, NULL-terminated. */
const char *const *pv_fs_file_paths(void);
