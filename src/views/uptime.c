/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/uptime as a container sees it: "UPTIME IDLE\n", seconds with two
 * decimals. uptime is the time since the container started; idle is what the
 * caller computes as the container's idle time (the sum of idle over its
 * visible CPUs, as the kernel's second field sums idle over all CPUs).
 * Like fs/proc/uptime.c, the hundredths are truncated, not rounded
 * ("%lu.%02lu"), so 59.999 s reads 59.99 and never 60.00 before the minute.
 */
#include <errno.h>
#include <inttypes.h>

#include "views.h"

#define NSEC_PER_SEC UINT64_C(1000000000)
#define NSEC_PER_CENTISEC UINT64_C(10000000)

int pv_uptime_render(uint64_t uptime_ns, uint64_t idle_ns, GString *out)
{
        if (!out)
                return -EINVAL;
        g_string_append_printf(out, "%" PRIu64 ".%02" PRIu64 " %" PRIu64 ".%02" PRIu64 "\n",
                               uptime_ns / NSEC_PER_SEC,
                               uptime_ns % NSEC_PER_SEC / NSEC_PER_CENTISEC, idle_ns / NSEC_PER_SEC,
                               idle_ns % NSEC_PER_SEC / NSEC_PER_CENTISEC);
        return 0;
}

uint64_t pv_uptime_idle_ns(uint64_t up_ns, unsigned n_cpus, uint64_t busy_ns)
{
        /* 128 bits: 1024 CPUs times 209 days of uptime is already past 2^64 ns */
        unsigned __int128 capacity = (unsigned __int128)up_ns * n_cpus;
        if (capacity <= busy_ns)
                return 0;
        capacity -= busy_ns;
        return capacity > UINT64_MAX ? UINT64_MAX : (uint64_t)capacity;
}
