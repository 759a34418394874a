/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "daemon.h"
#include "fs-table.h"

#define PROC_PREFIX "proc/"
#define SYS_CPU_PREFIX "sys/devices/system/cpu/"

/* Opens row f's host file. Returns the fd or -errno (-EINVAL: a path no host directory holds). */
static int open_host_file(PvDaemon *d, int sys_fd, const PvFile *f)
{
        int dir, fd;
        const char *name;

        if (g_str_has_prefix(f->path, PROC_PREFIX)) {
                dir = d->host_fd;
                name = f->path + strlen(PROC_PREFIX);
        } else if (g_str_has_prefix(f->path, SYS_CPU_PREFIX)) {
                dir = sys_fd;
                name = f->path + strlen(SYS_CPU_PREFIX);
        } else
                return -EINVAL;
        fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

int pv_host_open(PvDaemon *d)
{
        for (int i = 0; i < _PV_HOST_MAX; i++)
                g_mutex_init(&d->host_file_lock[i]);
        _cleanup_close_ int sys_fd = open(d->opts.sys_cpu_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sys_fd < 0)
                return -errno;
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const PvFile *f = &pv_fs_files[i];
                if (f->host == PV_HOST_NONE)
                        continue;
                int fd = open_host_file(d, sys_fd, f);
                if (fd < 0 && f->host_required)
                        return fd;
                d->host_file_fd[f->host] = fd < 0 ? -1 : fd;
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

        const PvFile *row = pv_fs_file_of_host(f);

        if (!row || d->host_file_fd[f] < 0)
                return -ENOENT;
        /* one-piece files: one pread is one snapshot, whatever other threads do */
        if (!row->host_records)
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
