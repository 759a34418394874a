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
#include "fs-table.h"
#include "parse-proc.h"
#include "registry/daemon.h"

#define PROC_PREFIX "proc/"
#define SYS_CPU_PREFIX "sys/devices/system/cpu/"
#define SYS_NODE_PREFIX "sys/devices/system/node/"

/* One row's host file. */
typedef struct PvHostFile {
        int fd; /* -1: none */
        /*
         * A file with a record per CPU, disk or swap area is read a page per
         * pread, by one reader at a time (pv_host_read()).
         */
        GMutex lock;
} PvHostFile;

struct PvHost {
        const PvFile *rows; /* the file table */
        size_t n_rows;
        int proc_fd;        /* dirfd of opts.host_proc: the host's own files */
        int node_fd;        /* dirfd of opts.sys_node_dir, -1: a host without NUMA */
        char *missing;      /* what pv_host_open() could not open (pv_host_missing()) */
        PvHostFile files[]; /* files[i] is rows[i]'s */
};

/*
 * Opens row f's host file. Returns the fd or -errno (-EINVAL: a path no host
 * directory holds); on failure *ret_missing names it as "--OPTION=DIR: DIR/NAME".
 */
static int open_host_file(const PvDaemon *d, int sys_fd, const PvFile *f, char **ret_missing)
{
        const PvHost *h = d->host;
        const char *name, *opt, *top;
        int dir, fd;

        if (g_str_has_prefix(f->path, PROC_PREFIX)) {
                dir = h->proc_fd;
                name = f->path + strlen(PROC_PREFIX);
                opt = "--host-proc";
                top = d->opts.host_proc;
        } else if (g_str_has_prefix(f->path, SYS_CPU_PREFIX)) {
                dir = sys_fd;
                name = f->path + strlen(SYS_CPU_PREFIX);
                opt = "--sys-cpu-dir";
                top = d->opts.sys_cpu_dir;
        } else if (g_str_has_prefix(f->path, SYS_NODE_PREFIX)) {
                if (h->node_fd < 0)
                        return -ENOENT;
                dir = h->node_fd;
                name = f->path + strlen(SYS_NODE_PREFIX);
                opt = "--sys-node-dir";
                top = d->opts.sys_node_dir;
        } else
                return -EINVAL;
        fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0)
                return fd;
        fd = -errno;
        *ret_missing = g_strdup_printf("%s=%s: %s/%s", opt, top, top, name);
        return fd;
}

int pv_host_open(PvDaemon *d, const PvFile *rows, size_t n_rows)
{
        PvHost *h = g_malloc0(sizeof(PvHost) + n_rows * sizeof(PvHostFile));

        h->rows = rows;
        h->n_rows = n_rows;
        for (size_t i = 0; i < n_rows; i++) {
                h->files[i].fd = -1;
                g_mutex_init(&h->files[i].lock);
        }
        d->host = h;
        h->node_fd = -1;
        h->proc_fd = open(d->opts.host_proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (h->proc_fd < 0) {
                int r = -errno;
                h->missing = g_strdup_printf("--host-proc=%s", d->opts.host_proc);
                return r;
        }
        /* kernels built without CONFIG_NUMA have no node directory */
        if (d->opts.sys_node_dir)
                h->node_fd = open(d->opts.sys_node_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int sys_fd = open(d->opts.sys_cpu_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sys_fd < 0) {
                int r = -errno;
                h->missing = g_strdup_printf("--sys-cpu-dir=%s", d->opts.sys_cpu_dir);
                return r;
        }
        for (size_t i = 0; i < n_rows; i++) {
                const PvFile *f = &rows[i];
                g_autofree char *missing = NULL;
                if (!f->host)
                        continue;
                int fd = open_host_file(d, sys_fd, f, &missing);
                if (fd < 0 && f->host_required) {
                        h->missing = g_steal_pointer(&missing);
                        return fd;
                }
                h->files[i].fd = fd < 0 ? -1 : fd;
        }
        return 0;
}

const char *pv_host_missing(const PvDaemon *d)
{
        return d->host ? d->host->missing : NULL;
}

void pv_host_close(PvDaemon *d)
{
        PvHost *h = d->host;

        if (!h)
                return;
        if (h->proc_fd >= 0)
                close(h->proc_fd);
        if (h->node_fd >= 0)
                close(h->node_fd);
        for (size_t i = 0; i < h->n_rows; i++) {
                if (h->files[i].fd >= 0)
                        close(h->files[i].fd);
                g_mutex_clear(&h->files[i].lock);
        }
        g_free(h->missing);
        g_clear_pointer(&d->host, g_free);
}

/* The row at path, or NULL. */
static const PvFile *row_of_path(const PvHost *h, const char *path)
{
        for (size_t i = 0; i < h->n_rows; i++)
                if (strcmp(h->rows[i].path, path) == 0)
                        return &h->rows[i];
        return NULL;
}

int pv_host_read(PvDaemon *d, const char *path, char **ret, size_t *ret_len)
{
        const PvFile *row = d->host ? row_of_path(d->host, path) : NULL;
        int r;

        if (!row || !row->host)
                return -ENOENT;
        PvHostFile *h = &d->host->files[row - d->host->rows];
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

int pv_host_read_btime(PvDaemon *d)
{
        g_autofree char *stat_text = NULL;
        int r = pv_host_read(d, "proc/stat", &stat_text, NULL);
        if (r < 0)
                return r;
        uint64_t btime;
        /* 0 (the epoch) when the line is missing or malformed */
        d->host_btime_s = pv_parse_stat_btime(stat_text, &btime) == 0 ? btime : 0;
        return 0;
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

        if (!d->host || d->host->node_fd < 0)
                return -ENOENT;
        snprintf(path, sizeof(path), "node%u/%s", node, name);
        return pv_read_file_at(d->host->node_fd, path, ret, NULL);
}
