/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The processes whose cgroups define containers, pinned and with their cgroup file open. */
#include "caller-target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "caller-cache.h"
#include "procfs.h"

PvCallerTarget *pv_caller_target_ref(PvCallerTarget *t)
{
        g_atomic_int_inc(&t->refs);
        return t;
}

void pv_caller_target_unref(PvCallerTarget *t)
{
        if (!t || !g_atomic_int_dec_and_test(&t->refs))
                return;
        pv_pidref_close(&t->ref);
        if (t->cgroup_fd >= 0)
                close(t->cgroup_fd);
        g_free(t);
}

bool pv_caller_target_alive(const PvCallerTarget *t)
{
        return t->ref.fd < 0 || pv_pidref_alive(&t->ref);
}

/* Has t's exit drop the entries that hold it (t->ref must be a pidfd): sets t->serial. */
static void watch_target(PvCallerCache *cache, PvCallerTarget *t)
{
        if (!t->ref.is_pidfd)
                return;
        /* 63 bits of serial: no wrap in the daemon's life */
        t->serial = __atomic_add_fetch(&cache->serial, 1, __ATOMIC_RELAXED) | TARGET_KEY;
        if (pv_reaper_watch(cache->reaper, t->ref.fd, t->serial) < 0)
                t->serial = 0;
}

int pv_caller_target_new(PvDaemon *d, pid_t pid, bool in_pidns, PvCallerTarget **ret)
{
        char path[64];
        g_autoptr(PvCallerTarget) t = g_new0(PvCallerTarget, 1);
        int r;

        t->refs = 1;
        t->pid = pid;
        t->ref.fd = -1;
        t->cgroup_fd = -1;
        t->in_pidns = in_pidns;
        if (in_pidns) {
                r = pv_pidref_open(d->proc_fd, pid, &t->ref);
                if (r < 0)
                        return r;
                if (d->callers)
                        watch_target(d->callers, t);
        }
        r = pv_procfs_start_ns(d->proc_fd, d->clk_tck, pid, &t->start_ns);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%d/cgroup", (int)pid);
        t->cgroup_fd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (t->cgroup_fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        *ret = g_steal_pointer(&t);
        return 0;
}
