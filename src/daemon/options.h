/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The options procviewd was started with (main.c parses them): what the
 * keeper, and every worker it forks, is told. Plain values only, so that
 * every room of the daemon, the keeper included, can hold them.
 */

#include <stdbool.h>

/* --cpu-view: which CPUs a container sees (the renderers' PvCpuViewMode) */
typedef enum PvCpuViewOption {
        PV_OPT_CPU_VIEW_CPUSET, /* its cpuset's online CPUs */
        PV_OPT_CPU_VIEW_QUOTA,  /* as many as its CPU quota allows, within its cpuset */
} PvCpuViewOption;

typedef struct PvOptions {
        char *mountpoint;
        bool foreground;
        bool debug;
        PvCpuViewOption cpu_view;
        char *host_proc;            /* the host's meminfo, cpuinfo...: "/proc" (tests differ) */
        char *sys_cpu_dir;          /* "/sys/devices/system/cpu" */
        char *sys_node_dir;         /* "/sys/devices/system/node" */
        unsigned sample_interval_s; /* loadavg sampling and discovery period, 5 */
        unsigned idle_expiry_s;     /* forget containers nobody read for this long, 600 */
        unsigned scan_max;          /* cgroup directories one discovery scan visits, 4096;
                                       0: no scan (--scan-max) */
        bool no_repair;             /* leave containers' dead mounts alone (--no-repair) */
        char *mount_ns;             /* --mount-ns: the mount namespace procviewd mounts and
                                       finds every path in (a container's procviewd: the
                                       node's), or NULL for its own */
        bool no_seccomp;            /* the worker loads no seccomp filter (--no-seccomp) */
        bool pidns_no_ioctl;        /* find pid namespaces' inits as before Linux 6.11, without
                                       NS_GET_TGID_FROM_PIDNS (--debug-pidns-no-ioctl, tests) */
        unsigned limits_divisor;    /* the caps on open files and their text (PvLimits) are
                                       divided by it (--debug-limits-divisor, tests): 1 */
        bool recovery_journal;      /* answer a dead worker's requests from its journal even
                                       where the kernel could resend them (--recovery=journal) */
} PvOptions;
