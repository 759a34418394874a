/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon object's life in a worker: what it opens at start, what it frees at exit. */
#include "daemon.h"
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "container.h"
#include "log.h"
#include "sampler.h"

/*
 * Every container holds a directory fd per controller and per level of its
 * cgroup path (about 18 for /kubepods/pod/container on v1) and keeps its
 * counter files open: ask for room for tens of thousands of containers (root
 * may raise the hard limit), else take the hard limit.
 */
static void raise_fd_limit(void)
{
        const rlim_t want = 1 << 19;
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
                return;
        struct rlimit big = {.rlim_cur = want, .rlim_max = rl.rlim_max > want ? rl.rlim_max : want};
        if (setrlimit(RLIMIT_NOFILE, &big) == 0)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                pv_log_debug("cannot raise the open file limit: %m, ignoring");
}

/*
 * The fds registered containers' cgroup directories may hold: a quarter of
 * the open file limit. An eighth goes to their counter files
 * (PvHierarchy.file_fd_budget); the rest to FUSE, /proc and the readers'
 * pidfds.
 */
static unsigned fd_budget(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return 1 << 17;
        rlim_t quarter = rl.rlim_cur / 4;
        return quarter > (1U << 30) ? 1U << 30 : quarter < 64 ? 64 : (unsigned)quarter;
}

int pv_daemon_setup(PvDaemon *d)
{
        struct stat st;
        int r;

        raise_fd_limit();
        d->clk_tck = sysconf(_SC_CLK_TCK);
        if (d->clk_tck <= 0)
                d->clk_tck = 100;
        d->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d->proc_fd < 0)
                return -errno;
        if (stat("/proc/self/ns/pid", &st) < 0)
                return -errno;
        d->self_pidns_ino = st.st_ino;

        r = pv_hierarchy_open(&d->hier);
        if (r < 0)
                return r;
        g_rw_lock_init(&d->containers_lock);
        d->containers = g_hash_table_new(g_str_hash, g_str_equal);
        d->renames = pv_renames_new(PV_RENAME_WATCHES);
        d->cg_fd_budget = fd_budget();
        d->registry_max = PV_REGISTRY_MAX;
        g_mutex_init(&d->trim_lock);
        /* 2 fds a reader and 3 a namespace: under a quarter of the limit */
        d->callers = pv_caller_cache_new(d->cg_fd_budget / 6);
        d->limits = pv_limits_scaled(d->opts.limits_divisor);
        d->unknown = pv_allowance_new(PV_UNKNOWN_PART);
        g_mutex_init(&d->sampler_lock);
        g_cond_init(&d->sampler_cond);
        return 0;
}

void pv_daemon_teardown(PvDaemon *d)
{
        pv_sampler_stop(d);
        if (d->containers) {
                pv_registry_clear(d);
                g_hash_table_destroy(d->containers);
                g_rw_lock_clear(&d->containers_lock);
                g_mutex_clear(&d->trim_lock);
        }
        pv_caller_cache_free(d->callers);
        g_clear_pointer(&d->unknown, pv_allowance_unref);
        g_clear_pointer(&d->renames, pv_renames_free);
        pv_hierarchy_close(&d->hier);
        if (d->proc_fd >= 0)
                close(d->proc_fd);
}
