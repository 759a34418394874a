/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: the CPU view, cpulist and cpuinfo. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

static char *list(const PvCpuSet *s)
{
        GString *out = g_string_new(NULL);
        ck_assert_int_eq(pv_cpulist_render(s, out), 0);
        return g_string_free(out, FALSE);
}

START_TEST(test_cpu_view)
{
        PvCpuSet cs = cpus("0,2,5-7"), online = cpus("0-6"), v;
        g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;

        pv_cpu_view(&cs, &online, 0, 100000, PV_CPU_VIEW_CPUSET, &v);
        ck_assert_str_eq(a = list(&v), "0,2,5-6\n");
        /* quota 1.5 CPUs: ceil = 2, the lowest ids */
        pv_cpu_view(&cs, &online, 150000, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_str_eq(b = list(&v), "0,2\n");
        /* the cpuset mode ignores the quota */
        pv_cpu_view(&cs, &online, 150000, 100000, PV_CPU_VIEW_CPUSET, &v);
        ck_assert_str_eq(c = list(&v), "0,2,5-6\n");
        /* quota 0 is "no limit" */
        pv_cpu_view(&cs, &online, 0, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_uint_eq(pv_cpuset_count(&v), 4);
        /* a quota above the cpuset keeps the whole set */
        pv_cpu_view(&cs, &online, 1000000, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_uint_eq(pv_cpuset_count(&v), 4);
        /* tiny quota: at least one CPU */
        pv_cpu_view(&cs, &online, 1000, 100000, PV_CPU_VIEW_QUOTA, &v);
        ck_assert_str_eq(d = list(&v), "0\n");
        /* cpuset of offline CPUs only: the lowest online CPU */
        PvCpuSet off = cpus("7"), online2 = cpus("3-6");
        pv_cpu_view(&off, &online2, 0, 0, PV_CPU_VIEW_CPUSET, &v);
        ck_assert_str_eq(e = list(&v), "3\n");
        PvCpuSet empty = cpus("");
        ck_assert_str_eq(f = list(&empty), "\n");
}
END_TEST

START_TEST(test_cpulist_large)
{
        PvCpuSet s = cpus("0-511");
        for (unsigned i = 1; i < 512; i += 2)
                s.bits[i / 64] &= ~(UINT64_C(1) << (i % 64));
        g_autoptr(GString) out = g_string_new("x");
        ck_assert_int_eq(pv_cpulist_render(&s, out), 0);
        /* 256 ids, appended after the existing text */
        ck_assert(g_str_has_prefix(out->str, "x0,2,4,"));
        ck_assert(g_str_has_suffix(out->str, ",508,510\n"));
        PvCpuSet back;
        ck_assert_int_eq(pv_cpuset_parse(out->str + 1, &back), 0);
        ck_assert(pv_cpuset_equal(&s, &back));
}
END_TEST

START_TEST(test_cpuinfo_v1)
{
        g_autofree char *host = fixture("cpuinfo-v1", "cpuinfo");
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("1");
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        assert_golden("cpuinfo-v1", out);

        /* every CPU visible: the host's text unchanged */
        v = cpus("0-1");
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, host);
}
END_TEST

START_TEST(test_cpuinfo_sparse)
{
        g_autofree char *host = fixture("cpuinfo-sparse", "cpuinfo");
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("0,2,5-7");
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        assert_golden("cpuinfo-sparse", out);
}
END_TEST

/* A 2-package x 128-core x 2-thread host; thread t of core c of package p is CPU p*128 + c + t*256.
 */
static char *host_cpuinfo_512(void)
{
        GString *s = g_string_new(NULL);
        for (unsigned cpu = 0; cpu < 512; cpu++) {
                unsigned pkg = (cpu % 256) / 128, core = cpu % 128;
                g_string_append_printf(s,
                                       "processor\t: %u\nvendor_id\t: GenuineIntel\n"
                                       "model name\t: Test CPU @ 2.00GHz\nphysical id\t: %u\n"
                                       "siblings\t: 256\ncore id\t\t: %u\ncpu cores\t: 128\n"
                                       "apicid\t\t: %u\nflags\t\t: fpu vme de pse tsc msr pae mce "
                                       "cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr "
                                       "sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc "
                                       "rep_good nopl xtopology cpuid tsc_known_freq pni "
                                       "pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe "
                                       "popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm\n"
                                       "bogomips\t: 4000.00\npower management:\n\n",
                                       cpu, pkg, core, cpu * 2);
        }
        return g_string_free(s, FALSE);
}

START_TEST(test_cpuinfo_512)
{
        g_autofree char *host = host_cpuinfo_512();
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("0-511");

        ck_assert_uint_gt(strlen(host), 3 * 65536); /* well past any page or 64 KiB buffer */
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        ck_assert_uint_eq(out->len, strlen(host));
        ck_assert_str_eq(out->str, host);

        /* CPUs 0, 2, 5-7 and their hyperthreads 256, 258, 261-263: package 0, 5 cores */
        v = cpus("0,2,5-7,256,258,261-263,511");
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        g_auto(GStrv) blocks = g_strsplit(out->str, "\n\n", -1);
        ck_assert_uint_eq(g_strv_length(blocks), 12); /* 11 blocks and the empty tail */
        ck_assert_str_eq(blocks[11], "");
        const unsigned ids[] = {0, 2, 5, 6, 7, 256, 258, 261, 262, 263, 511};
        for (unsigned i = 0; i < 11; i++) {
                g_autofree char *head = g_strdup_printf("processor\t: %u\n", ids[i]);
                ck_assert(g_str_has_prefix(blocks[i], head));
                if (ids[i] == 511) {
                        /* alone in package 1 */
                        ck_assert(strstr(blocks[i], "\nsiblings\t: 1\n"));
                        ck_assert(strstr(blocks[i], "\ncpu cores\t: 1\n"));
                } else {
                        ck_assert(strstr(blocks[i], "\nsiblings\t: 10\n"));
                        ck_assert(strstr(blocks[i], "\ncpu cores\t: 5\n"));
                }
        }
}
END_TEST

/* arm-style text: no package/core lines to rewrite, and a trailing block without "processor" */
START_TEST(test_cpuinfo_global_block)
{
        const char *host = "processor\t: 0\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                           "processor\t: 1\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                           "processor\t: 2\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                           "Hardware\t: BCM2835\nRevision\t: c03111\n";
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("1");
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, "processor\t: 1\nBogoMIPS\t: 48.00\nCPU part\t: 0xd08\n\n"
                                   "Hardware\t: BCM2835\nRevision\t: c03111\n");
}
END_TEST

/*
 * No block with physical id and core id (arm64, or a hidden CPU): nothing to
 * count, and no qsort() of an empty array's NULL storage (found by
 * tests/fuzz/fuzz-cpuinfo under UBSan).
 */
START_TEST(test_cpuinfo_no_package)
{
        const char *host = "processor\t: 1\nvendor_id\t: AuthenticAMD\n";
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("1");
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, host);
        v = cpus("0");
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_cpuinfo_render(host, &v, out), 0);
        ck_assert_str_eq(out->str, "");
}
END_TEST

