/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure rules of the libprocview core: CPU counts, the PROCVIEW_CPUS override, masks. */
#include "core.h"

#include <errno.h>
#include <string.h>

#include "parse-limit.h"
#include "fileio.h"

unsigned pv_lib_effective_count(unsigned cpuset_count, uint64_t quota_us, uint64_t period_us)
{
        unsigned n = cpuset_count;
        unsigned q = pv_quota_cpus(quota_us, period_us);
        if (q > 0 && (n == 0 || q < n))
                n = q;
        return n ? n : 1;
}

int pv_lib_parse_cpus_override(const char *text, unsigned *ret)
{
        uint64_t v;
        if (!text || pv_parse_u64_or_max(text, &v) < 0 || v == 0 || v > PV_CPU_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int pv_lib_remap_mask(const PvCpuSet *allowed, const PvCpuSet *mask, PvCpuSet *ret)
{
        PvCpuSet both = *mask, out;
        unsigned n = pv_cpuset_count(allowed);

        pv_cpuset_and(&both, allowed);
        if (n == 0 || pv_cpuset_count(&both) > 0)
                return 0;
        pv_cpuset_zero(&out);
        for (int i = pv_cpuset_next(mask, 0); i >= 0 && (unsigned)i < n;
             i = pv_cpuset_next(mask, (unsigned)i + 1))
                pv_cpuset_add(&out, (unsigned)pv_cpuset_nth(allowed, (unsigned)i));
        if (pv_cpuset_count(&out) == 0)
                return 0;
        *ret = out;
        return 1;
}

int pv_lib_remap_affinity(const PvCpuSet *allowed, size_t size, const cpu_set_t *mask,
                          uint64_t out[PV_CPUSET_WORDS], size_t *ret_size)
{
        size_t bits = size < PV_CPUSET_WORDS * 8 ? size * 8 : PV_CPU_MAX;
        PvCpuSet in, res;

        if (!mask || size == 0)
                return 0;
        pv_cpuset_zero(&in);
        for (size_t c = 0; c < bits; c++)
                if (CPU_ISSET_S(c, size, mask))
                        pv_cpuset_add(&in, (unsigned)c);
        if (pv_lib_remap_mask(allowed, &in, &res) != 1)
                return 0;
        /*
         * Keep the caller's size where it fits; a larger one (a CPU_ALLOC()ed
         * mask for more than PV_CPU_MAX CPUs) shrinks to what the result needs.
         */
        size_t need = CPU_ALLOC_SIZE((size_t)pv_cpuset_last(&res) + 1);
        size_t nsize = need > size ? need : size;
        if (nsize > PV_CPUSET_WORDS * 8)
                nsize = need;
        memset(out, 0, PV_CPUSET_WORDS * 8);
        for (int c = pv_cpuset_next(&res, 0); c >= 0; c = pv_cpuset_next(&res, (unsigned)c + 1))
                CPU_SET_S((size_t)c, nsize, (cpu_set_t *)out);
        *ret_size = nsize;
        return 1;
}
