/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One container's cgroups: opening the fd chains, accessors, per-controller dispatch. */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-private.h"
#include "fileio.h"

/* ---- one cgroup ---- */

/* The controller before c whose chain c shares (same hierarchy, same path), or -1. */
static int chain_owner(const PvCgroup *cg, int c)
{
        for (int o = 0; o < c; o++)
                if (cg->chain[o] && cg->chain[o] == cg->chain[c])
                        return o;
        return -1;
}

static void free_chain(PvCgroup *cg, int c)
{
        if (!cg->chain[c])
                return;
        if (chain_owner(cg, c) >= 0) { /* freed with its owner's */
                cg->chain[c] = NULL;
                cg->n_chain[c] = 0;
                return;
        }
        /* the last entry is the hierarchy's root fd, owned by PvHierarchy */
        for (size_t i = 0; i + 1 < cg->n_chain[c]; i++)
                close(cg->chain[c][i]);
        free(cg->chain[c]);
        cg->chain[c] = NULL;
        cg->n_chain[c] = 0;
}

void pv_cgroup_free(PvCgroup *cg)
{
        if (!cg)
                return;
        pv_cg_files_close(cg);
        pthread_mutex_destroy(&cg->files_lock);
        /* sharers first, so that an owner's chain is freed once */
        for (int c = _PV_CTRL_MAX - 1; c >= 0; c--) {
                free_chain(cg, c);
                free(cg->path[c]);
        }
        if (cg->unified_fd >= 0)
                close(cg->unified_fd);
        free(cg->unified_path);
        free(cg->key);
        free(cg->name);
        free(cg);
}

/*
 * Opens root_fd/path component by component, each relative to its parent,
 * so every ancestor's fd is kept: limits are then min()ed over the chain
 * with one openat per file and no path walk. ".." is refused: a path from
 * /proc/PID/cgroup outside our cgroup namespace would otherwise escape.
 */
static int open_chain(int root_fd, const char *path, int **ret, size_t *ret_n)
{
        size_t depth = 0, n = 0;
        for (const char *p = path; *p; p++)
                if (*p == '/' && p[1] && p[1] != '/')
                        depth++;
        int *fds = calloc(depth + 1, sizeof(int));
        char *copy = strdup(path);
        char *save = NULL;
        int parent = root_fd, r = 0;

        if (!fds || !copy) {
                free(fds);
                free(copy);
                return -ENOMEM;
        }
        int *stack = fds; /* filled top-down, reversed below */
        for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0 || n >= depth) {
                        r = -EINVAL;
                        break;
                }
                int fd = openat(parent, comp, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0) {
                        r = errno == ENOTDIR ? -ENOENT : -errno;
                        break;
                }
                stack[n++] = fd;
                parent = fd;
        }
        free(copy);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        close(stack[i]);
                free(fds);
                return r;
        }
        /* reverse to [cgroup, parent, ..., child of root], then the root */
        for (size_t i = 0; i < n / 2; i++) {
                int t = fds[i];
                fds[i] = fds[n - 1 - i];
                fds[n - 1 - i] = t;
        }
        fds[n] = root_fd;
        *ret = fds;
        *ret_n = n + 1;
        return 0;
}

/*
 * A controller before c on the same hierarchy as c with the same path: on
 * cgroup v2 every controller, on v1 co-mounted ones (cpu,cpuacct). Its chain
 * serves c too: one fd per directory, not one per controller. -1: none.
 */
static int same_directory(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX], int c)
{
        for (int o = 0; o < c; o++) {
                if (!paths[o] || h->root_fd[o] < 0 || strcmp(paths[o], paths[c]) != 0)
                        continue;
                if (h->is_v2[o] ? h->is_v2[c]
                                : !h->is_v2[c] && (h->root_fd[o] == h->root_fd[c] ||
                                                   (h->v1_hier_id[o] > 0 &&
                                                    h->v1_hier_id[o] == h->v1_hier_id[c])))
                        return o;
        }
        return -1;
}

