/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Directory operations: lookup, getattr, opendir, readdir. The static entries come
 * from the file table; sys/devices/system/cpu/cpuN are the reader's visible
 * CPUs, sys/devices/system/node/nodeN its visible NUMA nodes.
 */
#include "fs-dir.h"
#include "registry/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gather/fs-table.h"
#include "gather/gather.h"

/* Static entries never change: let the kernel cache them. Per-CPU entries depend on the reader. */
#define STATIC_TIMEOUT 3600.0

/*
 * The reader's visible CPUs or nodes: visible is pv_container_visible_cpus
 * (the whole online set for readers in the root cgroups) or
 * pv_container_visible_nodes.
 */
static int caller_set(fuse_req_t req, int (*visible)(PvDaemon *, PvContainer *, PvCpuSet *),
                      PvCpuSet *ret)
{
        for (int attempt = 0;; attempt++) {
                g_autoptr(PvContainer) c = NULL;
                int r = pv_fs_caller_container(req, &c);
                if (r < 0)
                        return r;
                r = visible(pv_fs_daemon(req), c, ret);
                /* cgroups removed and made anew under the same paths: open them again, once */
                if (r == -ENOENT && attempt == 0 && pv_registry_forget(pv_fs_daemon(req), c))
                        continue;
                return r;
        }
}

/* The N of a canonical "<prefix>N" name below max ("cpu01" names no CPU directory), or -1. */
static long numbered_name(const char *name, const char *prefix, unsigned long max)
{
        size_t plen = strlen(prefix);
        char *end;

        if (strncmp(name, prefix, plen) != 0 || !g_ascii_isdigit(name[plen]))
                return -1;
        unsigned long n = strtoul(name + plen, &end, 10);
        if (*end || n >= max || (name[plen] == '0' && name[plen + 1]))
                return -1;
        return (long)n;
}

/*
 * The directories that hold a numbered directory per item the reader sees:
 * sys/devices/system/cpu/cpuN and sys/devices/system/node/nodeN. Item N's
 * directory is inode base + stride * N, its row file.
 */
typedef struct NumberedDir {
        fuse_ino_t parent;
        const char *prefix;
        unsigned long max;
        /* -EOPNOTSUPP: the host has no such items (a kernel without NUMA) */
        int (*visible)(PvDaemon *d, PvContainer *c, PvCpuSet *ret);
        fuse_ino_t base, stride;
        const PvFile *file;
} NumberedDir;

static const NumberedDir numbered_dirs[] = {
    {INO_SYS_CPU, "cpu", PV_CPU_MAX, pv_container_visible_cpus, INO_CPU_BASE, 2,
     &pv_fs_cpu_dir_file},
    {INO_SYS_NODE, "node", PV_NODE_MAX, pv_container_visible_nodes, INO_NODE_BASE, _PV_NODE_SLOTS,
     &pv_fs_node_files[PV_NODE_DIR]},
};

static const NumberedDir *numbered_dir(fuse_ino_t parent)
{
        for (size_t i = 0; i < G_N_ELEMENTS(numbered_dirs); i++)
                if (numbered_dirs[i].parent == parent)
                        return &numbered_dirs[i];
        return NULL;
}

/* Whether ino is one of the per-CPU or per-node inodes, whose entries depend on the reader. */
static bool is_dynamic(fuse_ino_t ino)
{
        unsigned n;
        bool is_online;
        PvNodeSlot slot;
        return pv_fs_ino_is_cpu(ino, &n, &is_online) || pv_fs_ino_is_node(ino, &n, &slot);
}

static void fill_entry(fuse_ino_t ino, const PvFile *f, double timeout, struct fuse_entry_param *e)
{
        memset(e, 0, sizeof(*e));
        e->ino = ino;
        e->generation = 1;
        e->attr_timeout = timeout;
        e->entry_timeout = timeout;
        pv_fs_fill_attr(ino, f, &e->attr);
}

void pv_fs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        struct fuse_entry_param e;
        unsigned cpu, node;
        bool is_online;
        PvNodeSlot slot;
        long n;

        for (size_t i = 1; i < pv_fs_n_files; i++) {
                if (pv_fs_files[i].parent == parent && strcmp(pv_fs_files[i].name, name) == 0) {
                        fill_entry(pv_fs_files[i].ino, &pv_fs_files[i], STATIC_TIMEOUT, &e);
                        fuse_reply_entry(req, &e);
                        return;
                }
        }
        const NumberedDir *dir = numbered_dir(parent);
        if (dir && (n = numbered_name(name, dir->prefix, dir->max)) >= 0) {
                PvCpuSet items;
                int r = caller_set(req, dir->visible, &items);
                if (r < 0 || !pv_cpuset_has(&items, (unsigned)n)) {
                        fuse_reply_err(req, r < 0 && r != -EOPNOTSUPP ? EIO : ENOENT);
                        return;
                }
                fill_entry(dir->base + dir->stride * (fuse_ino_t)n, dir->file, 0, &e);
                fuse_reply_entry(req, &e);
                return;
        }
        if (pv_fs_ino_is_cpu(parent, &cpu, &is_online) && !is_online &&
            strcmp(name, "online") == 0) {
                fill_entry(parent + 1, &pv_fs_cpu_online_file, 0, &e);
                fuse_reply_entry(req, &e);
                return;
        }
        if (pv_fs_ino_is_node(parent, &node, &slot) && slot == PV_NODE_DIR) {
                for (int s = PV_NODE_DIR + 1; s < _PV_NODE_SLOTS; s++) {
                        if (strcmp(name, pv_fs_node_files[s].name) == 0) {
                                fill_entry(parent + (fuse_ino_t)s, &pv_fs_node_files[s], 0, &e);
                                fuse_reply_entry(req, &e);
                                return;
                        }
                }
        }
        fuse_reply_err(req, ENOENT);
}

