/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fs-table.h"

#include <string.h>

/*
 * The static rows' inodes, fixed (fs-table.h): a new row takes the next free
 * number, and a removed row's number is never given to another file. 1, 6
 * and 23 are in fs-table.h.
 */
enum {
        INO_PROC = 2,
        INO_SYS = 3,
        INO_SYS_DEVICES = 4,
        INO_SYS_SYSTEM = 5,
        INO_MEMINFO = 7,
        INO_CPUINFO = 8,
        INO_STAT = 9,
        INO_DISKSTATS = 10,
        INO_UPTIME = 11,
        INO_LOADAVG = 12,
        INO_SWAPS = 13,
        INO_CPU_ONLINE = 14,
        INO_CPU_POSSIBLE = 15,
        INO_CPU_PRESENT = 16,
        INO_CPU_OFFLINE = 17,
        INO_PRESSURE = 18,
        INO_PRESSURE_CPU = 19,
        INO_PRESSURE_MEMORY = 20,
        INO_PRESSURE_IO = 21,
        INO_VMSTAT = 22,
        INO_NODE_ONLINE = 24,
        INO_NODE_POSSIBLE = 25,
        INO_NODE_HAS_CPU = 26,
        INO_NODE_HAS_MEMORY = 27,
};

/*
 * The gatherers (gather.c, gather-node.c). Only the rows below name them: a new file's is
 * declared here, with the type its definition is checked against there.
 */
extern PvGatherFn pv_gather_meminfo, pv_gather_cpuinfo, pv_gather_stat, pv_gather_diskstats,
    pv_gather_uptime, pv_gather_loadavg, pv_gather_swaps, pv_gather_vmstat, pv_gather_pressure_cpu,
    pv_gather_pressure_memory, pv_gather_pressure_io, pv_gather_cpu_visible, pv_gather_cpu_offline,
    pv_gather_cpu_online_flag, pv_gather_node_online, pv_gather_node_has_cpu,
    pv_gather_node_has_memory, pv_gather_node_cpulist, pv_gather_node_cpumap,
    pv_gather_node_meminfo;

#define DIR_ROW(ino_, parent_, name_, path_)                                                       \
        {                                                                                          \
                .ino = (ino_), .parent = (parent_), .name = (name_), .path = (path_),              \
                .mode = DIR_MODE                                                                   \
        }
#define FILE_ROW(ino_, parent_, name_, path_, gather_)                                             \
        .ino = (ino_), .parent = (parent_), .name = (name_), .path = (path_), .mode = FILE_MODE,   \
        .gather = (gather_)

/*
 * THE table of virtual files, a row a line. Readdir lists a directory's
 * entries in this order.
 */
