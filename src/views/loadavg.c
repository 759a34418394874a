/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/loadavg as a container sees it, computed the way the kernel computes
 * the host's (kernel/sched/loadavg.c, include/linux/sched/loadavg.h).
 *
 * The kernel folds the number of runnable plus uninterruptible tasks into
 * three averages once per LOAD_FREQ (5 s), in fixed point with FSHIFT = 11
 * fraction bits: avg' = (avg * e + active * (FIXED_1 - e)) / FIXED_1 with
 * e = EXP_1, EXP_5, EXP_15 = 1884, 2014, 2037 (2048 / exp(5 s / tau) for tau
 * = 1, 5, 15 minutes). The division rounds up while the average climbs
 * (active >= avg) and down while it falls, so a steady count is reached
 * exactly and an idle container decays to 0.00. When ticks were missed
 * (NO_HZ), the kernel folds n of them at once with e^n, the power taken in
 * fixed point with rounding at each squaring and product (calc_load_n):
 * pv_loadavg_fold does the same for a sampler that woke late. The averages
 * start at 0, as the host's do at boot.
 *
 * pv_loadavg_render prints what the kernel's /proc/loadavg prints: each average
 * plus FIXED_1 / 200 (a half of the last digit), as integer part and two
 * decimals of fixed point, "R/T" (running tasks of the container, its
 * threads) and the last pid (the caller's, translated to the reader's pid
 * namespace).
 */
#include <errno.h>
#include "views.h"

#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)

static const unsigned long exp_tick[3] = {1884, 2014, 2037};

/* x^n for x in fixed point, rounding each product to nearest */
static unsigned long fixed_pow(unsigned long x, unsigned n)
{
        unsigned long r = FIXED_1;
        const unsigned long half = FIXED_1 >> 1;

        while (n) {
                if (n & 1)
                        r = (r * x + half) >> FSHIFT;
                n >>= 1;
                if (n)
                        x = (x * x + half) >> FSHIFT;
        }
        return r;
}

/* One fold with decay factor e of the fixed-point count active into avg. */
static unsigned long fold(unsigned long avg, unsigned long e, unsigned long active)
{
        unsigned long sum = avg * e + active * (FIXED_1 - e);
        if (active >= avg)
                sum += FIXED_1 - 1;
        return sum / FIXED_1;
}

void pv_loadavg_fold(PvLoadAvg *avg, unsigned active, unsigned ticks)
{
        if (ticks == 0)
                return;
        unsigned long a = (unsigned long)active << FSHIFT;
        for (int i = 0; i < 3; i++) {
                unsigned long e = ticks == 1 ? exp_tick[i] : fixed_pow(exp_tick[i], ticks);
                avg->avenrun[i] = fold(avg->avenrun[i], e, a);
        }
}

int pv_loadavg_render(const PvLoadAvg *avg, const PvTaskCounts *tasks, GString *out)
{
        if (!avg || !tasks || !out)
                return -EINVAL;
        unsigned long whole[3], hundredths[3];
        for (int i = 0; i < 3; i++) {
                unsigned long v = avg->avenrun[i] + FIXED_1 / 200;
                whole[i] = v >> FSHIFT;
                hundredths[i] = ((v & (FIXED_1 - 1)) * 100) >> FSHIFT;
        }
        g_string_append_printf(out, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n", whole[0],
                               hundredths[0], whole[1], hundredths[1], whole[2], hundredths[2],
                               tasks->running, tasks->total, (int)tasks->last_pid);
        return 0;
}
