/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Internals shared by backend.c, chain.c, paths.c, tasks.c, v1.c and
 * v2.c; not for other layers.
 */

#include <pthread.h>
#include "cgroup/backend.h"
#include "parse.h"

/* Per-controller readers of one cgroup version; picked once per controller in pv_cgroup_open. */
typedef struct PvCgroupOps {
        /* on the PV_CTRL_MEMORY chain; all but oom_kill */
        int (*read_memory)(const PvCgroup *cg, PvMemory *ret);
        /* the flat-keyed file whose oom_kill key counts the OOM kills */
        const char *memory_events;
        /* on the PV_CTRL_CPUACCT chain: user/system totals and per-CPU arrays */
        int (*read_cpu_usage)(const PvCgroup *cg, PvCpuUsage *ret);
        /* on the PV_CTRL_CPU chain: smallest quota/period over ancestors, quota 0 = none */
        int (*read_cpu_quota)(const PvCgroup *cg, uint64_t *ret_quota_us, uint64_t *ret_period_us);
        int (*read_cpuset)(const PvCgroup *cg, PvCpuSet *ret);
        int (*read_mems)(const PvCgroup *cg, PvCpuSet *ret);
        /* on the PV_CTRL_MEMORY chain, added to ret (zeroed by the caller) */
        int (*read_numa)(const PvCgroup *cg, PvNumaUsage *ret);
        int (*read_io)(const PvCgroup *cg, PvIoStats *ret);
        /* on the chain of controller c (any hierarchy lists the cgroup's tasks) */
        int (*read_tasks)(const PvCgroup *cg, PvController c, PvTaskCounts *ret);
} PvCgroupOps;

/*
 * The ops of one version, whose readers are named PREFIX_read_* (v1_read_memory,
 * ...); events is its memory_events file.
 */
#define PV_CGROUP_OPS(prefix, events)                                                              \
        {                                                                                          \
                .read_memory = prefix##_read_memory, .memory_events = (events),                    \
                .read_cpu_usage = prefix##_read_cpu_usage,                                         \
                .read_cpu_quota = prefix##_read_cpu_quota, .read_cpuset = prefix##_read_cpuset,    \
                .read_mems = prefix##_read_mems, .read_numa = prefix##_read_numa,                  \
                .read_io = prefix##_read_io, .read_tasks = prefix##_read_tasks,                    \
        }

extern const PvCgroupOps pv_cgroup_v1_ops;
extern const PvCgroupOps pv_cgroup_v2_ops;

/* A counter file kept open: pread at offset 0 regenerates a kernfs file. */
typedef struct PvCgFile {
        PvController c;
        size_t level;
        const char *name; /* a string literal of the readers */
        int fd;
} PvCgFile;

#define PV_CG_FILES_MAX 48

struct PvCgroup {
        const PvHierarchy *h;       /* borrowed */
        pthread_mutex_t files_lock; /* protects files, n_files */
        PvCgFile files[PV_CG_FILES_MAX];
        size_t n_files;
        char *path[_PV_CTRL_MAX];
        /*
         * O_PATH dirfds: chain[c][0] is the cgroup's directory, chain[c][i]
         * its i-th ancestor, chain[c][n_chain[c] - 1] the hierarchy root
         * (h->root_fd[c], not owned). NULL when the controller has no path.
         */
        int *chain[_PV_CTRL_MAX];
        size_t n_chain[_PV_CTRL_MAX];
        const PvCgroupOps *ops[_PV_CTRL_MAX];
        char *unified_path; /* NULL: none */
        int unified_fd;     /* O_PATH dirfd of unified_path, -1 */
        char *key;
        char *name; /* the key with every id 0: the paths alone */
};

/*
 * Reads file in the cgroup of controller c at ancestor level (0 = the
 * cgroup itself). Returns 0, -ENOENT (no such file or the cgroup vanished),
 * -ENODEV (controller absent), -errno.
 */
int pv_cg_read(const PvCgroup *cg, PvController c, size_t level, const char *file, char **ret);

