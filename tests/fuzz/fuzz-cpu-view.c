/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_cpu_view on arbitrary sets and quotas: the view is never empty when
 * the host has an online CPU; it is within cpuset & online unless that is
 * empty (then it is the lowest online CPU alone); in quota mode with a limit
 * it holds at most ceil(quota/period) CPUs, the lowest ones. Then
 * pv_cpulist_render of the view parses back to the same set.
 */
#include <errno.h>

#include "fuzz-input.h"
#include "views/views.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in = {data, size};
        PvCpuSet cpuset, online, view, both;
        fuzz_cpuset(&in, &cpuset);
        fuzz_cpuset(&in, &online);
        uint64_t quota = fuzz_u64(&in), period = fuzz_u64(&in);
        uint8_t sel = fuzz_u8(&in);
        if (sel & 2) /* realistic values most of the time */
                quota %= 1000000, period %= 1000000;
        PvCpuViewMode mode = sel & 1 ? PV_CPU_VIEW_QUOTA : PV_CPU_VIEW_CPUSET;

        pv_cpu_view(&cpuset, &online, quota, period, mode, &view);

        both = cpuset;
        pv_cpuset_and(&both, &online);
        unsigned n_view = pv_cpuset_count(&view), n_both = pv_cpuset_count(&both);
        if (pv_cpuset_count(&online) == 0) {
                FUZZ_CHECK(n_view == 0);
        } else if (n_both == 0) {
                FUZZ_CHECK(n_view == 1);
                FUZZ_CHECK(pv_cpuset_next(&view, 0) == pv_cpuset_next(&online, 0));
        } else {
                PvCpuSet inside = view;
                pv_cpuset_and(&inside, &both);
                FUZZ_CHECK(pv_cpuset_equal(&inside, &view));
                uint64_t want = n_both;
                if (mode == PV_CPU_VIEW_QUOTA && quota > 0 && period > 0) {
                        uint64_t ceil = quota / period + (quota % period ? 1 : 0);
                        if (ceil < want)
                                want = ceil;
                }
                FUZZ_CHECK(n_view == want);
                /* the lowest ones: the last of the view is below every CPU of both it left out */
                int last = pv_cpuset_last(&view);
                int next = pv_cpuset_next(&both, (unsigned)last + 1);
                FUZZ_CHECK(n_view == n_both ? next < 0 : next > last);
        }

        GString *out = g_string_new(NULL);
        FUZZ_CHECK(pv_cpulist_render(&view, out) == 0);
        FUZZ_CHECK(out->len > 0 && out->str[out->len - 1] == '\n');
        PvCpuSet back;
        FUZZ_CHECK(pv_cpuset_parse(out->str, &back) == 0);
        FUZZ_CHECK(pv_cpuset_equal(&back, &view));
        g_string_free(out, TRUE);
        return 0;
}
