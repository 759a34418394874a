/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv-readdir-race MNT SECONDS THREADS: many threads open, list, seek in and
 * close procviewd's directories at once, while reader processes are killed
 * in the middle of listings. A directory closed right after the reply to its
 * last READDIR sends RELEASEDIR, which another daemon thread may serve while
 * the thread that replied is still in its READDIR handler: the race any state
 * a directory handle kept would have to survive (in the sanitizer build a use
 * after free fails the test). A killed reader adds interrupted requests and
 * half-read directories released at its exit.
 *
 * Every listing, whatever the buffer size and wherever it starts, must be
 * the part of the directory's first listing that follows that offset: an
 * offset returned in d_off names the same place for as long as the
 * directory's entries do not change.
 *
 * Prints "ok ..." and exits 0, or prints the first difference and exits 1.
 * With --victim MNT it only lists, forever, until killed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENTRIES 512
#define MAX_DIRS 8

typedef struct Listing {
        char path[4096];
        size_t n;
        char names[MAX_ENTRIES][64];
        int64_t offs[MAX_ENTRIES]; /* d_off of each entry: where the one after it starts */
} Listing;

static Listing dirs[MAX_DIRS];
static size_t n_dirs;
static atomic_bool failed;
static atomic_ulong n_listings, n_seeks;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
        va_list ap;
        pthread_mutex_lock(&report_lock);
        if (!atomic_exchange(&failed, true)) {
                printf("FAIL: ");
                va_start(ap, fmt);
                vprintf(fmt, ap);
                va_end(ap);
                putchar('\n');
                fflush(stdout);
        }
        pthread_mutex_unlock(&report_lock);
}

/*
 * Reads fd's entries from where it stands to the end with getdents64 calls of
 * bufsize bytes into ret (names and offsets). Returns 0, or -errno.
 */
static int list_rest(int fd, size_t bufsize, Listing *ret)
{
        char buf[65536] __attribute__((aligned(8)));
        if (bufsize > sizeof(buf))
                bufsize = sizeof(buf);
        ret->n = 0;
        for (;;) {
                long n = syscall(SYS_getdents64, fd, buf, bufsize);
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                for (long pos = 0; pos < n;) {
                        struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + pos);
                        if (ret->n == MAX_ENTRIES)
                                return -E2BIG;
                        snprintf(ret->names[ret->n], sizeof(ret->names[0]), "%s", d->d_name);
                        ret->offs[ret->n] = d->d_off;
                        ret->n++;
                        pos += d->d_reclen;
                }
        }
}

/* The smallest buffer getdents64 accepts holds the longest entry: 19 bytes, the name, its NUL. */
static size_t pick_bufsize(unsigned *seed)
{
        static const size_t sizes[] = {96, 128, 200, 512, 4096, 65536};
        return sizes[rand_r(seed) % (sizeof(sizes) / sizeof(sizes[0]))];
}

/* One open, a listing from a random place, one close; checked against the first listing. */
static void one_round(const Listing *ref, unsigned *seed)
{
        static __thread Listing got;
        size_t bufsize = pick_bufsize(seed);
        int fd = open(ref->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                report("open %s: %s", ref->path, strerror(errno));
                return;
        }
        size_t from = 0; /* index of the first entry expected */
        int what = rand_r(seed) % 4;
        if (what == 1 || what == 2) {
                /* to the end of a random entry (0: the start), as telldir/seekdir do */
                from = (size_t)rand_r(seed) % (ref->n + 1);
                off_t to = from == 0 ? 0 : ref->offs[from - 1];
                if (lseek(fd, to, SEEK_SET) != to) {
                        report("lseek %s to %lld: %s", ref->path, (long long)to, strerror(errno));
                        close(fd);
                        return;
                }
                atomic_fetch_add(&n_seeks, 1);
        } else if (what == 3) {
                /* past the last entry: nothing more, and no error */
                off_t to = ref->offs[ref->n - 1] + 1000;
                if (lseek(fd, to, SEEK_SET) != to) {
                        report("lseek %s past the end: %s", ref->path, strerror(errno));
                        close(fd);
                        return;
                }
                from = ref->n;
                atomic_fetch_add(&n_seeks, 1);
        }
        int r = list_rest(fd, bufsize, &got);
        close(fd);
        if (r < 0) {
                report("listing %s (buffer %zu, from entry %zu): %s", ref->path, bufsize, from,
                       strerror(-r));
                return;
        }
        if (got.n != ref->n - from) {
                report("%s (buffer %zu, from entry %zu): %zu entries, want %zu", ref->path, bufsize,
                       from, got.n, ref->n - from);
                return;
        }
        for (size_t i = 0; i < got.n; i++) {
                if (strcmp(got.names[i], ref->names[from + i]) != 0 ||
                    got.offs[i] != ref->offs[from + i]) {
                        report("%s (buffer %zu, from entry %zu): entry %zu is %s at %lld, want %s "
                               "at %lld",
                               ref->path, bufsize, from, from + i, got.names[i],
                               (long long)got.offs[i], ref->names[from + i],
                               (long long)ref->offs[from + i]);
                        return;
                }
        }
        atomic_fetch_add(&n_listings, 1);
}

