/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"

#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/*
 * Reads fd until a read returns 0: from its position (read), or from offset 0
 * (pread, records). A short read is not the end: a seq_file with one record
 * per CPU, disk or mount returns at most one seq buffer (a page) per read.
 */
static int read_to_end(int fd, bool positional, char **ret, size_t *ret_len)
{
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);

        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (cap - len < 2) {
                        char *nbuf = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
                        if (!nbuf) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nbuf;
                        cap *= 2;
                }
                size_t want = cap - len - 1;
                ssize_t n =
                    positional ? pread(fd, buf + len, want, (off_t)len) : read(fd, buf + len, want);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
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

int pv_read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_to_end(fd, false, ret, ret_len);
}

ssize_t pv_read_head_at(int dirfd, const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ENODATA;
        buf[n] = '\0';
        return n;
}

int pv_read_fd(int fd, char **ret, size_t *ret_len)
{
        return read_to_end(fd, false, ret, ret_len);
}

int pv_pread_records(int fd, char **ret, size_t *ret_len)
{
        return read_to_end(fd, true, ret, ret_len);
}

int pv_pread_all(int fd, char **ret, size_t *ret_len)
{
        size_t cap = 4096;

        for (;;) {
                char *buf = malloc(cap);
                if (!buf)
                        return -ENOMEM;
                ssize_t n;
                do
                        n = pread(fd, buf, cap - 1, 0);
                while (n < 0 && errno == EINTR);
                if (n < 0) {
                        int r = -errno;
                        free(buf);
                        return r;
                }
                /*
                 * A one-piece file gives all it has to one read that has room
                 * for it: room left over means this is all of it, one snapshot.
                 * A full buffer: read it again, from 0, into a larger one;
                 * never continue at an offset, which on an fd other threads
                 * pread too would mix two generations of the file.
                 */
                if ((size_t)n < cap - 1) {
                        buf[n] = '\0';
                        *ret = buf;
                        if (ret_len)
                                *ret_len = (size_t)n;
                        return 0;
                }
                free(buf);
                if (cap > (SIZE_MAX >> 2) || cap >= (64u << 20))
                        return -EFBIG;
                cap *= 4;
        }
}
