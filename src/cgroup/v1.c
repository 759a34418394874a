/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v1 readers: memory, cpuacct + cpu, cpuset, blkio. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-private.h"
#include "fileio.h"
#include "parse.h"

static int v1_read_memory(const PvCgroup *cg, PvMemory *ret)
{
        PvMemory m = {};
        uint64_t memsw_usage, memsw_limit, rss = 0;
        uint64_t hier_limit = PV_CG_LIMIT_UNKNOWN, hier_memsw_limit = PV_CG_LIMIT_UNKNOWN;
        int r;

        /*
         * total_* are the hierarchical sums (the cgroup and its descendants);
         * hierarchical_memory_limit and hierarchical_memsw_limit are the
         * kernel's own minimum over the cgroup and its ancestors, which saves
         * reading the limit files of every ancestor.
         */
        const PvKeyField f[] = {
            {"total_rss", &rss},
            {"total_cache", &m.stat.file},
            {"total_shmem", &m.stat.shmem},
            {"total_mapped_file", &m.stat.mapped_file},
            {"total_dirty", &m.stat.dirty},
            {"total_writeback", &m.stat.writeback},
            {"total_swapcached", &m.stat.swapcached},
            {"total_active_anon", &m.stat.active_anon},
            {"total_inactive_anon", &m.stat.inactive_anon},
            {"total_active_file", &m.stat.active_file},
            {"total_inactive_file", &m.stat.inactive_file},
            {"total_unevictable", &m.stat.unevictable},
            {"total_rss_huge", &m.stat.anon_thp},
            {"total_pgfault", &m.stat.pgfault},
            {"total_pgmajfault", &m.stat.pgmajfault},
            {"total_workingset_refault_anon", &m.stat.workingset_refault_anon},
            {"total_workingset_refault_file", &m.stat.workingset_refault_file},
            {"hierarchical_memory_limit", &hier_limit},
            {"hierarchical_memsw_limit", &hier_memsw_limit},
        };
        r = pv_cg_read_keyed(cg, PV_CTRL_MEMORY, "memory.stat", f, sizeof(f) / sizeof(f[0]));
        if (r < 0)
                return r;
        m.stat.anon = rss; /* v1 rss already includes rss_huge */

        r = pv_cg_read_usage_limit(cg, "memory.usage_in_bytes", "memory.limit_in_bytes", hier_limit,
                                   false, &m.usage, &m.limit);
        if (r < 0)
                return r;

        /*
         * memsw counts memory + swap (kernel built with swap accounting and
         * swapaccount not off); without it the files are absent, and swap
         * is unlimited.
         */
        r = pv_cg_read_usage_limit(cg, "memory.memsw.usage_in_bytes", "memory.memsw.limit_in_bytes",
                                   hier_memsw_limit, true, &memsw_usage, &memsw_limit);
        if (r < 0)
                return r;
        m.swap_accounted = r > 0;
        m.swap_usage = memsw_usage > m.usage ? memsw_usage - m.usage : 0;
        if (memsw_limit == PV_UNLIMITED)
                m.swap_limit = PV_UNLIMITED;
        else if (m.limit == PV_UNLIMITED)
                m.swap_limit = memsw_limit; /* memory unbounded: memsw alone bounds swap */
        else
                m.swap_limit = memsw_limit > m.limit ? memsw_limit - m.limit : 0;
        *ret = m;
        return 0;
}

static int v1_read_cpu_usage(const PvCgroup *cg, PvCpuUsage *ret)
{
        PvCpuUsage u = {};
        char *text;
        int r;

        /* cpuacct.usage_all (4.16+): per-CPU user and system ns in one read */
        r = pv_cg_read(cg, PV_CTRL_CPUACCT, 0, "cpuacct.usage_all", &text);
        if (r == 0) {
                r = pv_parse_cpuacct_usage_all(text, &u.percpu_user_ns, &u.percpu_system_ns,
                                               &u.n_cpus);
                free(text);
                if (r < 0)
                        return r;
        } else if (r == -ENOENT) {
                /* older kernels: two files, one number per possible CPU each */
                uint64_t *user = NULL, *sys = NULL;
                size_t nu = 0, ns = 0;
                r = pv_cg_read(cg, PV_CTRL_CPUACCT, 0, "cpuacct.usage_percpu_user", &text);
                if (r == 0) {
                        r = pv_parse_u64_list(text, &user, &nu);
                        free(text);
                        if (r < 0)
                                return r;
                        r = pv_cg_read(cg, PV_CTRL_CPUACCT, 0, "cpuacct.usage_percpu_sys", &text);
                        if (r == 0) {
                                r = pv_parse_u64_list(text, &sys, &ns);
                                free(text);
                        }
                        if (r == 0 && (nu != ns || nu == 0))
                                r = -EINVAL;
                        if (r < 0) {
                                free(user);
                                free(sys);
                                return r;
                        }
                        u.percpu_user_ns = user;
                        u.percpu_system_ns = sys;
                        u.n_cpus = nu;
                } else if (r != -ENOENT) {
                        return r;
                }
        } else {
                return r;
        }

        if (u.n_cpus > 0) {
                for (size_t i = 0; i < u.n_cpus; i++) {
                        u.user_ns += u.percpu_user_ns[i];
                        u.system_ns += u.percpu_system_ns[i];
                }
                *ret = u;
                return 0;
        }

        /*
         * Oldest kernels: cpuacct.usage (ns) split by the user/system ratio of
         * cpuacct.stat (USER_HZ ticks). No per-CPU split.
         */
        uint64_t usage, ut = 0, st = 0;
        r = pv_cg_read_u64(cg, PV_CTRL_CPUACCT, "cpuacct.usage", &usage);
        if (r < 0)
                return r;
        const PvKeyField f[] = {{"user", &ut}, {"system", &st}};
        r = pv_cg_read_keyed(cg, PV_CTRL_CPUACCT, "cpuacct.stat", f, 2);
        if (r < 0)
                return r;
        if (ut + st == 0) {
                u.user_ns = usage;
        } else {
                u.user_ns = (uint64_t)((unsigned __int128)usage * ut / (ut + st));
                u.system_ns = usage - u.user_ns;
        }
        *ret = u;
        return 0;
}

