/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gather.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

static int read_host(PvDaemon *d, const char *path, char **ret)
{
        return pv_host_read(d, path, ret, NULL);
}

/* The host's text at path (g_free() it) and the container's memory counters. */
static int host_and_memory(PvDaemon *d, PvContainer *c, const char *path, char **ret_host,
                           PvMemory *ret_mem)
{
        g_autofree char *host = NULL;
        int r = read_host(d, path, &host);
        if (r < 0)
                return r;
        r = pv_cgroup_read_memory(c->cg, ret_mem);
        if (r < 0)
                return r;
        *ret_host = g_steal_pointer(&host);
        return 0;
}

/* A file whose renderer takes the host's text at path and the container's memory counters. */
static int gather_with_memory(PvDaemon *d, PvContainer *c, const char *path,
                              int (*render)(const char *, const PvMemory *, GString *),
                              GString *out)
{
        g_autofree char *host = NULL;
        PvMemory mem;
        int r = host_and_memory(d, c, path, &host, &mem);
        if (r < 0)
                return r;
        return render(host, &mem, out);
}

static uint64_t boottime_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t container_uptime_ns(const PvContainer *c)
{
        uint64_t now = boottime_ns();
        return now > c->start_ns ? now - c->start_ns : 0;
}

int pv_container_cpuset_list(PvContainer *c, int (*read_list)(const PvCgroup *, PvCpuSet *),
                             const PvCpuSet *all, PvCpuSet *ret)
{
        int r = read_list(c->cg, ret);
        /* no cpuset controller: all of them, while the cgroup is there */
        if (r == -ENODEV)
                r = pv_cgroup_alive(c->cg) ?: -ENODATA;
        if (r == -ENODATA) {
                *ret = *all;
                return 0;
        }
        return r;
}

/* Visible CPUs and, when wanted, the usage they are computed with. */
static int cpu_state(PvDaemon *d, PvContainer *c, PvCpuSet *ret_visible, PvCpuUsage *ret_usage)
{
        PvCpuSet cpuset, online;
        PvCpuUsage usage = {0};
        int r;

        r = pv_host_read_cpuset(d, "sys/devices/system/cpu/online", &online);
        if (r < 0)
                return r;
        r = pv_container_cpuset_list(c, pv_cgroup_read_cpuset, &online, &cpuset);
        if (r < 0)
                return r;
        if (ret_usage || d->opts.cpu_view == PV_OPT_CPU_VIEW_QUOTA) {
                r = pv_cgroup_read_cpu(c->cg, &usage);
                if (r < 0)
                        return r;
        }
        pv_cpu_view(&cpuset, &online, usage.quota_us, usage.period_us,
                    d->opts.cpu_view == PV_OPT_CPU_VIEW_QUOTA ? PV_CPU_VIEW_QUOTA
                                                              : PV_CPU_VIEW_CPUSET,
                    ret_visible);
        if (ret_usage)
                *ret_usage = usage;
        else
                pv_cpu_usage_clear(&usage);
        return 0;
}

int pv_container_visible_cpus(PvDaemon *d, PvContainer *c, PvCpuSet *ret)
{
        return cpu_state(d, c, ret, NULL);
}

PvGatherFn pv_gather_meminfo;
int pv_gather_meminfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        return gather_with_memory(d, c, "proc/meminfo", pv_meminfo_render, out);
}

/* vmstat: memory and io counters of the container, host values for the rest */
PvGatherFn pv_gather_vmstat;
int pv_gather_vmstat(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        g_autofree char *host = NULL, *meminfo = NULL;
        PvMemory mem;
        PvIoStats io = {0};
        uint64_t total;
        int r = read_host(d, "proc/vmstat", &host);
        if (r < 0)
                return r;
        r = host_and_memory(d, c, "proc/meminfo", &meminfo, &mem);
        if (r < 0)
                return r;
        r = pv_cgroup_read_memory_events(c->cg, &mem);
        if (r < 0)
                return r;
        r = pv_meminfo_total_bytes(meminfo, &total);
        if (r < 0)
                return r;
        /* nr_free_pages follows meminfo's MemFree: the limit counts up to the host's RAM */
        if (mem.limit > total)
                mem.limit = total;
        r = pv_cgroup_read_io(c->cg, &io);
        if (r < 0)
                return r;
        /* the kernel's PAGE_SIZE: libc has it from the auxiliary vector, no syscall */
        long page_size = sysconf(_SC_PAGESIZE);
        r = pv_vmstat_render(host, &mem, &io, page_size > 0 ? (uint64_t)page_size : 4096, out);
        pv_io_stats_clear(&io);
        return r;
}

PvGatherFn pv_gather_cpuinfo;
int pv_gather_cpuinfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        g_autofree char *host = NULL;
        PvCpuSet visible;
        int r = cpu_state(d, c, &visible, NULL);
        if (r < 0)
                return r;
        r = read_host(d, "proc/cpuinfo", &host);
        if (r < 0)
                return r;
        return pv_cpuinfo_render(host, &visible, out);
}

