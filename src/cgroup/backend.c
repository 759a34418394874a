/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup-private.h"
#include "common/fileio.h"
#include "parse.h"
#include "taskstats.h"

/* v1 names, as in /proc/cgroups, mount options and /proc/PID/cgroup */
static const char *const v1_name[_PV_CTRL_MAX] = {
    [PV_CTRL_MEMORY] = "memory", [PV_CTRL_CPU] = "cpu",  [PV_CTRL_CPUACCT] = "cpuacct",
    [PV_CTRL_CPUSET] = "cpuset", [PV_CTRL_IO] = "blkio", [PV_CTRL_PIDS] = "pids",
};
/* v2 names, as in cgroup.controllers; cpuacct has none (cpu.stat is core on v2) */
static const char *const v2_name[_PV_CTRL_MAX] = {
    [PV_CTRL_MEMORY] = "memory", [PV_CTRL_CPU] = "cpu", [PV_CTRL_CPUACCT] = "cpu",
    [PV_CTRL_CPUSET] = "cpuset", [PV_CTRL_IO] = "io",   [PV_CTRL_PIDS] = "pids",
};

static void hierarchy_init(PvHierarchy *h)
{
        memset(h, 0, sizeof(*h));
        h->unified_fd = -1;
        h->proc_fd = -1;
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                h->root_fd[c] = -1;
}

void pv_hierarchy_close(PvHierarchy *h)
{
        /* v1 controllers co-mounted may share one fd; close each distinct fd once */
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                int fd = h->root_fd[c];
                bool seen = fd < 0 || fd == h->unified_fd;
                for (int d = 0; d < c && !seen; d++)
                        seen = h->root_fd[d] == fd;
                if (!seen)
                        close(fd);
                free(h->mount_path[c]);
        }
        if (h->unified_fd >= 0)
                close(h->unified_fd);
        if (h->proc_fd >= 0)
                close(h->proc_fd);
        hierarchy_init(h);
}

static void hierarchy_set_layout(PvHierarchy *h)
{
        bool any_v1 = false, any_v2 = false;
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (h->root_fd[c] < 0)
                        continue;
                any_v1 |= !h->is_v2[c];
                any_v2 |= h->is_v2[c];
        }
        h->layout = any_v1 && any_v2 ? PV_LAYOUT_HYBRID : any_v2 ? PV_LAYOUT_V2 : PV_LAYOUT_V1;
}

static int open_dir_path(int dirfd, const char *path)
{
        return openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* True when name is a word of the comma- or space-separated list. */
static bool list_has(const char *list, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = list; (p = strstr(p, name)); p += n) {
                bool start = p == list || p[-1] == ',' || p[-1] == ' ' || p[-1] == '\n';
                bool end = p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\n';
                if (start && end)
                        return true;
        }
        return false;
}

/* The controllers the unified root offers (cgroup.controllers), "" when unreadable. */
static char *unified_controllers(int unified_fd)
{
        char *text = NULL;
        if (unified_fd < 0 || pv_read_file_at(unified_fd, "cgroup.controllers", &text, NULL) < 0)
                return strdup("");
        return text;
}

/* Assigns each controller without a v1 hierarchy to the unified one when it offers it. */
static int assign_v2(PvHierarchy *h, const char *unified_path)
{
        if (h->unified_fd < 0)
                return 0;
        char *ctrls = unified_controllers(h->unified_fd);
        if (!ctrls)
                return -ENOMEM;
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (h->root_fd[c] >= 0 || !list_has(ctrls, v2_name[c]))
                        continue;
                h->root_fd[c] = h->unified_fd;
                h->is_v2[c] = true;
                h->v1_hier_id[c] = 0;
                h->mount_path[c] = strdup(unified_path);
        }
        free(ctrls);
        return 0;
}

/* Unescapes the octal escapes (\040) of a mountinfo field in place. */
static void unescape_mount(char *s)
{
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

/*
 * Scans /proc/self/mountinfo for cgroup mounts: the cgroup2 mount (always,
 * since libcgroup does not report a unified mount without controllers) and,
 * when want_v1, each v1 controller's first mount (fallback discovery).
 */
static void scan_mountinfo(char *unified_path, size_t unified_len, char *v1_path[_PV_CTRL_MAX],
                           bool want_v1)
{
        char *text = NULL;
        if (pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL) < 0)
                return;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *sep = strstr(line, " - ");
                if (!sep)
                        continue;
                *sep = '\0';
                /* fields: id parent maj:min root mountpoint options ... */
                char mnt[4096], fstype[64], opts[1024];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
                    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
                        continue;
                unescape_mount(mnt);
                if (strcmp(fstype, "cgroup2") == 0) {
                        if (!unified_path[0])
                                snprintf(unified_path, unified_len, "%s", mnt);
                } else if (want_v1 && strcmp(fstype, "cgroup") == 0) {
                        for (int c = 0; c < _PV_CTRL_MAX; c++)
                                if (!v1_path[c] && list_has(opts, v1_name[c]))
                                        v1_path[c] = strdup(mnt);
                }
        }
        free(text);
}

