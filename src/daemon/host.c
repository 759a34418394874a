/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "common/fileio.h"
#include "daemon.h"

static const struct {
        bool sys; /* under opts.sys_cpu_dir, else under opts.host_proc */
        const char *name;
} host_files[_PV_HOST_MAX] = {
    [PV_HOST_MEMINFO] = {false, "meminfo"},
    [PV_HOST_CPUINFO] = {false, "cpuinfo"},
    [PV_HOST_STAT] = {false, "stat"},
    [PV_HOST_DISKSTATS] = {false, "diskstats"},
    [PV_HOST_UPTIME] = {false, "uptime"},
    [PV_HOST_LOADAVG] = {false, "loadavg"},
    [PV_HOST_SWAPS] = {false, "swaps"},
    [PV_HOST_PRESSURE_CPU] = {false, "pressure/cpu"},
    [PV_HOST_PRESSURE_MEMORY] = {false, "pressure/memory"},
    [PV_HOST_PRESSURE_IO] = {false, "pressure/io"},
    [PV_HOST_CPU_ONLINE] = {true, "online"},
    [PV_HOST_CPU_POSSIBLE] = {true, "possible"},
    [PV_HOST_CPU_PRESENT] = {true, "present"},
    [PV_HOST_CPU_OFFLINE] = {true, "offline"},
};

int pv_host_open(PvDaemon *d)
{
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
        if (f < 0 || f >= _PV_HOST_MAX || d->host_file_fd[f] < 0)
                return -ENOENT;
        return pv_pread_all(d->host_file_fd[f], ret, ret_len);
}
