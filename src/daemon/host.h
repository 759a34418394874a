/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host's own files, kept open: a read is one pread() at offset 0, which
 * makes procfs and sysfs generate fresh content (see pv_pread_all()).
 */

#include <stddef.h>

typedef enum PvHostFile {
        PV_HOST_NONE = -1,
        PV_HOST_MEMINFO,
        PV_HOST_CPUINFO,
        PV_HOST_STAT,
        PV_HOST_DISKSTATS,
        PV_HOST_UPTIME,
        PV_HOST_LOADAVG,
        PV_HOST_SWAPS,
        PV_HOST_PRESSURE_CPU,
        PV_HOST_PRESSURE_MEMORY,
        PV_HOST_PRESSURE_IO,
        PV_HOST_CPU_ONLINE,
        PV_HOST_CPU_POSSIBLE,
        PV_HOST_CPU_PRESENT,
        PV_HOST_CPU_OFFLINE,
        PV_HOST_VMSTAT,
        _PV_HOST_MAX,
} PvHostFile;

typedef struct PvDaemon PvDaemon;

/* Opens every host file that exists (opts.host_proc, opts.sys_cpu_dir). Returns 0 or -errno. */
int pv_host_open(PvDaemon *d);
void pv_host_close(PvDaemon *d);

/* The whole current text of a host file, malloc()ed. -ENOENT if the host lacks it. */
int pv_host_read(PvDaemon *d, PvHostFile f, char **ret, size_t *ret_len);
