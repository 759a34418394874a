/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The renderer tests' shared fixtures and counters (views-test.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "pv-check.h"
#include "views-test.h"

char *fixture(const char *case_name, const char *file)
{
        const char *dir = getenv("PV_FIXTURES");
        char *text = NULL;
        ck_assert_msg(dir, "PV_FIXTURES not set");
        g_autofree char *path = g_strdup_printf("%s/views/%s/%s", dir, case_name, file);
        int r = pv_read_file_at(AT_FDCWD, path, &text, NULL);
        ck_assert_msg(r == 0, "reading %s: %s", path, g_strerror(-r));
        return text;
}

long long line_value(const char *text, const char *key, char sep)
{
        g_autofree char *k = g_strdup_printf("%s%c", key, sep);
        size_t n = strlen(k);
        for (const char *p = text; p; p = strchr(p, '\n')) {
                if (*p == '\n')
                        p++;
                if (strncmp(p, k, n) == 0)
                        return strtoll(p + n, NULL, 10);
        }
        return -1;
}

void assert_golden(const char *case_name, const GString *out)
{
        g_autofree char *expected = fixture(case_name, "expected");
        ck_assert_str_eq(out->str, expected);
}

/* A v1 container: usage includes page cache, no slab counters. */
PvMemory mem_v1(void)
{
        return (PvMemory){
            .limit = MiB(512),
            .usage = MiB(300),
            .swap_accounted = true,
            .swap_limit = MiB(256),
            .swap_usage = 0,
            .stat =
                {
                    .anon = MiB(200),
                    .file = MiB(96),
                    .shmem = MiB(8),
                    .mapped_file = MiB(20),
                    .dirty = MiB(1),
                    .active_anon = MiB(150),
                    .inactive_anon = MiB(58),
                    .active_file = MiB(60),
                    .inactive_file = MiB(28),
                    .unevictable = MiB(4),
                },
        };
}

PvMemory mem_v2(void)
{
        return (PvMemory){
            .limit = MiB(1024),
            .usage = MiB(700),
            .swap_accounted = true,
            .swap_limit = MiB(512),
            .swap_usage = MiB(10),
            .stat =
                {
                    .anon = MiB(400),
                    .file = MiB(250),
                    .shmem = MiB(16),
                    .mapped_file = MiB(30),
                    .dirty = MiB(2),
                    .writeback = 512 * 1024,
                    .swapcached = MiB(1),
                    .active_anon = MiB(300),
                    .inactive_anon = MiB(116),
                    .active_file = MiB(150),
                    .inactive_file = MiB(83),
                    .slab_reclaimable = MiB(20),
                    .slab_unreclaimable = MiB(10),
                    .kernel_stack = 1536 * 1024,
                    .pagetables = MiB(3),
                    .anon_thp = MiB(100),
                },
        };
}

PvCpuSet cpus(const char *list)
{
        PvCpuSet s;
        ck_assert_int_eq(pv_cpuset_parse(list, &s), 0);
        return s;
}
