/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Readers for the pid namespace flood test (pidns-flood.sh, and the VM's).
 *   pv-pidns-flood attack FILE WORKERS READERS SECONDS GATE
 *       For SECONDS or until GATE.end exists, while the file GATE exists (a
 *       test alternates with and without), WORKERS processes each make pid
 *       namespaces one after another: a new namespace whose init waits,
 *       and READERS processes in it that read FILE once each, whose parent is
 *       outside the namespace (as a reader that joined it by setns). Before
 *       Linux 6.11 only a scan of /proc finds such a reader's init. Prints
 *       "namespaces N reads N errors N (first error) unmade N (first error)":
 *       errors are failed reads, unmade namespaces or readers that could not
 *       be made (fork, unshare).
 *   pv-pidns-flood measure FILE COUNT GAP_MS [OUT]
 *       opens, reads to the end and closes FILE COUNT times, GAP_MS apart;
 *       prints "p50_us N p99_us N max_us N errors N (first error)", and
 *       appends each read's latency in us to OUT, a line each.
 *   pv-pidns-flood stats OUT
 *       prints the same of the latencies in OUT: "samples N p50_us N ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Shared by every process of an attack. */
typedef struct Counts {
        long namespaces;
        long read_errors;
        long unmade;
        int read_errno; /* the first failed read's */
        int unmade_errno;
} Counts;

static Counts *counts;

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void first_errno(int *slot, int e)
{
        int zero = 0;
        __atomic_compare_exchange_n(slot, &zero, e, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Reads path to the end: 0, or -errno. */
static int read_once(const char *path)
{
        char buf[16384];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                ;
        int r = n < 0 ? -errno : 0;
        close(fd);
        return r;
}

static void unmade(void)
{
        first_errno(&counts->unmade_errno, errno);
        __atomic_add_fetch(&counts->unmade, 1, __ATOMIC_RELAXED);
}

/* One namespace: its init waits for hold to close; readers read once. */
static void one_namespace(const char *path, int readers)
{
        int hold[2];
        if (pipe2(hold, O_CLOEXEC) < 0 || unshare(CLONE_NEWPID) < 0)
                return unmade();
        pid_t init = fork();
        if (init < 0)
                return unmade();
        if (init == 0) {
                char c;
                close(hold[1]);
                (void)!read(hold[0], &c, 1);
                _exit(0);
        }
        close(hold[0]);
        __atomic_add_fetch(&counts->namespaces, 1, __ATOMIC_RELAXED);
        int started = 0;
        for (int i = 0; i < readers; i++) {
                pid_t p = fork();
                if (p == 0) {
                        int r = read_once(path);
                        if (r < 0) {
                                first_errno(&counts->read_errno, -r);
                                __atomic_add_fetch(&counts->read_errors, 1, __ATOMIC_RELAXED);
                        }
                        _exit(0);
                }
                if (p > 0)
                        started++;
                else
                        unmade();
        }
        if (started == 0)
                close(hold[1]);
        pid_t p;
        while ((p = wait(NULL)) > 0)
                if (p != init && --started == 0)
                        close(hold[1]); /* the init exits */
}

static int attack(const char *path, int workers, int readers, double secs, const char *gate)
{
        counts =
            mmap(NULL, sizeof(*counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (counts == MAP_FAILED)
                return 1;
        double end = now() + secs;
        char stop[4096];
        snprintf(stop, sizeof(stop), "%s.end", gate);
        for (int w = 0; w < workers; w++) {
                if (fork() != 0)
                        continue;
                while (now() < end && access(stop, F_OK) < 0) {
                        if (access(gate, F_OK) < 0) {
                                usleep(2000);
                                continue;
                        }
                        /* a child per namespace: a process enters one new pid namespace only */
                        pid_t c = fork();
                        if (c == 0) {
                                one_namespace(path, readers);
                                _exit(0);
                        }
                        if (c < 0)
                                unmade();
                        else
                                waitpid(c, NULL, 0);
                }
                _exit(0);
        }
        while (wait(NULL) > 0)
                ;
        printf("namespaces %ld reads %ld errors %ld (%s) unmade %ld (%s)\n", counts->namespaces,
               counts->namespaces * readers - counts->unmade, counts->read_errors,
               strerror(counts->read_errno), counts->unmade, strerror(counts->unmade_errno));
        return 0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static void print_stats(double *lat, int count)
{
        qsort(lat, (size_t)count, sizeof(double), cmp_double);
        printf("samples %d p50_us %.0f p99_us %.0f max_us %.0f", count, lat[count / 2],
               lat[(count * 99) / 100], lat[count - 1]);
}

static int measure(const char *path, int count, int gap_ms, const char *out)
{
        double *lat = calloc((size_t)count, sizeof(double));
        int errors = 0, first = 0;
        if (!lat || count < 1)
                return 1;
        for (int i = 0; i < count; i++) {
                double t = now();
                int r = read_once(path);
                lat[i] = (now() - t) * 1e6;
                if (r < 0 && errors++ == 0)
                        first = -r;
                usleep((useconds_t)gap_ms * 1000);
        }
        FILE *f = out ? fopen(out, "ae") : NULL;
        for (int i = 0; f && i < count; i++)
                fprintf(f, "%.0f\n", lat[i]);
        if (f)
                fclose(f);
        print_stats(lat, count);
        printf(" errors %d (%s)\n", errors, strerror(first));
        free(lat);
        return out && !f;
}

static int stats(const char *out)
{
        FILE *f = fopen(out, "re");
        int count = 0, size = 1024;
        double *lat = malloc((size_t)size * sizeof(double));
        if (!f || !lat)
                return 1;
        while (fscanf(f, "%lf", &lat[count]) == 1)
                if (++count == size && !(lat = realloc(lat, (size_t)(size *= 2) * sizeof(double))))
                        return 1;
        fclose(f);
        if (count == 0)
                return 1;
        print_stats(lat, count);
        printf("\n");
        free(lat);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 7 && strcmp(argv[1], "attack") == 0)
                return attack(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]), argv[6]);
        if ((argc == 5 || argc == 6) && strcmp(argv[1], "measure") == 0)
                return measure(argv[2], atoi(argv[3]), atoi(argv[4]), argc == 6 ? argv[5] : NULL);
        if (argc == 3 && strcmp(argv[1], "stats") == 0)
                return stats(argv[2]);
        fprintf(stderr, "usage: pv-pidns-flood attack FILE WORKERS READERS SECONDS GATE\n"
                        "       pv-pidns-flood measure FILE COUNT GAP_MS [OUT]\n"
                        "       pv-pidns-flood stats OUT\n");
        return 2;
}
