/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "preflight.h"

#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

PvPreflightProblem pv_preflight_judge(const PvNamespaces *ns)
{
        /* no cgroup namespaces at all (Linux < 4.6): every process sees the whole hierarchy */
        if (ns->cgroupns_ino != 0 && ns->cgroupns_ino != PV_CGROUPNS_INIT_INO)
                return PV_PREFLIGHT_CGROUPNS;
        if (ns->pidns_ino != PV_PIDNS_INIT_INO)
                return PV_PREFLIGHT_PIDNS;
        if (!ns->proc_is_ours)
                return PV_PREFLIGHT_FOREIGN_PROC;
        return PV_PREFLIGHT_OK;
}

const char *pv_preflight_explain(PvPreflightProblem problem)
{
        switch (problem) {
        case PV_PREFLIGHT_OK:
                return NULL;
        case PV_PREFLIGHT_CGROUPNS:
                return "refusing to start in a private cgroup namespace: the cgroups "
                       "of readers outside it cannot be named, so every read would fail with "
                       "EIO; run procviewd in the host's cgroup namespace (docker/podman: "
                       "--cgroupns=host --pid=host; Kubernetes: hostPID: true, the host's "
                       "/sys/fs/cgroup mounted, and procviewd started under "
                       "nsenter --cgroup=/proc/1/ns/cgroup)";
        case PV_PREFLIGHT_PIDNS:
                return "refusing to start in a private pid namespace: the kernel "
                       "gives it no pid for readers outside it, so every read would fail with "
                       "EIO; run procviewd in the host's pid namespace (docker/podman: "
                       "--pid=host --cgroupns=host; Kubernetes: hostPID: true)";
        case PV_PREFLIGHT_FOREIGN_PROC:
                return "refusing to start: /proc is the procfs of another pid "
                       "namespace, so readers' pids would name other processes; mount the "
                       "host's /proc (docker/podman: --pid=host)";
        }
        return NULL;
}

/* The inode of /proc/self/ns/NAME in *ret; 0 when the kernel has no such namespace. */
static int ns_ino(const char *name, uint64_t *ret)
{
        g_autofree char *path = g_strdup_printf("/proc/self/ns/%s", name);
        struct stat st;

        if (stat(path, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                *ret = 0;
                return 0;
        }
        *ret = (uint64_t)st.st_ino;
        return 0;
}

int pv_preflight_check(void)
{
        PvNamespaces ns = {0};
        char self[32];
        ssize_t n;
        int r;

        r = ns_ino("cgroup", &ns.cgroupns_ino);
        if (r == 0)
                r = ns_ino("pid", &ns.pidns_ino);
        if (r < 0) {
                pv_log_error("cannot read /proc/self/ns: %s", g_strerror(-r));
                return r;
        }
        /* /proc/self of a procfs mounted for another pid namespace names no process of ours */
        n = readlink("/proc/self", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                ns.proc_is_ours = strtol(self, NULL, 10) == (long)getpid();
        }

        PvPreflightProblem problem = pv_preflight_judge(&ns);
        if (problem == PV_PREFLIGHT_OK)
                return 0;
        pv_log_error("%s", pv_preflight_explain(problem));
        return -EPERM;
}
