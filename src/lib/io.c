/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "core.h"

/* Appends s to buf (used bytes *pos); -ENAMETOOLONG when it does not fit. */
int pv_lib_append(char *buf, size_t len, size_t *pos, const char *s)
{
        size_t n = strlen(s);
        if (*pos + n + 1 > len)
                return -ENAMETOOLONG;
        memcpy(buf + *pos, s, n + 1);
        *pos += n;
        return 0;
}

int pv_lib_append_uint(char *buf, size_t len, size_t *pos, unsigned long v)
{
        char tmp[24];
        size_t i = sizeof(tmp);
        tmp[--i] = '\0';
        do {
                tmp[--i] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        return pv_lib_append(buf, len, pos, tmp + i);
}

void pv_lib_line_reader_init(PvLibLineReader *r, int fd)
{
        r->fd = fd;
        r->start = r->end = 0;
        r->eof = r->skipping = false;
}

char *pv_lib_line_reader_next(PvLibLineReader *r)
{
        for (;;) {
                char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
                if (nl) {
                        char *line = r->buf + r->start;
                        *nl = '\0';
                        r->start = (size_t)(nl - r->buf) + 1;
                        if (r->skipping) {
                                r->skipping = false;
                                continue;
                        }
                        return line;
                }
                if (r->eof) {
                        if (r->start < r->end && !r->skipping) {
                                char *line = r->buf + r->start;
                                r->buf[r->end] = '\0';
                                r->start = r->end;
                                return line;
                        }
                        return NULL;
                }
                if (r->start > 0) {
                        memmove(r->buf, r->buf + r->start, r->end - r->start);
                        r->end -= r->start;
                        r->start = 0;
                }
                if (r->end >= sizeof(r->buf) - 1) {
                        r->skipping = true;
                        r->end = 0;
                }
                ssize_t n = read(r->fd, r->buf + r->end, sizeof(r->buf) - 1 - r->end);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        r->eof = true;
                else
                        r->end += (size_t)n;
        }
}

ssize_t pv_lib_read_text_at(int dirfd, const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        size_t used = 0;

        if (fd < 0)
                return -errno;
        if (len == 0)
                return -EFBIG;
        for (;;) {
                if (used == len - 1) {
                        char extra;
                        ssize_t n = read(fd, &extra, 1);
                        if (n > 0)
                                return -EFBIG;
                        break;
                }
                ssize_t n = read(fd, buf + used, len - 1 - used);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                used += (size_t)n;
        }
        buf[used] = '\0';
        return (ssize_t)used;
}
