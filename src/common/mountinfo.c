/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

/* The number of symlinks a path walk follows before ELOOP (include/linux/namei.h MAXSYMLINKS). */
#define MAX_SYMLINKS 40

/* Drops trailing slashes in place, keeping a lone "/". */
static void strip_trailing_slashes(char *p)
{
        size_t len = strlen(p);

        while (len > 1 && p[len - 1] == '/')
                p[--len] = '\0';
}

/* readlink() into a new string. Returns 0 or -errno (-EINVAL: not a symlink). */
static int read_link(const char *path, char **ret)
{
        for (size_t size = 256;; size *= 2) {
                g_autofree char *buf = g_malloc(size);
                ssize_t n = readlink(path, buf, size);

                if (n < 0)
                        return -errno;
                if ((size_t)n < size) {
                        buf[n] = '\0';
                        *ret = g_steal_pointer(&buf);
                        return 0;
                }
                if (size > PATH_MAX * 4)
                        return -ENAMETOOLONG;
        }
}

int pv_mount_canonical_path(const char *path, char **ret)
{
        g_autofree char *cur = NULL;

        if (!path || !*path)
                return -EINVAL;
        cur = g_strdup(path);
        for (int hops = 0; hops <= MAX_SYMLINKS; hops++) {
                g_autofree char *dir = NULL, *base = NULL, *target = NULL, *full = NULL;
                char *real;
                int r;

                strip_trailing_slashes(cur);
                if (strcmp(cur, "/") == 0) {
                        *ret = g_strdup("/");
                        return 0;
                }
                base = g_path_get_basename(cur);
                if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
                        /* No last component to keep apart: resolve it all. */
                        real = realpath(cur, NULL);
                        if (!real)
                                return -errno;
                        *ret = g_strdup(real);
                        free(real);
                        return 0;
                }
                dir = g_path_get_dirname(cur);
                real = realpath(dir, NULL);
                if (!real)
                        return -errno;
                full = g_build_filename(real, base, NULL);
                free(real);

                /*
                 * readlink() of a mount point reaches the mounted root but
                 * sends nothing to a FUSE daemon: a directory has no link.
                 */
                r = read_link(full, &target);
                if (r == -EINVAL || r == -ENOENT) {
                        *ret = g_steal_pointer(&full);
                        return 0;
                }
                if (r < 0)
                        return r;
                g_free(cur);
                if (g_path_is_absolute(target)) {
                        cur = g_steal_pointer(&target);
                } else {
                        g_autofree char *parent = g_path_get_dirname(full);
                        cur = g_build_filename(parent, target, NULL);
                }
        }
        return -ELOOP;
}

int pv_mount_find(const char *path, PvMountEntry *ret)
{
        g_autofree char *canonical = NULL, *mountinfo = NULL;
        int r;

        r = pv_mount_canonical_path(path, &canonical);
        if (r < 0)
                return r;
        r = pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL);
        if (r < 0)
                return r;
        return pv_mountinfo_find(mountinfo, canonical, ret);
}

