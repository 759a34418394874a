/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hierarchy discovery: which mount serves each controller, v1 or v2, and its root dirfd. */
#include "backend.h"

#include <errno.h>
#include <limits.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fileio.h"
#include "parse-proc.h"
#include "parse-mountinfo.h"
#include "taskstats.h"

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
        bool offered[_PV_CTRL_MAX];
        if (!ctrls)
                return -ENOMEM;
        pv_parse_cgroup_controllers(ctrls, offered);
        free(ctrls);
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (h->root_fd[c] >= 0 || !offered[c])
                        continue;
                h->root_fd[c] = h->unified_fd;
                h->is_v2[c] = true;
                h->v1_hier_id[c] = 0;
                h->mount_path[c] = strdup(unified_path);
        }
        return 0;
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
        pv_mountinfo_cgroup_mounts(text, unified_path, unified_len, v1_path, want_v1);
        free(text);
}

static void quiet_logger(void *userdata, int level, const char *fmt, va_list ap)
{
        /* this layer never logs; failures come back as return codes */
}

/*
 * Where each v1 controller is mounted, by libcgroup (2.0.2: /proc/mounts and
 * /proc/cgroups); false when it fails (no cgroup mounted where it looks, or
 * an old library), and the caller reads the same facts from mountinfo.
 */
static bool v1_paths_from_libcgroup(char *v1_path[_PV_CTRL_MAX])
{
        cgroup_set_logger(quiet_logger, CGROUP_LOG_ERROR, NULL);
        if (cgroup_init() != 0)
                return false;
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                char *mp = NULL;
                if (cgroup_get_subsys_mount_point(pv_controller_v1_name(c), &mp) == 0 && mp)
                        v1_path[c] = mp;
        }
        return true;
}

/* Opens the v1 roots of v1_path (taking the paths it keeps), each checked to be cgroup v1. */
static void open_v1_roots(PvHierarchy *h, char *v1_path[_PV_CTRL_MAX])
{
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!v1_path[c])
                        continue;
                int fd = open_dir_path(AT_FDCWD, v1_path[c]);
                struct statfs sfs;
                if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC) {
                        /* libcgroup reports the unified mount for v2 controllers: assigned later */
                        if (fd >= 0)
                                close(fd);
                        free(v1_path[c]);
                        v1_path[c] = NULL;
                        continue;
                }
                /* co-mounted controllers ("cpu,cpuacct") share one root fd */
                for (int d = 0; d < c; d++)
                        if (h->mount_path[d] && strcmp(h->mount_path[d], v1_path[c]) == 0 &&
                            !h->is_v2[d]) {
                                close(fd);
                                fd = h->root_fd[d];
                                break;
                        }
                h->root_fd[c] = fd;
                h->mount_path[c] = v1_path[c];
                v1_path[c] = NULL;
        }
}

/* Opens the unified root at path, when it is one (cgroup2). */
static void open_unified(PvHierarchy *h, const char *path)
{
        struct statfs sfs;

        if (!path[0])
                return;
        h->unified_fd = open_dir_path(AT_FDCWD, path);
        if (h->unified_fd >= 0 &&
            (fstatfs(h->unified_fd, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)) {
                close(h->unified_fd);
                h->unified_fd = -1;
        }
}

/* The hierarchy ids as /proc/PID/cgroup prints them, from libcgroup's /proc/cgroups. */
static void v1_ids_from_libcgroup(PvHierarchy *h)
{
        void *it = NULL;
        struct controller_data cd;

        if (cgroup_get_all_controller_begin(&it, &cd) != 0)
                return;
        do {
                for (int c = 0; c < _PV_CTRL_MAX; c++)
                        if (!h->is_v2[c] && h->root_fd[c] >= 0 &&
                            strcmp(cd.name, pv_controller_v1_name(c)) == 0)
                                h->v1_hier_id[c] = cd.hierarchy;
        } while (cgroup_get_all_controller_next(&it, &cd) == 0);
        cgroup_get_all_controller_end(&it);
}

/* What a live hierarchy needs beyond its mounts: the layout, /proc, taskstats, the fd budget. */
static int hierarchy_finish_live(PvHierarchy *h)
{
        bool any = h->unified_fd >= 0;
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                any |= h->root_fd[c] >= 0;
        if (!any)
                return -ENOENT;
        hierarchy_set_layout(h);

        h->proc_fd = open_dir_path(AT_FDCWD, "/proc");
        if (h->proc_fd < 0)
                return -errno;
        h->taskstats_family = pv_taskstats_family();
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
                h->file_fd_budget = rl.rlim_cur / 8 > INT_MAX ? INT_MAX : (int)(rl.rlim_cur / 8);
        return 0;
}

int pv_hierarchy_open(PvHierarchy *ret)
{
        PvHierarchy h;
        char *v1_path[_PV_CTRL_MAX] = {};
        char unified_path[4096] = "";
        int r;

        hierarchy_init(&h);
        bool via_libcgroup = v1_paths_from_libcgroup(v1_path);
        scan_mountinfo(unified_path, sizeof(unified_path), v1_path, !via_libcgroup);
        open_v1_roots(&h, v1_path);
        open_unified(&h, unified_path);
        r = assign_v2(&h, unified_path);
        if (r < 0)
                goto fail;
        if (via_libcgroup)
                v1_ids_from_libcgroup(&h);
        r = hierarchy_finish_live(&h);
        if (r < 0)
                goto fail;
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
                snprintf(name, sizeof(name), "%s", pv_controller_v1_name(c));
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
