/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_parse_flat_keyed (memory.stat, cpu.stat, cpuacct.stat). It returns
 * -EINVAL with no dst written, or the count of listed keys found, which is
 * the count of dsts written; every written value is the last "key value"
 * line of that key in the text.
 */
#include <errno.h>

#include "parse.h"
#include "fuzz-input.h"

/* The value of the last "key N" line (exactly two tokens, N decimal) for key, by plain scanning. */
static bool last_value(const char *text, const char *key, uint64_t *ret)
{
        size_t n;
        char **lines = fuzz_lines(text, &n);
        bool found = false;
        for (size_t i = 0; i < n; i++) {
                char *save, *k = strtok_r(lines[i], " \t\r\v\f", &save);
                char *v = k ? strtok_r(NULL, " \t\r\v\f", &save) : NULL;
                if (!v || strtok_r(NULL, " \t\r\v\f", &save) || strcmp(k, key) != 0 ||
                    strspn(v, "0123456789") != strlen(v))
                        continue;
                errno = 0;
                unsigned long long x = strtoull(v, NULL, 10);
                if (errno)
                        continue;
                *ret = x;
                found = true;
        }
        fuzz_lines_free(lines);
        return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const keys[] = {"anon",      "file",   "total_rss",
                                           "user_usec", "system", "nr_periods"};
        enum { N = sizeof(keys) / sizeof(keys[0]) };
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        uint64_t a[N], b[N];
        PvKeyField fa[N], fb[N];
        for (size_t i = 0; i < N; i++) {
                a[i] = UINT64_C(0xa5a5a5a5a5a5a5a5);
                b[i] = UINT64_C(0x5a5a5a5a5a5a5a5a);
                fa[i] = (PvKeyField){keys[i], &a[i]};
                fb[i] = (PvKeyField){keys[i], &b[i]};
        }
        int r = pv_parse_flat_keyed(text, fa, N);
        int r2 = pv_parse_flat_keyed(text, fb, N);
        FUZZ_CHECK(r == r2);
        FUZZ_CHECK(r == -EINVAL || (r >= 0 && r <= N));
        int written = 0;
        for (size_t i = 0; i < N; i++) {
                bool wa =
                    a[i] != UINT64_C(0xa5a5a5a5a5a5a5a5) || b[i] != UINT64_C(0x5a5a5a5a5a5a5a5a);
                if (!wa)
                        continue;
                FUZZ_CHECK(a[i] == b[i]);
                written++;
                uint64_t v;
                if (last_value(text, keys[i], &v))
                        FUZZ_CHECK(v == a[i]);
        }
        FUZZ_CHECK(r < 0 ? written == 0 : written == r);
        free(text);
        return 0;
}
