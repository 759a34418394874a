/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host's own files, kept open: a read is one pread() at offset 0, which
 * makes procfs and sysfs generate fresh content (see pv_pread_all()).
 */

#include <stddef.h>

/*
 * The slots of the kept-open host files. Which file a slot holds, whether it
 * is required and how it is read is said by the file table row that names the
 * slot (fs-table.c); the order here means nothing.
 */
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

/*
 * Opens the host file of every table row that has one: under opts.host_proc
 * for proc/ rows, under opts.sys_cpu_dir for sys/devices/system/cpu/ rows.
 * Returns 0, or -errno when a required one cannot be opened; the others may
 * be missing.
 */
int pv_host_open(PvDaemon *d);
void pv_host_close(PvDaemon *d);

/* The whole current text of a host file, malloc()ed. -ENOENT if the host lacks it. */
int pv_host_read(PvDaemon *d, PvHostFile f, char **ret, size_t *ret_len);