static int v1_read_cpu_quota(const PvCgroup *cg, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        /* cfs_quota_us = -1: no limit at that level */
        return pv_cg_quota_min(cg, PV_CTRL_CPU, "cpu.cfs_quota_us", "cpu.cfs_period_us",
                               ret_quota_us, ret_period_us);
}

/*
 * A cpu or node list: effective (4.7+) is the list as narrowed by the
 * ancestors and hotplug, else the list as written.
 */
static int v1_read_list(const PvCgroup *cg, const char *effective, const char *file, PvCpuSet *ret)
{
        int r = pv_cg_read_cpuset(cg, PV_CTRL_CPUSET, 0, effective, ret);
        if (r == -ENOENT)
                r = pv_cg_read_cpuset(cg, PV_CTRL_CPUSET, 0, file, ret);
        /* every live v1 cpuset cgroup has both lists: without one, gone or odd */
        if (r == -ENOENT)
                return pv_cg_gone(cg, PV_CTRL_CPUSET) < 0 ? -ENOENT : -ENODATA;
        return r;
}

static int v1_read_cpuset(const PvCgroup *cg, PvCpuSet *ret)
{
        return v1_read_list(cg, "cpuset.effective_cpus", "cpuset.cpus", ret);
}

static int v1_read_mems(const PvCgroup *cg, PvCpuSet *ret)
{
        return v1_read_list(cg, "cpuset.effective_mems", "cpuset.mems", ret);
}

static int v1_read_numa(const PvCgroup *cg, PvNumaUsage *ret)
{
        char *text;
        long page = sysconf(_SC_PAGESIZE);
        int r = pv_cg_read(cg, PV_CTRL_MEMORY, 0, "memory.numa_stat", &text);
        if (r < 0)
                return r;
        /* counts are pages; hierarchical_total (3.x+) includes the descendants */
        r = pv_parse_numa_stat_line(text, "hierarchical_total", page > 0 ? (uint64_t)page : 4096,
                                    ret);
        if (r == -ENOENT)
                r = pv_parse_numa_stat_line(text, "total", page > 0 ? (uint64_t)page : 4096, ret);
        free(text);
        return r;
}

/* Parses one blkio file if present and merges it into s; -ENOENT when absent. */
static int blkio_merge(const PvCgroup *cg, const char *file, bool ios, PvIoStats *s)
{
        char *text;
        PvIoStats part;
        int r = pv_cg_read(cg, PV_CTRL_IO, 0, file, &text);
        if (r < 0)
                return r;
        r = pv_parse_blkio(text, ios, &part);
        free(text);
        if (r < 0)
                return r;
        r = pv_io_stats_merge_max(s, &part);
        pv_io_stats_clear(&part);
        return r;
}

static int v1_read_io(const PvCgroup *cg, PvIoStats *ret)
{
        /*
         * blkio.throttle.* counts a device's I/O once throttling is set up on
         * it: at the device's start up to Linux 6.9, at the first throttle
         * rule written for it (any cgroup) since 6.10. BFQ, when it schedules
         * a device, counts in blkio.bfq.*. A device in both takes the larger.
         */
        static const struct {
                const char *file, *fallback;
                bool ios;
        } files[] = {
            {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes", false},
            {"blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced", true},
            {"blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_service_bytes", false},
            {"blkio.bfq.io_serviced_recursive", "blkio.bfq.io_serviced", true},
        };
        PvIoStats s = {};
        bool any = false;

        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                int r = blkio_merge(cg, files[i].file, files[i].ios, &s);
                if (r == -ENOENT)
                        r = blkio_merge(cg, files[i].fallback, files[i].ios, &s);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        pv_io_stats_clear(&s);
                        return r;
                }
                any = true;
        }
        if (!any) /* no blkio file: gone, or a kernel that keeps none */
                return pv_cg_gone(cg, PV_CTRL_IO) < 0 ? -ENOENT : -ENODATA;
        *ret = s;
        return 0;
}

static int v1_read_tasks(const PvCgroup *cg, PvController c, PvTaskCounts *ret)
{
        return pv_cg_count_tasks(cg, c, "tasks", true, ret);
}

/* memory.oom_control's oom_kill (4.13+) counts kills in the cgroup and its descendants */
const PvCgroupOps pv_cgroup_v1_ops = PV_CGROUP_OPS(v1, "memory.oom_control");
