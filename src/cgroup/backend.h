/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Typed access to one container's cgroup counters, the same for cgroup v1,
 * v2 and hybrid hosts. Every getter works on directory fds below a root fd
 * (PvHierarchy), so the same code runs on the host's /sys/fs/cgroup and on
 * tests/fixtures trees.
 *
 * Conventions: functions return 0 or -errno and never log; out-parameters are
 * named ret_* / ret, come last, and are untouched on failure. PV_UNLIMITED is
 * the one sentinel for "max", "-1" and absent limit files.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse-types.h"
#include "cpuset.h"
#include "views/counters.h"

typedef enum PvCgroupLayout {
        PV_LAYOUT_V1,     /* every controller we use is on a v1 hierarchy */
        PV_LAYOUT_V2,     /* unified hierarchy only */
        PV_LAYOUT_HYBRID, /* some of our controllers on v1, some on v2 */
} PvCgroupLayout;

/* The host's cgroup mounts, discovered once at start. */
typedef struct PvHierarchy {
        PvCgroupLayout layout;
        int unified_fd;                 /* dirfd of the cgroup2 mount, -1 if none */
        int root_fd[_PV_CTRL_MAX];      /* dirfd of the hierarchy root serving it, -1 if none */
        bool is_v2[_PV_CTRL_MAX];       /* the controller is served by the unified hierarchy */
        int v1_hier_id[_PV_CTRL_MAX];   /* hierarchy id as in /proc/PID/cgroup, 0 for v2/none */
        char *mount_path[_PV_CTRL_MAX]; /* for messages only */
        /*
         * dirfd of the procfs whose /proc/<tid>/stat give task states to
         * pv_cgroup_read_tasks: the host's /proc, or <dir>/proc of a fixture
         * tree (see pv_hierarchy_set_proc_root).
         */
        int proc_fd;
        /*
         * Generic-netlink family id of TASKSTATS, 0 when unavailable or for
         * fixture trees: v1 task states then come from CGROUPSTATS_CMD_GET.
         */
        int taskstats_family;
        /*
         * How many more counter files the PvCgroups of this hierarchy may keep
         * open (each saves an open and a close per read); an eighth of the open file
         * limit at pv_hierarchy_open, 0 for fixture trees. Atomic.
         */
        int file_fd_budget;
} PvHierarchy;

/*
 * Discovers the host's hierarchies (libcgroup + /proc/self/mountinfo) and
 * opens their roots. Returns 0 or -errno (-ENOENT: no cgroup mounted at all).
 */
int pv_hierarchy_open(PvHierarchy *ret);

/*
 * Opens a fixture tree: dir/unified for the v2 hierarchy if present, and
 * dir/<name> for each v1 controller directory present (memory, cpu, cpuacct,
 * cpuset, blkio, pids; "cpu,cpuacct" is also recognised). Hierarchy ids for
 * v1 are read from dir/hierarchies ("name id" per line) when present,
 * otherwise numbered in the order above from 1.
 */
int pv_hierarchy_open_at(const char *dir, PvHierarchy *ret);

void pv_hierarchy_close(PvHierarchy *h);

/*
 * Points task-state reads at dir (a /proc, real or a fixture with
 * <tid>/stat files) and turns the netlink path off, so that tests can feed
 * states. Returns 0 or -errno (h unchanged).
 */
int pv_hierarchy_set_proc_root(PvHierarchy *h, const char *dir);

/*
 * Pure: maps the text of /proc/PID/cgroup to one path per controller,
 * relative to that controller's hierarchy root ("/" for the root cgroup):
 * pv_parse_cgroup_paths (parse.h) with the controllers h has on v2 and on
 * v1. ret_paths[i] are malloc()ed; NULL for a controller the host lacks.
 * Returns 0 or -EINVAL (malformed), -ENOMEM.
 */
int pv_cgroup_paths_parse(const PvHierarchy *h, const char *proc_pid_cgroup,
                          char *ret_paths[_PV_CTRL_MAX]);

/* One container's cgroups: opened directory fds per controller. Opaque. */
typedef struct PvCgroup PvCgroup;

/*
 * Opens the cgroup directories named by paths (as from pv_cgroup_paths_parse)
 * and keeps fds to them and their ancestors, so reads need no path walks.
 * Returns 0, -ENOENT when a cgroup vanished, or -errno.
 */
int pv_cgroup_open(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX], PvCgroup **ret);
void pv_cgroup_free(PvCgroup *cg);
/*
 * The directory fds cg holds: one per level of each distinct path (the
 * controllers of one hierarchy with the same path share theirs: all of them
 * on cgroup v2) and the unified one, not the roots (the hierarchy's) nor the
 * counter files (PvHierarchy.file_fd_budget counts those).
 */
unsigned pv_cgroup_n_fds(const PvCgroup *cg);

/*
 * pv_cgroup_paths_parse + pv_cgroup_open in one, also keeping the unified
 * ("0::") path for pressure even when no controller is on the unified
 * hierarchy (a v1 or hybrid host with cgroup.pressure there). Plain
 * pv_cgroup_open takes the unified path from a controller served by v2, if
 * any. h is borrowed by the PvCgroup and must outlive it (both opens).
 * Returns 0, -ENOENT (a cgroup vanished), -EINVAL, or -errno.
 */
