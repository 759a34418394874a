/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci-path.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "fileio.h"
#include "mount-line.h"

int pv_oci_open_in_root(int rootfd, const char *path, int *ret_fd)
{
        struct open_how how = {
            .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

        if (fd < 0 && errno == ENOSYS)
                return pv_oci_open_beneath(rootfd, path, ret_fd);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int pv_oci_open_beneath(int rootfd, const char *path, int *ret_fd)
{
        int fd = -1;
        const char *p = path;

        for (;;) {
                char name[256];
                size_t n;

                while (*p == '/')
                        p++;
                n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (n >= sizeof(name)) {
                        if (fd >= 0)
                                close(fd);
                        return -ENAMETOOLONG;
                }
                memcpy(name, p, n);
                name[n] = '\0';
                p += n;
                if (strcmp(name, "..") == 0) {
                        if (fd >= 0)
                                close(fd);
                        return -EXDEV;
                }
                bool last = strspn(p, "/") == strlen(p);
                /* O_DIRECTORY with O_NOFOLLOW fails with ENOTDIR on a symlink. */
                int next = openat(fd >= 0 ? fd : rootfd, name,
                                  O_PATH | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));
                int err = errno;
                if (fd >= 0)
                        close(fd);
                if (next < 0)
                        return -err;
                fd = next;
        }
        if (fd < 0)
                fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int pv_oci_open_view(int viewsfd, const char *path, int *ret_fd)
{
        struct open_how how = {
            .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
            .resolve =
                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
        };
        struct stat root, st;
        int fd = (int)syscall(SYS_openat2, viewsfd, path, &how, sizeof(how));

        if (fd < 0 && errno == ENOSYS) {
                int r = pv_oci_open_beneath(viewsfd, path, &fd);
                if (r < 0)
                        return r;
        } else if (fd < 0) {
                return -errno;
        }
        /* openat2 already refused both; the fallback walk needs the checks. */
        if (fstat(viewsfd, &root) < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH) < 0) {
                int err = errno;
                close(fd);
                return -err;
        }
        if (S_ISLNK(st.st_mode) || st.st_dev != root.st_dev) {
                close(fd);
                return S_ISLNK(st.st_mode) ? -ELOOP : -EXDEV;
        }
        *ret_fd = fd;
        return 0;
}

/* The mount ID from /proc/self/fdinfo/FD. Returns 0, -EOPNOTSUPP or -errno. */
static int fdinfo_mount_id(int fd, uint64_t *ret_mnt_id)
{
        char path[64], text[4096];
        size_t len = 0;
        int r;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        _cleanup_close_ int info = open(path, O_RDONLY | O_CLOEXEC);
        if (info < 0)
                return -errno;
        /*
         * The kernel writes pos, flags and mnt_id first (fs/proc/fd.c
         * seq_show), then what the file's type adds: 4 KiB hold the line.
         */
        while (len < sizeof(text) - 1) {
                ssize_t n = read(info, text + len, sizeof(text) - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        text[len] = '\0';
        r = pv_fdinfo_mnt_id(text, ret_mnt_id);
        return r == -ENOENT ? -EOPNOTSUPP : r;
}

int pv_oci_fd_mount_id(int fd, PvOciMountIdFrom from, uint64_t *ret_mnt_id)
{
        struct statx stx;

        if (from == PV_OCI_MOUNT_ID_ANY) {
                if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0) {
                        if (stx.stx_mask & STATX_MNT_ID) {
                                *ret_mnt_id = stx.stx_mnt_id;
                                return 0;
                        }
                } else if (errno != ENOSYS) {
                        return -errno;
                }
        }
        return fdinfo_mount_id(fd, ret_mnt_id);
}

char *pv_oci_settings_root(const char *text)
{
        static const char key[] = "MOUNTPOINT=";
        char *found = NULL;

        for (const char *line = text; line && *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);

                while (len > 0 && (*line == ' ' || *line == '\t')) {
                        line++;
                        len--;
                }
                if (len > sizeof(key) - 1 && strncmp(line, key, sizeof(key) - 1) == 0) {
                        const char *v = line + sizeof(key) - 1;
                        size_t n = len - (sizeof(key) - 1);

                        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
                                n--;
                        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                                v++;
                                n -= 2;
                        }
                        free(found);
                        found = n > 0 && v[0] == '/' && !memchr(v, '\'', n) && !memchr(v, '"', n)
                                    ? strndup(v, n)
                                    : NULL;
                }
                line = end ? end + 1 : NULL;
        }
        return found;
}
