/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caller.h"
#include "common/fileio.h"
#include "log.h"
#include "fs-table.h"
#include "handle.h"
#include "gather.h"

/* Static entries never change: let the kernel cache them. Per-CPU entries depend on the reader. */
#define STATIC_TIMEOUT 3600.0

static PvDaemon *daemon_of(fuse_req_t req)
{
        return fuse_req_userdata(req);
}

static void log_container_error(PvContainer *c, const char *path, int r)
{
        g_mutex_lock(&c->lock);
        bool first = !c->error_logged;
        c->error_logged = true;
        g_mutex_unlock(&c->lock);
        if (first)
                pv_log_warning("cannot compute %s for cgroup %s: %s (readers get EIO)", path,
                               pv_cgroup_path(c->cg, PV_CTRL_MEMORY) ?: c->key, g_strerror(-r));
        else
                pv_log_debug("cannot compute %s for cgroup %s: %s", path, c->key, g_strerror(-r));
}

static void clear_container_error(PvContainer *c)
{
        g_mutex_lock(&c->lock);
        bool was = c->error_logged;
        c->error_logged = false;
        g_mutex_unlock(&c->lock);
        if (was)
                pv_log_info("cgroup %s readable again", c->key);
}

static int caller_container(fuse_req_t req, PvContainer **ret)
{
        const struct fuse_ctx *ctx = fuse_req_ctx(req);
        int r = pv_caller_container(daemon_of(req), ctx->pid, ret);
        if (r < 0)
                pv_log_debug("cannot resolve the container of pid %d: %s", (int)ctx->pid,
                             g_strerror(-r));
        return r;
}

/* The reader's visible CPUs; the whole online set for readers in the root cgroups. */
static int caller_visible(fuse_req_t req, PvCpuSet *ret)
{
        for (int attempt = 0;; attempt++) {
                g_autoptr(PvContainer) c = NULL;
                int r = caller_container(req, &c);
                if (r < 0)
                        return r;
                r = pv_container_visible_cpus(daemon_of(req), c, ret);
                /* cgroups removed and made anew under the same paths: open them again, once */
                if (r == -ENOENT && attempt == 0 && pv_registry_forget(daemon_of(req), c))
                        continue;
                return r;
        }
}

/* ---- operations ---- */

static void fill_entry(fuse_ino_t ino, const PvFile *f, double timeout, struct fuse_entry_param *e)
{
        memset(e, 0, sizeof(*e));
        e->ino = ino;
        e->generation = 1;
        e->attr_timeout = timeout;
        e->entry_timeout = timeout;
        pv_fs_fill_attr(ino, f, &e->attr);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        struct fuse_entry_param e;
        unsigned cpu;
        bool is_online;

        for (size_t i = 1; i < pv_fs_n_files; i++) {
                if (pv_fs_files[i].parent == parent && strcmp(pv_fs_files[i].name, name) == 0) {
                        fill_entry(pv_fs_files[i].ino, &pv_fs_files[i], STATIC_TIMEOUT, &e);
                        fuse_reply_entry(req, &e);
                        return;
                }
        }
        if (parent == INO_SYS_CPU && strncmp(name, "cpu", 3) == 0 && g_ascii_isdigit(name[3])) {
                char *end;
                unsigned long n = strtoul(name + 3, &end, 10);
                PvCpuSet visible;
                /* "cpu01" is not a CPU directory; only canonical names */
                if (*end || n >= PV_CPU_MAX || (name[3] == '0' && name[4])) {
                        fuse_reply_err(req, ENOENT);
                        return;
                }
                int r = caller_visible(req, &visible);
                if (r < 0 || !pv_cpuset_has(&visible, (unsigned)n)) {
                        fuse_reply_err(req, r < 0 ? EIO : ENOENT);
                        return;
                }
                fill_entry(INO_CPU_BASE + 2 * n, &pv_fs_cpu_dir_file, 0, &e);
                fuse_reply_entry(req, &e);
                return;
        }
        if (pv_fs_ino_is_cpu(parent, &cpu, &is_online) && !is_online &&
            strcmp(name, "online") == 0) {
                fill_entry(parent + 1, &pv_fs_cpu_online_file, 0, &e);
                fuse_reply_entry(req, &e);
                return;
        }
        fuse_reply_err(req, ENOENT);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        struct stat st;

        if (!f) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        pv_fs_fill_attr(ino, f, &st);
        fuse_reply_attr(
            req, &st, f == &pv_fs_cpu_dir_file || f == &pv_fs_cpu_online_file ? 0 : STATIC_TIMEOUT);
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
        for (size_t i = 1; i < pv_fs_n_files; i++)
                if (pv_fs_files[i].parent == ino)
                        dir_add(entries, pv_fs_files[i].name, pv_fs_files[i].ino,
                                pv_fs_files[i].mode);
        if (ino == INO_SYS_CPU) {
                PvCpuSet visible;
                int r = caller_visible(req, &visible);
                if (r < 0)
                        return r;
                for (int c = pv_cpuset_next(&visible, 0); c >= 0;
                     c = pv_cpuset_next(&visible, (unsigned)c + 1)) {
                        char name[32];
                        snprintf(name, sizeof(name), "cpu%d", c);
                        dir_add(entries, name, INO_CPU_BASE + 2 * (fuse_ino_t)c, DIR_MODE);
                }
        }
        return 0;
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
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

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
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

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        fuse_reply_err(req, 0);
}