int pv_cgroup_open_proc(const PvHierarchy *h, const char *proc_pid_cgroup, PvCgroup **ret);
/* The unified-hierarchy path used for pressure, or NULL. Owned by cg. */
const char *pv_cgroup_unified_path(const PvCgroup *cg);

/*
 * What one /proc/PID/cgroup text names, parsed once: the path of each
 * controller (as from pv_cgroup_paths_parse) and the unified ("0::") path.
 * Strings malloc()ed, NULL where absent.
 */
typedef struct PvCgroupPaths {
        char *path[_PV_CTRL_MAX];
        char *unified;
} PvCgroupPaths;

/*
 * Pure: parses proc_pid_cgroup into ret (pv_cgroup_paths_parse and
 * pv_parse_cgroup_unified_path). Returns 0, -EINVAL, -ENOMEM; ret untouched
 * on failure.
 */
int pv_cgroup_paths_from_proc(const PvHierarchy *h, const char *proc_pid_cgroup,
                              PvCgroupPaths *ret);
/* Frees the strings of p and NULLs them. */
void pv_cgroup_paths_clear(PvCgroupPaths *p);
/*
 * Pure: true when every controller path of p is its hierarchy's root ("/"),
 * as pv_cgroup_is_root would say of the cgroups opened from p (the unified
 * path and absent controllers do not count).
 */
bool pv_cgroup_paths_is_root(const PvCgroupPaths *p);

/* pv_cgroup_open_proc on an already parsed text. Returns as pv_cgroup_open_proc. */
int pv_cgroup_open_paths(const PvHierarchy *h, const PvCgroupPaths *paths, PvCgroup **ret);

/*
 * The key pv_cgroup_key would give the cgroups paths names if they were
 * opened now, from one lookup per v1 hierarchy (pv_cgroup_paths_ids) and no
 * open: a cache of PvCgroups finds its entry with it. *ret is malloc()ed.
 * Returns 0, -ENOENT when a cgroup does not exist, -EINVAL, -ENOMEM or -errno.
 */
int pv_cgroup_paths_key(const PvHierarchy *h, const PvCgroupPaths *paths, char **ret);
/*
 * The same text for given ids; with all ids 0 it names the paths alone (a
 * registry that checks renames itself keys by it). Returns 0 or -ENOMEM.
 */
int pv_cgroup_paths_name(const PvHierarchy *h, const PvCgroupPaths *paths,
                         const uint64_t ids[_PV_CTRL_MAX], char **ret);

/*
 * What names a cgroup across a rename, where its path does not: the inode
 * number of each v1 controller's cgroup directory (its kernfs node id, which
 * 64-bit kernels >= 5.5 never hand out twice). 0 for a controller without a
 * path and for those on the unified hierarchy: cgroup v2 refuses renames
 * (its kernfs ops have none), so there a path names one cgroup until it is
 * removed, and no lookup is spent on it.
 * pv_cgroup_ids reads the directories cg holds open. Returns 0 or -errno;
 * the outputs are untouched on failure.
 */
int pv_cgroup_ids(const PvCgroup *cg, uint64_t ret_ids[_PV_CTRL_MAX]);

/*
 * The same for cgroups named by path (as from pv_cgroup_paths_parse), looked
 * up from the hierarchy roots now: the ids pv_cgroup_open would see. Controllers co-mounted on one
 * v1 hierarchy cost one lookup. Returns 0, -ENOENT when a cgroup does not exist, or -errno; the
 * outputs are untouched on failure.
 */
int pv_cgroup_paths_ids(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX],
                        uint64_t ret_ids[_PV_CTRL_MAX]);

/*
 * Calls fn on every v1 cgroup directory cg holds (O_PATH fds, borrowed): the
 * cgroup's and each ancestor's up to the hierarchy root, controller by
 * controller. A rename or removal that changes what cg's paths name happens
 * in one of them (an inotify watch sees it as IN_MOVED_FROM or IN_DELETE).
 * The unified hierarchy has none (see pv_cgroup_ids). Stops at and returns
 * fn's first negative return, else 0.
 */
int pv_cgroup_foreach_v1_dir(const PvCgroup *cg, int (*fn)(int dir_fd, void *data), void *data);
/*
 * Calls fn on the parent of cg's directory on the unified hierarchy (an
 * O_PATH fd, borrowed), once per controller served there, unless cg is the
 * hierarchy's root. cg's removal shows there, as IN_DELETE: not in cg's
 * own directory, whose IN_DELETE_SELF waits until its last reference (the
 * fds cg holds) goes (fsnotify_inoderemove at the dentry's unlink). cgroup
 * v2 has no renames, and no ancestor goes before cg. Stops at and returns
 * fn's first negative return, else 0.
 */
int pv_cgroup_foreach_v2_parent(const PvCgroup *cg, int (*fn)(int dir_fd, void *data), void *data);

