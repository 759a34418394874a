/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of /proc/PID/cgroup: one path per controller, and the unified ("0::") path. */
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-private.h"
#include "text.h"
#include "parse-proc.h"

int pv_cgroup_unified_path_parse(const char *proc_pid_cgroup, char **ret)
{
        const char *p = proc_pid_cgroup;
        PvLine l;

        while (pv_line_next_data(&p, &l)) {
                PvCgroupLine cl;
                if (pv_cgroup_line_split(l.start, l.len, &cl) < 0) {
                        if (!l.complete)
                                break;
                        return -EINVAL;
                }
                if (cl.id == 0 && cl.ctrls_len == 0) {
                        if (!l.complete)
                                return -EINVAL; /* a cut path would name another cgroup */
                        char *s = strndup(cl.path, cl.path_len);
                        if (!s)
                                return -ENOMEM;
                        *ret = s;
                        return 0;
                }
        }
        return -ENOENT;
}

int pv_cgroup_paths_parse(const PvHierarchy *h, const char *proc_pid_cgroup,
                          char *ret_paths[_PV_CTRL_MAX])
{
        const char *found[_PV_CTRL_MAX] = {};
        size_t found_len[_PV_CTRL_MAX] = {};
        const char *p = proc_pid_cgroup;
        PvLine l;

        while (pv_line_next_data(&p, &l)) {
                PvCgroupLine cl;
                /* a line cut short may hold a cut path: only complete lines name cgroups */
                if (!l.complete)
                        break;
                if (pv_cgroup_line_split(l.start, l.len, &cl) < 0)
                        return -EINVAL;
                if (cl.id == 0) {
                        if (cl.ctrls_len != 0)
                                return -EINVAL;
                        for (int c = 0; c < _PV_CTRL_MAX; c++)
                                if (h->is_v2[c]) {
                                        found[c] = cl.path;
                                        found_len[c] = cl.path_len;
                                }
                        continue;
                }
                /* "cpu,cpuacct" names both; "name=systemd" and controllers we do not use are
                 * skipped */
                const char *q = cl.ctrls, *end = cl.ctrls + cl.ctrls_len;
                while (q < end) {
                        const char *comma = memchr(q, ',', (size_t)(end - q));
                        const char *e = comma ? comma : end;
                        int c = pv_controller_from_v1_name(q, (size_t)(e - q));
                        if (c >= 0 && !h->is_v2[c] && h->root_fd[c] >= 0) {
                                found[c] = cl.path;
                                found_len[c] = cl.path_len;
                        }
                        q = e + 1;
                }
        }

        char *out[_PV_CTRL_MAX] = {};
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!found[c])
                        continue;
                out[c] = strndup(found[c], found_len[c]);
                if (!out[c]) {
                        for (int i = 0; i < c; i++)
                                free(out[i]);
                        return -ENOMEM;
                }
        }
        memcpy(ret_paths, out, sizeof(out));
        return 0;
}

int pv_cgroup_paths_from_proc(const PvHierarchy *h, const char *proc_pid_cgroup, PvCgroupPaths *ret)
{
        PvCgroupPaths p = {};
        int r = pv_cgroup_paths_parse(h, proc_pid_cgroup, p.path);
        if (r < 0)
                return r;
        r = pv_cgroup_unified_path_parse(proc_pid_cgroup, &p.unified);
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
