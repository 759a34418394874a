/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A /proc/PID/cgroup text's paths on this host's hierarchies: which line
 * names each controller follows from where the host mounts it (PvHierarchy);
 * the text is parsed by pvparse (parse.h).
 */
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-private.h"
#include "parse.h"

int pv_cgroup_paths_parse(const PvHierarchy *h, const char *proc_pid_cgroup,
                          char *ret_paths[_PV_CTRL_MAX])
{
        bool v2[_PV_CTRL_MAX], v1[_PV_CTRL_MAX];

        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                v2[c] = h->is_v2[c];
                v1[c] = !h->is_v2[c] && h->root_fd[c] >= 0;
        }
        return pv_parse_cgroup_paths(proc_pid_cgroup, v2, v1, ret_paths);
}

int pv_cgroup_paths_from_proc(const PvHierarchy *h, const char *proc_pid_cgroup, PvCgroupPaths *ret)
{
        PvCgroupPaths p = {};
        int r = pv_cgroup_paths_parse(h, proc_pid_cgroup, p.path);
        if (r < 0)
                return r;
        r = pv_parse_cgroup_unified_path(proc_pid_cgroup, &p.unified);
        if (r < 0 && r != -ENOENT) {
                pv_cgroup_paths_clear(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void pv_cgroup_paths_clear(PvCgroupPaths *p)
{
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                free(p->path[c]);
                p->path[c] = NULL;
        }
        free(p->unified);
        p->unified = NULL;
}

bool pv_cg_paths_are_root(char *const paths[_PV_CTRL_MAX])
{
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (paths[c] && strcmp(paths[c], "/") != 0)
                        return false;
        return true;
}

bool pv_cgroup_paths_is_root(const PvCgroupPaths *p)
{
        return pv_cg_paths_are_root(p->path);
}
