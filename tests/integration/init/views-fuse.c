/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * views-fuse MOUNTPOINT: a stand-in for procviewd that the hooks cannot
 * tell from the real one by its mount: fs type fuse.procview, source
 * procview, and attributes and entries cached for an hour as procviewd
 * caches them. It serves one file, proc/meminfo, whose MemTotal (4242 kB)
 * no kernel shows. Runs in the foreground until killed.
 *
 * Killed with SIGKILL it leaves a dead mount whose cached attributes still
 * answer stat(). After SIGUSR1 it reads the next request and never answers
 * it, like a deadlocked daemon: the task waiting for that request cannot be
 * killed until this process dies (fs/fuse/dev.c request_wait_answer()).
 */
#include <fuse_lowlevel.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define INO_PROC 2
#define INO_MEMINFO 3
#define CACHE_SECONDS 3600.0

static const char meminfo[] = "MemTotal:           4242 kB\n"
                              "MemFree:            4000 kB\n"
                              "MemAvailable:       4100 kB\n";

static volatile sig_atomic_t hang;

static void on_usr1(int sig)
{
        hang = 1;
}

static void hang_if_asked(void)
{
        while (hang)
                pause();
}

static int fill_attr(fuse_ino_t ino, struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_ino = ino;
        switch (ino) {
        case FUSE_ROOT_ID:
        case INO_PROC:
                st->st_mode = S_IFDIR | 0555;
                st->st_nlink = 2;
                return 0;
        case INO_MEMINFO:
                st->st_mode = S_IFREG | 0444;
                st->st_nlink = 1;
                return 0;
        }
        return -ENOENT;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        struct fuse_entry_param e = {.attr_timeout = CACHE_SECONDS, .entry_timeout = CACHE_SECONDS};

        hang_if_asked();
        if (parent == FUSE_ROOT_ID && strcmp(name, "proc") == 0)
                e.ino = INO_PROC;
        else if (parent == INO_PROC && strcmp(name, "meminfo") == 0)
                e.ino = INO_MEMINFO;
        else {
                fuse_reply_err(req, ENOENT);
                return;
        }
        fill_attr(e.ino, &e.attr);
        fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct stat st;

        hang_if_asked();
        if (fill_attr(ino, &st) < 0)
                fuse_reply_err(req, ENOENT);
        else
                fuse_reply_attr(req, &st, CACHE_SECONDS);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
        const char *name = ino == FUSE_ROOT_ID ? "proc" : "meminfo";
        struct stat st;
        char buf[512];
        size_t len = 0;

        hang_if_asked();
        if (ino != FUSE_ROOT_ID && ino != INO_PROC) {
                fuse_reply_err(req, ENOTDIR);
                return;
        }
        /* One entry: offset 0 asks for it, offset 1 is past the end. */
        if (off == 0) {
                fill_attr(ino == FUSE_ROOT_ID ? INO_PROC : INO_MEMINFO, &st);
                len = fuse_add_direntry(req, buf, sizeof(buf), name, &st, 1);
                if (len > size)
                        len = 0;
        }
        fuse_reply_buf(req, buf, len);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        hang_if_asked();
        if (ino != INO_MEMINFO)
                fuse_reply_err(req, EISDIR);
        else if ((fi->flags & O_ACCMODE) != O_RDONLY)
                fuse_reply_err(req, EROFS);
        else {
                fi->direct_io = 1;
                fuse_reply_open(req, fi);
        }
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
        size_t len = sizeof(meminfo) - 1;

        hang_if_asked();
        if ((size_t)off >= len)
                fuse_reply_buf(req, NULL, 0);
        else
                fuse_reply_buf(req, meminfo + off, size < len - (size_t)off ? size : len - off);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
        struct statvfs sv = {.f_bsize = 4096, .f_namemax = 255};

        hang_if_asked();
        fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops ops = {
    .lookup = op_lookup,
    .getattr = op_getattr,
    .readdir = op_readdir,
    .open = op_open,
    .read = op_read,
    .statfs = op_statfs,
};

int main(int argc, char **argv)
{
        char *args_v[] = {argv[0], "-o",
                          "allow_other,ro,default_permissions,fsname=procview,subtype=procview",
                          NULL};
        struct fuse_args args = FUSE_ARGS_INIT(3, args_v);
        struct sigaction sa = {.sa_handler = on_usr1};

        if (argc != 2) {
                fprintf(stderr, "usage: views-fuse MOUNTPOINT\n");
                return 2;
        }
        /* No SA_RESTART: the read of /dev/fuse returns EINTR, which the session loop retries. */
        sigaction(SIGUSR1, &sa, NULL);
        struct fuse_session *se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
        if (!se || fuse_session_mount(se, argv[1]) != 0)
                return 1;
        int r = fuse_session_loop(se);
        fuse_session_unmount(se);
        fuse_session_destroy(se);
        return r ? 1 : 0;
}
