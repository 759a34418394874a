/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "procview.h"

#include <errno.h>
#include <string.h>

#include "api.h"
#include "core.h"

int pv_get_cpuset(size_t setsize, cpu_set_t *set)
{
        PvCpuSet cur;
        int r = pv_lib_current_cpuset(&cur);
        if (r < 0)
                return r;
        if (!set || (size_t)pv_cpuset_last(&cur) >= setsize * 8)
                return -EINVAL;
        CPU_ZERO_S(setsize, set);
        for (int c = pv_cpuset_next(&cur, 0); c >= 0; c = pv_cpuset_next(&cur, (unsigned)c + 1))
                CPU_SET_S((size_t)c, setsize, set);
        return 0;
}

int pv_get_cpuset_list(char *buf, size_t len)
{
        PvCpuSet cur;
        int r = pv_lib_current_cpuset(&cur);
        if (r < 0)
                return r;
        if (!buf && len > 0)
                return -EINVAL;
        return (int)pv_cpuset_format(&cur, buf, len);
}

int pv_get_cpu_quota(uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        uint64_t q, p;
        int r = pv_lib_read_quota("", 0, &q, &p);
        if (r < 0)
                return r;
        if (ret_quota_us)
                *ret_quota_us = q;
        if (ret_period_us)
                *ret_period_us = p;
        return 0;
}

int pv_cpu_count(void)
{
        return (int)pv_lib_current_count();
}

int pv_get_memory_limit(uint64_t *ret_bytes)
{
        PvLibMemory m;
        int r = pv_lib_read_memory("", 0, &m);
        if (r < 0)
                return r;
        if (!ret_bytes)
                return -EINVAL;
        *ret_bytes = m.limit;
        return 0;
}

int pv_cpu_id(unsigned index)
{
        PvCpuSet cur;
        int r = pv_lib_current_cpuset(&cur);
        if (r < 0)
                return r;
        r = pv_cpuset_nth(&cur, index);
        return r < 0 ? -EINVAL : r;
}

int pv_pin_thread(pthread_t thread, unsigned index)
{
        int id = pv_cpu_id(index);
        if (id < 0)
                return id;
        size_t size = CPU_ALLOC_SIZE((size_t)id + 1);
        /* At most 1 KiB for PV_CPU_MAX CPUs: on the stack, no allocation. */
        uint64_t bits[PV_CPUSET_WORDS];
        cpu_set_t *mask = (cpu_set_t *)bits;
        memset(bits, 0, sizeof(bits));
        CPU_SET_S((size_t)id, size, mask);
        return -pthread_setaffinity_np(thread, size, mask);
}
