/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The parsers of mountinfo (proc(5)) into entries that own their strings,
 * the OCI hook's lookups of a device's fs type and of a mount's propagation
 * in the whole text, and the cgroup mounts the backend's hierarchy discovery
 * falls back on: pure, no I/O, on mount-line.h's in-place split. They
 * allocate (with glib, or libc for copies of lines and mount points), so
 * only glib programs call them (the daemon, the OCI hook); libprocview and
 * the preload, which link pvparse too, never do, and so never link them.
 * Conventions as in parse.h.
 */

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse-types.h"

/*
 * One line of mountinfo (proc(5)). The strings are decoded (the kernel
 * writes space, tab, newline and backslash in paths and names as \040, \011,
 * \012 and \134) and owned by the entry: free them with
 * pv_mount_entry_clear(), or declare the entry g_auto(PvMountEntry).
 */
typedef struct PvMountEntry {
        uint64_t mount_id;
        uint64_t parent_id;
        unsigned major;
        unsigned minor;
        char *root;          /* the directory of the file system mounted here */
        char *mount_point;   /* in this process's mount namespace */
        char *mount_options; /* per-mount options, e.g. "ro,nosuid" */
        char *fs_type;       /* e.g. "fuse.procview", "proc" */
        char *source;        /* e.g. "procview", "/dev/sda1", "none" */
        char *super_options; /* per-superblock options, e.g. "ro,user_id=0" */
} PvMountEntry;

/* Frees the strings of e and zeroes it; safe on a zeroed or cleared entry. */
void pv_mount_entry_clear(PvMountEntry *e);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PvMountEntry, pv_mount_entry_clear)

/*
 * Parses one mountinfo line (with or without its trailing newline): "ID
 * PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE
 * SUPEROPTIONS". Pure. On success *ret (which must not hold strings: they
 * would leak) receives newly allocated strings.
 * Returns 0, or -EINVAL for a malformed line; *ret untouched on failure.
 */
int pv_mountinfo_parse_line(const char *line, PvMountEntry *ret);

/*
 * Finds in mountinfo (the whole text of a mountinfo file) the topmost mount
 * whose mount point is mount_point, compared byte for byte after decoding:
 * mount_point must be canonical (see pv_mount_canonical_path()). When
 * several mounts are stacked there, the topmost is the one that no other
 * mount at the same point has as its parent; the last line wins a tie.
 * Malformed lines are skipped. Pure.
 * Returns 0 with the entry in *ret (as pv_mountinfo_parse_line()), or
 * -ENOENT when nothing is mounted there; *ret untouched on failure.
 */
int pv_mountinfo_find(const char *mountinfo, const char *mount_point, PvMountEntry *ret);

/*
 * The mounts in mountinfo (the whole text of a mountinfo file) whose fs type
 * is fstype and whose device (major << 32 | minor, as pv_mount_devno()) is
 * one of devs[0..n_devs): appended to ret as newly allocated entries, which
 * ret must free (g_ptr_array_new_with_free_func(pv_mount_entry_free)).
 * Malformed lines are skipped. Pure. Returns how many entries it appended.
 */
size_t pv_mountinfo_select(const char *mountinfo, const char *fstype, const uint64_t *devs,
                           size_t n_devs, GPtrArray *ret);

/* The device of e as one number: major << 32 | minor. */
static inline uint64_t pv_mount_devno(const PvMountEntry *e)
{
        return (uint64_t)e->major << 32 | e->minor;
}

/* Clears and frees an entry allocated by pv_mountinfo_select(). */
void pv_mount_entry_free(gpointer e);

/*
 * Whether mountinfo (the text of /proc/self/mountinfo) shows the device
 * major:minor mounted with fs type fstype. Every mount of one superblock
 * shows its device, so this names the file system behind any fd on it
 * (fstat st_dev), with or without STATX_MNT_ID. Lines are split with
 * pv_mount_line_split(); malformed ones are skipped. Returns 1 when a line
 * with that device has that type, 0 when its lines have another, -ENOENT
 * when no line has that device, -ENOMEM.
 */
int pv_mountinfo_dev_is(const char *mountinfo, unsigned major, unsigned minor, const char *fstype);

/*
 * Whether the mount with id mnt_id (the first field of its line: statx()
 * STATX_MNT_ID, or fdinfo's "mnt_id:", pv_fdinfo_mnt_id()) is shared
 * according to mountinfo, the text of /proc/self/mountinfo: a "shared:N"
 * optional field means mounts made on it propagate to its peers, which may
 * be in the host's namespace (proc(5), mount_namespaces(7)). Pure and
 * allocation-free. Returns 1 when shared, 0 when not, -ENOENT when no line
 * has that id.
 */
int pv_mountinfo_is_shared(const char *mountinfo, uint64_t mnt_id);

/*
 * The cgroup mounts in mountinfo (the whole text of /proc/self/mountinfo,
 * split in place: it is modified): into unified_path (of unified_len bytes,
 * cut to fit), the mount point of the first cgroup2 mount, unless
 * unified_path[0] is set already; and, when want_v1, into each v1_path[c]
 * still NULL, a strdup() (free() it; NULL when the copy fails) of the mount
 * point of the first cgroup (v1) mount whose super options name controller
 * c. Malformed and empty lines are skipped; what no line names is left as it
 * was.
 */
void pv_mountinfo_cgroup_mounts(char *mountinfo, char *unified_path, size_t unified_len,
                                char *v1_path[_PV_CTRL_MAX], bool want_v1);