/* True when every controller's path is the hierarchy root ("/"). */
bool pv_cgroup_is_root(const PvCgroup *cg);
/* The path for a controller, or NULL. Owned by cg. */
const char *pv_cgroup_path(const PvCgroup *cg, PvController c);
/*
 * A text key naming the cgroups cg holds, for caches and log lines: one
 * "PATH ID" line per controller in controller order ("- 0" without a path),
 * ID as from pv_cgroup_ids, then the unified path ("-" without one). Paths
 * alone would not do: a v1 cgroup renamed keeps its directory, and a new
 * cgroup may be made under its old path. Owned by cg.
 */
const char *pv_cgroup_key(const PvCgroup *cg);
/*
 * The same text without the ids (pv_cgroup_paths_name with every id 0): what
 * names cg's paths, whatever cgroups they hold now. Owned by cg.
 */
const char *pv_cgroup_name(const PvCgroup *cg);

/*
 * The task of cg that started first and its start time (field 22 of
 * /proc/PID/stat: clock ticks since boot, read through PvHierarchy.proc_fd),
 * for when a container started: a cgroup directory keeps no creation time.
 * Reads cgroup.procs of the first of cpuacct, memory and pids that can be
 * read; tasks that exit meanwhile are skipped. Either out-parameter may be
 * NULL. Returns 0, -ESRCH when no task of the cgroup could be read, -ENODEV
 * when cg has none of those controllers, or -errno.
 */
int pv_cgroup_oldest_task(const PvCgroup *cg, pid_t *ret_pid, uint64_t *ret_start_ticks);

/* ---- memory (PvMemory, PvMemStat: views/counters.h) ---- */

/* Everything in PvMemory but oom_kill (0). Returns 0, -ENODEV, -ENOENT or -errno. */
int pv_cgroup_read_memory(const PvCgroup *cg, PvMemory *ret);
/* Adds ret->oom_kill to what pv_cgroup_read_memory read. Returns 0 or -errno. */
int pv_cgroup_read_memory_events(const PvCgroup *cg, PvMemory *ret);

/* ---- cpu ---- */

int pv_cgroup_read_cpu(const PvCgroup *cg, PvCpuUsage *ret);

/*
 * The effective cpuset (v1 cpuset.effective_cpus or cpuset.cpus, v2
 * cpuset.cpus.effective). Returns 0; -ENODEV when no hierarchy has the
 * cpuset controller, -ENODATA when the cgroup has no cpuset file (v2: nor
 * any ancestor), -ENOENT when the cgroup is gone, or -errno.
 */
int pv_cgroup_read_cpuset(const PvCgroup *cg, PvCpuSet *ret);

/*
 * The memory nodes the cgroup may allocate on (v1 cpuset.effective_mems or
 * cpuset.mems, v2 cpuset.mems.effective), as a set of node ids. Returns as
 * pv_cgroup_read_cpuset.
 */
int pv_cgroup_read_mems(const PvCgroup *cg, PvCpuSet *ret);

/*
 * 0 while every cgroup cg holds is there, -ENOENT once one was removed. What
 * tells a vanished cgroup where nothing else is read from it (a host without
 * the cpuset controller shows every online CPU).
 */
int pv_cgroup_alive(const PvCgroup *cg);

/* ---- NUMA (PvNumaUsage: parse-types.h) ---- */

/*
 * Per-node usage: v1 memory.numa_stat hierarchical_total (LRU pages, total
 * on kernels without hierarchical_ lines), v2 memory.numa_stat anon + file +
 * kernel_stack + pagetables + slab_reclaimable + slab_unreclaimable (v2's
 * keys are recursive). Returns 0 or -errno.
 */
int pv_cgroup_read_numa(const PvCgroup *cg, PvNumaUsage *ret);

/* ---- io ---- */

/*
 * v1: blkio.throttle.io_service_bytes_recursive / io_serviced_recursive
 * (falling back to the non-recursive files, and to blkio.bfq.* where present;
 * a device counted by both is taken from the larger). v2: io.stat.
 */
int pv_cgroup_read_io(const PvCgroup *cg, PvIoStats *ret);

/* ---- tasks (loadavg, stat procs_*; PvTaskCounts: views/counters.h) ---- */

int pv_cgroup_read_tasks(const PvCgroup *cg, PvTaskCounts *ret);

/* ---- pressure (v2 and v1 with psi=1 cgroup.pressure on the unified mount) ---- */

typedef enum PvPressure {
        PV_PRESSURE_CPU,
        PV_PRESSURE_MEMORY,
        PV_PRESSURE_IO,
} PvPressure;

/*
 * The raw text of cpu.pressure / memory.pressure / io.pressure. Returns 0;
 * -ENODATA where none is kept for this cgroup (no unified hierarchy, psi off,
 * a kernel without psi, or a unified path that is the host's root while the
 * container's other paths are not); -ENOENT when the cgroup is gone; -errno.
 */
int pv_cgroup_read_pressure(const PvCgroup *cg, PvPressure which, char **ret_text);
