/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroup v2 readers: memory, cpu, cpuset, io on the unified hierarchy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-private.h"
#include "fileio.h"
#include "parse.h"

static int v2_read_memory(const PvCgroup *cg, PvMemory *ret)
{
        PvMemory m = {};
        int r;

        /* memory.current: absent in the root and where the memory controller is not enabled */
        r = pv_cg_read_usage_limit(cg, "memory.current", "memory.max", PV_CG_LIMIT_UNKNOWN, false,
                                   &m.usage, &m.limit);
        if (r < 0)
                return r;

        /* v2 accounts swap apart from memory (unlike v1 memsw); no swap accounting: no limit */
        r = pv_cg_read_usage_limit(cg, "memory.swap.current", "memory.swap.max",
                                   PV_CG_LIMIT_UNKNOWN, true, &m.swap_usage, &m.swap_limit);
        if (r < 0)
                return r;
        m.swap_accounted = r > 0;

        /* v2 memory.stat is hierarchical already; keys per Documentation/admin-guide/cgroup-v2.rst
         */
        const PvKeyField f[] = {
            {"anon", &m.stat.anon},
            {"file", &m.stat.file},
            {"shmem", &m.stat.shmem},
            {"file_mapped", &m.stat.mapped_file},
            {"file_dirty", &m.stat.dirty},
            {"file_writeback", &m.stat.writeback},
            {"swapcached", &m.stat.swapcached},
            {"active_anon", &m.stat.active_anon},
            {"inactive_anon", &m.stat.inactive_anon},
            {"active_file", &m.stat.active_file},
            {"inactive_file", &m.stat.inactive_file},
            {"unevictable", &m.stat.unevictable},
            {"slab_reclaimable", &m.stat.slab_reclaimable},
            {"slab_unreclaimable", &m.stat.slab_unreclaimable},
            {"kernel_stack", &m.stat.kernel_stack},
            {"pagetables", &m.stat.pagetables},
            {"anon_thp", &m.stat.anon_thp},
            {"pgfault", &m.stat.pgfault},
            {"pgmajfault", &m.stat.pgmajfault},
            {"pswpin", &m.stat.pswpin},
            {"pswpout", &m.stat.pswpout},
            {"workingset_refault_anon", &m.stat.workingset_refault_anon},
            {"workingset_refault_file", &m.stat.workingset_refault_file},
            {"workingset_activate_anon", &m.stat.workingset_activate_anon},
            {"workingset_activate_file", &m.stat.workingset_activate_file},
            {"workingset_restore_anon", &m.stat.workingset_restore_anon},
            {"workingset_restore_file", &m.stat.workingset_restore_file},
            {"workingset_nodereclaim", &m.stat.workingset_nodereclaim},
        };
        r = pv_cg_read_keyed(cg, PV_CTRL_MEMORY, "memory.stat", f, sizeof(f) / sizeof(f[0]));
        if (r < 0)
                return r;
        *ret = m;
        return 0;
}

static int v2_read_cpu_usage(const PvCgroup *cg, PvCpuUsage *ret)
{
        uint64_t user = 0, sys = 0;
        /* cpu.stat's usage fields are core (present without the cpu controller); no per-CPU split
         */
        const PvKeyField f[] = {{"user_usec", &user}, {"system_usec", &sys}};
        int r = pv_cg_read_keyed(cg, PV_CTRL_CPUACCT, "cpu.stat", f, 2);
        if (r < 0)
                return r;
        if (r < 2)
                return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        ret->user_ns = user * 1000;
        ret->system_ns = sys * 1000;
        return 0;
}

static int v2_read_cpu_quota(const PvCgroup *cg, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        return pv_cg_quota_min(cg, PV_CTRL_CPU, NULL, "cpu.max", ret_quota_us, ret_period_us);
}

/*
 * The cpu list of file (cpuset.cpus.effective, cpuset.mems.effective) at the
 * nearest level that has it: the file exists only where the cpuset controller
 * is enabled, and a child without the controller shares its parent's cpuset.
 * -ENODATA when no level has it (no cpuset controller at all), -ENOENT when
 * the cgroup is gone.
 */
static int v2_read_nearest_cpuset(const PvCgroup *cg, const char *file, PvCpuSet *ret)
{
        for (size_t i = 0; i < cg->n_chain[PV_CTRL_CPUSET]; i++) {
                int r = pv_cg_read_cpuset(cg, PV_CTRL_CPUSET, i, file, ret);
                if (r == -ENOENT) {
                        if (i == 0 && pv_cg_gone(cg, PV_CTRL_CPUSET) < 0)
                                return -ENOENT;
                        continue;
                }
                return r;
        }
        return -ENODATA;
}

static int v2_read_cpuset(const PvCgroup *cg, PvCpuSet *ret)
{
        return v2_read_nearest_cpuset(cg, "cpuset.cpus.effective", ret);
}

static int v2_read_mems(const PvCgroup *cg, PvCpuSet *ret)
{
        return v2_read_nearest_cpuset(cg, "cpuset.mems.effective", ret);
}

static int v2_read_numa(const PvCgroup *cg, PvNumaUsage *ret)
{
        /* what memory.current mostly charges, per node; bytes, recursive */
        static const char *const keys[] = {
            "anon", "file", "kernel_stack", "pagetables", "slab_reclaimable", "slab_unreclaimable"};
        char *text;
        int r = pv_cg_read(cg, PV_CTRL_MEMORY, 0, "memory.numa_stat", &text);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && r >= 0; i++) {
                r = pv_parse_numa_stat_line(text, keys[i], 1, ret);
                if (r == -ENOENT && i > 1) /* older kernels lack the kernel keys */
                        r = 0;
        }
        free(text);
        return r;
}

static int v2_read_io(const PvCgroup *cg, PvIoStats *ret)
{
        char *text;
        /* io.stat is recursive on v2 and counts every device, throttled or not */
        int r = pv_cg_read(cg, PV_CTRL_IO, 0, "io.stat", &text);
        if (r < 0)
                return r;
        r = pv_parse_io_stat(text, ret);
        free(text);
        return r;
}

static int v2_read_tasks(const PvCgroup *cg, PvController c, PvTaskCounts *ret)
{
        /* CGROUPSTATS_CMD_GET refuses cgroup2 fds: states come from /proc */
        return pv_cg_count_tasks(cg, c, "cgroup.threads", false, ret);
}

/* memory.events is hierarchical unless mounted with memory_localevents */
const PvCgroupOps pv_cgroup_v2_ops = PV_CGROUP_OPS(v2, "memory.events");
