/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File operations: open renders the reader's text into a handle, read
 * slices it (rendering again at offset 0), release frees it. A container
 * whose counters cannot be read gets EIO and one warning until it is
 * readable again.
 */
#include "fs-file.h"
#include "registry/registry.h"

#include <errno.h>
#include <fcntl.h>

#include "handle.h"
#include "log.h"
#include "registry/tenant.h"

static void log_container_error(PvContainer *c, const char *path, int r)
{
        g_mutex_lock(&c->lock);
        bool first = !c->error_logged;
        c->error_logged = true;
        g_mutex_unlock(&c->lock);
        if (first)
                pv_log_warning("cannot compute %s for cgroup %s: %s (readers get EIO)", path,
                               c->paths.path[PV_CTRL_MEMORY] ?: c->key, g_strerror(-r));
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

/* A CPU or node the container no longer sees is ENOENT of its own, not a vanished cgroup. */
static bool per_item(const PvFile *f)
{
        return f == &pv_fs_cpu_online_file ||
               (f >= pv_fs_node_files && f < pv_fs_node_files + _PV_NODE_SLOTS);
}

/* The registry's name of a container is its paths alone (pv_cgroup_name). */
static bool same_paths(const PvContainer *a, const PvContainer *b)
{
        return g_strcmp0(a->name, b->name) == 0;
}

/*
 * Renders h (h->lock held). When the cgroups of its container were removed,
 * resolves the reader again, once, and renders for its container now: at
 * open whichever it is (any); for a held handle only cgroups made anew under
 * the same paths, a container restarted under its name. A reader whose
 * container is gone and who is now elsewhere gets the error, never another
 * container's view.
 */
static int render_following(fuse_req_t req, PvHandle *h, bool any)
{
        PvDaemon *d = pv_fs_daemon(req);
        PvContainer *fresh = NULL;
        int r = pv_handle_render(d, h);

        if (r != -ENOENT || per_item(h->file))
                return r;
        (void)pv_registry_forget(d, h->c);
        if (pv_fs_caller_container(req, &fresh) < 0)
                return r;
        if (fresh == h->c || (!any && !same_paths(fresh, h->c))) {
                pv_container_unref(fresh);
                return r;
        }
        /* unknown, the handle would move to the shared allowance of unknown tenants */
        (void)pv_tenant_resolve(d, fresh, fuse_req_ctx(req)->pid);
        pv_handle_rebind(h, fresh);
        return pv_handle_render(d, h);
}

/* Resolves the reader's container and renders file f for it into a new handle. */
static int open_handle(fuse_req_t req, const PvFile *f, unsigned cpu, PvHandle **ret)
{
        PvDaemon *d = pv_fs_daemon(req);
        PvContainer *c = NULL;
        int r;

        r = pv_fs_caller_container(req, &c);
        if (r < 0)
                return r == -ESRCH ? -ESRCH : -EIO;
        r = pv_tenant_resolve(d, c, fuse_req_ctx(req)->pid);
        if (r < 0)
                pv_log_debug("cannot find the tenant of cgroup %s: %s", c->key, g_strerror(-r));
        PvHandle *h = pv_handle_new(d, c, f, cpu);
        if (!h) {
                pv_log_debug("the tenant of cgroup %s, or all, hold all the files they may open",
                             c->key);
                pv_container_unref(c);
                return -EMFILE;
        }
        r = render_following(req, h, true);
        if (r < 0) {
                /* not an error of the container: a CPU it does not see, PSI it does not have */
                if ((r == -ENOENT && per_item(f)) || r == -EOPNOTSUPP) {
                        pv_handle_unref(h);
                        return r;
                }
                log_container_error(h->c, f->path ? f->path : "sys/devices/system/cpu/cpuN/online",
                                    r);
                pv_handle_unref(h);
                return -EIO;
        }
        clear_container_error(h->c);
        h->fresh_until_us = g_get_monotonic_time() + PV_FRESH_US;
        *ret = h;
        return 0;
}

void pv_fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        PvDaemon *d = pv_fs_daemon(req);
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
        *ret = pv_handle_register(pv_fs_daemon(req), h, fh);
        return 0;
}

void pv_fs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
        PvDaemon *d = pv_fs_daemon(req);
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
        bool fresh = h->fresh_until_us && g_get_monotonic_time() < h->fresh_until_us;
        if ((off == 0 && !fresh) || (!h->text && off >= 0 && (size_t)off < h->eof_len))
                r = render_following(req, h, false);
        h->fresh_until_us = 0;
        if (r < 0) {
                log_container_error(h->c, h->file->path ? h->file->path : "cpuN/online", r);
                g_mutex_unlock(&h->lock);
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
                        char *text = pv_handle_steal_text(h);
                        g_mutex_unlock(&h->lock);
                        fuse_reply_buf(req, text + off, n);
                        g_free(text);
                } else {
                        /* under the lock: a read at offset 0 would render into this buffer */
                        fuse_reply_buf(req, h->text + off, n);
                        g_mutex_unlock(&h->lock);
                }
        }
        pv_handle_unref(h);
}

void pv_fs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        /* an id of an earlier worker that was never read here has nothing to free */
        pv_handle_drop(pv_fs_daemon(req), fi->fh);
        fuse_reply_err(req, 0);
}
