/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv-bench namespaces: COUNT mount namespaces, each holding a process that
 * bound procview's files over /proc and /sys as a container runtime does,
 * for the repair mode of run-bench.sh. pv-bench reads: one reader's latency
 * of open+read+close of a file for a while, to show whether the repair
 * disturbs the readers of live containers.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char *const files[] = {"proc/meminfo", "proc/cpuinfo",          "proc/stat",
                                    "proc/uptime",  "proc/loadavg",          "proc/diskstats",
                                    "proc/swaps",   "sys/devices/system/cpu"};
#define N_FILES (sizeof(files) / sizeof(files[0]))

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child: its own mount namespace with the views bound, then a wait for death. */
static void container(const char *mnt, int ready)
{
        char src[4096], dst[4096];

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                _exit(1);
        for (size_t i = 0; i < N_FILES; i++) {
                snprintf(src, sizeof(src), "%s/%s", mnt, files[i]);
                snprintf(dst, sizeof(dst), "/%s", files[i]);
                if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0) {
                        fprintf(stderr, "pv-bench namespaces: bind %s: %m\n", dst);
                        _exit(1);
                }
        }
        if (write(ready, "x", 1) != 1)
                _exit(1);
        for (;;)
                pause();
}

int bench_namespaces_main(int argc, char **argv)
{
        int p[2];
        unsigned count;
        double t0;
        char c;

        if (argc != 3) {
                fprintf(stderr, "usage: pv-bench namespaces COUNT MOUNTPOINT\n"
                                "Prints the pid of each namespace's process, then 'ready', and "
                                "keeps them until stdin closes.\n");
                return 2;
        }
        count = (unsigned)strtoul(argv[1], NULL, 10);
        if (pipe(p) < 0)
                return 1;
        t0 = now_s();
        for (unsigned i = 0; i < count; i++) {
                pid_t pid = fork();
                if (pid < 0) {
                        perror("pv-bench namespaces: fork");
                        return 1;
                }
                if (pid == 0) {
                        close(p[0]);
                        container(argv[2], p[1]);
                }
                printf("%d\n", (int)pid);
        }
        close(p[1]);
        for (unsigned i = 0; i < count; i++)
                if (read(p[0], &c, 1) != 1) {
                        fprintf(stderr, "pv-bench namespaces: a namespace failed\n");
                        return 1;
                }
        printf("ready %u namespaces, %u mounts, in %.2f s\n", count, count * (unsigned)N_FILES,
               now_s() - t0);
        fflush(stdout);
        while (read(STDIN_FILENO, &c, 1) > 0)
                ;
        signal(SIGTERM, SIG_IGN);
        kill(0, SIGTERM);
        return 0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

int bench_reads_main(int argc, char **argv)
{
        static char buf[1 << 16];
        size_t n = 0, cap = 1 << 16, errors = 0;
        double *lat, end;

        if (argc != 3) {
                fprintf(stderr, "usage: pv-bench reads FILE SECONDS\n");
                return 2;
        }
        lat = malloc(cap * sizeof(*lat));
        end = now_s() + strtod(argv[2], NULL);
        while (now_s() < end && lat) {
                double t = now_s();
                int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
                ssize_t k = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
                if (fd >= 0)
                        close(fd);
                if (k <= 0) {
                        errors++;
                        continue;
                }
                if (n == cap)
                        lat = realloc(lat, (cap *= 2) * sizeof(*lat));
                if (lat)
                        lat[n++] = now_s() - t;
        }
        if (!lat || n == 0) {
                printf("reads 0 errors %zu\n", errors);
                return 1;
        }
        qsort(lat, n, sizeof(*lat), cmp_double);
        printf("reads %zu errors %zu p50 %.0f p99 %.0f max %.0f\n", n, errors, lat[n / 2] * 1e6,
               lat[n * 99 / 100] * 1e6, lat[n - 1] * 1e6);
        free(lat);
        return errors ? 1 : 0;
}
