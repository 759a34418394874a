/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_meminfo_render on arbitrary host text and counters. On success the output
 * is parsed back: one line per non-empty host line, keys in host order,
 * MemFree <= MemAvailable <= MemTotal <= host MemTotal (and <= the limit),
 * SwapFree <= SwapTotal. On failure: -EINVAL and out unchanged.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz-input.h"
#include "views/views.h"

/*
 * The value of "Key:" lines; false when there is none. With all_agree, every
 * such line must have the same value (the output); else the first counts.
 */
static bool value_of(char **lines, const char *key, bool all_agree, uint64_t *ret)
{
        size_t kl = strlen(key);
        bool found = false;
        for (size_t i = 0; lines[i]; i++) {
                if (strncmp(lines[i], key, kl) != 0 || lines[i][kl] != ':')
                        continue;
                char *end;
                uint64_t v = strtoull(lines[i] + kl + 1, &end, 10);
                FUZZ_CHECK(end != lines[i] + kl + 1);
                if (found) {
                        FUZZ_CHECK(!all_agree || *ret == v);
                        continue;
                }
                found = true;
                *ret = v;
        }
        return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvMemory mem = fuzz_memory(&in);

        GString *out = g_string_new("prefix\n");
        int r = pv_meminfo_render(text, &mem, out);
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
                        size_t kl = strcspn(host[i], ":");
                        FUZZ_CHECK(strncmp(host[i], lines[j], kl + 1) == 0);
                        j++;
                }
                FUZZ_CHECK(j == n_out);

                uint64_t total, host_total, free_kb, avail, swap_total, swap_free;
                FUZZ_CHECK(value_of(host, "MemTotal", false, &host_total));
                FUZZ_CHECK(value_of(lines, "MemTotal", true, &total));
                FUZZ_CHECK(total <= host_total);
                if (mem.limit != PV_UNLIMITED)
                        FUZZ_CHECK(total <= mem.limit / 1024);
                bool have_free = value_of(lines, "MemFree", true, &free_kb);
                bool have_avail = value_of(lines, "MemAvailable", true, &avail);
                if (have_free)
                        FUZZ_CHECK(free_kb <= total);
                if (have_avail)
                        FUZZ_CHECK(avail <= total);
                if (have_free && have_avail)
                        FUZZ_CHECK(free_kb <= avail);
                if (value_of(lines, "SwapTotal", true, &swap_total) &&
                    value_of(lines, "SwapFree", true, &swap_free))
                        FUZZ_CHECK(swap_free <= swap_total);
                fuzz_lines_free(host);
                fuzz_lines_free(lines);
        }
        g_string_free(out, TRUE);
        free(text);
        return 0;
}