static double deadline;

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *checker(void *arg)
{
        unsigned seed = (unsigned)(uintptr_t)arg;
        while (!atomic_load(&failed) && now() < deadline)
                one_round(&dirs[(size_t)rand_r(&seed) % n_dirs], &seed);
        return NULL;
}

/* A victim's thread: lists with small buffers, leaving some directories half read. */
static void *victim(void *arg)
{
        unsigned seed = (unsigned)(uintptr_t)arg;
        static __thread Listing scratch;
        for (;;) {
                const Listing *d = &dirs[(size_t)rand_r(&seed) % n_dirs];
                int fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                if (rand_r(&seed) % 2)
                        lseek(fd, d->offs[(size_t)rand_r(&seed) % d->n], SEEK_SET);
                list_rest(fd, 96, &scratch);
                close(fd);
        }
        return NULL;
}

static int add_dirs(const char *mnt)
{
        static const char *const subdirs[] = {
            "",
            "/proc",
            "/proc/pressure",
            "/sys",
            "/sys/devices/system/cpu",
            "/sys/devices/system/cpu/cpu0",
            "/sys/devices/system/cpu/cpu1",
        };
        for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
                Listing *l = &dirs[n_dirs];
                snprintf(l->path, sizeof(l->path), "%s%s", mnt, subdirs[i]);
                int fd = open(l->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        continue; /* a CPU outside the reader's cpuset has no directory */
                int r = list_rest(fd, 65536, l);
                close(fd);
                if (r < 0) {
                        printf("FAIL: listing %s: %s\n", l->path, strerror(-r));
                        return -1;
                }
                if (l->n < 2 || strcmp(l->names[0], ".") != 0 || strcmp(l->names[1], "..") != 0) {
                        printf("FAIL: %s does not start with . and ..\n", l->path);
                        return -1;
                }
                n_dirs++;
        }
        if (n_dirs < 5) {
                printf("FAIL: only %zu of procviewd's directories under %s\n", n_dirs, mnt);
                return -1;
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc == 3 && strcmp(argv[1], "--victim") == 0) {
                if (add_dirs(argv[2]) < 0)
                        return 1;
                pthread_t t;
                for (uintptr_t i = 1; i < 4; i++)
                        pthread_create(&t, NULL, victim, (void *)(i * 7919 + (uintptr_t)getpid()));
                victim((void *)(uintptr_t)getpid());
                return 0;
        }
        if (argc != 4) {
                fprintf(stderr, "usage: %s MNT SECONDS THREADS | --victim MNT\n", argv[0]);
                return 2;
        }
        const char *mnt = argv[1];
        double secs = atof(argv[2]);
        int n_threads = atoi(argv[3]);
        if (n_threads < 1 || n_threads > 256 || secs <= 0)
                return 2;
        if (add_dirs(mnt) < 0)
                return 1;

        deadline = now() + secs;
        pthread_t threads[256];
        for (int i = 0; i < n_threads; i++)
                pthread_create(&threads[i], NULL, checker, (void *)(uintptr_t)(i * 104729 + 1));

        /* Meanwhile: reader processes killed after 0 to 20 ms, mostly mid-listing. */
        unsigned seed = (unsigned)getpid();
        unsigned long killed = 0;
        while (!atomic_load(&failed) && now() < deadline) {
                pid_t pid = fork();
                if (pid == 0) {
                        execl("/proc/self/exe", argv[0], "--victim", mnt, (char *)NULL);
                        _exit(127);
                }
                if (pid < 0) {
                        report("fork: %s", strerror(errno));
                        break;
                }
                struct timespec pause = {0, (long)(rand_r(&seed) % 20000) * 1000};
                nanosleep(&pause, NULL);
                kill(pid, SIGKILL);
                int status;
                waitpid(pid, &status, 0);
                if (WIFEXITED(status)) {
                        report("a reader exited (status %d) instead of listing until killed",
                               WEXITSTATUS(status));
                        break;
                }
                killed++;
        }
        for (int i = 0; i < n_threads; i++)
                pthread_join(threads[i], NULL);
        if (atomic_load(&failed))
                return 1;
        printf("ok %lu listings, %lu from a seek, %zu directories, %lu readers killed mid-way\n",
               atomic_load(&n_listings), atomic_load(&n_seeks), n_dirs, killed);
        return 0;
}
