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

/* Reads a records seq_file from offset 0 until a read returns nothing. */
static int pread_records(int fd, char **ret, size_t *ret_len)
{
        size_t cap = 16384, len = 0;
        char *buf = malloc(cap);

        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (cap - len < 4096) {
                        char *nbuf = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
                        if (!nbuf) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nbuf;
                        cap *= 2;
                }
                ssize_t n = pread(fd, buf + len, cap - len - 1, (off_t)len);
                if (n < 0) {
                        int r = -errno;
                        if (r == -EINTR)
                                continue;
                        free(buf);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int pv_host_read(PvDaemon *d, PvHostFile f, char **ret, size_t *ret_len)
{
        int r;

        if (f < 0 || f >= _PV_HOST_MAX || d->host_file_fd[f] < 0)
                return -ENOENT;
        /*
         * A text longer than one read is read in several preads, and a seq_file
         * keeps one buffer and position per open file: another thread's pread
         * at offset 0 in between regenerates that buffer, and this read would
         * continue in the new text (a line torn between two snapshots).
         */
        g_mutex_lock(&d->host_file_lock[f]);
        if (host_files[f].records)
                r = pread_records(d->host_file_fd[f], ret, ret_len);
        else
                r = pv_pread_all(d->host_file_fd[f], ret, ret_len);
        g_mutex_unlock(&d->host_file_lock[f]);
        return r;
}
