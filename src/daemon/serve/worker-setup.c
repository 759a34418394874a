/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "worker-setup.h"

#include <errno.h>

#include "gather/fs-table.h"
#include "gather/host.h"
#include "log.h"

int pv_worker_setup(PvDaemon *d)
{
        int r;

        /* the host's files first: a host directory missing says so before the cgroups */
        r = pv_host_open(d, pv_fs_files, pv_fs_n_files);
        if (r < 0) {
                const char *missing = pv_host_missing(d);
                pv_log_error("%s: %s", missing ? missing : "cannot open the host's files",
                             g_strerror(-r));
                return r;
        }
        r = pv_host_read_btime(d);
        if (r < 0) {
                pv_log_error("--host-proc=%s: %s/stat: %s", d->opts.host_proc, d->opts.host_proc,
                             g_strerror(-r));
                return r;
        }
        r = pv_daemon_setup(d);
        if (r < 0 && d->proc_fd < 0)
                pv_log_error("/proc: %s", g_strerror(-r));
        else if (r == -ENOENT)
                /* pv_daemon_setup() opens the hierarchies last, after /proc */
                pv_log_error("no cgroup hierarchy is mounted: /proc/self/mountinfo lists no "
                             "cgroup or cgroup2 file system");
        else if (r < 0)
                pv_log_error("cannot open the cgroup hierarchies: %s", g_strerror(-r));
        return r;
}
