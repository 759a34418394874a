/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The baseline of the benchmark: the cheapest FUSE file one can serve the way
 * procviewd serves its files. One regular file, content fixed at start-up,
 * direct_io so every read(2) is a FUSE_READ round trip (as for procviewd, whose
 * content changes between reads), long entry/attr timeouts (the file never
 * changes shape), a multi-threaded session loop. What is left is the cost of
 * the kernel's FUSE round trips: open, read, read at EOF, release.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fuse_lowlevel.h>
#include <glib.h>

#include "bench.h"
#include "fileio.h"

#define TRIVIAL_INO 2
#define TRIVIAL_NAME "file"
/* Never changes while mounted: cache lookups and attributes like procviewd's static rows. */
#define TRIVIAL_TIMEOUT 3600.0

typedef struct TrivialFs {
        char *content; /* built once, never modified: shared by all loop threads */
        size_t len;
} TrivialFs;

static void trivial_stat(const TrivialFs *t, fuse_ino_t ino, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_ino = ino;
        if (ino == FUSE_ROOT_ID) {
                st->st_mode = S_IFDIR | 0555;
                st->st_nlink = 2;
        } else {
                st->st_mode = S_IFREG | 0444;
                st->st_nlink = 1;
                st->st_size = (off_t)t->len;
        }
}

static void trivial_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        const TrivialFs *t = fuse_req_userdata(req);
        struct fuse_entry_param e;

        if (parent != FUSE_ROOT_ID || strcmp(name, TRIVIAL_NAME) != 0) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        memset(&e, 0, sizeof(e));
        e.ino = TRIVIAL_INO;
        e.attr_timeout = TRIVIAL_TIMEOUT;
        e.entry_timeout = TRIVIAL_TIMEOUT;
        trivial_stat(t, TRIVIAL_INO, &e.attr);
        fuse_reply_entry(req, &e);
}

static void trivial_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        const TrivialFs *t = fuse_req_userdata(req);
        struct stat st;

        if (ino != FUSE_ROOT_ID && ino != TRIVIAL_INO) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        trivial_stat(t, ino, &st);
        fuse_reply_attr(req, &st, TRIVIAL_TIMEOUT);
}

static void trivial_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                            struct fuse_file_info *fi)
{
        const TrivialFs *t = fuse_req_userdata(req);
        static const struct {
                const char *name;
                fuse_ino_t ino;
        } entries[] = {{".", FUSE_ROOT_ID}, {"..", FUSE_ROOT_ID}, {TRIVIAL_NAME, TRIVIAL_INO}};
        g_autofree char *buf = NULL;
        size_t used = 0;

        if (ino != FUSE_ROOT_ID) {
                fuse_reply_err(req, ENOTDIR);
                return;
        }
        buf = g_malloc(size);
        /* off is the index of the next entry: fuse_add_direntry stores i + 1. */
        for (size_t i = (size_t)off; i < G_N_ELEMENTS(entries); i++) {
                struct stat st;
                size_t need;

                trivial_stat(t, entries[i].ino, &st);
                need = fuse_add_direntry(req, buf + used, size - used, entries[i].name, &st,
                                         (off_t)(i + 1));
                if (need > size - used)
                        break;
                used += need;
        }
        fuse_reply_buf(req, buf, used);
}

static void trivial_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        if (ino != TRIVIAL_INO) {
                fuse_reply_err(req, EISDIR);
                return;
        }
        if ((fi->flags & O_ACCMODE) != O_RDONLY) {
                fuse_reply_err(req, EACCES);
                return;
        }
        fi->direct_io = 1;
        fi->keep_cache = 0;
        fuse_reply_open(req, fi);
}

static void trivial_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                         struct fuse_file_info *fi)
{
        const TrivialFs *t = fuse_req_userdata(req);

        if (off < 0 || (size_t)off >= t->len) {
                fuse_reply_buf(req, NULL, 0);
                return;
        }
        fuse_reply_buf(req, t->content + off, MIN(size, t->len - (size_t)off));
}

static const struct fuse_lowlevel_ops trivial_ops = {
    .lookup = trivial_lookup,
    .getattr = trivial_getattr,
    .readdir = trivial_readdir,
    .open = trivial_open,
    .read = trivial_read,
};

int bench_serve_main(int argc, char **argv)
{
        TrivialFs t = {0};
        char *fuse_argv[] = {argv[0], "-o", "ro,allow_other,fsname=pv-bench-trivial", NULL};
        struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
        struct fuse_session *se = NULL;
        struct fuse_loop_config *cfg = NULL;
        int r, ret = 1;

        if (argc != 2) {
                fprintf(stderr, "usage: pv-bench serve MOUNTPOINT\n");
                return 2;
        }

        /* A small file of the size and shape of a /proc file: the host's meminfo. */
        r = pv_read_file_at(AT_FDCWD, "/proc/meminfo", &t.content, &t.len);
        if (r < 0) {
                fprintf(stderr, "pv-bench serve: reading /proc/meminfo: %s\n", strerror(-r));
                return 1;
        }

        se = fuse_session_new(&args, &trivial_ops, sizeof(trivial_ops), &t);
        if (!se)
                goto out;
        if (fuse_set_signal_handlers(se) < 0)
                goto out_session;
        if (fuse_session_mount(se, argv[1]) < 0)
                goto out_signals;

        cfg = fuse_loop_cfg_create();
        fuse_loop_cfg_set_clone_fd(cfg, 0);
        fuse_loop_cfg_set_max_threads(cfg, 16);
        ret = fuse_session_loop_mt(se, cfg) < 0 ? 1 : 0;
        fuse_loop_cfg_destroy(cfg);

        fuse_session_unmount(se);
out_signals:
        fuse_remove_signal_handlers(se);
out_session:
        fuse_session_destroy(se);
out:
        fuse_opt_free_args(&args);
        free(t.content);
        return ret;
}
