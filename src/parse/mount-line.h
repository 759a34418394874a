/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One line of /proc/PID/mountinfo (proc(5)), split in place: "ID PARENT
 * MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".
 * Pure, libc only and allocation-free: the daemon's hierarchy discovery, the
 * glib mount lookup (mountinfo.h), libprocview and the preload share it.
 */

#include <stdbool.h>
#include <stdint.h>

/* Pointers into the split line; the text fields have their escapes decoded. */
typedef struct PvMountLine {
        char *id;
        char *parent;
        char *devno; /* "MAJ:MIN", not decoded */
        char *root;  /* the directory of the file system mounted here */
        char *mount_point;
        char *mount_options;
        char *fs_type;
        char *source;
        char *super_options;
} PvMountLine;

/*
 * Splits line (NUL-terminated; a newline also ends it) at single spaces, in
 * place. Fields are separated by exactly one space (the kernel escapes the
 * spaces of names), the optional fields end at a lone "-", and exactly three
 * fields follow it. Root, mount point and fs type must not be empty.
 * Returns 0, or -EINVAL for a malformed line (line is modified either way;
 * *ret untouched on failure).
 */
int pv_mount_line_split(char *line, PvMountLine *ret);

/*
 * Undoes the kernel's mangle() (fs/proc_namespace.c), which writes a
 * backslash and three octal digits for the characters that would break the
 * line into fields (space, tab, newline, backslash), in place. Anything else
 * after a backslash, and an escape of NUL, are kept as they are.
 */
void pv_mount_unescape(char *s);

/* True when the comma-separated option list opts holds exactly opt. */
bool pv_mount_opt_has(const char *opts, const char *opt);

/*
 * The mount ID of an open file from the text of /proc/PID/fdinfo/FD: its
 * "mnt_id:" line (Linux 3.15), the same ID as statx() STATX_MNT_ID (5.8)
 * and the first field of mountinfo. Only a line that starts with the key
 * counts (fanotify's lines carry "mnt_id:" further in).
 * Returns 0 with the ID in *ret_mnt_id, -ENOENT when there is no such line
 * (before 3.15), -EINVAL when its value is not a decimal number;
 * *ret_mnt_id untouched on failure.
 */
int pv_fdinfo_mnt_id(const char *fdinfo, uint64_t *ret_mnt_id);
