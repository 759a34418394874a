/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/loadavg as a container sees it.
 *
 * The kernel (kernel/sched/loadavg.c) folds the number of runnable plus
 * uninterruptible tasks every 5 s into three exponentially decaying averages
 * with time constants of 1, 5 and 15 minutes:
 *   avg = avg * e + active * (1 - e),  e = exp(-interval / tau).
 * pv_loadavg_update does the same with the real interval between two samples
 * of the container's tasks (which need not be 5 s), so the averages do not
 * depend on how often the caller samples. The first sample primes all three
 * averages to its value: a container that starts busy reads busy at once
 * instead of climbing from 0, and one that starts idle reads 0. A negative or
 * zero interval changes nothing.
 *
 * exp() is computed without libm, as the kernel's calc_load_n() does with
 * fixed_power_int(): e^(-t/tau) = (e^(-1/tau))^whole_seconds times a short
 * Taylor series for the fraction of a second (|x| < 1/60, 6 terms: error
 * below 1e-15), so the core needs no extra library.
 *
 * loadavg_render prints the kernel's line, "%.2f %.2f %.2f R/T LASTPID\n":
 * R = running tasks of the container, T = its threads, LASTPID the pid of
 * its newest task in that task's own pid namespace (the caller translates
 * the host pid). An average not yet primed reads 0.00.
 */
#include <errno.h>
#include <stdint.h>

#include "views.h"

static const double tau_s[3] = {60.0, 300.0, 900.0};
/* exp(-1 / tau) for the three time constants */
static const double decay_1s[3] = {0.9834714538216175, 0.9966722160545233, 0.9988895059442793};

/* exp(-t / tau) for t >= 0 */
static double decay(unsigned i, double t)
{
        /* beyond ~40 time constants the factor is below 1e-17: 0 */
        if (t > 40.0 * tau_s[i])
                return 0.0;
        uint64_t whole = (uint64_t)t;
        double x = -(t - (double)whole) / tau_s[i], term = 1.0, frac = 1.0;
        for (int k = 1; k <= 6; k++) {
                term *= x / k;
                frac += term;
        }
        double base = decay_1s[i], r = 1.0;
        for (; whole; whole >>= 1, base *= base)
                if (whole & 1)
                        r *= base;
        return r * frac;
}

void pv_loadavg_update(PvLoadAvg *avg, unsigned active, double interval_s)
{
        if (!avg->primed) {
                for (int i = 0; i < 3; i++)
                        avg->avg[i] = active;
                avg->primed = true;
                return;
        }
        if (!(interval_s > 0))
                return;
        for (int i = 0; i < 3; i++) {
                double e = decay((unsigned)i, interval_s);
                avg->avg[i] = avg->avg[i] * e + (double)active * (1.0 - e);
        }
}

int loadavg_render(const PvLoadAvg *avg, const PvTaskCounts *tasks, GString *out)
{
        if (!avg || !tasks || !out)
                return -EINVAL;
        double a[3] = {0, 0, 0};
        if (avg->primed)
                for (int i = 0; i < 3; i++)
                        a[i] = avg->avg[i];
        g_string_append_printf(out, "%.2f %.2f %.2f %u/%u %d\n", a[0], a[1], a[2], tasks->running,
                               tasks->total, (int)tasks->last_pid);
        return 0;
}