static void quiet_logger(void *userdata, int level, const char *fmt, va_list ap)
{
        /* this layer never logs; failures come back as return codes */
}

int pv_hierarchy_open(PvHierarchy *ret)
{
        PvHierarchy h;
        char *v1_path[_PV_CTRL_MAX] = {};
        char unified_path[4096] = "";
        bool via_libcgroup = false;
        int r;

        hierarchy_init(&h);

        /*
         * libcgroup (2.0.2) discovers mounts from /proc/mounts and
         * /proc/cgroups. When it fails (no cgroup mounted where it looks,
         * or an old library), the same facts are read from
         * /proc/self/mountinfo directly.
         */
        cgroup_set_logger(quiet_logger, CGROUP_LOG_ERROR, NULL);
        if (cgroup_init() == 0) {
                via_libcgroup = true;
                for (int c = 0; c < _PV_CTRL_MAX; c++) {
                        char *mp = NULL;
                        if (cgroup_get_subsys_mount_point(v1_name[c], &mp) == 0 && mp)
                                v1_path[c] = mp;
                }
        }
        scan_mountinfo(unified_path, sizeof(unified_path), v1_path, !via_libcgroup);

        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!v1_path[c])
                        continue;
                int fd = open_dir_path(AT_FDCWD, v1_path[c]);
                struct statfs sfs;
                if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC) {
                        /* libcgroup reports the unified mount for v2 controllers: assigned below */
                        if (fd >= 0)
                                close(fd);
                        free(v1_path[c]);
                        v1_path[c] = NULL;
                        continue;
                }
                /* co-mounted controllers ("cpu,cpuacct") share one root fd */
                for (int d = 0; d < c; d++)
                        if (h.mount_path[d] && strcmp(h.mount_path[d], v1_path[c]) == 0 &&
                            !h.is_v2[d]) {
                                close(fd);
                                fd = h.root_fd[d];
                                break;
                        }
                h.root_fd[c] = fd;
                h.mount_path[c] = v1_path[c];
                v1_path[c] = NULL;
        }

        if (unified_path[0]) {
                h.unified_fd = open_dir_path(AT_FDCWD, unified_path);
                struct statfs sfs;
                if (h.unified_fd >= 0 &&
                    (fstatfs(h.unified_fd, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)) {
                        close(h.unified_fd);
                        h.unified_fd = -1;
                }
        }
        r = assign_v2(&h, unified_path);
        if (r < 0)
                goto fail;

        /* hierarchy ids as /proc/PID/cgroup prints them, from /proc/cgroups */
        void *it = NULL;
        struct controller_data cd;
        if (via_libcgroup && cgroup_get_all_controller_begin(&it, &cd) == 0) {
                do {
                        for (int c = 0; c < _PV_CTRL_MAX; c++)
                                if (!h.is_v2[c] && h.root_fd[c] >= 0 &&
                                    strcmp(cd.name, v1_name[c]) == 0)
                                        h.v1_hier_id[c] = cd.hierarchy;
                } while (cgroup_get_all_controller_next(&it, &cd) == 0);
                cgroup_get_all_controller_end(&it);
        }

        bool any = h.unified_fd >= 0;
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                any |= h.root_fd[c] >= 0;
        if (!any) {
                r = -ENOENT;
                goto fail;
        }
        hierarchy_set_layout(&h);

        h.proc_fd = open_dir_path(AT_FDCWD, "/proc");
        if (h.proc_fd < 0) {
                r = -errno;
                goto fail;
        }
        h.taskstats_family = pv_taskstats_family();
        *ret = h;
        return 0;

fail:
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                free(v1_path[c]);
        pv_hierarchy_close(&h);
        return r;
}

