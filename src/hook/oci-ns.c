/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci-ns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <glib.h>

#include "fileio.h"
#include "parse-proc.h"

/* Whether pid is a kernel thread: PF_KTHREAD (include/linux/sched.h) in its flags. */
#define PF_KTHREAD_FLAG 0x00200000u

static bool is_kernel_thread(pid_t pid)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
        g_autofree char *text = NULL;
        unsigned flags;

        if (pv_read_file_at(AT_FDCWD, path, &text, NULL) < 0)
                return false;
        return pv_parse_pid_stat_flags(text, &flags) == 0 && (flags & PF_KTHREAD_FLAG) != 0;
}

/*
 * The mount namespace of the host, from a process known to live in it:
 * init (pid 1), or, where init cannot be looked at (reading a process's
 * ns/ links needs ptrace access to it, which a caller without
 * CAP_SYS_PTRACE over init or in a user namespace lacks), kthreadd (pid 2):
 * every kernel thread stays in the initial mount namespace. Pid 2 counts only
 * when it is a kernel thread (PF_KTHREAD in /proc/2/stat), which it is in the
 * host's pid namespace and nowhere else.
 * Returns 0 with the namespace file's st_dev and st_ino in *ret, or the
 * -errno of reading init's (the first witness).
 */
static int host_mount_ns(struct stat *ret)
{
        int r;

        if (stat("/proc/1/ns/mnt", ret) == 0)
                return 0;
        r = -errno;
        if (is_kernel_thread(2) && stat("/proc/2/ns/mnt", ret) == 0)
                return 0;
        return r;
}

int pv_oci_in_host_mount_ns(void)
{
        struct stat self, host;
        int r;

        if (stat("/proc/self/ns/mnt", &self) < 0)
                return -errno;
        r = host_mount_ns(&host);
        if (r < 0)
                return r;
        return self.st_dev == host.st_dev && self.st_ino == host.st_ino;
}
