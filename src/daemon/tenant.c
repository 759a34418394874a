/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tenant of a container: the container of its outermost pid namespace below the daemon's. */
#include "tenant.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "cgroup/parse-proc.h"
#include "common/fileio.h"
#include "procfs.h"

/* A pid namespace nests at most 32 levels (MAX_PID_NS_LEVEL). */
#define PIDNS_LEVELS_MAX 33

/*
 * The outermost pid namespace below the daemon's on the chain of the pid
 * namespace nsfd: its fd in *ret_fd, its inode in *ret_ino. Returns 0, or
 * -ENOENT when nsfd is the daemon's namespace.
 */
static int outermost_pidns(PvDaemon *d, int nsfd, int *ret_fd, uint64_t *ret_ino)
{
        _cleanup_close_ int fd = fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if ((uint64_t)st.st_ino == d->self_pidns_ino)
                return -ENOENT;
        for (int i = 0; i < PIDNS_LEVELS_MAX; i++) {
                struct stat pst;
                /* EPERM: the parent is not ours to see, the daemon's among them */
                _cleanup_close_ int parent = ioctl(fd, NS_GET_PARENT);
                if (parent < 0 && errno != EPERM)
                        return -errno;
                if (parent < 0 || fstat(parent, &pst) < 0 ||
                    (uint64_t)pst.st_ino == d->self_pidns_ino)
                        break;
                close(fd);
                fd = g_steal_fd(&parent);
                st = pst;
        }
        *ret_ino = st.st_ino;
        *ret_fd = g_steal_fd(&fd);
        return 0;
}

/*
 * A process of the pid namespace ns that pid (in ns or in a namespace below
 * it) descends from: pid's nearest ancestor in ns. Returns 0 or -errno.
 */
static int ancestor_in(PvDaemon *d, pid_t pid, uint64_t ns, pid_t *ret)
{
        pid_t x = pid;
        for (int i = 0; i < 4096 && x > 0; i++) {
                g_autofree char *status = NULL;
                uint64_t xns = 0;
                pid_t ppid = 0;
                int r = pv_procfs_pidns_ino(d->proc_fd, x, &xns);
                if (r < 0)
                        return r;
                if (xns == ns) {
                        *ret = x;
                        return 0;
                }
                r = pv_procfs_read(d->proc_fd, x, "status", &status);
                if (r == 0)
                        r = pv_parse_status_pid(status, "PPid", &ppid);
                if (r < 0)
                        return r;
                x = ppid;
        }
        return -ESRCH;
}

/*
 * Sets c's tenant to t (a reference it takes; c itself: no reference kept),
 * unless another thread set one first.
 */
static void tenant_set(PvContainer *c, PvContainer *t)
{
        /* a container's tenant is its own (one hop: c is never its tenant's tenant) */
        PvContainer *tt = t != c ? __atomic_load_n(&t->tenant, __ATOMIC_ACQUIRE) : NULL;
        if (tt && tt != t) {
                pv_container_unref(t);
                t = pv_container_ref(tt);
        }
        if (t == c) {
                pv_container_unref(t);
                t = c;
        }
        PvContainer *none = NULL;
        if (!__atomic_compare_exchange_n(&c->tenant, &none, t, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE) &&
            t != c)
                pv_container_unref(t);
}

int pv_tenant_resolve(PvDaemon *d, PvContainer *c, pid_t pid)
{
        char path[64];
        uint64_t own = 0, ns = 0;
        pid_t in_ns = 0, init = 0;
        PvContainer *t = NULL;

        if (__atomic_load_n(&c->tenant, __ATOMIC_ACQUIRE))
                return 0;
        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        _cleanup_close_ int nsfd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int outer = -1;
        struct stat st;
        if (nsfd < 0 || fstat(nsfd, &st) < 0)
                return -errno;
        own = st.st_ino;
        int r = outermost_pidns(d, nsfd, &outer, &ns);
        if (r == -ENOENT || (r == 0 && ns == own)) {
                tenant_set(c, pv_container_ref(c));
                return 0;
        }
        if (r < 0)
                return r;
        r = ancestor_in(d, pid, ns, &in_ns);
        if (r == 0)
                /* no scan of /proc here: an ancestor that joined ns by setns leaves it unknown */
                r = pv_procfs_pidns_init_quick(d->proc_fd, in_ns, outer, ns,
                                               !d->opts.pidns_no_ioctl, &init);
        if (r == 0)
                r = pv_caller_container(d, init, &t);
        if (r < 0)
                return r;
        tenant_set(c, t);
        return 0;
}

PvContainer *pv_tenant_of(PvContainer *c)
{
        PvContainer *t = __atomic_load_n(&c->tenant, __ATOMIC_ACQUIRE);
        return pv_container_ref(t ? t : c);
}