int pv_hierarchy_open_at(const char *dir, PvHierarchy *ret)
{
        _cleanup_close_ int top = open_dir_path(AT_FDCWD, dir);
        PvHierarchy h;
        char *ids = NULL;
        int r, next_id = 1;

        if (top < 0)
                return -errno;
        hierarchy_init(&h);
        (void)pv_read_file_at(top, "hierarchies", &ids, NULL);

        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                char name[64];
                snprintf(name, sizeof(name), "%s", v1_name[c]);
                int fd = open_dir_path(top, name);
                if (fd < 0 && (c == PV_CTRL_CPU || c == PV_CTRL_CPUACCT)) {
                        snprintf(name, sizeof(name), "cpu,cpuacct");
                        if (c == PV_CTRL_CPUACCT && h.mount_path[PV_CTRL_CPU] &&
                            strstr(h.mount_path[PV_CTRL_CPU], "cpu,cpuacct"))
                                fd = h.root_fd[PV_CTRL_CPU]; /* shared, as on a real host */
                        else
                                fd = open_dir_path(top, name);
                }
                if (fd < 0)
                        continue;
                h.root_fd[c] = fd;
                h.mount_path[c] = malloc(strlen(dir) + strlen(name) + 2);
                if (!h.mount_path[c]) {
                        r = -ENOMEM;
                        goto fail;
                }
                sprintf(h.mount_path[c], "%s/%s", dir, name);
                /* "name id" lines; otherwise numbered in controller order */
                const char *p = ids ? strstr(ids, name) : NULL;
                int id = 0;
                while (p && !((p == ids || p[-1] == '\n') && p[strlen(name)] == ' '))
                        p = strstr(p + 1, name);
                if (p)
                        id = atoi(p + strlen(name) + 1);
                h.v1_hier_id[c] = id > 0 ? id : next_id;
                next_id++;
        }

        h.unified_fd = open_dir_path(top, "unified");
        char upath[4096];
        snprintf(upath, sizeof(upath), "%s/unified", dir);
        r = assign_v2(&h, upath);
        if (r < 0)
                goto fail;
        hierarchy_set_layout(&h);

        /* task states from the fixture's proc/ when it has one; never netlink on fixtures */
        h.proc_fd = open_dir_path(top, "proc");
        if (h.proc_fd < 0)
                h.proc_fd = open_dir_path(AT_FDCWD, "/proc");
        if (h.proc_fd < 0) {
                r = -errno;
                goto fail;
        }
        h.taskstats_family = 0;
        free(ids);
        *ret = h;
        return 0;

fail:
        free(ids);
        pv_hierarchy_close(&h);
        return r;
}

int pv_hierarchy_set_proc_root(PvHierarchy *h, const char *dir)
{
        int fd = open_dir_path(AT_FDCWD, dir);
        if (fd < 0)
                return -errno;
        if (h->proc_fd >= 0)
                close(h->proc_fd);
        h->proc_fd = fd;
        h->taskstats_family = 0;
        return 0;
}

/* ---- one cgroup ---- */

static void free_chain(PvCgroup *cg, int c)
{
        if (!cg->chain[c])
                return;
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
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                free_chain(cg, c);
                free(cg->path[c]);
        }
        if (cg->unified_fd >= 0)
                close(cg->unified_fd);
        free(cg->unified_path);
        free(cg->key);
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

