/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The one table of procviewd's virtual files. A row says everything the
 * daemon needs about a file: where it is, what a container reader gets
 * (gather), what a reader in the host's root cgroups gets (host), and whether
 * runc lets a container bind it over /proc. See CONTRIBUTING.md to add one.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "gather.h"

/*
 * Inodes the directory operations (fs-dir.c) need by name. Every static row
 * has a fixed inode number (fs-table.c): handles survive a worker's
 * replacement by their inode, so a row keeps its number for ever. The per-CPU directories
 * sys/devices/system/cpu/cpuN and their "online" file are INO_CPU_BASE + 2N
 * and INO_CPU_BASE + 2N + 1. The per-node directories
 * sys/devices/system/node/nodeN and their files are INO_NODE_BASE + 4N + the
 * file's PvNodeSlot.
 */
/*
 * A file's inode number, as FUSE's fuse_ino_t (a uint64_t) carries it; the
 * table needs no libfuse header (serve/fs.c checks the two agree).
 */
typedef uint64_t PvIno;

enum {
        INO_ROOT = 1, /* FUSE_ROOT_ID */
        INO_SYS_CPU = 6,
        INO_SYS_NODE = 23,
        INO_CPU_BASE = 1024,
        INO_NODE_BASE = INO_CPU_BASE + 2 * PV_CPU_MAX,
};

/* The entries of a nodeN directory, in readdir order after the directory itself. */
typedef enum PvNodeSlot {
        PV_NODE_DIR,
        PV_NODE_CPULIST,
        PV_NODE_CPUMAP,
        PV_NODE_MEMINFO,
        _PV_NODE_SLOTS,
} PvNodeSlot;

#define DIR_MODE (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)

typedef struct PvFile {
        PvIno ino;
        PvIno parent;
        const char *name;
        const char *path; /* relative to the mount point */
        mode_t mode;
        PvGatherFn *gather; /* a container's text; NULL for directories */
        /*
         * A reader in the root cgroups gets the host file as is, kept open
         * from the start (host.h): the row's path under --host-proc for
         * proc/, under --sys-cpu-dir for sys/devices/system/cpu/, under
         * --sys-node-dir for sys/devices/system/node/.
         */
        bool host;
        bool host_required; /* procviewd refuses to start without the host file */
        /*
         * The host file is a seq_file with one record per CPU, disk or swap
         * area: it comes a page per read (host.c).
         */
        bool host_records;
        bool runc_bind; /* runc accepts it as a /proc mount destination (checkProcMount) */
} PvFile;

/* THE table of virtual files: directories before their entries. */
extern const PvFile pv_fs_files[];
extern const size_t pv_fs_n_files;
/* Templates of the per-CPU rows: sys/devices/system/cpu/cpuN and cpuN/online. */
extern const PvFile pv_fs_cpu_dir_file;
extern const PvFile pv_fs_cpu_online_file;
/* Templates of the per-node rows, by PvNodeSlot: nodeN, nodeN/cpulist, ... */
extern const PvFile pv_fs_node_files[_PV_NODE_SLOTS];

/* Whether ino is a per-CPU inode; its CPU and whether it is cpuN/online. */
bool pv_fs_ino_is_cpu(PvIno ino, unsigned *ret_cpu, bool *ret_is_online);
/* Whether ino is a per-node inode; its node and which of the node's entries it is. */
bool pv_fs_ino_is_node(PvIno ino, unsigned *ret_node, PvNodeSlot *ret_slot);
/*
 * The table row for ino (per-CPU and per-node rows are the shared templates),
 * or NULL; *ret_cpu its CPU or node.
 */
const PvFile *pv_fs_file_of(PvIno ino, unsigned *ret_cpu);
/* The static row of path (as "proc/meminfo"), or NULL. */
const PvFile *pv_fs_file_of_path(const char *path);
/* The attributes of a row: procfs-like, size 0. */
void pv_fs_fill_attr(PvIno ino, const PvFile *f, struct stat *st);

/*
 * Appends the served files, one "dir/{a,b}" group per directory, in table
 * order, sep between groups ("cpuN/online" stands for the per-CPU files,
 * "nodeN/..." for the per-node ones).
 * runc_only: only the rows runc accepts as /proc mount destinations.
 */
void pv_fs_append_file_list(GString *out, bool runc_only, const char *sep);
