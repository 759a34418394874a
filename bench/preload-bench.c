/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv-preload-bench [CALLS [ROUNDS]]: the cost of sysconf(_SC_NPROCESSORS_ONLN)
 * through libprocview-preload against glibc's own, in one process started
 * with LD_PRELOAD=libprocview-preload.so. glibc's sysconf stays reachable as
 * __sysconf, which the preload does not interpose, so both are timed in the
 * same process, in alternating rounds (the median round of each is kept), on
 * the same cgroups. Prints one line ending in the ratio preload/plain.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern long __sysconf(int name);

static double now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

/* volatile: the calls' results are kept, so no call is optimised away */
static volatile long sink;

static double per_call_ns(long (*f)(int), long calls)
{
        double t0 = now_ns();
        for (long i = 0; i < calls; i++)
                sink = f(_SC_NPROCESSORS_ONLN);
        return (now_ns() - t0) / (double)calls;
}

int main(int argc, char **argv)
{
        long calls = argc > 1 ? atol(argv[1]) : 20000;
        int rounds = argc > 2 ? atoi(argv[2]) : 15;
        Dl_info info;

        if (calls < 1 || rounds < 1 || rounds > 1000) {
                fprintf(stderr, "usage: %s [CALLS [ROUNDS]]\n", argv[0]);
                return 2;
        }
        /* Without the preload both columns would time glibc: say so rather than print 1.00. */
        if (!dladdr((void *)sysconf, &info) || !info.dli_fname ||
            !strstr(info.dli_fname, "procview-preload")) {
                fprintf(stderr, "pv-preload-bench: sysconf() is not the preload's (LD_PRELOAD?)\n");
                return 1;
        }
        double *plain = calloc((size_t)rounds, sizeof(double));
        double *pre = calloc((size_t)rounds, sizeof(double));
        if (!plain || !pre)
                return 1;
        per_call_ns(sysconf, calls / 10 + 1); /* warm up: the first call fills the cache */
        per_call_ns(__sysconf, calls / 10 + 1);
        for (int r = 0; r < rounds; r++) {
                plain[r] = per_call_ns(__sysconf, calls);
                pre[r] = per_call_ns(sysconf, calls);
        }
        qsort(plain, (size_t)rounds, sizeof(double), cmp_double);
        qsort(pre, (size_t)rounds, sizeof(double), cmp_double);
        double p = plain[rounds / 2], q = pre[rounds / 2];
        printf("sysconf(_SC_NPROCESSORS_ONLN): plain %.0f ns (%ld), preload %.0f ns (%ld), "
               "ratio preload/plain %.2f\n",
               p, __sysconf(_SC_NPROCESSORS_ONLN), q, sysconf(_SC_NPROCESSORS_ONLN), q / p);
        free(plain);
        free(pre);
        return 0;
}