const char *pv_mount_state_to_string(PvMountState state)
{
        switch (state) {
        case PV_MOUNT_NONE:
                return "none";
        case PV_MOUNT_LIVE:
                return "live";
        case PV_MOUNT_DEAD:
                return "dead";
        case PV_MOUNT_HUNG:
                return "hung";
        }
        return "unknown";
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 once it has passed. */
static int ms_left(const struct timespec *deadline)
{
        struct timespec now;
        long long ms;

        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
             (deadline->tv_nsec - now.tv_nsec) / 1000000;
        return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * The grandchild: only async-signal-safe calls, as the caller may have
 * threads. It reports its pid, then the errno of statfs() (0 on success).
 */
static G_GNUC_NORETURN void statfs_grandchild(const char *path, int wfd)
{
        struct statfs sfs;
        int nul, msg[2];

        /* Keep no descriptor of the caller's: a pipe held here could stall whoever reads it. */
        wfd = fcntl(wfd, F_DUPFD, 10);
        nul = open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; fd++) {
                if (nul < 0 || dup2(nul, fd) < 0)
                        close(fd);
        }
        if (wfd < 0 || dup2(wfd, 3) < 0)
                _exit(1);
        if (close_range(4, ~0U, 0) < 0) {
                for (int fd = 4; fd < 65536; fd++)
                        close(fd);
        }

        msg[0] = (int)getpid();
        if (write(3, &msg[0], sizeof(msg[0])) != sizeof(msg[0]))
                _exit(1);
        msg[1] = statfs(path, &sfs) < 0 ? errno : 0;
        if (write(3, &msg[1], sizeof(msg[1])) != sizeof(msg[1]))
                _exit(1);
        _exit(0);
}

/*
 * SIGKILL to the grandchild pid, but only while its end of the pipe rfd is
 * still open: until then the pid cannot have been reused, and a pidfd taken
 * before that check keeps naming it.
 */
static void kill_grandchild(pid_t pid, int rfd)
{
        _cleanup_close_ int pidfd = (int)pidfd_open(pid, 0);
        struct pollfd p = {.fd = rfd, .events = POLLIN};

        if (pidfd < 0 || poll(&p, 1, 0) != 0)
                return;
        (void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
}

/*
 * statfs(path) in a grandchild, waiting at most timeout_ms. Returns 0 with
 * the errno of statfs() (0 when it succeeded) in *ret_errno, -ETIMEDOUT when
 * no answer came in time, or -errno when the child could not be started.
 */
static int statfs_with_timeout(const char *path, int timeout_ms, int *ret_errno)
{
        _cleanup_close_ int rfd = -1;
        struct timespec deadline;
        int p[2], msg[2], status;
        size_t got = 0;
        pid_t pid;

        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
        if (deadline.tv_nsec >= 1000000000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000;
        }

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        rfd = p[0];
        pid = fork();
        if (pid < 0) {
                int err = errno;
                close(p[1]);
                return -err;
        }
        if (pid == 0) {
                pid_t g = fork();
                if (g == 0)
                        statfs_grandchild(path, p[1]);
                _exit(g < 0 ? 1 : 0);
        }
        close(p[1]);
        /* The intermediate child exits at once; a caller that reaps all children may beat us. */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;

        while (got < sizeof(msg)) {
                struct pollfd pfd = {.fd = rfd, .events = POLLIN};
                int r = poll(&pfd, 1, ms_left(&deadline));
                ssize_t n;

                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0) {
                        if (got >= sizeof(msg[0]))
                                kill_grandchild((pid_t)msg[0], rfd);
                        return -ETIMEDOUT;
                }
                n = read(rfd, (char *)msg + got, sizeof(msg) - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ECHILD; /* the grandchild died before answering */
                got += (size_t)n;
        }
        *ret_errno = msg[1];
        return 0;
}

int pv_mount_probe(const char *path, int timeout_ms, PvMountState *ret)
{
        g_auto(PvMountEntry) e = {0};
        int r, err = 0;

        if (timeout_ms < 1)
                return -EINVAL;
        r = pv_mount_find(path, &e);
        if (r == -ENOENT || (r == 0 && strcmp(e.fs_type, PV_MOUNT_FSTYPE) != 0)) {
                *ret = PV_MOUNT_NONE;
                return 0;
        }
        if (r < 0)
                return r;

        r = statfs_with_timeout(e.mount_point, timeout_ms, &err);
        if (r == -ETIMEDOUT) {
                *ret = PV_MOUNT_HUNG;
                return 0;
        }
        if (r < 0)
                return r;
        if (err == ENOTCONN || err == ECONNABORTED)
                *ret = PV_MOUNT_DEAD;
        else if (err == 0)
                *ret = PV_MOUNT_LIVE;
        else
                return -err;
        return 0;
}
