/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readers for the pid namespace flood test (pidns-flood.sh, and the VM's).
 *   pv-pidns-flood attack FILE WORKERS READERS SECONDS
 *       WORKERS processes each make pid namespaces one after another: a new
 *       namespace whose init waits, and READERS processes in it that read
 *       FILE once each, whose parent is outside the namespace (as a reader
 *       that joined it by setns). Before Linux 6.11 only a scan of /proc
 *       finds such a reader's init. Prints "namespaces N reads N errors N".
 *   pv-pidns-flood measure FILE COUNT GAP_MS
 *       opens, reads to the end and closes FILE COUNT times, GAP_MS apart;
 *       prints "p50_us N p99_us N max_us N errors N (first error)".
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads path to the end: 0, or -1. */
static int read_once(const char *path)
{
        char buf[16384];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                ;
        close(fd);
        return n < 0 ? -1 : 0;
}

/* One namespace: its init waits for hold to close; readers read once. Returns readers that failed.
 */
static int one_namespace(const char *path, int readers)
{
        int hold[2];
        if (pipe2(hold, O_CLOEXEC) < 0 || unshare(CLONE_NEWPID) < 0)
                return -1;
        pid_t init = fork();
        if (init < 0)
                return -1;
        if (init == 0) {
                char c;
                close(hold[1]);
                (void)!read(hold[0], &c, 1);
                _exit(0);
        }
        close(hold[0]);
        int started = 0, failed = 0, status;
        for (int i = 0; i < readers; i++) {
                pid_t p = fork();
                if (p == 0)
                        _exit(read_once(path) < 0 ? 1 : 0);
                if (p > 0)
                        started++;
                else
                        failed++;
        }
        if (started == 0)
                close(hold[1]);
        pid_t p;
        while ((p = wait(&status)) > 0) {
                if (p == init)
                        continue;
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        failed++;
                if (--started == 0)
                        close(hold[1]); /* the init exits */
        }
        return failed;
}

static int attack(const char *path, int workers, int readers, double secs)
{
        long *counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (counts == MAP_FAILED)
                return 1;
        double end = now() + secs;
        for (int w = 0; w < workers; w++) {
                if (fork() != 0)
                        continue;
                long made = 0, errors = 0;
                while (now() < end) {
                        /* a child per namespace: a process enters one new pid namespace only */
                        pid_t c = fork();
                        if (c == 0)
                                _exit((unsigned char)one_namespace(path, readers));
                        int status;
                        if (c < 0 || waitpid(c, &status, 0) < 0 || !WIFEXITED(status))
                                errors++;
                        else
                                errors += WEXITSTATUS(status) == 255 ? 1 : WEXITSTATUS(status);
                        made++;
                }
                __atomic_add_fetch(&counts[0], made, __ATOMIC_RELAXED);
                __atomic_add_fetch(&counts[1], errors, __ATOMIC_RELAXED);
                _exit(0);
        }
        while (wait(NULL) > 0)
                ;
        printf("namespaces %ld reads %ld errors %ld\n", counts[0], counts[0] * readers, counts[1]);
        return 0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static int measure(const char *path, int count, int gap_ms)
{
        double *lat = calloc((size_t)count, sizeof(double));
        int errors = 0, first_errno = 0;
        if (!lat || count < 1)
                return 1;
        for (int i = 0; i < count; i++) {
                double t = now();
                if (read_once(path) < 0 && errors++ == 0)
                        first_errno = errno;
                lat[i] = (now() - t) * 1e6;
                usleep((useconds_t)gap_ms * 1000);
        }
        qsort(lat, (size_t)count, sizeof(double), cmp_double);
        printf("p50_us %.0f p99_us %.0f max_us %.0f errors %d (%s)\n", lat[count / 2],
               lat[(count * 99) / 100], lat[count - 1], errors, strerror(first_errno));
        free(lat);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 6 && strcmp(argv[1], "attack") == 0)
                return attack(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
        if (argc == 5 && strcmp(argv[1], "measure") == 0)
                return measure(argv[2], atoi(argv[3]), atoi(argv[4]));
        fprintf(stderr, "usage: pv-pidns-flood attack FILE WORKERS READERS SECONDS\n"
                        "       pv-pidns-flood measure FILE COUNT GAP_MS\n");
        return 2;
}
