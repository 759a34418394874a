/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * v1 blkio (bytes and ios readings of one text) and v2 io.stat parsers, and
 * the merge of their results: 0 with devices sorted by (major, minor) and
 * unique, or -EINVAL with the output untouched; the merge keeps every
 * device of both lists and, per counter, the larger value.
 */
#include <errno.h>

#include "parse.h"
#include "fuzz-input.h"

static void check_sorted(const PvIoStats *s)
{
        FUZZ_CHECK(s->n_devs == 0 || s->devs != NULL);
        for (size_t i = 1; i < s->n_devs; i++) {
                const PvIoDev *a = &s->devs[i - 1], *b = &s->devs[i];
                FUZZ_CHECK(a->major < b->major || (a->major == b->major && a->minor < b->minor));
        }
}

static const PvIoDev *find(const PvIoStats *s, unsigned ma, unsigned mi)
{
        for (size_t i = 0; i < s->n_devs; i++)
                if (s->devs[i].major == ma && s->devs[i].minor == mi)
                        return &s->devs[i];
        return NULL;
}

static void check_merge(const PvIoStats *x, const PvIoStats *y)
{
        PvIoStats m = {0};
        FUZZ_CHECK(pv_io_stats_merge_max(&m, x) == 0);
        FUZZ_CHECK(pv_io_stats_merge_max(&m, y) == 0);
        check_sorted(&m);
        for (int pass = 0; pass < 2; pass++) {
                const PvIoStats *s = pass ? y : x;
                for (size_t i = 0; i < s->n_devs; i++) {
                        const PvIoDev *d = &s->devs[i], *e = find(&m, d->major, d->minor);
                        FUZZ_CHECK(e);
                        FUZZ_CHECK(e->rbytes >= d->rbytes && e->wbytes >= d->wbytes &&
                                   e->rios >= d->rios && e->wios >= d->wios &&
                                   e->dbytes >= d->dbytes && e->dios >= d->dios);
                }
        }
        for (size_t i = 0; i < m.n_devs; i++)
                FUZZ_CHECK(find(x, m.devs[i].major, m.devs[i].minor) ||
                           find(y, m.devs[i].major, m.devs[i].minor));
        pv_io_stats_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvIoStats untouched = {.devs = (PvIoDev *)1, .n_devs = 777};
        PvIoStats s[3];
        bool ok[3];

        for (int i = 0; i < 3; i++) {
                s[i] = untouched;
                int r = i < 2 ? pv_parse_blkio(text, i == 1, &s[i]) : pv_parse_io_stat(text, &s[i]);
                ok[i] = r == 0;
                if (r < 0) {
                        FUZZ_CHECK(r == -EINVAL);
                        FUZZ_CHECK(s[i].devs == untouched.devs && s[i].n_devs == untouched.n_devs);
                        s[i] = (PvIoStats){0};
                } else {
                        check_sorted(&s[i]);
                }
        }
        FUZZ_CHECK(ok[0] == ok[1]);
        check_merge(&s[0], &s[1]);
        check_merge(&s[1], &s[2]);
        for (int i = 0; i < 3; i++)
                pv_io_stats_clear(&s[i]);
        free(text);
        return 0;
}