/* clang-format off */
const PvFile pv_fs_files[] = {
    DIR_ROW(INO_ROOT, INO_ROOT, "", ""),
    DIR_ROW(INO_PROC, INO_ROOT, "proc", "proc"),
    {FILE_ROW(INO_MEMINFO, INO_PROC, "meminfo", "proc/meminfo", pv_gather_meminfo),         .host = true, .host_required = true, .runc_bind = true},
    {FILE_ROW(INO_CPUINFO, INO_PROC, "cpuinfo", "proc/cpuinfo", pv_gather_cpuinfo),         .host = true, .host_required = true, .host_records = true, .runc_bind = true},
    {FILE_ROW(INO_STAT, INO_PROC, "stat", "proc/stat", pv_gather_stat),                     .host = true, .host_required = true, .runc_bind = true},
    {FILE_ROW(INO_DISKSTATS, INO_PROC, "diskstats", "proc/diskstats", pv_gather_diskstats), .host = true, .host_required = true, .host_records = true, .runc_bind = true},
    {FILE_ROW(INO_UPTIME, INO_PROC, "uptime", "proc/uptime", pv_gather_uptime),             .host = true, .host_required = true, .runc_bind = true},
    {FILE_ROW(INO_LOADAVG, INO_PROC, "loadavg", "proc/loadavg", pv_gather_loadavg),         .host = true, .host_required = true, .runc_bind = true},
    {FILE_ROW(INO_SWAPS, INO_PROC, "swaps", "proc/swaps", pv_gather_swaps),                 .host = true, .host_required = true, .host_records = true, .runc_bind = true},
    /* hosts without these (no PSI, an old kernel) still serve the rest */
    {FILE_ROW(INO_VMSTAT, INO_PROC, "vmstat", "proc/vmstat", pv_gather_vmstat), .host = true},
    DIR_ROW(INO_PRESSURE, INO_PROC, "pressure", "proc/pressure"),
    {FILE_ROW(INO_PRESSURE_CPU, INO_PRESSURE, "cpu", "proc/pressure/cpu", pv_gather_pressure_cpu),             .host = true},
    {FILE_ROW(INO_PRESSURE_MEMORY, INO_PRESSURE, "memory", "proc/pressure/memory", pv_gather_pressure_memory), .host = true},
    {FILE_ROW(INO_PRESSURE_IO, INO_PRESSURE, "io", "proc/pressure/io", pv_gather_pressure_io),                 .host = true},
    DIR_ROW(INO_SYS, INO_ROOT, "sys", "sys"),
    DIR_ROW(INO_SYS_DEVICES, INO_SYS, "devices", "sys/devices"),
    DIR_ROW(INO_SYS_SYSTEM, INO_SYS_DEVICES, "system", "sys/devices/system"),
    DIR_ROW(INO_SYS_CPU, INO_SYS_SYSTEM, "cpu", "sys/devices/system/cpu"),
    /* the CPU view needs the host's online CPUs */
    {FILE_ROW(INO_CPU_ONLINE, INO_SYS_CPU, "online", "sys/devices/system/cpu/online", pv_gather_cpu_visible),       .host = true, .host_required = true},
    {FILE_ROW(INO_CPU_POSSIBLE, INO_SYS_CPU, "possible", "sys/devices/system/cpu/possible", pv_gather_cpu_visible), .host = true},
    {FILE_ROW(INO_CPU_PRESENT, INO_SYS_CPU, "present", "sys/devices/system/cpu/present", pv_gather_cpu_visible),    .host = true},
    /* absent on kernels built without CPU hotplug */
    {FILE_ROW(INO_CPU_OFFLINE, INO_SYS_CPU, "offline", "sys/devices/system/cpu/offline", pv_gather_cpu_offline), .host = true},
    /* absent on kernels built without NUMA: a container reader gets EOPNOTSUPP */
    DIR_ROW(INO_SYS_NODE, INO_SYS_SYSTEM, "node", "sys/devices/system/node"),
    {FILE_ROW(INO_NODE_ONLINE, INO_SYS_NODE, "online", "sys/devices/system/node/online", pv_gather_node_online),                 .host = true},
    {FILE_ROW(INO_NODE_POSSIBLE, INO_SYS_NODE, "possible", "sys/devices/system/node/possible", pv_gather_node_online),           .host = true},
    {FILE_ROW(INO_NODE_HAS_CPU, INO_SYS_NODE, "has_cpu", "sys/devices/system/node/has_cpu", pv_gather_node_has_cpu),             .host = true},
    {FILE_ROW(INO_NODE_HAS_MEMORY, INO_SYS_NODE, "has_memory", "sys/devices/system/node/has_memory", pv_gather_node_has_memory), .host = true},
};
/* clang-format on */

const PvFile pv_fs_cpu_dir_file = DIR_ROW(0, INO_SYS_CPU, NULL, NULL);
const size_t pv_fs_n_files = G_N_ELEMENTS(pv_fs_files);

/* its path stands for every CPU's, in messages and the file list */
const PvFile pv_fs_cpu_online_file = {FILE_ROW(0, INO_SYS_CPU, "online",
                                               "sys/devices/system/cpu/cpuN/online",
                                               pv_gather_cpu_online_flag),
                                      .host = true};

/* their paths stand for every node's, in messages and the file list */
const PvFile pv_fs_node_files[_PV_NODE_SLOTS] = {
    [PV_NODE_DIR] = DIR_ROW(0, INO_SYS_NODE, NULL, NULL),
    [PV_NODE_CPULIST] = {FILE_ROW(0, INO_SYS_NODE, "cpulist",
                                  "sys/devices/system/node/nodeN/cpulist", pv_gather_node_cpulist)},
    [PV_NODE_CPUMAP] = {FILE_ROW(0, INO_SYS_NODE, "cpumap", "sys/devices/system/node/nodeN/cpumap",
                                 pv_gather_node_cpumap)},
    [PV_NODE_MEMINFO] = {FILE_ROW(0, INO_SYS_NODE, "meminfo",
                                  "sys/devices/system/node/nodeN/meminfo", pv_gather_node_meminfo)},
};

