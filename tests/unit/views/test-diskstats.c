/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: diskstats. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

START_TEST(test_diskstats_v1)
{
        g_autofree char *host = fixture("diskstats-v1", "diskstats");
        g_autoptr(GString) out = g_string_new(NULL);
        PvIoDev devs[] = {
            {.major = 7, .minor = 0},                            /* all zero: skipped */
            {.major = 8, .minor = 0, .rbytes = 4096, .rios = 1}, /* not on the host: skipped */
            {.major = 253, .minor = 0, .wbytes = 8192, .wios = 2},
            {.major = 254,
             .minor = 0,
             .rbytes = MiB(10),
             .wbytes = MiB(8),
             .rios = 160,
             .wios = 64,
             .dbytes = MiB(1),
             .dios = 3},
        };
        PvIoStats io = {devs, G_N_ELEMENTS(devs)};
        ck_assert_int_eq(pv_diskstats_render(host, &io, out), 0);
        assert_golden("diskstats-v1", out);
}
END_TEST

START_TEST(test_diskstats_v2)
{
        g_autofree char *host = fixture("diskstats-v2", "diskstats");
        g_autoptr(GString) out = g_string_new(NULL);
        PvIoDev devs[] = {
            {.major = 8, .minor = 0, .rbytes = MiB(1), .rios = 16},
            {.major = 253,
             .minor = 0,
             .rbytes = 512,
             .rios = 1,
             .wbytes = 4096,
             .wios = 1,
             .dbytes = MiB(4),
             .dios = 4},
            {.major = 259,
             .minor = 0,
             .rbytes = MiB(50),
             .wbytes = MiB(100),
             .rios = 1200,
             .wios = 800},
            {.major = 259, .minor = 9, .rbytes = 512, .rios = 1},
        };
        PvIoStats io = {devs, G_N_ELEMENTS(devs)};
        ck_assert_int_eq(pv_diskstats_render(host, &io, out), 0);
        assert_golden("diskstats-v2", out);

        /* no I/O: an empty file */
        PvIoStats none = {NULL, 0};
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_diskstats_render(host, &none, out), 0);
        ck_assert_str_eq(out->str, "");
}
END_TEST

START_TEST(test_diskstats_malformed)
{
        PvIoDev d = {.major = 8, .minor = 0, .rios = 1};
        PvIoStats io = {&d, 1};
        const char *bad[] = {
            "   8       0\n", "   x       0 sda 1 2 3\n", "   8 sda 1 2 3\n",
            "0 9\t\v", /* a name of whitespace (found by tests/fuzz/fuzz-diskstats) */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(pv_diskstats_render(bad[i], &io, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
        }

        /* a name ends at any whitespace, so a line keeps its 20 fields for split() readers */
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(pv_diskstats_render("   8       0 sda\vx 1 2 3\n", &io, out), 0);
        ck_assert_str_eq(out->str, "   8       0 sda 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}
END_TEST

static Suite *diskstats_suite(void)
{
        Suite *s = suite_create("views-diskstats");
        TCase *tc = tcase_create("diskstats");
        tcase_add_test(tc, test_diskstats_v1);
        tcase_add_test(tc, test_diskstats_v2);
        tcase_add_test(tc, test_diskstats_malformed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(diskstats_suite());
}