START_TEST(test_cpuinfo_malformed)
{
        PvCpuSet v = cpus("0");
        const char *bad[] = {
            "",
            "vendor_id\t: x\n\n",
            "processor\t: x\nvendor_id\t: y\n\n",
            "processor\t: 0\nphysical id\t: -1\n\n",
            "processor\t: 0\ncore id\t\t: \n\n",
            /* two ids in one block: CPU 1 hidden, yet shown with CPU 0 (tests/fuzz/fuzz-cpuinfo) */
            "processor:0\nprocessor:1",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(pv_cpuinfo_render(bad[i], &v, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
        }
}
END_TEST

static Suite *cpu_suite(void)
{
        Suite *s = suite_create("views-cpu");
        TCase *tc = tcase_create("cpu");
        tcase_add_test(tc, test_cpu_view);
        tcase_add_test(tc, test_cpulist_large);
        tcase_add_test(tc, test_cpuinfo_v1);
        tcase_add_test(tc, test_cpuinfo_sparse);
        tcase_add_test(tc, test_cpuinfo_512);
        tcase_add_test(tc, test_cpuinfo_global_block);
        tcase_add_test(tc, test_cpuinfo_no_package);
        tcase_add_test(tc, test_cpuinfo_malformed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(cpu_suite());
}
