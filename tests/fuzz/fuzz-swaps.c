/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_swaps_render on arbitrary host text and swap counters. On success the
 * output is the host's first line, then at most one area line
 * "none virtual SIZE USED -1" with USED <= SIZE, SIZE the smaller of the
 * swap limit and the sum of the host's sizes. On failure: -EINVAL and out
 * unchanged.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz-input.h"
#include "views/views.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvMemory mem = {
            .swap_accounted = !(fuzz_u8(&in) & 1),
            .swap_limit = ~fuzz_u64(&in),
            .swap_usage = fuzz_u64(&in),
        };

        GString *out = g_string_new("prefix\n");
        int r = pv_swaps_render(text, &mem, out);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(strcmp(out->str, "prefix\n") == 0);
        } else {
                size_t n_host, n;
                char **host = fuzz_lines(text, &n_host);
                char **lines = fuzz_lines(out->str + strlen("prefix\n"), &n);
                FUZZ_CHECK(n_host >= 1 && (n == 1 || n == 2));
                FUZZ_CHECK(strcmp(host[0], lines[0]) == 0);
                if (n == 2) {
                        char name[64], type[64];
                        unsigned long long sz, used;
                        int prio;
                        FUZZ_CHECK(sscanf(lines[1], "%63s %63s %llu %llu %d", name, type, &sz,
                                          &used, &prio) == 5);
                        FUZZ_CHECK(strcmp(name, "none") == 0 && strcmp(type, "virtual") == 0);
                        FUZZ_CHECK(prio == -1 && used <= sz && sz > 0);
                        FUZZ_CHECK(mem.swap_accounted && mem.swap_limit > 0);
                        if (mem.swap_limit != PV_UNLIMITED)
                                FUZZ_CHECK(sz <= mem.swap_limit / 1024);
                        /* the host's total, summed without overflow: third blank-separated field */
                        unsigned __int128 host_total = 0;
                        for (size_t i = 1; i < n_host; i++) {
                                const char *p = host[i];
                                for (int field = 0; field < 2 && *p; field++) {
                                        p += strspn(p, " \t");
                                        p += strcspn(p, " \t");
                                }
                                p += strspn(p, " \t");
                                if (*p >= '0' && *p <= '9')
                                        host_total += strtoull(p, NULL, 10);
                        }
                        /* the container's share: the host's total (saturated), capped by the limit
                         */
                        uint64_t want = host_total > UINT64_MAX ? UINT64_MAX : (uint64_t)host_total;
                        if (mem.swap_limit != PV_UNLIMITED && mem.swap_limit / 1024 < want)
                                want = mem.swap_limit / 1024;
                        FUZZ_CHECK(sz == want);
                }
                fuzz_lines_free(host);
                fuzz_lines_free(lines);
        }
        g_string_free(out, TRUE);
        free(text);
        return 0;
}
