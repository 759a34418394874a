/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one table of procviewd's virtual files, and the inode numbers. */

#include <stdbool.h>
#include <sys/stat.h>

#include "fs.h"
#include "host.h"
#include "render.h"

/*
 * Inodes: the static entries below have fixed numbers; the per-CPU
 * directories sys/devices/system/cpu/cpuN and their "online" file are
 * INO_CPU_BASE + 2N and INO_CPU_BASE + 2N + 1.
 */
enum {
        INO_ROOT = FUSE_ROOT_ID,
        INO_PROC,
        INO_SYS,
        INO_SYS_DEVICES,
        INO_SYS_SYSTEM,
        INO_SYS_CPU,
        INO_MEMINFO,
        INO_CPUINFO,
        INO_STAT,
        INO_DISKSTATS,
        INO_UPTIME,
        INO_LOADAVG,
        INO_SWAPS,
        INO_CPU_ONLINE,
        INO_CPU_POSSIBLE,
        INO_CPU_PRESENT,
        INO_CPU_OFFLINE,
        INO_PRESSURE,
        INO_PRESSURE_CPU,
        INO_PRESSURE_MEMORY,
        INO_PRESSURE_IO,
        INO_VMSTAT,
        INO_CPU_BASE = 1024,
};

#define DIR_MODE (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)

typedef struct PvFile {
        fuse_ino_t ino;
        fuse_ino_t parent;
        const char *name;
        const char *path; /* relative to the mount point */
        mode_t mode;
        PvRenderFn render; /* NULL for directories */
        PvHostFile host;   /* a reader in the root cgroups gets this host file as is */
} PvFile;

/* THE table of virtual files (fs-table.c). Adding a file is one row and one render function. */
extern const PvFile pv_fs_files[];
extern const size_t pv_fs_n_files;
/* Templates of the per-CPU rows: sys/devices/system/cpu/cpuN and cpuN/online. */
extern const PvFile pv_fs_cpu_dir_file;
extern const PvFile pv_fs_cpu_online_file;

/* Whether ino is a per-CPU inode; its CPU and whether it is cpuN/online. */
bool pv_fs_ino_is_cpu(fuse_ino_t ino, unsigned *ret_cpu, bool *ret_is_online);
/* The table row for ino (per-CPU rows are the shared templates), or NULL; *ret_cpu its CPU. */
const PvFile *pv_fs_file_of(fuse_ino_t ino, unsigned *ret_cpu);
/* The attributes of a row: procfs-like, size 0. */
void pv_fs_fill_attr(fuse_ino_t ino, const PvFile *f, struct stat *st);
