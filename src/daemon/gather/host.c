/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "registry/daemon.h"
#include "fs-table.h"

#define PROC_PREFIX "proc/"
#define SYS_CPU_PREFIX "sys/devices/system/cpu/"
#define SYS_NODE_PREFIX "sys/devices/system/node/"

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
        } else if (g_str_has_prefix(f->path, SYS_NODE_PREFIX)) {
                if (d->host_node_fd < 0)
                        return -ENOENT;
                dir = d->host_node_fd;
                name = f->path + strlen(SYS_NODE_PREFIX);
        } else
                return -EINVAL;
        fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

/* One row's host file; its row's index in pv_fs_files[] is its index in d->host_files. */
struct PvHostFile {
        int fd; /* -1: none */
        /*
         * A file with a record per CPU, disk or swap area is read a page per
         * pread, by one reader at a time (pv_host_read()).
         */
        GMutex lock;
};

int pv_host_open(PvDaemon *d)
{
        d->host_files = g_new(PvHostFile, pv_fs_n_files);
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                d->host_files[i].fd = -1;
                g_mutex_init(&d->host_files[i].lock);
        }
        /* kernels built without CONFIG_NUMA have no node directory */
        d->host_node_fd = d->opts.sys_node_dir
                              ? open(d->opts.sys_node_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                              : -1;
        _cleanup_close_ int sys_fd = open(d->opts.sys_cpu_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sys_fd < 0)
                return -errno;
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const PvFile *f = &pv_fs_files[i];
                if (!f->host)
                        continue;
                int fd = open_host_file(d, sys_fd, f);
                if (fd < 0 && f->host_required)
                        return fd;
                d->host_files[i].fd = fd < 0 ? -1 : fd;
        }
        return 0;
}

void pv_host_close(PvDaemon *d)
{
        if (!d->host_files)
                return;
        if (d->host_node_fd >= 0)
                close(d->host_node_fd);
        d->host_node_fd = -1;
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                if (d->host_files[i].fd >= 0)
                        close(d->host_files[i].fd);
                g_mutex_clear(&d->host_files[i].lock);
        }
        g_clear_pointer(&d->host_files, g_free);
}

int pv_host_read(PvDaemon *d, const char *path, char **ret, size_t *ret_len)
{
        const PvFile *row = pv_fs_file_of_path(path);
        int r;

        if (!row || !row->host || !d->host_files)
                return -ENOENT;
        PvHostFile *h = &d->host_files[row - pv_fs_files];
        if (h->fd < 0)
                return -ENOENT;
        /* one-piece files: one pread is one snapshot, whatever other threads do */
        if (!row->host_records)
                return pv_pread_all(h->fd, ret, ret_len);
        /*
         * A file with a record per CPU, disk or swap area comes a page per
         * pread, and a seq_file keeps one buffer and position per open file:
         * another thread's pread at offset 0 in between would regenerate it,
         * and this read would continue in the new text (a torn line).
         */
        g_mutex_lock(&h->lock);
        r = pv_pread_records(h->fd, ret, ret_len);
        g_mutex_unlock(&h->lock);
        return r;
}

int pv_host_read_cpuset(PvDaemon *d, const char *path, PvCpuSet *ret)
{
        g_autofree char *text = NULL;
        int r = pv_host_read(d, path, &text, NULL);
        if (r < 0)
                return r;
        return pv_cpuset_parse(text, ret);
}

int pv_host_read_node(PvDaemon *d, unsigned node, const char *name, char **ret)
{
        char path[64];

        if (d->host_node_fd < 0)
                return -ENOENT;
        snprintf(path, sizeof(path), "node%u/%s", node, name);
        return pv_read_file_at(d->host_node_fd, path, ret, NULL);
}
