/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU time of the daemons under test, read from /proc/PID/stat (utime +
 * stime, in clock ticks; threads that exited are included, unlike per-thread
 * schedstat). The reader runs in its own pid namespace but sees the host's
 * /proc, so the pids are the host's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "bench.h"

int bench_cpu_parse_pids(const char *text, GArray *ret)
{
        g_auto(GStrv) parts = g_strsplit(text, ",", -1);

        for (char **s = parts; *s; s++) {
                char *end;
                long v = strtol(*s, &end, 10);

                if (*end != '\0' || end == *s || v < 1 || v > G_MAXINT)
                        return -EINVAL;
                int pid = (int)v;
                g_array_append_val(ret, pid);
        }
        return ret->len > 0 ? 0 : -EINVAL;
}

/* utime + stime of one process in ticks, or -1. */
static long long process_ticks(int pid)
{
        char path[64], buf[1024];
        unsigned long long utime, stime;
        const char *p;
        FILE *f;
        size_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        /* comm may hold spaces and parentheses: the fields follow the last ")". */
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                         &stime) != 2)
                return -1;
        return (long long)(utime + stime);
}

double bench_cpu_seconds(const GArray *pids)
{
        long long sum = 0;

        if (!pids || pids->len == 0)
                return -1;
        for (guint i = 0; i < pids->len; i++) {
                long long t = process_ticks(g_array_index(pids, int, i));

                if (t < 0)
                        return -1;
                sum += t;
        }
        return (double)sum / (double)sysconf(_SC_CLK_TCK);
}