static int cgroup_open_full(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX],
                            const char *unified_path, PvCgroup **ret)
{
        PvCgroup *cg = calloc(1, sizeof(PvCgroup));
        int r;

        if (!cg)
                return -ENOMEM;
        cg->h = h;
        cg->unified_fd = -1;
        pthread_mutex_init(&cg->files_lock, NULL);
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!paths[c] || h->root_fd[c] < 0)
                        continue;
                if (paths[c][0] != '/') {
                        r = -EINVAL;
                        goto fail;
                }
                cg->path[c] = strdup(paths[c]);
                if (!cg->path[c]) {
                        r = -ENOMEM;
                        goto fail;
                }
                int o = same_directory(h, paths, c);
                if (o >= 0 && cg->chain[o]) {
                        cg->chain[c] = cg->chain[o];
                        cg->n_chain[c] = cg->n_chain[o];
                } else {
                        r = open_chain(h->root_fd[c], paths[c], &cg->chain[c], &cg->n_chain[c]);
                        if (r < 0)
                                goto fail;
                }
                cg->ops[c] = h->is_v2[c] ? &pv_cgroup_v2_ops : &pv_cgroup_v1_ops;
        }
        unified_path = pv_cg_unified_of(h, paths, unified_path);
        if (unified_path) {
                cg->unified_path = strdup(unified_path);
                if (!cg->unified_path) {
                        r = -ENOMEM;
                        goto fail;
                }
                int *ufds;
                size_t un;
                r = open_chain(h->unified_fd, unified_path, &ufds, &un);
                if (r < 0)
                        goto fail;
                /* pressure needs only the cgroup itself */
                cg->unified_fd = un > 1 ? ufds[0] : -1;
                for (size_t i = 1; i + 1 < un; i++)
                        close(ufds[i]);
                free(ufds);
                if (un == 1)
                        cg->unified_fd =
                            openat(h->unified_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (cg->unified_fd < 0) {
                        r = -errno;
                        goto fail;
                }
        }
        uint64_t ids[_PV_CTRL_MAX];
        r = pv_cgroup_ids(cg, ids);
        if (r < 0)
                goto fail;
        static const uint64_t no_ids[_PV_CTRL_MAX];
        cg->key = pv_cg_format_key(h, cg->path, cg->unified_path, ids);
        cg->name = pv_cg_format_key(h, cg->path, cg->unified_path, no_ids);
        if (!cg->key || !cg->name) {
                r = -ENOMEM;
                goto fail;
        }
        *ret = cg;
        return 0;

fail:
        pv_cgroup_free(cg);
        return r;
}

int pv_cgroup_open(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX], PvCgroup **ret)
{
        return cgroup_open_full(h, paths, NULL, ret);
}

int pv_cgroup_open_paths(const PvHierarchy *h, const PvCgroupPaths *paths, PvCgroup **ret)
{
        return cgroup_open_full(h, paths->path, paths->unified, ret);
}

int pv_cgroup_open_proc(const PvHierarchy *h, const char *proc_pid_cgroup, PvCgroup **ret)
{
        PvCgroupPaths paths;
        int r = pv_cgroup_paths_from_proc(h, proc_pid_cgroup, &paths);
        if (r < 0)
                return r;
        r = pv_cgroup_open_paths(h, &paths, ret);
        pv_cgroup_paths_clear(&paths);
        return r;
}

unsigned pv_cgroup_n_fds(const PvCgroup *cg)
{
        unsigned n = cg->unified_fd >= 0 ? 1 : 0;
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (cg->chain[c] && chain_owner(cg, c) < 0)
                        n += (unsigned)cg->n_chain[c] - 1; /* the root's fd is the hierarchy's */
        return n;
}

bool pv_cgroup_is_root(const PvCgroup *cg)
{
        return pv_cg_paths_are_root(cg->path);
}

const char *pv_cgroup_path(const PvCgroup *cg, PvController c)
{
        return c < _PV_CTRL_MAX ? cg->path[c] : NULL;
}

const char *pv_cgroup_key(const PvCgroup *cg)
{
        return cg->key;
}

const char *pv_cgroup_name(const PvCgroup *cg)
{
        return cg->name;
}

const char *pv_cgroup_unified_path(const PvCgroup *cg)
{
        return cg->unified_path;
}

/* ---- dispatch: one ops table per controller, chosen at open ---- */

int pv_cgroup_read_memory(const PvCgroup *cg, PvMemory *ret)
{
        const PvCgroupOps *ops = cg->ops[PV_CTRL_MEMORY];
        PvMemory m;

        if (!ops)
                return -ENODEV;
        int r = ops->read_memory(cg, &m);
        if (r < 0)
                return r;
        m.oom_kill = 0;
        *ret = m;
        return 0;
}

