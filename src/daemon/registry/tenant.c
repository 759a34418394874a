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
#include "parse-proc.h"
#include "fileio.h"
#include "procfs.h"

/* A pid namespace nests at most 32 levels (MAX_PID_NS_LEVEL). */
#define PIDNS_LEVELS_MAX 33

/*
 * The chain of the pid namespace nsfd up to the outermost below the
 * daemon's: their inodes, nsfd's first, in ret_chain (PIDNS_LEVELS_MAX),
 * and how many in *ret_n. Returns 0, or -ENOENT when nsfd is the daemon's
 * namespace.
 */
static int pidns_chain(PvDaemon *d, int nsfd, uint64_t *ret_chain, unsigned *ret_n)
{
        _cleanup_close_ int fd = fcntl(nsfd, F_DUPFD_CLOEXEC, 3);
        struct stat st;
        unsigned n = 0;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if ((uint64_t)st.st_ino == d->self_pidns_ino)
                return -ENOENT;
        ret_chain[n++] = st.st_ino;
        while (n < PIDNS_LEVELS_MAX) {
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
                ret_chain[n++] = pst.st_ino;
        }
        *ret_n = n;
        return 0;
}

static bool in_chain(const uint64_t *chain, unsigned n, uint64_t ns)
{
        for (unsigned i = 0; i < n; i++)
                if (chain[i] == ns)
                        return true;
        return false;
}

/*
 * A process of the outermost namespace of chain (n of them, pid's first)
 * that pid descends from: up pid's parents while they are in the chain. A
 * parent outside it (the process, or an ancestor, joined its namespace by
 * setns, as nsenter does) is skipped for the init of that namespace (made,
 * as a rule, by a process of the namespace above), found through the cache
 * of namespaces, which may have to wait for a scan of /proc (-EBUSY).
 * Returns 0 or -errno.
 */
static int process_in_outermost(PvDaemon *d, pid_t pid, const uint64_t *chain, unsigned n,
                                pid_t *ret)
{
        pid_t x = pid;
        for (int i = 0; i < 4096 && x > 0; i++) {
                g_autofree char *status = NULL;
                uint64_t xns = 0, pns = 0;
                pid_t ppid = 0;
                int r = pv_procfs_pidns_ino(d->proc_fd, x, &xns);
                if (r < 0)
                        return r;
                if (xns == chain[n - 1]) {
                        *ret = x;
                        return 0;
                }
                r = pv_procfs_read(d->proc_fd, x, "status", &status);
                if (r == 0)
                        r = pv_parse_status_pid(status, "PPid", &ppid);
                if (r < 0)
                        return r;
                if (ppid > 0 && pv_procfs_pidns_ino(d->proc_fd, ppid, &pns) == 0 &&
                    in_chain(chain, n, pns)) {
                        x = ppid;
                        continue;
                }
                g_autoptr(PvCallerTarget) init = NULL;
                r = pv_caller_pidns_init(d, x, xns, &init);
                if (r < 0)
                        return r;
                if (init->pid == x) /* an init made from outside the chain */
                        return -ESRCH;
                x = init->pid;
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
        uint64_t chain[PIDNS_LEVELS_MAX];
        unsigned n = 0;
        pid_t in_ns = 0;
        PvContainer *t = NULL;

        if (__atomic_load_n(&c->tenant, __ATOMIC_ACQUIRE))
                return 0;
        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        _cleanup_close_ int nsfd = openat(d->proc_fd, path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return -errno;
        int r = pidns_chain(d, nsfd, chain, &n);
        if (r == -ENOENT || (r == 0 && n == 1)) {
                tenant_set(c, pv_container_ref(c));
                return 0;
        }
        if (r < 0)
                return r;
        /* the init of the outermost namespace, as the cache knows it, else as a process of it finds
         */
        g_autoptr(PvCallerTarget) init = NULL;
        r = pv_caller_pidns_init(d, 0, chain[n - 1], &init);
        if (r == -ENOENT) {
                r = process_in_outermost(d, pid, chain, n, &in_ns);
                if (r == 0)
                        r = pv_caller_pidns_init(d, in_ns, chain[n - 1], &init);
        }
        if (r == 0)
                r = pv_caller_container(d, init->pid, &t);
        if (r < 0)
                return r;
        tenant_set(c, t);
        return 0;
}

PvAllowance *pv_tenant_allowance(PvDaemon *d, PvContainer *c)
{
        PvContainer *t = __atomic_load_n(&c->tenant, __ATOMIC_ACQUIRE);
        return pv_allowance_ref(t ? t->allowance : d->unknown);
}