/* Resolves the reader's container and renders file f for it into a new handle. */
static int open_handle(fuse_req_t req, const PvFile *f, unsigned cpu, PvHandle **ret)
{
        PvDaemon *d = daemon_of(req);
        PvContainer *c = NULL;
        int r;

        r = caller_container(req, &c);
        if (r < 0)
                return r == -ESRCH ? -ESRCH : -EIO;
        PvHandle *h = pv_handle_new(c, f, cpu);
        if (!h) {
                pv_log_debug("cgroup %s holds %d files open, refusing more", c->key,
                             PV_HANDLES_PER_CONTAINER);
                pv_container_unref(c);
                return -EMFILE;
        }
        r = pv_handle_render(d, h);
        if (r == -ENOENT && f != &pv_fs_cpu_online_file && pv_registry_forget(d, c)) {
                /* cgroups removed and made anew under the same paths: open them again, once */
                PvContainer *fresh = NULL;
                if (caller_container(req, &fresh) == 0) {
                        pv_container_unref(h->c);
                        h->c = c = fresh;
                        r = pv_handle_render(d, h);
                }
        }
        if (r < 0) {
                /* not an error of the container: a CPU it does not see, PSI it does not have */
                if ((r == -ENOENT && f == &pv_fs_cpu_online_file) || r == -EOPNOTSUPP) {
                        pv_handle_unref(h);
                        return r;
                }
                log_container_error(c, f->path ? f->path : "sys/devices/system/cpu/cpuN/online", r);
                pv_handle_unref(h);
                return -EIO;
        }
        clear_container_error(c);
        h->fresh = true;
        *ret = h;
        return 0;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        PvDaemon *d = daemon_of(req);
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        PvHandle *h;
        int r;

        if (!f) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        if (S_ISDIR(f->mode)) {
                fuse_reply_err(req, EISDIR);
                return;
        }
        if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
                fuse_reply_err(req, EROFS);
                return;
        }
        r = open_handle(req, f, cpu, &h);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return;
        }
        h = pv_handle_register(d, h, 0);
        fi->fh = h->id;
        fi->direct_io = 1;
        fi->keep_cache = 0;
        if (fuse_reply_open(req, fi) == -ENOENT) /* interrupted: nobody will release it */
                pv_handle_drop(d, h->id);
        pv_handle_unref(h);
}

/*
 * A handle this worker never issued: an earlier worker opened it and died
 * or was replaced. Render it anew for the reader and keep it under the same
 * id until its release; a read that spans the takeover may mix two renders.
 */
