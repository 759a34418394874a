/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: vmstat. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

/* The value of "key " in vmstat text, or -1. */
static long long vmstat_value(const char *text, const char *key)
{
        return line_value(text, key, ' ');
}

/* The keys of vmstat text in order, one per line. */
static char *vmstat_keys(const char *text)
{
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        GString *keys = g_string_new(NULL);
        for (char **l = lines; *l; l++) {
                const char *sp = strchr(*l, ' ');
                if (sp)
                        g_string_append_printf(keys, "%.*s\n", (int)(sp - *l), *l);
        }
        return g_string_free(keys, FALSE);
}

/* Every key of the host in the host's order; a key not derived from the cgroup is the host's line.
 */
static void assert_vmstat_shape(const char *host, const char *out)
{
        g_autofree char *hk = vmstat_keys(host);
        g_autofree char *ok = vmstat_keys(out);
        ck_assert_str_eq(ok, hk);
        ck_assert_int_eq(vmstat_value(out, "numa_hit"), vmstat_value(host, "numa_hit"));
        ck_assert_int_eq(vmstat_value(out, "nr_zone_active_anon"),
                         vmstat_value(host, "nr_zone_active_anon"));
        ck_assert_int_eq(vmstat_value(out, "pgsteal_kswapd"), vmstat_value(host, "pgsteal_kswapd"));
}

static const PvIoDev vmstat_devs[] = {
    {.major = 8, .minor = 0, .rbytes = MiB(40) + 1023, .wbytes = MiB(8)},
    {.major = 253, .minor = 0, .rbytes = 4096, .wbytes = 512},
};

/* v1: fault counters and refaults from total_*, no swap or activate/restore counters. */
START_TEST(test_vmstat_v1)
{
        g_autofree char *host = fixture("vmstat-v1", "vmstat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v1();
        m.stat.anon_thp = MiB(4);
        m.stat.pgfault = 123456;
        m.stat.pgmajfault = 78;
        m.stat.workingset_refault_file = 910;
        m.oom_kill = 2;
        PvIoStats io = {.devs = (PvIoDev *)vmstat_devs, .n_devs = G_N_ELEMENTS(vmstat_devs)};

        ck_assert_int_eq(pv_vmstat_render(host, &m, &io, 4096, out), 0);
        assert_golden("vmstat-v1", out);
        assert_vmstat_shape(host, out->str);
        /* (512 - 300) MiB free in 4 KiB pages; 40 MiB + 1023 + 4096 bytes read, in KiB */
        ck_assert_int_eq(vmstat_value(out->str, "nr_free_pages"), 54272);
        ck_assert_int_eq(vmstat_value(out->str, "pgpgin"), 40964);
        ck_assert_int_eq(vmstat_value(out->str, "pgpgout"), 8192);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_transparent_hugepages"), 2);
        ck_assert_int_eq(vmstat_value(out->str, "pswpin"), 0);
        ck_assert_int_eq(vmstat_value(out->str, "workingset_activate_file"), 0);
}
END_TEST

/* v2: every memory.stat counter, swap events, slab, kernel stack in KiB. */
START_TEST(test_vmstat_v2)
{
        g_autofree char *host = fixture("vmstat-v2", "vmstat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();
        m.stat.pgfault = 5000000;
        m.stat.pgmajfault = 4321;
        m.stat.pswpin = 17;
        m.stat.pswpout = 2560;
        m.stat.workingset_refault_anon = 11;
        m.stat.workingset_refault_file = 12;
        m.stat.workingset_activate_anon = 13;
        m.stat.workingset_activate_file = 14;
        m.stat.workingset_restore_anon = 15;
        m.stat.workingset_restore_file = 16;
        m.stat.workingset_nodereclaim = 17;
        m.oom_kill = 1;
        PvIoStats io = {.devs = (PvIoDev *)vmstat_devs, .n_devs = 1};

        ck_assert_int_eq(pv_vmstat_render(host, &m, &io, 4096, out), 0);
        assert_golden("vmstat-v2", out);
        assert_vmstat_shape(host, out->str);
        ck_assert_int_eq(vmstat_value(out->str, "nr_free_pages"), 82944);
        ck_assert_int_eq(vmstat_value(out->str, "nr_kernel_stack"), 1536);
        ck_assert_int_eq(vmstat_value(out->str, "nr_slab_reclaimable"), 5120);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_transparent_hugepages"), 50);
        ck_assert_int_eq(vmstat_value(out->str, "pswpout"), 2560);
        ck_assert_int_eq(vmstat_value(out->str, "workingset_nodereclaim"), 17);
}
END_TEST

/* No limit: the host's nr_free_pages; no io: no block traffic; 64 KiB pages: 512 MiB PMDs. */
START_TEST(test_vmstat_unlimited_large_pages)
{
        g_autofree char *host = fixture("vmstat-v1", "vmstat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvMemory m = mem_v2();
        m.limit = PV_UNLIMITED;
        m.stat.anon_thp = MiB(1024) + MiB(100);

        ck_assert_int_eq(pv_vmstat_render(host, &m, NULL, 65536, out), 0);
        assert_vmstat_shape(host, out->str);
        ck_assert_int_eq(vmstat_value(out->str, "nr_free_pages"),
                         vmstat_value(host, "nr_free_pages"));
        ck_assert_int_eq(vmstat_value(out->str, "pgpgin"), 0);
        ck_assert_int_eq(vmstat_value(out->str, "pgpgout"), 0);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_transparent_hugepages"), 2);
        ck_assert_int_eq(vmstat_value(out->str, "nr_anon_pages"), 6400);
        ck_assert_int_eq(vmstat_value(out->str, "nr_kernel_stack"), 1536);
}
END_TEST

START_TEST(test_vmstat_malformed)
{
        static const char *const bad[] = {
            "",
            "\n\n",
            "nr_free_pages\n",
            "nr_free_pages 12 13\n",
            "nr_free_pages -1\n",
            "nr_free_pages 12x\n",
            " nr_free_pages 12\n",
            "numa_hit 1\npgfault\n",
            "pgfault 18446744073709551616\n",
        };
        PvMemory m = mem_v1();
        g_autoptr(GString) out = g_string_new("kept");

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                ck_assert_int_eq(pv_vmstat_render(bad[i], &m, NULL, 4096, out), -EINVAL);
                ck_assert_str_eq(out->str, "kept");
        }
        ck_assert_int_eq(pv_vmstat_render("pgfault 1\n", &m, NULL, 0, out), -EINVAL);
        ck_assert_str_eq(out->str, "kept");
        /* the largest counter the kernel can print, and a last line without a newline */
        ck_assert_int_eq(
            pv_vmstat_render("numa_hit 18446744073709551615\nnr_free_pages 1", &m, NULL, 4096, out),
            0);
        ck_assert_str_eq(out->str, "keptnuma_hit 18446744073709551615\nnr_free_pages 54272\n");
}
END_TEST

static Suite *vmstat_suite(void)
{
        Suite *s = suite_create("views-vmstat");
        TCase *tc = tcase_create("vmstat");
        tcase_add_test(tc, test_vmstat_v1);
        tcase_add_test(tc, test_vmstat_v2);
        tcase_add_test(tc, test_vmstat_unlimited_large_pages);
        tcase_add_test(tc, test_vmstat_malformed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(vmstat_suite());
}
