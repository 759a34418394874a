/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of v1 blkio and v2 io.stat texts, and the merge of two device lists. */
#include "parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void pv_io_stats_clear(PvIoStats *s)
{
        free(s->devs);
        s->devs = NULL;
        s->n_devs = 0;
}

static int cmp_dev(const void *a, const void *b)
{
        const PvIoDev *x = a, *y = b;
        return pv_cmp_i64(x->major, y->major) ?: pv_cmp_i64(x->minor, y->minor);
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
        if (!colon || pv_parse_u64_n(tok, (size_t)(colon - tok), &ma) < 0 ||
            pv_parse_u64_n(colon + 1, len - (size_t)(colon + 1 - tok), &mi) < 0 ||
            ma > UINT32_MAX || mi > UINT32_MAX)
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
        PvLine l;
        int r;

        while (pv_line_next_data(&p, &l)) {
                const char *tok[3];
                size_t tl[3];
                unsigned ma, mi;
                uint64_t v;

                size_t k = pv_line_split(&l, tok, tl, 3);
                if (k == 2 && pv_tok_eq(tok[0], tl[0], "Total") &&
                    pv_parse_u64_n(tok[1], tl[1], &v) == 0)
                        continue; /* the sum over devices: we keep per-device values */
                if (k != 3 || parse_devnum(tok[0], tl[0], &ma, &mi) < 0 ||
                    pv_parse_u64_n(tok[2], tl[2], &v) < 0) {
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
                if (pv_tok_eq(tok[1], tl[1], "Read"))
                        dst = ios ? &d->rios : &d->rbytes;
                else if (pv_tok_eq(tok[1], tl[1], "Write"))
                        dst = ios ? &d->wios : &d->wbytes;
                else if (pv_tok_eq(tok[1], tl[1], "Discard"))
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
        PvLine l;

        while (pv_line_next_data(&p, &l)) {
                const char *tok[16];
                size_t tl[16];
                unsigned ma, mi;

                size_t k = pv_line_split(&l, tok, tl, 15);
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
                                if (pv_tok_eq(tok[i], kl, keys[j].name) &&
                                    pv_parse_u64_n(eq + 1, vl,
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