PvGatherFn pv_gather_stat;
int pv_gather_stat(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        g_autofree char *host = NULL;
        PvCpuSet visible;
        PvCpuUsage usage;
        PvTaskCounts tasks;
        bool have_tasks;
        int r = cpu_state(d, c, &visible, &usage);
        if (r < 0)
                return r;
        r = read_host(d, "proc/stat", &host);
        if (r < 0) {
                pv_cpu_usage_clear(&usage);
                return r;
        }
        /* procs_running and procs_blocked: the container's last load sample */
        have_tasks = pv_container_load(d, c, NULL, &tasks) == 0;
        g_mutex_lock(&c->lock);
        PvStatInput in = {
            .visible = &visible,
            .usage = &usage,
            .tasks = have_tasks ? &tasks : NULL,
            .container_uptime_ns = container_uptime_ns(c),
            .boot_time_s = d->host_btime_s + c->start_ns / 1000000000ULL,
            .processes = 0,
            .user_hz = (unsigned)d->clk_tck,
        };
        r = pv_stat_render(host, &in, &c->stat_memo, out);
        g_mutex_unlock(&c->lock);
        pv_cpu_usage_clear(&usage);
        return r;
}

PvGatherFn pv_gather_diskstats;
int pv_gather_diskstats(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        g_autofree char *host = NULL;
        PvIoStats io = {0};
        int r = read_host(d, "proc/diskstats", &host);
        if (r < 0)
                return r;
        r = pv_cgroup_read_io(c->cg, &io);
        if (r < 0)
                return r;
        r = pv_diskstats_render(host, &io, out);
        pv_io_stats_clear(&io);
        return r;
}

/* How long c has run, and the idle time of its visible CPUs over that time. */
static int container_uptime_idle(PvDaemon *d, PvContainer *c, uint64_t *ret_up, uint64_t *ret_idle)
{
        PvCpuSet visible;
        PvCpuUsage usage;
        int r = cpu_state(d, c, &visible, &usage);
        if (r < 0)
                return r;
        *ret_up = container_uptime_ns(c);
        uint64_t busy = usage.user_ns + usage.system_ns;
        *ret_idle = pv_uptime_idle_ns(*ret_up, pv_cpuset_count(&visible), busy);
        pv_cpu_usage_clear(&usage);
        return 0;
}

PvGatherFn pv_gather_uptime;
int pv_gather_uptime(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        uint64_t up, idle;
        int r = container_uptime_idle(d, c, &up, &idle);
        return r < 0 ? r : pv_uptime_render(up, idle, out);
}

PvGatherFn pv_gather_loadavg;
int pv_gather_loadavg(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvLoadAvg load;
        PvTaskCounts tasks;
        int r = pv_container_load(d, c, &load, &tasks);
        if (r < 0)
                return r;
        return pv_loadavg_render(&load, &tasks, out);
}

PvGatherFn pv_gather_swaps;
int pv_gather_swaps(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        return gather_with_memory(d, c, "proc/swaps", pv_swaps_render, out);
}

static int gather_pressure(PvContainer *c, PvPressure which, GString *out)
{
        g_autofree char *text = NULL;
        int r = pv_cgroup_read_pressure(c->cg, which, &text);
        if (r == -ENODATA) /* no pressure kept for this cgroup */
                return -EOPNOTSUPP;
        if (r < 0)
                return r;
        g_string_append(out, text);
        return 0;
}

/*
 * pressure/{cpu,memory,io}: the container's PSI text. -EOPNOTSUPP when the
 * kernel keeps no pressure for it (a container on cgroup v1 controllers).
 */
PvGatherFn pv_gather_pressure_cpu;
int pv_gather_pressure_cpu(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        return gather_pressure(c, PV_PRESSURE_CPU, out);
}

PvGatherFn pv_gather_pressure_memory;
int pv_gather_pressure_memory(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        return gather_pressure(c, PV_PRESSURE_MEMORY, out);
}

PvGatherFn pv_gather_pressure_io;
int pv_gather_pressure_io(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        return gather_pressure(c, PV_PRESSURE_IO, out);
}

/* online, possible and present: the visible CPUs */
PvGatherFn pv_gather_cpu_visible;
int pv_gather_cpu_visible(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet visible;
        int r = cpu_state(d, c, &visible, NULL);
        return r < 0 ? r : pv_cpulist_render(&visible, out);
}

/*
 * offline: empty. The view holds only online CPUs (pv_cpu_view()), so none of
 * the CPUs the container sees is offline.
 */
PvGatherFn pv_gather_cpu_offline;
int pv_gather_cpu_offline(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet none;
        pv_cpuset_zero(&none);
        return pv_cpulist_render(&none, out);
}

/* cpuN/online: "1\n" for a visible CPU, -ENOENT for the others */
PvGatherFn pv_gather_cpu_online_flag;
int pv_gather_cpu_online_flag(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet visible;
        int r = cpu_state(d, c, &visible, NULL);
        if (r < 0)
                return r;
        if (!pv_cpuset_has(&visible, cpu))
                return -ENOENT;
        g_string_append(out, "1\n");
        return 0;
}