void pv_fs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        struct stat st;

        if (!f) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        pv_fs_fill_attr(ino, f, &st);
        fuse_reply_attr(req, &st, is_dynamic(ino) ? 0 : STATIC_TIMEOUT);
}

/*
 * Directories keep no state: every readdir lists them anew, and an offset is
 * the number of entries before it, so any offset a reader seeks to means
 * what it would on a kernel file system and no handle outlives a worker.
 */
typedef struct DirEntry {
        char name[32];
        fuse_ino_t ino;
        mode_t mode;
} DirEntry;

static void dir_add(GArray *entries, const char *name, fuse_ino_t ino, mode_t mode)
{
        DirEntry e = {.ino = ino, .mode = mode};
        g_strlcpy(e.name, name, sizeof(e.name));
        g_array_append_val(entries, e);
}

/* The entries of directory ino (file f) for the reader of req. */
static int dir_list(fuse_req_t req, fuse_ino_t ino, const PvFile *f, GArray *entries)
{
        dir_add(entries, ".", ino, DIR_MODE);
        dir_add(entries, "..", f == &pv_fs_cpu_dir_file ? INO_SYS_CPU : f->parent, DIR_MODE);
        if (f == &pv_fs_cpu_dir_file) {
                dir_add(entries, "online", ino + 1, FILE_MODE);
                return 0;
        }
        if (f == &pv_fs_node_files[PV_NODE_DIR]) {
                for (int s = PV_NODE_DIR + 1; s < _PV_NODE_SLOTS; s++)
                        dir_add(entries, pv_fs_node_files[s].name, ino + (fuse_ino_t)s, FILE_MODE);
                return 0;
        }
        for (size_t i = 1; i < pv_fs_n_files; i++)
                if (pv_fs_files[i].parent == ino)
                        dir_add(entries, pv_fs_files[i].name, pv_fs_files[i].ino,
                                pv_fs_files[i].mode);
        const NumberedDir *dir = numbered_dir(ino);
        if (dir) {
                PvCpuSet items;
                int r = caller_set(req, dir->visible, &items);
                if (r == -EOPNOTSUPP) /* no such items on this host: the static entries only */
                        return 0;
                if (r < 0)
                        return r;
                for (int n = pv_cpuset_next(&items, 0); n >= 0 && (unsigned long)n < dir->max;
                     n = pv_cpuset_next(&items, (unsigned)n + 1)) {
                        char name[32];
                        snprintf(name, sizeof(name), "%s%d", dir->prefix, n);
                        dir_add(entries, name, dir->base + dir->stride * (fuse_ino_t)n, DIR_MODE);
                }
        }
        return 0;
}

void pv_fs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);

        if (!f) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        if (!S_ISDIR(f->mode)) {
                fuse_reply_err(req, ENOTDIR);
                return;
        }
        fi->fh = 0;
        fi->cache_readdir = 0;
        fuse_reply_open(req, fi);
}

void pv_fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(DirEntry));
        g_autofree char *buf = NULL;
        size_t used = 0;

        if (!f || !S_ISDIR(f->mode)) {
                fuse_reply_err(req, f ? ENOTDIR : ENOENT);
                return;
        }
        if (dir_list(req, ino, f, entries) < 0) {
                fuse_reply_err(req, EIO);
                return;
        }
        buf = g_malloc(size ? size : 1);
        for (guint i = off < 0 ? 0 : (guint)MIN((guint64)off, entries->len); i < entries->len;
             i++) {
                const DirEntry *e = &g_array_index(entries, DirEntry, i);
                struct stat st = {.st_ino = e->ino, .st_mode = e->mode};
                size_t need = fuse_add_direntry(req, NULL, 0, e->name, NULL, 0);
                if (used + need > size)
                        break;
                fuse_add_direntry(req, buf + used, size - used, e->name, &st, (off_t)i + 1);
                used += need;
        }
        fuse_reply_buf(req, buf, used);
}

void pv_fs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        fuse_reply_err(req, 0);
}