/* Closes the counter files pv_cg_read kept open, returning them to the budget. */
void pv_cg_files_close(PvCgroup *cg);

/* pv_cg_read of a level-0 file holding one number (a usage counter), parsed. Returns 0 or -errno.
 */
int pv_cg_read_u64(const PvCgroup *cg, PvController c, const char *file, uint64_t *ret);

/*
 * pv_cg_read of a level-0 flat-keyed file (memory.stat, cpu.stat,
 * cpuacct.stat) parsed by pv_parse_flat_keyed. Returns the number of fields
 * found (>= 0) or -errno; no dst is written on failure.
 */
int pv_cg_read_keyed(const PvCgroup *cg, PvController c, const char *file, const PvKeyField *fields,
                     size_t n_fields);

/* pv_cg_read of a cpu-list file at level, parsed by pv_cpuset_parse. Returns 0 or -errno. */
int pv_cg_read_cpuset(const PvCgroup *cg, PvController c, size_t level, const char *file,
                      PvCpuSet *ret);

/*
 * -ENOENT when the cgroup of c itself was removed (every cgroup directory,
 * v1 and v2, has cgroup.procs), else 0: tells a vanished cgroup from a
 * level that merely lacks a file.
 */
int pv_cg_gone(const PvCgroup *cg, PvController c);

/*
 * The smallest limit (pv_parse_limit) of file over the cgroup of c and
 * its ancestors; levels lacking the file count as unlimited. If the cgroup
 * itself vanished, -ENOENT. Returns 0 (PV_UNLIMITED when no level limits) or -errno.
 */
int pv_cg_limit_min(const PvCgroup *cg, PvController c, const char *file, uint64_t *ret);

/* Not a limit the kernel writes: tells pv_cg_read_usage_limit to read the limit files. */
#define PV_CG_LIMIT_UNKNOWN (UINT64_MAX - 1)

/*
 * A memory counter of the cgroup (usage_file, at level 0) and its limit:
 * known_limit (a limit the kernel already took the minimum of, as v1
 * memory.stat's hierarchical_*_limit) or, when PV_CG_LIMIT_UNKNOWN, the
 * smallest limit_file over the chain (pv_cg_limit_min). Returns 1; 0 when
 * usage_file is absent and optional (the kernel keeps no such counter: usage
 * 0, no limit); -errno (-ENOENT when the cgroup vanished, or usage_file is
 * absent and not optional); nothing is written on failure.
 */
int pv_cg_read_usage_limit(const PvCgroup *cg, const char *usage_file, const char *limit_file,
                           uint64_t known_limit, bool optional, uint64_t *ret_usage,
                           uint64_t *ret_limit);

/* Smallest quota/period ratio over the chain, for v1 pairs of files (quota_file NULL: v2 cpu.max).
 */
int pv_cg_quota_min(const PvCgroup *cg, PvController c, const char *quota_file,
                    const char *period_file, uint64_t *ret_quota_us, uint64_t *ret_period_us);

/*
 * Counts threads listed in list_file ("tasks" or "cgroup.threads") of the
 * cgroup of c and all its descendants. States come from CGROUPSTATS_CMD_GET
 * when use_netlink and the hierarchy resolved TASKSTATS, else from
 * <proc>/<tid>/stat.
 */
int pv_cg_count_tasks(const PvCgroup *cg, PvController c, const char *list_file, bool use_netlink,
                      PvTaskCounts *ret);

/*
 * The unified path a PvCgroup opened from paths and unified keeps for
 * pressure: unified, else the path of a controller on the unified hierarchy;
 * NULL when the host has no unified mount.
 */
const char *pv_cg_unified_of(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX],
                             const char *unified);

/* True when every non-NULL path is "/": pv_cgroup_is_root and pv_cgroup_paths_is_root. */
bool pv_cg_paths_are_root(char *const paths[_PV_CTRL_MAX]);

/* The text of pv_cgroup_key for paths (those h has), unified and ids; malloc()ed, NULL: ENOMEM. */
char *pv_cg_format_key(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX], const char *unified,
                       const uint64_t ids[_PV_CTRL_MAX]);
