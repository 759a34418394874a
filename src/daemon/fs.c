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
#include "render.h"

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

static void handle_track(PvDaemon *d, void *h, GDestroyNotify free_fn)
{
        g_mutex_lock(&d->handles_lock);
        g_hash_table_insert(d->handles, h, (gpointer)free_fn);
        g_mutex_unlock(&d->handles_lock);
}

static void handle_untrack(PvDaemon *d, void *h)
{
        g_mutex_lock(&d->handles_lock);
        g_hash_table_remove(d->handles, h);
        g_mutex_unlock(&d->handles_lock);
}

void pv_fs_free_handles(PvDaemon *d)
{
        GHashTableIter it;
        gpointer h, free_fn;

        if (!d->handles)
                return;
        g_hash_table_iter_init(&it, d->handles);
        while (g_hash_table_iter_next(&it, &h, &free_fn)) {
                g_hash_table_iter_steal(&it);
                ((GDestroyNotify)free_fn)(h);
        }
}

/* Renders file f for container c into out (cleared first). */
static int render(PvDaemon *d, PvContainer *c, const PvFile *f, unsigned cpu, GString *out)
{
        g_string_truncate(out, 0);
        if (c->is_root && f->host != PV_HOST_NONE) {
                g_autofree char *text = NULL;
                size_t len;
                int r = pv_host_read(d, f->host, &text, &len);
                if (r < 0)
                        return r;
                g_string_append_len(out, text, (gssize)len);
                return 0;
        }
        return f->render(d, c, cpu, out);
}

/* ---- handles ---- */

typedef struct Handle {
        GMutex lock; /* protects buf and fresh */
        PvContainer *c;
        const PvFile *file;
        unsigned cpu;
        GString *buf;
        bool fresh; /* rendered at open and not read yet: offset 0 need not re-render */
} Handle;

