/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads along a cgroup's ancestor chain, shared by the v1 and v2 readers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-private.h"
#include "fileio.h"
#include "parse.h"

/*
 * The kept-open fd of a counter file, opening it on first use while the
 * hierarchy's budget allows; -1 when it is not kept (read it by path).
 */
static int cached_fd(PvCgroup *cg, PvController c, size_t level, const char *file)
{
        int fd = -1;

        pthread_mutex_lock(&cg->files_lock);
        for (size_t i = 0; i < cg->n_files; i++) {
                const PvCgFile *f = &cg->files[i];
                if (f->c == c && f->level == level && strcmp(f->name, file) == 0) {
                        fd = f->fd;
                        break;
                }
        }
        if (fd < 0 && cg->n_files < PV_CG_FILES_MAX) {
                int *budget = (int *)&cg->h->file_fd_budget; /* the hierarchy owns the budget */
                if (__atomic_sub_fetch(budget, 1, __ATOMIC_RELAXED) >= 0) {
                        fd = openat(cg->chain[c][level], file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                        if (fd >= 0)
                                cg->files[cg->n_files++] = (PvCgFile){c, level, file, fd};
                }
                if (fd < 0)
                        __atomic_add_fetch(budget, 1, __ATOMIC_RELAXED);
        }
        pthread_mutex_unlock(&cg->files_lock);
        return fd;
}

void pv_cg_files_close(PvCgroup *cg)
{
        for (size_t i = 0; i < cg->n_files; i++) {
                close(cg->files[i].fd);
                __atomic_add_fetch((int *)&cg->h->file_fd_budget, 1, __ATOMIC_RELAXED);
        }
        cg->n_files = 0;
}

int pv_cg_read(const PvCgroup *cg, PvController c, size_t level, const char *file, char **ret)
{
        if (!cg->chain[c])
                return -ENODEV;
        if (level >= cg->n_chain[c])
                return -EINVAL;
        /* the cache is internal state of an otherwise read-only object */
        int fd = cached_fd((PvCgroup *)cg, c, level, file);
        int r = fd >= 0 ? pv_pread_all(fd, ret, NULL)
                        : pv_read_file_at(cg->chain[c][level], file, ret, NULL);
        /* a file of a removed cgroup directory reads as ENODEV on some kernels */
        return r == -ENODEV ? -ENOENT : r;
}

/* pv_cg_read of file at level, parsed by parse into one number. Returns 0 or -errno. */
static int read_number(const PvCgroup *cg, PvController c, size_t level, const char *file,
                       int (*parse)(const char *text, uint64_t *ret), uint64_t *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = pv_cg_read(cg, c, level, file, &text);
        return r < 0 ? r : parse(text, ret);
}

int pv_cg_read_u64(const PvCgroup *cg, PvController c, const char *file, uint64_t *ret)
{
        return read_number(cg, c, 0, file, pv_parse_u64_or_max, ret);
}

int pv_cg_read_keyed(const PvCgroup *cg, PvController c, const char *file, const PvKeyField *fields,
                     size_t n_fields)
{
        _cleanup_free_ char *text = NULL;
        int r = pv_cg_read(cg, c, 0, file, &text);
        return r < 0 ? r : pv_parse_flat_keyed(text, fields, n_fields);
}

int pv_cg_read_cpuset(const PvCgroup *cg, PvController c, size_t level, const char *file,
                      PvCpuSet *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = pv_cg_read(cg, c, level, file, &text);
        return r < 0 ? r : pv_cpuset_parse(text, ret);
}

int pv_cg_gone(const PvCgroup *cg, PvController c)
{
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
                uint64_t v;
                int r = read_number(cg, c, i, file, pv_parse_limit, &v);
                if (r == -ENOENT) {
                        if (i == 0 && pv_cg_gone(cg, c) < 0)
                                return -ENOENT;
                        continue; /* e.g. the v2 root has no memory.max */
                }
                if (r < 0)
                        return r;
                if (v < min)
                        min = v;
        }
        *ret = min;
        return 0;
}

int pv_cg_read_usage_limit(const PvCgroup *cg, const char *usage_file, const char *limit_file,
                           uint64_t known_limit, bool optional, uint64_t *ret_usage,
                           uint64_t *ret_limit)
{
        uint64_t usage, limit;
        int r = pv_cg_read_u64(cg, PV_CTRL_MEMORY, usage_file, &usage);
        if (r == -ENOENT && optional) {
                *ret_usage = 0;
                *ret_limit = PV_UNLIMITED;
                return 0;
        }
        if (r < 0)
                return r;
        if (known_limit == PV_CG_LIMIT_UNKNOWN) {
                r = pv_cg_limit_min(cg, PV_CTRL_MEMORY, limit_file, &limit);
                if (r < 0)
                        return r;
        } else {
                limit = pv_limit_normalize(known_limit);
        }
        *ret_usage = usage;
        *ret_limit = limit;
        return 1;
}

/*
 * The quota and period of one level: v1 quota_file and period_file (the
 * period read only under a quota), or v2 cpu.max (quota_file NULL). *ret_q
 * 0: no limit at this level. Returns 0 or -errno.
 */
static int level_quota(const PvCgroup *cg, PvController c, size_t level, const char *quota_file,
                       const char *period_file, uint64_t *ret_q, uint64_t *ret_p)
{
        char *text = NULL;
        uint64_t q, p = 0;

        int r = pv_cg_read(cg, c, level, quota_file ? quota_file : period_file, &text);
        if (r < 0)
                return r;
        r = quota_file ? pv_parse_cfs_quota(text, &q) : pv_parse_cpu_max(text, &q, &p);
        free(text);
        if (r < 0)
                return r;
        if (quota_file && q > 0) {
                r = read_number(cg, c, level, period_file, pv_parse_cfs_period, &p);
                if (r < 0)
                        return r;
        }
        *ret_q = q;
        *ret_p = p;
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
                uint64_t q, p;
                int r = level_quota(cg, c, i, quota_file, period_file, &q, &p);
                if (r == -ENOENT) {
                        if (i == 0 && pv_cg_gone(cg, c) < 0)
                                return -ENOENT;
                        continue;
                }
                if (r < 0)
                        return r;
                if (pv_quota_tighter(q, p, best_q, best_p)) {
                        best_q = q;
                        best_p = p;
                }
        }
        *ret_quota_us = best_q;
        *ret_period_us = best_q ? best_p : 0;
        return 0;
}
