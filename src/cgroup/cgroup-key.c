/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What names a cgroup across renames: directory inodes, and the keys built from them. */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup-private.h"

static int fd_ino(int fd, uint64_t *ret)
{
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        *ret = (uint64_t)st.st_ino;
        return 0;
}

int pv_cgroup_ids(const PvCgroup *cg, uint64_t ret_ids[_PV_CTRL_MAX])
{
        uint64_t ids[_PV_CTRL_MAX] = {0};
        int r;

        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!cg->chain[c] || cg->h->is_v2[c])
                        continue;
                r = fd_ino(cg->chain[c][0], &ids[c]);
                if (r < 0)
                        return r;
        }
        memcpy(ret_ids, ids, sizeof(ids));
        return 0;
}

/* The inode of root_fd/path, refusing ".." as open_chain does. */
static int path_ino(int root_fd, const char *path, uint64_t *ret)
{
        struct stat st;
        const char *rel = path;

        if (path[0] != '/')
                return -EINVAL;
        for (const char *p = strstr(path, ".."); p; p = strstr(p + 2, ".."))
                if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
                        return -EINVAL;
        while (*rel == '/')
                rel++;
        if (fstatat(root_fd, *rel ? rel : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOTDIR ? -ENOENT : -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOENT;
        *ret = (uint64_t)st.st_ino;
        return 0;
}

int pv_cgroup_paths_ids(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX],
                        uint64_t ret_ids[_PV_CTRL_MAX])
{
        uint64_t ids[_PV_CTRL_MAX] = {0};
        bool done[_PV_CTRL_MAX] = {0};
        int r;

        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!paths[c] || h->root_fd[c] < 0 || h->is_v2[c])
                        continue;
                /* co-mounted v1 controllers (cpu,cpuacct) share a root fd */
                for (int o = 0; o < c && !done[c]; o++) {
                        if (done[o] && h->root_fd[o] == h->root_fd[c] &&
                            strcmp(paths[o], paths[c]) == 0) {
                                ids[c] = ids[o];
                                done[c] = true;
                        }
                }
                if (!done[c]) {
                        r = path_ino(h->root_fd[c], paths[c], &ids[c]);
                        if (r < 0)
                                return r;
                        done[c] = true;
                }
        }
        memcpy(ret_ids, ids, sizeof(ids));
        return 0;
}

const char *pv_cg_unified_of(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX],
                             const char *unified)
{
        if (h->unified_fd < 0)
                return NULL;
        for (int c = 0; c < _PV_CTRL_MAX && !unified; c++)
                if (paths[c] && h->root_fd[c] >= 0 && h->is_v2[c])
                        unified = paths[c];
        return unified;
}

char *pv_cg_format_key(const PvHierarchy *h, char *const paths[_PV_CTRL_MAX], const char *unified,
                       const uint64_t ids[_PV_CTRL_MAX])
{
        const char *p[_PV_CTRL_MAX];
        size_t len = 1;
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                p[c] = paths[c] && h->root_fd[c] >= 0 ? paths[c] : "-";
                len += strlen(p[c]) + sizeof(" 18446744073709551615\n");
        }
        len += strlen(unified ? unified : "-");
        char *key = malloc(len);
        if (!key)
                return NULL;
        size_t at = 0;
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                at += (size_t)snprintf(key + at, len - at, "%s %" PRIu64 "\n", p[c], ids[c]);
        snprintf(key + at, len - at, "%s", unified ? unified : "-");
        return key;
}

int pv_cgroup_paths_key(const PvHierarchy *h, const PvCgroupPaths *paths, char **ret)
{
        uint64_t ids[_PV_CTRL_MAX];
        int r = pv_cgroup_paths_ids(h, paths->path, ids);
        if (r < 0)
                return r;
        return pv_cgroup_paths_name(h, paths, ids, ret);
}

int pv_cgroup_paths_name(const PvHierarchy *h, const PvCgroupPaths *paths,
                         const uint64_t ids[_PV_CTRL_MAX], char **ret)
{
        char *key =
            pv_cg_format_key(h, paths->path, pv_cg_unified_of(h, paths->path, paths->unified), ids);
        if (!key)
                return -ENOMEM;
        *ret = key;
        return 0;
}

int pv_cgroup_foreach_v2_parent(const PvCgroup *cg, int (*fn)(int dir_fd, void *data), void *data)
{
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!cg->chain[c] || !cg->h->is_v2[c] || cg->n_chain[c] < 2)
                        continue;
                int r = fn(cg->chain[c][1], data);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pv_cgroup_foreach_v1_dir(const PvCgroup *cg, int (*fn)(int dir_fd, void *data), void *data)
{
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!cg->chain[c] || cg->h->is_v2[c])
                        continue;
                for (size_t i = 0; i < cg->n_chain[c]; i++) {
                        int r = fn(cg->chain[c][i], data);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
