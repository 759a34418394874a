/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of /proc/PID/cgroup: one path per controller, and the unified ("0::") path. */
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse-text.h"

static int controller_from_name(const char *name, size_t len)
{
        static const char *const names[_PV_CTRL_MAX] = {
            [PV_CTRL_MEMORY] = "memory", [PV_CTRL_CPU] = "cpu",  [PV_CTRL_CPUACCT] = "cpuacct",
            [PV_CTRL_CPUSET] = "cpuset", [PV_CTRL_IO] = "blkio", [PV_CTRL_PIDS] = "pids",
        };
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (pv_tok_eq(name, len, names[c]))
                        return c;
        return -1;
}

/* Splits "ID:ctrls:path" into its fields; path runs to the end of the line. */
static int split_cgroup_line(const PvLine *l, uint64_t *ret_id, const char **ret_ctrls,
                             size_t *ret_ctrls_len, const char **ret_path, size_t *ret_path_len)
{
        const char *end = l->start + l->len;
        const char *c1 = memchr(l->start, ':', l->len);
        if (!c1)
                return -EINVAL;
        const char *c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
        if (!c2 || pv_parse_u64_n(l->start, (size_t)(c1 - l->start), ret_id) < 0)
                return -EINVAL;
        size_t pl = (size_t)(end - c2 - 1);
        if (pl == 0 || c2[1] != '/')
                return -EINVAL;
        *ret_ctrls = c1 + 1;
        *ret_ctrls_len = (size_t)(c2 - c1 - 1);
        *ret_path = c2 + 1;
        *ret_path_len = pl;
        return 0;
}

int pv_cgroup_unified_path_parse(const char *proc_pid_cgroup, char **ret)
{
        const char *p = proc_pid_cgroup;
        PvLine l;

        while (pv_line_next(&p, &l)) {
                uint64_t id;
                const char *ctrls, *path;
                size_t cl, pl;
                if (pv_line_blank(&l))
                        continue;
                if (split_cgroup_line(&l, &id, &ctrls, &cl, &path, &pl) < 0) {
                        if (!l.complete)
                                break;
                        return -EINVAL;
                }
                if (id == 0 && cl == 0) {
                        if (!l.complete)
                                return -EINVAL; /* a cut path would name another cgroup */
                        char *s = strndup(path, pl);
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

        while (pv_line_next(&p, &l)) {
                uint64_t id;
                const char *ctrls, *path;
                size_t cl, pl;
                if (pv_line_blank(&l))
                        continue;
                /* a line cut short may hold a cut path: only complete lines name cgroups */
                if (!l.complete)
                        break;
                if (split_cgroup_line(&l, &id, &ctrls, &cl, &path, &pl) < 0)
                        return -EINVAL;
                if (id == 0) {
                        if (cl != 0)
                                return -EINVAL;
                        for (int c = 0; c < _PV_CTRL_MAX; c++)
                                if (h->is_v2[c]) {
                                        found[c] = path;
                                        found_len[c] = pl;
                                }
                        continue;
                }
                /* "cpu,cpuacct" names both; "name=systemd" and controllers we do not use are
                 * skipped */
                const char *q = ctrls, *end = ctrls + cl;
                while (q < end) {
                        const char *comma = memchr(q, ',', (size_t)(end - q));
                        const char *e = comma ? comma : end;
                        int c = controller_from_name(q, (size_t)(e - q));
                        if (c >= 0 && !h->is_v2[c] && h->root_fd[c] >= 0) {
                                found[c] = path;
                                found_len[c] = pl;
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
