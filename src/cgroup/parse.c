/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"

/* One line of a text: [start, start + len), complete when it ended with '\n'. */
typedef struct Line {
        const char *start;
        size_t len;
        bool complete;
} Line;

static bool next_line(const char **p, Line *ret)
{
        const char *s = *p;
        if (!*s)
                return false;
        const char *nl = strchr(s, '\n');
        ret->start = s;
        ret->complete = nl != NULL;
        ret->len = nl ? (size_t)(nl - s) : strlen(s);
        *p = nl ? nl + 1 : s + ret->len;
        return true;
}

static bool line_blank(const Line *l)
{
        for (size_t i = 0; i < l->len; i++)
                if (!isspace((unsigned char)l->start[i]))
                        return false;
        return true;
}

/* Splits a line into at most max whitespace-separated tokens; returns the count, or max + 1 if
 * more. */
static size_t split_tokens(const Line *l, const char **tok, size_t *tok_len, size_t max)
{
        size_t n = 0, i = 0;
        while (i < l->len) {
                while (i < l->len && isspace((unsigned char)l->start[i]))
                        i++;
                if (i >= l->len)
                        break;
                size_t b = i;
                while (i < l->len && !isspace((unsigned char)l->start[i]))
                        i++;
                if (n == max)
                        return max + 1;
                tok[n] = l->start + b;
                tok_len[n] = i - b;
                n++;
        }
        return n;
}

/* Parses exactly len bytes as an unsigned decimal number. */
static int parse_u64_n(const char *s, size_t len, uint64_t *ret)
{
        uint64_t v = 0;
        if (len == 0 || len > 20)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!isdigit((unsigned char)s[i]))
                        return -EINVAL;
                unsigned d = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

static bool tok_eq(const char *tok, size_t len, const char *word)
{
        return strlen(word) == len && memcmp(tok, word, len) == 0;
}

int pv_parse_limit(const char *text, uint64_t *ret)
{
        const char *p = text;
        uint64_t v;

        while (isspace((unsigned char)*p))
                p++;
        if (p[0] == '-') {
                /* v1 writes -1 for "no limit" (cpu.cfs_quota_us; memsw when read back is the huge
                 * value) */
                if (p[1] != '1')
                        return -EINVAL;
                for (p += 2; *p; p++)
                        if (!isspace((unsigned char)*p))
                                return -EINVAL;
                *ret = PV_UNLIMITED;
                return 0;
        }
        int r = pv_parse_u64_or_max(p, &v);
        if (r < 0)
                return r;
        *ret = v >= PV_V1_UNLIMITED_THRESHOLD ? PV_UNLIMITED : v;
        return 0;
}

#define FLAT_KEYED_MAX 64

int pv_parse_flat_keyed(const char *text, const PvKeyField *fields, size_t n_fields)
{
        uint64_t val[FLAT_KEYED_MAX];
        bool found[FLAT_KEYED_MAX] = {};
        const char *p = text;
        Line l;
        int n_found = 0;

        if (n_fields > FLAT_KEYED_MAX)
                return -EINVAL;
        while (next_line(&p, &l)) {
                const char *tok[2];
                size_t tl[2];
                uint64_t v;

                if (line_blank(&l))
                        continue;
                size_t n = split_tokens(&l, tok, tl, 2);
                if (n != 2 || parse_u64_n(tok[1], tl[1], &v) < 0) {
                        if (!l.complete)
                                break; /* cut short: keep what came before */
                        return -EINVAL;
                }
                for (size_t i = 0; i < n_fields; i++)
                        if (tok_eq(tok[0], tl[0], fields[i].key)) {
                                val[i] = v;
                                found[i] = true;
                        }
        }
        for (size_t i = 0; i < n_fields; i++)
                if (found[i]) {
                        *fields[i].dst = val[i];
                        n_found++;
                }
        return n_found;
}