static int cgroup_open_full(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX],
                            const char *unified_path, PvCgroup **ret)
{
        PvCgroup *cg = calloc(1, sizeof(PvCgroup));
        int r;

        if (!cg)
                return -ENOMEM;
        cg->h = h;
        cg->unified_fd = -1;
        size_t keylen = 1;
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
                r = open_chain(h->root_fd[c], paths[c], &cg->chain[c], &cg->n_chain[c]);
                if (r < 0)
                        goto fail;
                cg->ops[c] = h->is_v2[c] ? &pv_cgroup_v2_ops : &pv_cgroup_v1_ops;
                keylen += strlen(paths[c]) + 4;
                if (!unified_path && h->is_v2[c])
                        unified_path = paths[c];
        }
        if (unified_path && h->unified_fd >= 0) {
                cg->unified_path = strdup(unified_path);
                if (!cg->unified_path) {
                        r = -ENOMEM;
                        goto fail;
                }
                keylen += strlen(unified_path) + 4;
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
        cg->key = malloc(keylen);
        if (!cg->key) {
                r = -ENOMEM;
                goto fail;
        }
        cg->key[0] = '\0';
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (cg->path[c])
                        sprintf(cg->key + strlen(cg->key), "%d:%s;", c, cg->path[c]);
        if (cg->unified_path)
                sprintf(cg->key + strlen(cg->key), "u:%s", cg->unified_path);
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

int pv_cgroup_open_proc(const PvHierarchy *h, const char *proc_pid_cgroup, PvCgroup **ret)
{
        char *paths[_PV_CTRL_MAX];
        char *unified = NULL;
        int r = pv_cgroup_paths_parse(h, proc_pid_cgroup, paths);
        if (r < 0)
                return r;
        r = pv_cgroup_unified_path_parse(proc_pid_cgroup, &unified);
        if (r < 0 && r != -ENOENT)
                goto out;
        r = cgroup_open_full(h, paths, unified, ret);
out:
        free(unified);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                free(paths[c]);
        return r;
}

bool pv_cgroup_is_root(const PvCgroup *cg)
{
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (cg->path[c] && strcmp(cg->path[c], "/") != 0)
                        return false;
        return true;
}

const char *pv_cgroup_path(const PvCgroup *cg, PvController c)
{
        return c < _PV_CTRL_MAX ? cg->path[c] : NULL;
}

const char *pv_cgroup_key(const PvCgroup *cg)
{
        return cg->key;
}

const char *pv_cgroup_unified_path(const PvCgroup *cg)
{
        return cg->unified_path;
}

/* ---- helpers for v1.c / v2.c ---- */

int pv_cg_read(const PvCgroup *cg, PvController c, size_t level, const char *file, char **ret)
{
        if (!cg->chain[c])
                return -ENODEV;
        if (level >= cg->n_chain[c])
                return -EINVAL;
        int r = pv_read_file_at(cg->chain[c][level], file, ret, NULL);
        /* a file of a removed cgroup directory reads as ENODEV on some kernels */
        return r == -ENODEV ? -ENOENT : r;
}

static int cgroup_gone(const PvCgroup *cg, PvController c)
{
        /* every cgroup directory, v1 and v2, has cgroup.procs */
        if (faccessat(cg->chain[c][0], "cgroup.procs", F_OK, 0) < 0)
                return -ENOENT;
        return 0;
}

int pv_cg_limit_min(const PvCgroup *cg, PvController c, const char *file, uint64_t *ret)
{
        uint64_t min = PV_UNLIMITED;
        if (!cg->chain[c])
                return -ENODEV;
        for (size_t i = 0; i < cg->n_chain[c]; i++) {
                char *text;
                uint64_t v;
                int r = pv_cg_read(cg, c, i, file, &text);
                if (r == -ENOENT) {
                        if (i == 0 && cgroup_gone(cg, c) < 0)
                                return -ENOENT;
                        continue; /* e.g. the v2 root has no memory.max */
                }
                if (r < 0)
                        return r;
                r = pv_parse_limit(text, &v);
                free(text);
                if (r < 0)
                        return r;
                if (v < min)
                        min = v;
        }
        *ret = min;
        return 0;
}

int pv_cg_quota_min(const PvCgroup *cg, PvController c, const char *quota_file,
                    const char *period_file, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        uint64_t best_q = 0, best_p = 0;
        if (!cg->chain[c]) {
                /* no cpu controller: no bandwidth limit */
                *ret_quota_us = 0;
                *ret_period_us = 0;
                return 0;
        }
        for (size_t i = 0; i < cg->n_chain[c]; i++) {
                char *text = NULL;
                uint64_t q, p;
                int r;

                if (quota_file) {
                        r = pv_cg_read(cg, c, i, quota_file, &text);
                        if (r == 0) {
                                uint64_t lim;
                                r = pv_parse_limit(text, &lim);
                                free(text);
                                text = NULL;
                                q = r == 0 && lim != PV_UNLIMITED ? lim : 0;
                                if (r == 0 && q > 0) {
                                        r = pv_cg_read(cg, c, i, period_file, &text);
                                        if (r == 0) {
                                                r = pv_parse_limit(text, &p);
                                                if (r == 0 && (p == 0 || p == PV_UNLIMITED))
                                                        r = -EINVAL;
                                        }
                                } else {
                                        p = 0;
                                }
                        }
                } else {
                        r = pv_cg_read(cg, c, i, period_file, &text);
                        if (r == 0)
                                r = pv_parse_cpu_max(text, &q, &p);
                }
                free(text);
                if (r == -ENOENT) {
                        if (i == 0 && cgroup_gone(cg, c) < 0)
                                return -ENOENT;
                        continue;
                }
                if (r < 0)
                        return r;
                if (q == 0)
                        continue;
                /* q/p < best_q/best_p, in 128 bits: quota can reach 2^44 us and period 10^6 */
                if (best_q == 0 || (unsigned __int128)q * best_p < (unsigned __int128)best_q * p) {
                        best_q = q;
                        best_p = p;
                }
        }
        *ret_quota_us = best_q;
        *ret_period_us = best_q ? best_p : 0;
        return 0;
}

/* ---- dispatch: one ops table per controller, chosen at open ---- */

int pv_cgroup_read_memory(const PvCgroup *cg, PvMemory *ret)
{
        if (!cg->ops[PV_CTRL_MEMORY])
                return -ENODEV;
        return cg->ops[PV_CTRL_MEMORY]->read_memory(cg, ret);
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
                return -ENOENT;
        /*
         * A container whose unified path is the root while its v1 controllers
         * are not: the root's pressure files are the host's, never the container's.
         */
        if (strcmp(cg->unified_path, "/") == 0 && !pv_cgroup_is_root(cg))
                return -ENOENT;
        char *text;
        int r = pv_read_file_at(cg->unified_fd, file[which], &text, NULL);
        /* psi=0 makes the files read EOPNOTSUPP */
        if (r == -EOPNOTSUPP || r == -ENODEV)
                return -ENOENT;
        if (r < 0)
                return r;
        *ret_text = text;
        return 0;
}
