/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Prints the daemon's file table, one row per line: "PATH TYPE RUNC", TYPE
 * "file" or "dir", RUNC 1 when runc accepts the row as a /proc mount
 * destination. The per-CPU rows print once, as cpuN. For tests that check
 * what other files (manifests, docs) name against the table.
 */
#include <stdio.h>

#include "gather/fs-table.h"

static void row(const PvFile *f, const char *path)
{
        printf("%s %s %d\n", path, S_ISDIR(f->mode) ? "dir" : "file", f->runc_bind ? 1 : 0);
}

int main(void)
{
        for (size_t i = 0; i < pv_fs_n_files; i++)
                if (pv_fs_files[i].path && pv_fs_files[i].path[0])
                        row(&pv_fs_files[i], pv_fs_files[i].path);
        row(&pv_fs_cpu_dir_file, "sys/devices/system/cpu/cpuN");
        row(&pv_fs_cpu_online_file, "sys/devices/system/cpu/cpuN/online");
        return 0;
}