/* One pass over usage_all; fills the arrays when they are not NULL, else only sizes. */
static int usage_all_pass(const char *text, uint64_t *user, uint64_t *sys, size_t *ret_n)
{
        const char *p = text;
        bool header = false;
        size_t n = 0;
        Line l;

        while (next_line(&p, &l)) {
                const char *tok[3];
                size_t tl[3];
                uint64_t id, u, s;

                if (line_blank(&l))
                        continue;
                size_t k = split_tokens(&l, tok, tl, 3);
                if (!header) {
                        if (k != 3 || !tok_eq(tok[0], tl[0], "cpu") ||
                            !tok_eq(tok[1], tl[1], "user") || !tok_eq(tok[2], tl[2], "system"))
                                return -EINVAL;
                        header = true;
                        continue;
                }
                if (k != 3 || parse_u64_n(tok[0], tl[0], &id) < 0 ||
                    parse_u64_n(tok[1], tl[1], &u) < 0 || parse_u64_n(tok[2], tl[2], &s) < 0) {
                        if (!l.complete)
                                break;
                        return -EINVAL;
                }
                if (id >= PV_CPU_MAX)
                        return -EINVAL;
                if (user) {
                        user[id] = u;
                        sys[id] = s;
                }
                if (id + 1 > n)
                        n = (size_t)id + 1;
        }
        if (!header)
                return -EINVAL;
        *ret_n = n;
        return 0;
}

