/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The gatherers of sys/devices/system/node: the container's memory nodes
 * (cpuset mems) among the host's, their CPUs among the visible ones, and
 * their memory (rules in man/procviewd.8 and src/views/node.c).
 */
#include "gather.h"

#include <errno.h>

int pv_container_visible_nodes(PvDaemon *d, PvContainer *c, PvCpuSet *ret)
{
        PvCpuSet online, mems;
        int r = pv_host_read_cpuset(d, "sys/devices/system/node/online", &online);
        if (r == -ENOENT) /* a kernel without NUMA has no nodes to show */
                return -EOPNOTSUPP;
        if (r < 0)
                return r;
        r = pv_container_cpuset_list(c, pv_cgroup_read_mems, &online, &mems);
        if (r < 0)
                return r;
        /* a node taken offline stays in cpuset.mems on v1 until the kernel rebuilds it */
        pv_cpuset_and(&mems, &online);
        *ret = mems;
        return 0;
}

/* online and possible: the visible nodes */
PvGatherFn pv_gather_node_online;
int pv_gather_node_online(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet nodes;
        int r = pv_container_visible_nodes(d, c, &nodes);
        if (r < 0)
                return r;
        return pv_cpulist_render(&nodes, out);
}

/* The host's CPUs of node. */
static int host_node_cpus(PvDaemon *d, unsigned node, PvCpuSet *ret)
{
        g_autofree char *text = NULL;
        int r = pv_host_read_node(d, node, "cpulist", &text);
        if (r < 0)
                return r;
        return pv_cpuset_parse(text, ret);
}

/* has_cpu: the visible nodes with a visible CPU */
PvGatherFn pv_gather_node_has_cpu;
int pv_gather_node_has_cpu(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet nodes, visible, with_cpu;
        int r = pv_container_visible_nodes(d, c, &nodes);
        if (r < 0)
                return r;
        r = pv_container_visible_cpus(d, c, &visible);
        if (r < 0)
                return r;
        pv_cpuset_zero(&with_cpu);
        for (int n = pv_cpuset_next(&nodes, 0); n >= 0;
             n = pv_cpuset_next(&nodes, (unsigned)n + 1)) {
                PvCpuSet cpus;
                r = host_node_cpus(d, (unsigned)n, &cpus);
                if (r < 0)
                        return r;
                pv_cpuset_and(&cpus, &visible);
                if (pv_cpuset_count(&cpus) > 0)
                        pv_cpuset_add(&with_cpu, (unsigned)n);
        }
        return pv_cpulist_render(&with_cpu, out);
}

/* has_memory: the visible nodes the host has memory on */
PvGatherFn pv_gather_node_has_memory;
int pv_gather_node_has_memory(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet nodes, with_memory;
        int r = pv_container_visible_nodes(d, c, &nodes);
        if (r < 0)
                return r;
        r = pv_host_read_cpuset(d, "sys/devices/system/node/has_memory", &with_memory);
        if (r < 0)
                return r;
        pv_cpuset_and(&nodes, &with_memory);
        return pv_cpulist_render(&nodes, out);
}

/* The CPUs container c sees on node, or -ENOENT for a node it does not see. */
static int node_visible_cpus(PvDaemon *d, PvContainer *c, unsigned node, PvCpuSet *ret)
{
        PvCpuSet nodes, visible, cpus;
        int r = pv_container_visible_nodes(d, c, &nodes);
        if (r < 0)
                return r;
        if (!pv_cpuset_has(&nodes, node))
                return -ENOENT;
        r = pv_container_visible_cpus(d, c, &visible);
        if (r < 0)
                return r;
        r = host_node_cpus(d, node, &cpus);
        if (r < 0)
                return r;
        pv_cpuset_and(&cpus, &visible);
        *ret = cpus;
        return 0;
}

/*
 * A reader in the root cgroups gets the host's node files as they are (the
 * per-node rows have no kept-open host file: nodes come and go).
 */
