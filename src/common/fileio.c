/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fileio.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* Reads fd to its end from offset 0 (pread) or from its position (read). */
static int read_all(int fd, bool positional, char **ret, size_t *ret_len)
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
                len += (size_t)n;
                /*
                 * procfs, sysfs and cgroupfs files are seq_files or attribute
                 * files: one read returns all that fits, so a read that leaves
                 * room is the end, and the extra read that would return 0 is
                 * saved (it is a quarter of the syscalls on the daemon's read path).
                 * Regular files return short only at their end too.
                 */
                if (n == 0 || (size_t)n < want)
                        break;
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
        return read_all(fd, false, ret, ret_len);
}

int pv_pread_all(int fd, char **ret, size_t *ret_len)
{
        return read_all(fd, true, ret, ret_len);
}

int pv_parse_u64_or_max(const char *text, uint64_t *ret)
{
        const char *p = text;
        char *end;
        uint64_t v;

        while (isspace((unsigned char)*p))
                p++;
        if (strncmp(p, "max", 3) == 0) {
                end = (char *)p + 3;
                v = UINT64_MAX;
        } else {
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                errno = 0;
                v = strtoull(p, &end, 10);
                if (errno == ERANGE)
                        return -EINVAL;
        }
        while (isspace((unsigned char)*end))
                end++;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int pv_read_u64_at(int dirfd, const char *path, uint64_t *ret)
{
        char *text;
        uint64_t v;
        int r = pv_read_file_at(dirfd, path, &text, NULL);
        if (r < 0)
                return r;
        r = pv_parse_u64_or_max(text, &v);
        free(text);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}
