/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_vmstat_render on arbitrary host text, counters, devices and page sizes. On
 * success every output line is "key value" with the host's keys in the host's
 * order (one per non-empty host line), and pgpgin/pgpgout are the devices'
 * bytes in KiB. On failure: -EINVAL and out unchanged.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz-input.h"
#include "views/views.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvMemory mem = fuzz_memory(&in);
        mem.oom_kill = fuzz_u64(&in);
        PvIoStats io = {0};
        io.n_devs = fuzz_u8(&in) % 8;
        io.devs = calloc(io.n_devs + 1, sizeof(PvIoDev));
        uint64_t rsum = 0, wsum = 0;
        bool rsat = false, wsat = false;
        for (size_t i = 0; i < io.n_devs; i++) {
                io.devs[i].major = (unsigned)i; /* sorted and unique, as backend.h promises */
                io.devs[i].rbytes = fuzz_u64(&in);
                io.devs[i].wbytes = fuzz_u64(&in);
                rsat |= __builtin_add_overflow(rsum, io.devs[i].rbytes, &rsum);
                wsat |= __builtin_add_overflow(wsum, io.devs[i].wbytes, &wsum);
        }
        uint64_t page_size = fuzz_u8(&in) & 1 ? fuzz_u64(&in) : 4096;

        GString *out = g_string_new("prefix\n");
        int r = pv_vmstat_render(text, &mem, &io, page_size, out);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(strcmp(out->str, "prefix\n") == 0);
        } else {
                size_t n_host, n_out;
                char **host = fuzz_lines(text, &n_host);
                char **lines = fuzz_lines(out->str + strlen("prefix\n"), &n_out);
                size_t j = 0;
                for (size_t i = 0; i < n_host; i++) {
                        if (!host[i][0])
                                continue;
                        FUZZ_CHECK(j < n_out);
                        size_t kl = strcspn(host[i], " ");
                        FUZZ_CHECK(strncmp(host[i], lines[j], kl + 1) == 0);
                        char *end;
                        uint64_t v = strtoull(lines[j] + kl + 1, &end, 10);
                        FUZZ_CHECK(end != lines[j] + kl + 1 && *end == '\0');
                        if (strncmp(lines[j], "pgpgin ", 7) == 0 && !rsat)
                                FUZZ_CHECK(v == rsum / 1024);
                        if (strncmp(lines[j], "pgpgout ", 8) == 0 && !wsat)
                                FUZZ_CHECK(v == wsum / 1024);
                        j++;
                }
                FUZZ_CHECK(j == n_out);
                fuzz_lines_free(host);
                fuzz_lines_free(lines);
        }
        g_string_free(out, TRUE);
        free(io.devs);
        free(text);
        return 0;
}
