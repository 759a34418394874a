/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Gatherers: read one container's counters and the host's text for a file,
 * and hand them to the pure renderers of src/views. Each appends to out and
 * returns 0 or -errno; out is left unchanged on failure. Never logs (the fs
 * layer does). cpu is the CPU of a per-CPU file, 0 otherwise.
 */

#include <glib.h>

#include "daemon.h"

typedef int (*PvGatherFn)(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);

int pv_gather_meminfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_cpuinfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_stat(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_diskstats(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_uptime(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_loadavg(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_swaps(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* vmstat: memory and io counters of the container, host values for the rest */
int pv_gather_vmstat(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/*
 * pressure/{cpu,memory,io}: the container's PSI text. -EOPNOTSUPP when the
 * kernel keeps no pressure for it (a container on cgroup v1 controllers).
 */
int pv_gather_pressure_cpu(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_pressure_memory(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_gather_pressure_io(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* online, possible and present: the visible CPUs */
int pv_gather_cpu_visible(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/*
 * offline: empty. Offline CPUs are outside the view, so none of the CPUs the
 * container sees is offline.
 */
int pv_gather_cpu_offline(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* cpuN/online: "1\n" for a visible CPU, -ENOENT for the others */
int pv_gather_cpu_online_flag(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);

/* The CPUs container c sees now. Returns 0 or -errno. */
int pv_container_visible_cpus(PvDaemon *d, PvContainer *c, PvCpuSet *ret);
