/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pinning a task by pidfd or by its /proc directory. */
#include "pidref.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "parse-proc.h"
#include "procfs.h"

/* Linux >= 6.9: a pidfd for a thread that is not a thread-group leader. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/*
 * A FUSE request carries the pid of the calling thread, which is a thread id
 * when a non-main thread reads; pidfd_open() refuses those (ENOENT, or
 * EINVAL on older kernels) unless asked for a thread pidfd. Returns the
 * pidfd, -EOPNOTSUPP where none can be had (such a thread on kernels without
 * PIDFD_THREAD, or any task before Linux 5.3), -ESRCH or -errno.
 */
static int pidfd_open_pid(pid_t pid)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd >= 0)
                return fd;
        if (errno == ENOSYS)
                return -EOPNOTSUPP;
        if (errno != EINVAL && errno != ENOENT)
                return -errno;
        fd = (int)syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
        if (fd >= 0)
                return fd;
        return errno == ESRCH ? -ESRCH : -EOPNOTSUPP;
}

int pv_pidref_open(int proc_fd, pid_t pid, PvPidRef *ret)
{
        char name[16];
        int fd = pidfd_open_pid(pid);
        if (fd >= 0) {
                *ret = (PvPidRef){.fd = fd, .is_pidfd = true};
                return 0;
        }
        if (fd != -EOPNOTSUPP)
                return fd;
        snprintf(name, sizeof(name), "%d", (int)pid);
        fd = openat(proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        *ret = (PvPidRef){.fd = fd, .is_pidfd = false};
        return 0;
}

bool pv_pidref_alive(const PvPidRef *ref)
{
        if (ref->is_pidfd) {
                /* a pidfd polls readable once its process has exited */
                struct pollfd pfd = {.fd = ref->fd, .events = POLLIN};
                return poll(&pfd, 1, 0) == 0;
        }
        /*
         * procfs revalidates the entries of a task's directory against the
         * task its inode was made for: they vanish (ENOENT) when it is gone.
         */
        struct stat st;
        return fstatat(ref->fd, "stat", &st, 0) == 0;
}

int pv_pidfd_of_process(int proc_fd, pid_t tid)
{
        g_autofree char *status = NULL;
        pid_t tgid = 0;

        int r = pv_procfs_read(proc_fd, tid, "status", &status);
        if (r == 0)
                r = pv_parse_status_pid(status, "Tgid", &tgid);
        if (r < 0)
                return r;
        if (tgid <= 0)
                return -EINVAL;
        int fd = (int)syscall(SYS_pidfd_open, tgid, 0);
        return fd >= 0 ? fd : -errno;
}

void pv_pidref_close(PvPidRef *ref)
{
        if (ref->fd >= 0)
                close(ref->fd);
        ref->fd = -1;
}
