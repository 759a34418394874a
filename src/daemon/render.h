/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Gathers one container's counters and the host's text for a file, and hands
 * them to the pure renderers of src/views. Returns 0 or -errno; out is left
 * unchanged on failure. Never logs (the fs layer does).
 */

#include <glib.h>

#include "daemon.h"

typedef int (*PvRenderFn)(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);

int pv_render_meminfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_cpuinfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_stat(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_diskstats(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_uptime(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_loadavg(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_swaps(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* vmstat: memory and io counters of the container, host values for the rest */
int pv_render_vmstat(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/*
 * pressure/{cpu,memory,io}: the container's PSI text. -EOPNOTSUPP when the
 * kernel keeps no pressure for it (a container on cgroup v1 controllers).
 */
int pv_render_pressure_cpu(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_pressure_memory(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
int pv_render_pressure_io(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* online, possible and present: the visible CPUs */
int pv_render_cpu_visible(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* offline: none of the CPUs the container sees is offline */
int pv_render_cpu_offline(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);
/* cpuN/online */
int pv_render_cpu_online_flag(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out);

/*
 * Pure: the idle time of /proc/uptime, the capacity of n_cpus CPUs over
 * up_ns that the container did not use (busy_ns). 0 when busy_ns exceeds
 * it; saturates at UINT64_MAX instead of wrapping.
 */
uint64_t pv_uptime_idle_ns(uint64_t up_ns, unsigned n_cpus, uint64_t busy_ns);

/* The CPUs container c sees now. */
int pv_container_visible_cpus(PvDaemon *d, PvContainer *c, PvCpuSet *ret);

/* Takes one loadavg sample of c if it is due (the sampler thread and first reads call it). */
void pv_container_sample_load(PvDaemon *d, PvContainer *c, bool force);