int pv_cgroup_read_memory_events(const PvCgroup *cg, PvMemory *ret)
{
        const PvCgroupOps *ops = cg->ops[PV_CTRL_MEMORY];
        uint64_t kills = 0;

        if (!ops)
                return -ENODEV;
        /* kernels before 4.13 have no oom_kill key */
        const PvKeyField f[] = {{"oom_kill", &kills}};
        int r = pv_cg_read_keyed(cg, PV_CTRL_MEMORY, ops->memory_events, f, 1);
        if (r < 0 && r != -ENOENT)
                return r;
        ret->oom_kill = kills;
        return 0;
}

int pv_cgroup_read_cpu(const PvCgroup *cg, PvCpuUsage *ret)
{
        PvCpuUsage u = {};
        uint64_t q = 0, p = 0;
        int r;

        if (!cg->ops[PV_CTRL_CPUACCT])
                return -ENODEV;
        r = cg->ops[PV_CTRL_CPUACCT]->read_cpu_usage(cg, &u);
        if (r < 0)
                return r;
        if (cg->ops[PV_CTRL_CPU]) {
                r = cg->ops[PV_CTRL_CPU]->read_cpu_quota(cg, &q, &p);
                if (r < 0) {
                        pv_cpu_usage_clear(&u);
                        return r;
                }
        }
        u.quota_us = q;
        u.period_us = p;
        *ret = u;
        return 0;
}

int pv_cgroup_read_cpuset(const PvCgroup *cg, PvCpuSet *ret)
{
        if (!cg->ops[PV_CTRL_CPUSET])
                return -ENODEV;
        return cg->ops[PV_CTRL_CPUSET]->read_cpuset(cg, ret);
}

int pv_cgroup_read_mems(const PvCgroup *cg, PvCpuSet *ret)
{
        if (!cg->ops[PV_CTRL_CPUSET])
                return -ENODEV;
        return cg->ops[PV_CTRL_CPUSET]->read_mems(cg, ret);
}

int pv_cgroup_alive(const PvCgroup *cg)
{
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (cg->chain[c] && pv_cg_gone(cg, c) < 0)
                        return -ENOENT;
        return 0;
}

int pv_cgroup_read_numa(const PvCgroup *cg, PvNumaUsage *ret)
{
        if (!cg->ops[PV_CTRL_MEMORY])
                return -ENODEV;
        memset(ret, 0, sizeof(*ret));
        return cg->ops[PV_CTRL_MEMORY]->read_numa(cg, ret);
}

int pv_cgroup_read_io(const PvCgroup *cg, PvIoStats *ret)
{
        if (!cg->ops[PV_CTRL_IO])
                return -ENODEV;
        return cg->ops[PV_CTRL_IO]->read_io(cg, ret);
}

int pv_cgroup_read_tasks(const PvCgroup *cg, PvTaskCounts *ret)
{
        /* any hierarchy lists the tasks; pids first as it exists to count them */
        static const PvController order[] = {PV_CTRL_PIDS,   PV_CTRL_CPUACCT, PV_CTRL_CPU,
                                             PV_CTRL_MEMORY, PV_CTRL_CPUSET,  PV_CTRL_IO};
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
                if (cg->ops[order[i]])
                        return cg->ops[order[i]]->read_tasks(cg, order[i], ret);
        return -ENODEV;
}

int pv_cgroup_read_pressure(const PvCgroup *cg, PvPressure which, char **ret_text)
{
        static const char *const file[] = {
            [PV_PRESSURE_CPU] = "cpu.pressure",
            [PV_PRESSURE_MEMORY] = "memory.pressure",
            [PV_PRESSURE_IO] = "io.pressure",
        };
        if ((unsigned)which > PV_PRESSURE_IO)
                return -EINVAL;
        if (cg->unified_fd < 0)
                return -ENODATA;
        /*
         * A container whose unified path is the root while its v1 controllers
         * are not: the root's pressure files are the host's, never the container's.
         */
        if (strcmp(cg->unified_path, "/") == 0 && !pv_cgroup_is_root(cg))
                return -ENODATA;
        char *text;
        int r = pv_read_file_at(cg->unified_fd, file[which], &text, NULL);
        /* psi=0 makes the files read EOPNOTSUPP */
        if (r == -EOPNOTSUPP || r == -ENODEV)
                return -ENODATA;
        /* a kernel without psi has no file; a removed cgroup has no cgroup.procs either */
        if (r == -ENOENT)
                return faccessat(cg->unified_fd, "cgroup.procs", F_OK, 0) < 0 ? -ENOENT : -ENODATA;
        if (r < 0)
                return r;
        *ret_text = text;
        return 0;
}