int pv_parse_cpuacct_usage_all(const char *text, uint64_t **ret_user, uint64_t **ret_sys,
                               size_t *ret_n)
{
        size_t n;
        int r = usage_all_pass(text, NULL, NULL, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return -EINVAL; /* a header alone: no CPU at all is not a real cpuacct */
        uint64_t *user = calloc(n, sizeof(uint64_t));
        uint64_t *sys = calloc(n, sizeof(uint64_t));
        if (!user || !sys) {
                free(user);
                free(sys);
                return -ENOMEM;
        }
        (void)usage_all_pass(text, user, sys, &n);
        *ret_user = user;
        *ret_sys = sys;
        *ret_n = n;
        return 0;
}

int pv_parse_u64_list(const char *text, uint64_t **ret, size_t *ret_n)
{
        size_t n = 0, cap = 0;
        uint64_t *v = NULL;
        const char *p = text;

        for (;;) {
                while (isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                const char *b = p;
                while (*p && !isspace((unsigned char)*p))
                        p++;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        uint64_t *nv = realloc(v, cap * sizeof(uint64_t));
                        if (!nv) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = nv;
                }
                if (parse_u64_n(b, (size_t)(p - b), &v[n]) < 0) {
                        free(v);
                        return -EINVAL;
                }
                n++;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- io ---- */

void pv_io_stats_clear(PvIoStats *s)
{
        free(s->devs);
        s->devs = NULL;
        s->n_devs = 0;
}

static int cmp_dev(const void *a, const void *b)
{
        const PvIoDev *x = a, *y = b;
        if (x->major != y->major)
                return x->major < y->major ? -1 : 1;
        if (x->minor != y->minor)
                return x->minor < y->minor ? -1 : 1;
        return 0;
}

/* Finds or appends (major, minor) in an unsorted growing array. */
static PvIoDev *dev_get(PvIoStats *s, size_t *cap, unsigned major, unsigned minor)
{
        for (size_t i = 0; i < s->n_devs; i++)
                if (s->devs[i].major == major && s->devs[i].minor == minor)
                        return &s->devs[i];
        if (s->n_devs == *cap) {
                size_t ncap = *cap ? *cap * 2 : 8;
                PvIoDev *nd = realloc(s->devs, ncap * sizeof(PvIoDev));
                if (!nd)
                        return NULL;
                s->devs = nd;
                *cap = ncap;
        }
        PvIoDev *d = &s->devs[s->n_devs++];
        memset(d, 0, sizeof(*d));
        d->major = major;
        d->minor = minor;
        return d;
}

static int parse_devnum(const char *tok, size_t len, unsigned *ret_major, unsigned *ret_minor)
{
        const char *colon = memchr(tok, ':', len);
        uint64_t ma, mi;
        if (!colon || parse_u64_n(tok, (size_t)(colon - tok), &ma) < 0 ||
            parse_u64_n(colon + 1, len - (size_t)(colon + 1 - tok), &mi) < 0 || ma > UINT32_MAX ||
            mi > UINT32_MAX)
                return -EINVAL;
        *ret_major = (unsigned)ma;
        *ret_minor = (unsigned)mi;
        return 0;
}

int pv_parse_blkio(const char *text, bool ios, PvIoStats *ret)
{
        PvIoStats s = {};
        size_t cap = 0;
        const char *p = text;
        Line l;
        int r;

        while (next_line(&p, &l)) {
                const char *tok[3];
                size_t tl[3];
                unsigned ma, mi;
                uint64_t v;

                if (line_blank(&l))
                        continue;
                size_t k = split_tokens(&l, tok, tl, 3);
                if (k == 2 && tok_eq(tok[0], tl[0], "Total") && parse_u64_n(tok[1], tl[1], &v) == 0)
                        continue; /* the sum over devices: we keep per-device values */
                if (k != 3 || parse_devnum(tok[0], tl[0], &ma, &mi) < 0 ||
                    parse_u64_n(tok[2], tl[2], &v) < 0) {
                        if (!l.complete)
                                break;
                        pv_io_stats_clear(&s);
                        return -EINVAL;
                }
                uint64_t *dst = NULL;
                PvIoDev *d = dev_get(&s, &cap, ma, mi);
                if (!d) {
                        pv_io_stats_clear(&s);
                        return -ENOMEM;
                }
                if (tok_eq(tok[1], tl[1], "Read"))
                        dst = ios ? &d->rios : &d->rbytes;
                else if (tok_eq(tok[1], tl[1], "Write"))
                        dst = ios ? &d->wios : &d->wbytes;
                else if (tok_eq(tok[1], tl[1], "Discard"))
                        dst = ios ? &d->dios : &d->dbytes;
                /* Sync, Async and Total re-count the same I/O: skipped, as are unknown ops */
                if (dst)
                        *dst = v;
        }
        r = 0;
        if (s.n_devs > 1)
                qsort(s.devs, s.n_devs, sizeof(PvIoDev), cmp_dev);
        *ret = s;
        return r;
}

int pv_parse_io_stat(const char *text, PvIoStats *ret)
{
        PvIoStats s = {};
        size_t cap = 0;
        const char *p = text;
        Line l;

        while (next_line(&p, &l)) {
                const char *tok[16];
                size_t tl[16];
                unsigned ma, mi;

                if (line_blank(&l))
                        continue;
                size_t k = split_tokens(&l, tok, tl, 15);
                if (k == 0 || k > 15 || parse_devnum(tok[0], tl[0], &ma, &mi) < 0)
                        goto bad;
                PvIoDev tmp = {.major = ma, .minor = mi};
                for (size_t i = 1; i < k; i++) {
                        const char *eq = memchr(tok[i], '=', tl[i]);
                        if (!eq)
                                goto bad;
                        size_t kl = (size_t)(eq - tok[i]), vl = tl[i] - kl - 1;
                        static const struct {
                                const char *name;
                                size_t off;
                        } keys[] = {
                            {"rbytes", offsetof(PvIoDev, rbytes)},
                            {"wbytes", offsetof(PvIoDev, wbytes)},
                            {"rios", offsetof(PvIoDev, rios)},
                            {"wios", offsetof(PvIoDev, wios)},
                            {"dbytes", offsetof(PvIoDev, dbytes)},
                            {"dios", offsetof(PvIoDev, dios)},
                        };
                        /* other keys (cost.*, iocg stats) may be non-integers: not validated */
                        for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
                                if (tok_eq(tok[i], kl, keys[j].name) &&
                                    parse_u64_n(eq + 1, vl,
                                                (uint64_t *)((char *)&tmp + keys[j].off)) < 0)
                                        goto bad;
                }
                PvIoDev *d = dev_get(&s, &cap, ma, mi);
                if (!d) {
                        pv_io_stats_clear(&s);
                        return -ENOMEM;
                }
                *d = tmp;
                continue;
        bad:
                if (!l.complete)
                        break;
                pv_io_stats_clear(&s);
                return -EINVAL;
        }
        if (s.n_devs > 1)
                qsort(s.devs, s.n_devs, sizeof(PvIoDev), cmp_dev);
        *ret = s;
        return 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
        return a > b ? a : b;
}

int pv_io_stats_merge_max(PvIoStats *dst, const PvIoStats *src)
{
        size_t n = dst->n_devs + src->n_devs, i = 0, j = 0, k = 0;
        if (n == 0)
                return 0;
        PvIoDev *out = malloc(n * sizeof(PvIoDev));
        if (!out)
                return -ENOMEM;
        while (i < dst->n_devs || j < src->n_devs) {
                int c = i >= dst->n_devs   ? 1
                        : j >= src->n_devs ? -1
                                           : cmp_dev(&dst->devs[i], &src->devs[j]);
                if (c < 0) {
                        out[k++] = dst->devs[i++];
                } else if (c > 0) {
                        out[k++] = src->devs[j++];
                } else {
                        PvIoDev d = dst->devs[i++];
                        const PvIoDev *e = &src->devs[j++];
                        d.rbytes = max_u64(d.rbytes, e->rbytes);
                        d.wbytes = max_u64(d.wbytes, e->wbytes);
                        d.rios = max_u64(d.rios, e->rios);
                        d.wios = max_u64(d.wios, e->wios);
                        d.dbytes = max_u64(d.dbytes, e->dbytes);
                        d.dios = max_u64(d.dios, e->dios);
                        out[k++] = d;
                }
        }
        free(dst->devs);
        dst->devs = out;
        dst->n_devs = k;
        return 0;
}

/* ---- cpu ---- */

void pv_cpu_usage_clear(PvCpuUsage *u)
{
        free(u->percpu_user_ns);
        free(u->percpu_system_ns);
        memset(u, 0, sizeof(*u));
}

int pv_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        Line l;
        const char *p = text, *tok[2];
        size_t tl[2];
        uint64_t quota, period;

        if (!next_line(&p, &l) || split_tokens(&l, tok, tl, 2) != 2)
                return -EINVAL;
        char qtext[24];
        if (tl[0] >= sizeof(qtext))
                return -EINVAL;
        memcpy(qtext, tok[0], tl[0]);
        qtext[tl[0]] = '\0';
        /* "max" via the one limit helper; the kernel rejects a zero quota, so 0 can mean "none" */
        if (pv_parse_limit(qtext, &quota) < 0 || quota == 0 || qtext[0] == '-')
                return -EINVAL;
        if (quota == PV_UNLIMITED)
                quota = 0;
        if (parse_u64_n(tok[1], tl[1], &period) < 0 || period == 0)
                return -EINVAL;
        *ret_quota_us = quota;
        *ret_period_us = period;
        return 0;
}

/* ---- /proc/PID/cgroup ---- */

static int controller_from_name(const char *name, size_t len)
{
        static const char *const names[_PV_CTRL_MAX] = {
            [PV_CTRL_MEMORY] = "memory", [PV_CTRL_CPU] = "cpu",  [PV_CTRL_CPUACCT] = "cpuacct",
            [PV_CTRL_CPUSET] = "cpuset", [PV_CTRL_IO] = "blkio", [PV_CTRL_PIDS] = "pids",
        };
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (tok_eq(name, len, names[c]))
                        return c;
        return -1;
}

/* Splits "ID:ctrls:path" into its fields; path runs to the end of the line. */
static int split_cgroup_line(const Line *l, uint64_t *ret_id, const char **ret_ctrls,
                             size_t *ret_ctrls_len, const char **ret_path, size_t *ret_path_len)
{
        const char *end = l->start + l->len;
        const char *c1 = memchr(l->start, ':', l->len);
        if (!c1)
                return -EINVAL;
        const char *c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
        if (!c2 || parse_u64_n(l->start, (size_t)(c1 - l->start), ret_id) < 0)
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
        Line l;

        while (next_line(&p, &l)) {
                uint64_t id;
                const char *ctrls, *path;
                size_t cl, pl;
                if (line_blank(&l))
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
        Line l;

        while (next_line(&p, &l)) {
                uint64_t id;
                const char *ctrls, *path;
                size_t cl, pl;
                if (line_blank(&l))
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

int pv_parse_proc_stat_state(const char *text, char *ret)
{
        /* comm may hold ')' and spaces, but every field after it is numeric, so the last ')' closes
         * it */
        const char *rp = strrchr(text, ')');
        if (!rp || rp[1] != ' ' || !isalpha((unsigned char)rp[2]))
                return -EINVAL;
        *ret = rp[2];
        return 0;
}