static int adopt_handle(fuse_req_t req, fuse_ino_t ino, uint64_t fh, PvHandle **ret)
{
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        PvHandle *h;
        int r;

        if (!f || S_ISDIR(f->mode))
                return -EBADF;
        r = open_handle(req, f, cpu, &h);
        if (r < 0)
                return r;
        *ret = pv_handle_register(daemon_of(req), h, fh);
        return 0;
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
        PvDaemon *d = daemon_of(req);
        PvHandle *h = pv_handle_get(d, fi->fh);
        int r = 0;

        if (!h && (fi->fh >> 40) != d->generation) {
                r = adopt_handle(req, ino, fi->fh, &h);
                if (r < 0) {
                        fuse_reply_err(req, -r);
                        return;
                }
        } else if (!h) {
                fuse_reply_err(req, EBADF);
                return;
        }

        g_mutex_lock(&h->lock);
        /* procps and others keep the file open and re-read from offset 0 */
        if ((off == 0 && !h->fresh) || (!h->text && off >= 0 && (size_t)off < h->eof_len))
                r = pv_handle_render(d, h);
        h->fresh = false;
        if (r < 0) {
                g_mutex_unlock(&h->lock);
                log_container_error(h->c, h->file->path ? h->file->path : "cpuN/online", r);
                fuse_reply_err(req, EIO);
        } else if (off < 0 || (size_t)off >= h->eof_len) {
                g_mutex_unlock(&h->lock);
                fuse_reply_buf(req, NULL, 0);
        } else if (!h->text) {
                /* past the container's budget: this render serves this read alone */
                GString *scratch = pv_handle_scratch();
                size_t n = MIN(size, scratch->len - (size_t)off);
                g_mutex_unlock(&h->lock);
                fuse_reply_buf(req, scratch->str + off, n);
        } else {
                size_t n = MIN(size, h->len - (size_t)off);
                if ((size_t)off + n == h->len) {
                        /* read to the end: a held handle keeps no text (the next read renders) */
                        char *text = g_steal_pointer(&h->text);
                        size_t len = h->len;
                        h->len = 0;
                        g_mutex_unlock(&h->lock);
                        fuse_reply_buf(req, text + off, n);
                        g_atomic_pointer_add(&h->c->held_bytes, -(gssize)len);
                        g_free(text);
                } else {
                        /* under the lock: a read at offset 0 would render into this buffer */
                        fuse_reply_buf(req, h->text + off, n);
                        g_mutex_unlock(&h->lock);
                }
        }
        pv_handle_unref(h);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        /* an id of an earlier worker that was never read here has nothing to free */
        pv_handle_drop(daemon_of(req), fi->fh);
        fuse_reply_err(req, 0);
}

/* ---- everything that would change the tree is refused ---- */

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
        fuse_reply_err(req, EROFS);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
        fuse_reply_err(req, EROFS);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        fuse_reply_err(req, EROFS);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                      const char *newname, unsigned int flags)
{
        fuse_reply_err(req, EROFS);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                        size_t size, int flags)
{
        fuse_reply_err(req, EROFS);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
        /* Content changes on every open: no page cache, no readahead beyond what is asked. */
        conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA;
        /*
         * The kernel sends RELEASE as a background request, and lets only
         * max_background (12 unless raised) of those be queued for us at a
         * time; the rest wait behind every OPEN, which is not throttled. A
         * reader that opens and closes from many threads thus gets ahead of
         * its releases, and the handles it closed stay open here by the tens
         * of thousands until its per-container cap refuses it. This file
         * system has no other background requests (no readahead, no
         * writeback) to throttle: let releases through as they come.
         */
        conn->max_background = 4096;
        conn->congestion_threshold = 3072;
}

const struct fuse_lowlevel_ops pv_fs_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .getattr = op_getattr,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .releasedir = op_releasedir,
    .open = op_open,
    .read = op_read,
    .release = op_release,
    .setattr = op_setattr,
    .write = op_write,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .unlink = op_unlink,
    .rmdir = op_unlink,
    .rename = op_rename,
    .create = op_create,
    .setxattr = op_setxattr,
};
