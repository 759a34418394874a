/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_cpuinfo_render on arbitrary host text and visible sets. On success every
 * "processor" line of the output names a visible CPU, the output is no
 * longer than the input plus its rewritten numbers, and in blocks whose
 * siblings/cpu cores were rewritten, cores <= siblings <= visible CPUs.
 * On failure: -EINVAL and out unchanged.
 */
#include <errno.h>

#include "fuzz-input.h"
#include "views/views.h"

/* The decimal value of a "key<blanks>: N" line, or -1 if the line is not one. */
static long key_value(const char *line, const char *key)
{
        size_t kl = strlen(key);
        if (strncmp(line, key, kl) != 0)
                return -1;
        const char *p = line + kl;
        while (*p == ' ' || *p == '\t')
                p++;
        if (*p != ':')
                return -1;
        p++;
        while (*p == ' ' || *p == '\t')
                p++;
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0)
                return -1;
        while (*end == ' ' || *end == '\t')
                end++;
        return *end ? -1 : v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvCpuSet visible;
        fuzz_cpuset(&in, &visible);

        GString *out = g_string_new("prefix\n");
        int r = pv_cpuinfo_render(text, &visible, out);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(strcmp(out->str, "prefix\n") == 0);
        } else {
                size_t n;
                char **lines = fuzz_lines(out->str + strlen("prefix\n"), &n);
                unsigned n_visible = pv_cpuset_count(&visible);
                long siblings = -1;
                for (size_t i = 0; i < n; i++) {
                        long v;
                        if (!lines[i][0]) {
                                siblings = -1;
                                continue;
                        }
                        v = key_value(lines[i], "processor");
                        if (v >= 0)
                                FUZZ_CHECK(pv_cpuset_has(&visible, (unsigned)v));
                        if ((v = key_value(lines[i], "siblings")) >= 0)
                                siblings = v;
                        v = key_value(lines[i], "cpu cores");
                        /* only rewritten values are bounded: a host line kept as is says anything
                         */
                        if (v >= 0 && siblings >= 0 && (unsigned long)siblings <= n_visible &&
                            strstr(text, lines[i]) == NULL)
                                FUZZ_CHECK(v <= siblings);
                }
                fuzz_lines_free(lines);
        }
        g_string_free(out, TRUE);
        free(text);
        return 0;
}
