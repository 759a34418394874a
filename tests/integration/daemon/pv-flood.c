/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hostile reader for the daemon's memory tests.
 *   pv-flood churn FILE THREADS SECONDS   THREADS threads open, read to the end and close FILE
 *                                         as fast as they can; prints "opens N errors N"
 *   pv-flood hold FILE COUNT SECONDS      opens FILE COUNT times without reading (in as many
 *                                         processes as the open file limit needs), holds the
 *                                         handles for SECONDS, then reads one in each process;
 *                                         prints "held N refused N errno E", "read after hold: ok"
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static double deadline;
static long total_opens, total_errors;
static int churn_errno;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *churn(void *arg)
{
        char buf[65536];
        long opens = 0, errors = 0;

        while (now() < deadline) {
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        errors++;
                        __atomic_store_n(&churn_errno, errno, __ATOMIC_RELAXED);
                        continue;
                }
                while (read(fd, buf, sizeof(buf)) > 0)
                        ;
                close(fd);
                opens++;
        }
        pthread_mutex_lock(&lock);
        total_opens += opens;
        total_errors += errors;
        pthread_mutex_unlock(&lock);
        return NULL;
}

/*
 * Opens up to want handles in this process (its open file limit permitting),
 * returns how many; counts refusals and the last errno.
 */
static long open_many(long want, long *refused, int *last_errno, int *first)
{
        long held = 0;
        for (long i = 0; i < want; i++) {
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        if (errno == EMFILE && *refused == 0 && held == 0)
                                break; /* our own limit, not the daemon's */
                        (*refused)++;
                        *last_errno = errno;
                        if (*refused > 1000)
                                break;
                        continue;
                }
                if (*first < 0)
                        *first = fd;
                held++;
        }
        return held;
}

/*
 * Holds count handles, in as many processes as the open file limit needs
 * (all of them in this process's cgroup), for secs; then reads one.
 */
static int hold(long count, double secs)
{
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        long per = (long)rl.rlim_cur - 64;
        long held = 0, refused = 0;
        int last_errno = 0, pipefd[2], release[2];

        /* the children hold their handles until all are open and secs have passed */
        if (pipe(pipefd) < 0 || pipe(release) < 0)
                return 1;
        for (long start = 0; start < count && refused == 0; start += per) {
                long want = count - start < per ? count - start : per;
                pid_t pid = fork();
                if (pid == 0) {
                        close(release[1]);
                        long r = 0;
                        int e = 0, first = -1;
                        long h = open_many(want, &r, &e, &first);
                        long msg[3] = {h, r, e};
                        if (write(pipefd[1], msg, sizeof(msg)) < 0)
                                _exit(1);
                        char c;
                        while (read(release[0], &c, 1) > 0)
                                ;
                        char buf[4096];
                        ssize_t n = first >= 0 ? pread(first, buf, sizeof(buf), 0) : -1;
                        _exit(n > 0 ? 0 : 1);
                }
                long msg[3];
                if (read(pipefd[0], msg, sizeof(msg)) != sizeof(msg))
                        return 1;
                held += msg[0];
                refused += msg[1];
                if (msg[1])
                        last_errno = (int)msg[2];
        }
        printf("held %ld refused %ld errno %d\n", held, refused, last_errno);
        fflush(stdout);
        usleep((useconds_t)(secs * 1e6));
        close(release[1]);
        int failed = 0, status;
        while (wait(&status) > 0)
                failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
        printf("read after hold: %s\n", failed ? "failed" : "ok");
        return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
        if (argc != 5) {
                fprintf(stderr, "usage: pv-flood churn|hold FILE N SECONDS\n");
                return 2;
        }
        path = argv[2];
        long n = atol(argv[3]);
        double secs = atof(argv[4]);

        if (strcmp(argv[1], "churn") == 0) {
                pthread_t *t = calloc((size_t)n, sizeof(*t));
                deadline = now() + secs;
                long started = 0;
                while (started < n && pthread_create(&t[started], NULL, churn, NULL) == 0)
                        started++;
                for (long i = 0; i < started; i++)
                        pthread_join(t[i], NULL);
                free(t);
                if (started < n)
                        return 1;
                printf("opens %ld errors %ld errno %d\n", total_opens, total_errors, churn_errno);
                return 0;
        }
        if (strcmp(argv[1], "hold") == 0)
                return hold(n, secs);
        return 2;
}
