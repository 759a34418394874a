/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of /proc/PID/cgroup: one path per controller, and the unified ("0::") path. */
#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int pv_parse_cgroup_unified_path(const char *proc_pid_cgroup, char **ret)
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

int pv_parse_cgroup_paths(const char *proc_pid_cgroup, const bool v2[_PV_CTRL_MAX],
                          const bool v1[_PV_CTRL_MAX], char *ret_paths[_PV_CTRL_MAX])
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
                                if (v2[c]) {
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
                        if (c >= 0 && v1[c]) {
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
