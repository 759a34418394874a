/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fs-table.h"

#include <string.h>

/* THE table of virtual files. Adding a file is one row and one render function. */
const PvFile pv_fs_files[] = {
    {INO_ROOT, INO_ROOT, "", "", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_PROC, INO_ROOT, "proc", "proc", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_MEMINFO, INO_PROC, "meminfo", "proc/meminfo", FILE_MODE, pv_render_meminfo,
     PV_HOST_MEMINFO},
    {INO_CPUINFO, INO_PROC, "cpuinfo", "proc/cpuinfo", FILE_MODE, pv_render_cpuinfo,
     PV_HOST_CPUINFO},
    {INO_STAT, INO_PROC, "stat", "proc/stat", FILE_MODE, pv_render_stat, PV_HOST_STAT},
    {INO_DISKSTATS, INO_PROC, "diskstats", "proc/diskstats", FILE_MODE, pv_render_diskstats,
     PV_HOST_DISKSTATS},
    {INO_UPTIME, INO_PROC, "uptime", "proc/uptime", FILE_MODE, pv_render_uptime, PV_HOST_UPTIME},
    {INO_LOADAVG, INO_PROC, "loadavg", "proc/loadavg", FILE_MODE, pv_render_loadavg,
     PV_HOST_LOADAVG},
    {INO_SWAPS, INO_PROC, "swaps", "proc/swaps", FILE_MODE, pv_render_swaps, PV_HOST_SWAPS},
    {INO_VMSTAT, INO_PROC, "vmstat", "proc/vmstat", FILE_MODE, pv_render_vmstat, PV_HOST_VMSTAT},
    {INO_PRESSURE, INO_PROC, "pressure", "proc/pressure", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_PRESSURE_CPU, INO_PRESSURE, "cpu", "proc/pressure/cpu", FILE_MODE, pv_render_pressure_cpu,
     PV_HOST_PRESSURE_CPU},
    {INO_PRESSURE_MEMORY, INO_PRESSURE, "memory", "proc/pressure/memory", FILE_MODE,
     pv_render_pressure_memory, PV_HOST_PRESSURE_MEMORY},
    {INO_PRESSURE_IO, INO_PRESSURE, "io", "proc/pressure/io", FILE_MODE, pv_render_pressure_io,
     PV_HOST_PRESSURE_IO},
    {INO_SYS, INO_ROOT, "sys", "sys", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_SYS_DEVICES, INO_SYS, "devices", "sys/devices", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_SYS_SYSTEM, INO_SYS_DEVICES, "system", "sys/devices/system", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_SYS_CPU, INO_SYS_SYSTEM, "cpu", "sys/devices/system/cpu", DIR_MODE, NULL, PV_HOST_NONE},
    {INO_CPU_ONLINE, INO_SYS_CPU, "online", "sys/devices/system/cpu/online", FILE_MODE,
     pv_render_cpu_visible, PV_HOST_CPU_ONLINE},
    {INO_CPU_POSSIBLE, INO_SYS_CPU, "possible", "sys/devices/system/cpu/possible", FILE_MODE,
     pv_render_cpu_visible, PV_HOST_CPU_POSSIBLE},
    {INO_CPU_PRESENT, INO_SYS_CPU, "present", "sys/devices/system/cpu/present", FILE_MODE,
     pv_render_cpu_visible, PV_HOST_CPU_PRESENT},
    {INO_CPU_OFFLINE, INO_SYS_CPU, "offline", "sys/devices/system/cpu/offline", FILE_MODE,
     pv_render_cpu_offline, PV_HOST_CPU_OFFLINE},
};

const PvFile pv_fs_cpu_dir_file = {0, INO_SYS_CPU, NULL, NULL, DIR_MODE, NULL, PV_HOST_NONE};
const size_t pv_fs_n_files = G_N_ELEMENTS(pv_fs_files);

const PvFile pv_fs_cpu_online_file = {
    0, 0, "online", NULL, FILE_MODE, pv_render_cpu_online_flag, PV_HOST_NONE};

const char *const *pv_fs_file_paths(void)
{
        static const char *paths[G_N_ELEMENTS(pv_fs_files) + 1];
        size_t n = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(pv_fs_files); i++)
                if (pv_fs_files[i].render)
                        paths[n++] = pv_fs_files[i].path;
        paths[n] = NULL;
        return paths;
}

bool pv_fs_ino_is_cpu(fuse_ino_t ino, unsigned *ret_cpu, bool *ret_is_online)
{
        if (ino < INO_CPU_BASE || ino >= INO_CPU_BASE + 2 * (fuse_ino_t)PV_CPU_MAX)
                return false;
        *ret_cpu = (unsigned)((ino - INO_CPU_BASE) / 2);
        *ret_is_online = (ino - INO_CPU_BASE) % 2;
        return true;
}

/* The table row for ino (per-CPU rows are shared templates), or NULL. */
const PvFile *pv_fs_file_of(fuse_ino_t ino, unsigned *ret_cpu)
{
        unsigned cpu = 0;
        bool is_online;

        *ret_cpu = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(pv_fs_files); i++)
                if (pv_fs_files[i].ino == ino)
                        return &pv_fs_files[i];
        if (pv_fs_ino_is_cpu(ino, &cpu, &is_online)) {
                *ret_cpu = cpu;
                return is_online ? &pv_fs_cpu_online_file : &pv_fs_cpu_dir_file;
        }
        return NULL;
}

void pv_fs_fill_attr(fuse_ino_t ino, const PvFile *f, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_ino = ino;
        st->st_mode = f->mode;
        st->st_nlink = S_ISDIR(f->mode) ? 2 : 1;
        /*
         * Like procfs: size 0, readers read until EOF. The content depends on
         * the reader, but every reader shares this inode's size: the kernel
         * lowers it to the end a page-cache read found (fs/fuse/file.c
         * fuse_short_read), which would cut the next container's
         * sendfile()/splice() short, and tools trust a nonzero size (wc -c,
         * tail). See procviewd(8), FILES.
         */
        st->st_size = 0;
        st->st_blksize = 4096;
}
