/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_diskstats_render on arbitrary host text and device counters. On success
 * every output line has the kernel's 20 fields (split on any whitespace, as
 * awk, sscanf and psutil split them) and names a device of io with a
 * non-zero counter, in io's order, with its counters. On failure: -EINVAL
 * and out unchanged.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

#include "fuzz-input.h"
#include "views/views.h"

static size_t split_ws(char *s, char **tok, size_t max)
{
        size_t n = 0;
        for (char *p = s; *p;) {
                while (*p && isspace((unsigned char)*p))
                        *p++ = '\0';
                if (!*p)
                        break;
                if (n < max)
                        tok[n] = p;
                n++;
                while (*p && !isspace((unsigned char)*p))
                        p++;
        }
        return n;
}

static int cmp_dev(const void *a, const void *b)
{
        const PvIoDev *x = a, *y = b;
        if (x->major != y->major)
                return x->major < y->major ? -1 : 1;
        return x->minor < y->minor ? -1 : x->minor > y->minor;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvIoStats io = {0};
        io.n_devs = fuzz_u8(&in) % 16;
        io.devs = calloc(io.n_devs + 1, sizeof(PvIoDev));
        for (size_t i = 0; i < io.n_devs; i++) {
                PvIoDev *d = &io.devs[i];
                /* small numbers most of the time, so that devices meet host lines */
                uint8_t sel = fuzz_u8(&in);
                d->major = sel & 1 ? fuzz_u32(&in) : fuzz_u8(&in);
                d->minor = sel & 2 ? fuzz_u32(&in) : fuzz_u8(&in);
                d->rbytes = fuzz_u64(&in);
                d->wbytes = fuzz_u64(&in);
                d->rios = fuzz_u64(&in);
                d->wios = fuzz_u64(&in);
                d->dbytes = fuzz_u64(&in);
                d->dios = fuzz_u64(&in);
        }

        /* io's contract (backend.h): sorted by (major, minor), one entry per device */
        if (io.n_devs > 1)
                qsort(io.devs, io.n_devs, sizeof(PvIoDev), cmp_dev);
        size_t k = 0;
        for (size_t i = 0; i < io.n_devs; i++)
                if (k == 0 || cmp_dev(&io.devs[k - 1], &io.devs[i]) != 0)
                        io.devs[k++] = io.devs[i];
        io.n_devs = k;

        GString *out = g_string_new("prefix\n");
        int r = pv_diskstats_render(text, &io, out);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(strcmp(out->str, "prefix\n") == 0);
        } else {
                size_t n, dev = 0;
                char **lines = fuzz_lines(out->str + strlen("prefix\n"), &n);
                for (size_t i = 0; i < n; i++) {
                        char *tok[21];
                        FUZZ_CHECK(split_ws(lines[i], tok, 21) == 20);
                        unsigned long long ma = strtoull(tok[0], NULL, 10);
                        unsigned long long mi = strtoull(tok[1], NULL, 10);
                        while (dev < io.n_devs &&
                               (io.devs[dev].major != ma || io.devs[dev].minor != mi))
                                dev++;
                        FUZZ_CHECK(dev < io.n_devs);
                        const PvIoDev *d = &io.devs[dev++];
                        FUZZ_CHECK(d->rbytes | d->wbytes | d->rios | d->wios | d->dbytes | d->dios);
                        FUZZ_CHECK(strtoull(tok[3], NULL, 10) == d->rios);
                        FUZZ_CHECK(strtoull(tok[5], NULL, 10) == d->rbytes / 512);
                        FUZZ_CHECK(strtoull(tok[7], NULL, 10) == d->wios);
                        FUZZ_CHECK(strtoull(tok[9], NULL, 10) == d->wbytes / 512);
                        FUZZ_CHECK(strtoull(tok[14], NULL, 10) == d->dios);
                        FUZZ_CHECK(strtoull(tok[16], NULL, 10) == d->dbytes / 512);
                }
                fuzz_lines_free(lines);
        }
        pv_io_stats_clear(&io);
        g_string_free(out, TRUE);
        free(text);
        return 0;
}
