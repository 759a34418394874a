/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * pv-thread-reader main|thread SECONDS FILE: opens, reads to EOF and closes
 * FILE in a loop for SECONDS, on the main thread or on a second thread (a
 * FUSE request then carries a thread id, not the process id), and prints
 * "opens_per_s=N memtotal_kb=K", K from the MemTotal line of the last read
 * (-1 when there was none). Exits non-zero when any open or read failed.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run {
        const char *path;
        double seconds;
        unsigned long opens;
        long memtotal_kb;
        int err; /* errno of the first failure, 0 */
};

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *loop(void *arg)
{
        struct run *r = arg;
        static char buf[1 << 16];
        double end = now_s() + r->seconds;

        while (now_s() < end) {
                int fd = open(r->path, O_RDONLY | O_CLOEXEC);
                size_t len = 0;
                ssize_t n;
                if (fd < 0) {
                        r->err = errno;
                        break;
                }
                /* read to EOF: a view is rendered at open and sliced per read */
                while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 &&
                       len < sizeof(buf) - 1)
                        len += (size_t)n;
                if (n < 0)
                        r->err = errno;
                close(fd);
                if (r->err)
                        break;
                buf[len] = '\0';
                r->opens++;
                const char *m = strstr(buf, "MemTotal:");
                r->memtotal_kb = m ? strtol(m + 9, NULL, 10) : -1;
        }
        return NULL;
}

int main(int argc, char **argv)
{
        struct run r = {.memtotal_kb = -1};
        double start;

        if (argc != 4 || (strcmp(argv[1], "main") != 0 && strcmp(argv[1], "thread") != 0)) {
                fprintf(stderr, "usage: %s main|thread SECONDS FILE\n", argv[0]);
                return 2;
        }
        r.seconds = strtod(argv[2], NULL);
        r.path = argv[3];
        start = now_s();
        if (strcmp(argv[1], "thread") == 0) {
                pthread_t t;
                int e = pthread_create(&t, NULL, loop, &r);
                if (e) {
                        fprintf(stderr, "pthread_create: %s\n", strerror(e));
                        return 1;
                }
                pthread_join(t, NULL);
        } else {
                loop(&r);
        }
        printf("opens_per_s=%.0f memtotal_kb=%ld\n", (double)r.opens / (now_s() - start),
               r.memtotal_kb);
        if (r.err) {
                fprintf(stderr, "%s: %s\n", r.path, strerror(r.err));
                return 1;
        }
        return 0;
}