bool pv_fs_ino_is_node(PvIno ino, unsigned *ret_node, PvNodeSlot *ret_slot)
{
        if (ino < INO_NODE_BASE || ino >= INO_NODE_BASE + _PV_NODE_SLOTS * (PvIno)PV_NODE_MAX)
                return false;
        *ret_node = (unsigned)((ino - INO_NODE_BASE) / _PV_NODE_SLOTS);
        *ret_slot = (PvNodeSlot)((ino - INO_NODE_BASE) % _PV_NODE_SLOTS);
        return true;
}

bool pv_fs_ino_is_cpu(PvIno ino, unsigned *ret_cpu, bool *ret_is_online)
{
        if (ino < INO_CPU_BASE || ino >= INO_CPU_BASE + 2 * (PvIno)PV_CPU_MAX)
                return false;
        *ret_cpu = (unsigned)((ino - INO_CPU_BASE) / 2);
        *ret_is_online = (ino - INO_CPU_BASE) % 2;
        return true;
}

const PvFile *pv_fs_file_of(PvIno ino, unsigned *ret_cpu)
{
        unsigned cpu = 0, node;
        bool is_online;
        PvNodeSlot slot;

        *ret_cpu = 0;
        for (size_t i = 0; i < G_N_ELEMENTS(pv_fs_files); i++)
                if (pv_fs_files[i].ino == ino)
                        return &pv_fs_files[i];
        if (pv_fs_ino_is_cpu(ino, &cpu, &is_online)) {
                *ret_cpu = cpu;
                return is_online ? &pv_fs_cpu_online_file : &pv_fs_cpu_dir_file;
        }
        if (pv_fs_ino_is_node(ino, &node, &slot)) {
                *ret_cpu = node;
                return &pv_fs_node_files[slot];
        }
        return NULL;
}

void pv_fs_fill_attr(PvIno ino, const PvFile *f, struct stat *st)
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

const PvFile *pv_fs_file_of_path(const char *path)
{
        for (size_t i = 0; i < G_N_ELEMENTS(pv_fs_files); i++)
                if (strcmp(pv_fs_files[i].path, path) == 0)
                        return &pv_fs_files[i];
        return NULL;
}

static bool listed(const PvFile *f, bool runc_only)
{
        return f->gather && (!runc_only || f->runc_bind);
}

/* Appends name to dir's group, opening the group ("dir/{") at its first entry. */
static void add_entry(GString *out, const char *sep, const PvFile *dir, const char *name,
                      bool *first)
{
        if (*first)
                g_string_append_printf(out, "%s%s/{", out->len ? sep : "", dir->path);
        else
                g_string_append_c(out, ',');
        g_string_append(out, name);
        *first = false;
}

void pv_fs_append_file_list(GString *out, bool runc_only, const char *sep)
{
        /* its own string, so that a group's separator depends on this list only */
        g_autoptr(GString) list = g_string_new(NULL);

        for (size_t i = 0; i < G_N_ELEMENTS(pv_fs_files); i++) {
                const PvFile *dir = &pv_fs_files[i];
                bool first = true;

                if (!S_ISDIR(dir->mode))
                        continue;
                for (size_t j = 0; j < G_N_ELEMENTS(pv_fs_files); j++)
                        if (pv_fs_files[j].parent == dir->ino && listed(&pv_fs_files[j], runc_only))
                                add_entry(list, sep, dir, pv_fs_files[j].name, &first);
                /* the per-CPU files, named by their template's path under dir */
                if (pv_fs_cpu_online_file.parent == dir->ino &&
                    listed(&pv_fs_cpu_online_file, runc_only))
                        add_entry(list, sep, dir,
                                  pv_fs_cpu_online_file.path + strlen(dir->path) + 1, &first);
                /* the per-node files */
                for (size_t s = PV_NODE_DIR + 1; s < _PV_NODE_SLOTS; s++)
                        if (pv_fs_node_files[s].parent == dir->ino &&
                            listed(&pv_fs_node_files[s], runc_only))
                                add_entry(list, sep, dir,
                                          pv_fs_node_files[s].path + strlen(dir->path) + 1, &first);
                if (!first)
                        g_string_append_c(list, '}');
        }
        g_string_append_len(out, list->str, (gssize)list->len);
}
