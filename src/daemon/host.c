/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fileio.h"
#include "daemon.h"

static const struct {
        bool sys; /* under opts.sys_cpu_dir, else under opts.host_proc */
        /*
         * A seq_file with one record per CPU, disk or swap area: one read()
         * returns at most one seq buffer (a page) of records, so a short read
         * is not the end of the file (a 4-CPU cpuinfo is longer than a page).
         */
        bool records;
        const char *name;
} host_files[_PV_HOST_MAX] = {
    [PV_HOST_MEMINFO] = {false, false, "meminfo"},
    [PV_HOST_CPUINFO] = {false, true, "cpuinfo"},
    [PV_HOST_STAT] = {false, false, "stat"},
    [PV_HOST_DISKSTATS] = {false, true, "diskstats"},
    [PV_HOST_UPTIME] = {false, false, "uptime"},
    [PV_HOST_LOADAVG] = {false, false, "loadavg"},
    [PV_HOST_SWAPS] = {false, true, "swaps"},
    [PV_HOST_PRESSURE_CPU] = {false, false, "pressure/cpu"},
    [PV_HOST_PRESSURE_MEMORY] = {false, false, "pressure/memory"},
    [PV_HOST_PRESSURE_IO] = {false, false, "pressure/io"},
    [PV_HOST_CPU_ONLINE] = {true, false, "online"},
    [PV_HOST_CPU_POSSIBLE] = {true, false, "possible"},
    [PV_HOST_CPU_PRESENT] = {true, false, "present"},
    [PV_HOST_CPU_OFFLINE] = {true, false, "offline"},
    [PV_HOST_VMSTAT] = {false, false, "vmstat"},
};

int pv_host_open(PvDaemon *d)
{
        for (int i = 0; i < _PV_HOST_MAX; i++)
                g_mutex_init(&d->host_file_lock[i]);
        _cleanup_close_ int sys_fd = open(d->opts.sys_cpu_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sys_fd < 0)
                return -errno;
        for (int i = 0; i < _PV_HOST_MAX; i++) {
                int dir = host_files[i].sys ? sys_fd : d->host_fd;
                d->host_file_fd[i] =
                    openat(dir, host_files[i].name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                /* files that are needed: the others (pressure, offline) may be missing */
                if (d->host_file_fd[i] < 0 && (i <= PV_HOST_SWAPS || i == PV_HOST_CPU_ONLINE))
                        return -errno;
        }
        return 0;
}

void pv_host_close(PvDaemon *d)
{
        for (int i = 0; i < _PV_HOST_MAX; i++) {
                if (d->host_file_fd[i] >= 0)
                        close(d->host_file_fd[i]);
                d->host_file_fd[i] = -1;
        }
}

int pv_host_read(PvDaemon *d, PvHostFile f, char **ret, size_t *ret_len)
{
        int r;

        if (f < 0 || f >= _PV_HOST_MAX || d->host_file_fd[f] < 0)
                return -ENOENT;
        /* one-piece files: one pread is one snapshot, whatever other threads do */
        if (!host_files[f].records)
                return pv_pread_all(d->host_file_fd[f], ret, ret_len);
        /*
         * A file with a record per CPU, disk or swap area comes a page per
         * pread, and a seq_file keeps one buffer and position per open file:
         * another thread's pread at offset 0 in between would regenerate it,
         * and this read would continue in the new text (a torn line).
         */
        g_mutex_lock(&d->host_file_lock[f]);
        r = pv_pread_records(d->host_file_fd[f], ret, ret_len);
        g_mutex_unlock(&d->host_file_lock[f]);
        return r;
}