static void handle_free(Handle *h)
{
        pv_container_unref(h->c);
        g_string_free(h->buf, TRUE);
        g_mutex_clear(&h->lock);
        g_free(h);
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

/* A directory listing built at opendir; ends[i] is where entry i ends (its d_off). */
typedef struct DirHandle {
        char *buf;
        size_t len;
        GArray *ends; /* size_t */
} DirHandle;

static void dir_handle_free(DirHandle *dh)
{
        g_free(dh->buf);
        g_array_unref(dh->ends);
        g_free(dh);
}

static void dir_add(fuse_req_t req, DirHandle *dh, const char *name, fuse_ino_t ino, mode_t mode)
{
        struct stat st = {.st_ino = ino, .st_mode = mode};
        size_t need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);
        dh->buf = g_realloc(dh->buf, dh->len + need);
        fuse_add_direntry(req, dh->buf + dh->len, need, name, &st, (off_t)(dh->len + need));
        dh->len += need;
        g_array_append_val(dh->ends, dh->len);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        DirHandle *dh;

        if (!f) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        if (!S_ISDIR(f->mode)) {
                fuse_reply_err(req, ENOTDIR);
                return;
        }
        dh = g_new0(DirHandle, 1);
        dh->ends = g_array_new(FALSE, FALSE, sizeof(size_t));
        dir_add(req, dh, ".", ino, DIR_MODE);
        dir_add(req, dh, "..", f == &pv_fs_cpu_dir_file ? INO_SYS_CPU : f->parent, DIR_MODE);
        if (f == &pv_fs_cpu_dir_file) {
                dir_add(req, dh, "online", ino + 1, FILE_MODE);
        } else {
                for (size_t i = 1; i < pv_fs_n_files; i++)
                        if (pv_fs_files[i].parent == ino)
                                dir_add(req, dh, pv_fs_files[i].name, pv_fs_files[i].ino,
                                        pv_fs_files[i].mode);
        }
        if (ino == INO_SYS_CPU) {
                PvCpuSet visible;
                int r = caller_visible(req, &visible);
                if (r < 0) {
                        dir_handle_free(dh);
                        fuse_reply_err(req, EIO);
                        return;
                }
                for (int c = pv_cpuset_next(&visible, 0); c >= 0;
                     c = pv_cpuset_next(&visible, (unsigned)c + 1)) {
                        char name[32];
                        snprintf(name, sizeof(name), "cpu%d", c);
                        dir_add(req, dh, name, INO_CPU_BASE + 2 * (fuse_ino_t)c, DIR_MODE);
                }
        }
        fi->fh = (uint64_t)(uintptr_t)dh;
        fi->cache_readdir = 0;
        handle_track(daemon_of(req), dh, (GDestroyNotify)dir_handle_free);
        if (fuse_reply_open(req, fi) == -ENOENT) { /* interrupted: nobody will release it */
                handle_untrack(daemon_of(req), dh);
                dir_handle_free(dh);
        }
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
        DirHandle *dh = (DirHandle *)(uintptr_t)fi->fh;
        size_t stop = (size_t)off;

        if (off < 0 || (size_t)off >= dh->len) {
                fuse_reply_buf(req, NULL, 0);
                return;
        }
        /* whole entries only; off is always an entry end we handed out */
        for (guint i = 0; i < dh->ends->len; i++) {
                size_t end = g_array_index(dh->ends, size_t, i);
                if (end <= (size_t)off)
                        continue;
                if (end - (size_t)off > size)
                        break;
                stop = end;
        }
        fuse_reply_buf(req, dh->buf + off, stop - (size_t)off);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        handle_untrack(daemon_of(req), (void *)(uintptr_t)fi->fh);
        dir_handle_free((DirHandle *)(uintptr_t)fi->fh);
        fuse_reply_err(req, 0);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        PvDaemon *d = daemon_of(req);
        unsigned cpu;
        const PvFile *f = pv_fs_file_of(ino, &cpu);
        PvContainer *c = NULL;
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
        r = caller_container(req, &c);
        if (r < 0) {
                fuse_reply_err(req, r == -ESRCH ? ESRCH : EIO);
                return;
        }

        Handle *h = g_new0(Handle, 1);
        g_mutex_init(&h->lock);
        h->c = c;
        h->file = f;
        h->cpu = cpu;
        h->buf = g_string_sized_new(4096);
        r = render(d, c, f, cpu, h->buf);
        if (r == -ENOENT && f != &pv_fs_cpu_online_file && pv_registry_forget(d, c)) {
                /* cgroups removed and made anew under the same paths: open them again, once */
                PvContainer *fresh = NULL;
                if (caller_container(req, &fresh) == 0) {
                        pv_container_unref(h->c);
                        h->c = c = fresh;
                        r = render(d, c, f, cpu, h->buf);
                }
        }
        if (r < 0) {
                /* not an error of the container: a CPU it does not see, PSI it does not have */
                if ((r == -ENOENT && f == &pv_fs_cpu_online_file) || r == -EOPNOTSUPP) {
                        handle_free(h);
                        fuse_reply_err(req, -r);
                        return;
                }
                log_container_error(c, f->path ? f->path : "sys/devices/system/cpu/cpuN/online", r);
                handle_free(h);
                fuse_reply_err(req, EIO);
                return;
        }
        if (c->error_logged)
                clear_container_error(c);
        h->fresh = true;
        fi->fh = (uint64_t)(uintptr_t)h;
        fi->direct_io = 1;
        fi->keep_cache = 0;
        handle_track(d, h, (GDestroyNotify)handle_free);
        if (fuse_reply_open(req, fi) == -ENOENT) {
                handle_untrack(d, h);
                handle_free(h);
        }
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
        Handle *h = (Handle *)(uintptr_t)fi->fh;
        PvDaemon *d = daemon_of(req);

        g_mutex_lock(&h->lock);
        /* procps and others keep the file open and re-read from offset 0 */
        if (off == 0 && !h->fresh) {
                int r = render(d, h->c, h->file, h->cpu, h->buf);
                if (r < 0) {
                        g_mutex_unlock(&h->lock);
                        log_container_error(h->c, h->file->path ? h->file->path : "cpuN/online", r);
                        fuse_reply_err(req, EIO);
                        return;
                }
        }
        h->fresh = false;
        if (off < 0 || (size_t)off >= h->buf->len)
                fuse_reply_buf(req, NULL, 0);
        else
                fuse_reply_buf(req, h->buf->str + off, MIN(size, h->buf->len - (size_t)off));
        g_mutex_unlock(&h->lock);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        Handle *h = (Handle *)(uintptr_t)fi->fh;
        /*
         * The kernel sends release only after every read of the handle got its
         * reply, but op_read replies before it unlocks: wait for that unlock.
         */
        g_mutex_lock(&h->lock);
        g_mutex_unlock(&h->lock);
        handle_untrack(daemon_of(req), h);
        handle_free(h);
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