static int host_node_file(PvDaemon *d, unsigned node, const char *name, GString *out)
{
        g_autofree char *text = NULL;
        int r = pv_host_read_node(d, node, name, &text);
        if (r == 0)
                g_string_append(out, text);
        return r;
}

/* nodeN/cpulist: the node's CPUs among the visible ones (cpu is the node) */
PvGatherFn pv_gather_node_cpulist;
int pv_gather_node_cpulist(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet cpus;
        if (c->is_root)
                return host_node_file(d, cpu, "cpulist", out);
        int r = node_visible_cpus(d, c, cpu, &cpus);
        if (r < 0)
                return r;
        return pv_cpulist_render(&cpus, out);
}

/* The host's possible CPUs; its online ones where the kernel lists no possible ones. */
static int host_possible_cpus(PvDaemon *d, PvCpuSet *ret)
{
        int r = pv_host_read_cpuset(d, "sys/devices/system/cpu/possible", ret);
        return r == -ENOENT ? pv_host_read_cpuset(d, "sys/devices/system/cpu/online", ret) : r;
}

/* nodeN/cpumap: the same CPUs as a mask as wide as the host's possible CPU ids */
PvGatherFn pv_gather_node_cpumap;
int pv_gather_node_cpumap(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        PvCpuSet cpus, possible;
        if (c->is_root)
                return host_node_file(d, cpu, "cpumap", out);
        int r = node_visible_cpus(d, c, cpu, &cpus);
        if (r < 0)
                return r;
        r = host_possible_cpus(d, &possible);
        if (r < 0)
                return r;
        /* the kernel prints nr_cpu_ids bits: the highest possible id + 1 */
        return pv_cpumap_render(&cpus, (unsigned)pv_cpuset_last(&possible) + 1, out);
}

/*
 * nodeN/meminfo: the container's limit shared among its visible nodes by the
 * host's size of each, and what it holds on this node (pv_node_memory_split,
 * node.c)
 */
PvGatherFn pv_gather_node_meminfo;
int pv_gather_node_meminfo(PvDaemon *d, PvContainer *c, unsigned cpu, GString *out)
{
        g_autofree char *text = NULL;
        g_autofree uint64_t *host_kb = NULL, *share_kb = NULL;
        g_autofree PvNumaUsage *usage = NULL;
        PvCpuSet nodes;
        PvMemory mem;
        size_t n = 0, at = 0;

        if (c->is_root)
                return host_node_file(d, cpu, "meminfo", out);
        int r = pv_container_visible_nodes(d, c, &nodes);
        if (r < 0)
                return r;
        if (!pv_cpuset_has(&nodes, cpu))
                return -ENOENT;
        host_kb = g_new0(uint64_t, pv_cpuset_count(&nodes));
        share_kb = g_new0(uint64_t, pv_cpuset_count(&nodes));
        for (int k = pv_cpuset_next(&nodes, 0); k >= 0;
             k = pv_cpuset_next(&nodes, (unsigned)k + 1)) {
                g_autofree char *node_text = NULL;
                r = pv_host_read_node(d, (unsigned)k, "meminfo", &node_text);
                if (r < 0)
                        return r;
                r = pv_node_meminfo_total_kb(node_text, &host_kb[n]);
                if (r < 0)
                        return r;
                if ((unsigned)k == cpu) {
                        at = n;
                        text = g_steal_pointer(&node_text);
                }
                n++;
        }
        r = pv_cgroup_read_memory(c->cg, &mem);
        if (r < 0)
                return r;
        pv_node_memory_split(host_kb, n, mem.limit == PV_UNLIMITED ? UINT64_MAX : mem.limit / 1024,
                             share_kb);
        usage = g_new0(PvNumaUsage, 1);
        r = pv_cgroup_read_numa(c->cg, usage);
        if (r < 0)
                return r;
        return pv_node_meminfo_render(text, share_kb[at], usage->bytes[cpu] / 1024, out);
}
