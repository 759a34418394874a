/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The latency client. One measured operation is what a monitoring agent does
 * per sample: open(2), read(2) until EOF, close(2). Every (daemon, file,
 * thread count) is a "cell". A run is a warm-up slice per cell, then rounds;
 * each round runs one time slice of every cell in a freshly shuffled order,
 * so slow drifts of the machine (other load, frequency, page cache) spread
 * evenly over all daemons instead of favouring whichever ran first.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "bench.h"

/* Big enough for cpuinfo of a large host in one read; the loop handles more. */
#define READ_BUF_SIZE (1024 * 1024)

#include "latency.h"

typedef struct Worker {
        struct Pool *pool;
        unsigned index;
        pthread_t thread;
        char *buf;
        GArray *lat_ns; /* this slice's latencies */
        uint64_t bytes;
        uint64_t errors;
        int first_errno;
} Worker;

typedef struct Pool {
        pthread_barrier_t start;
        pthread_barrier_t done;
        /* Written by the main thread only between the two barriers' phases. */
        const char *path;
        unsigned active;
        uint64_t deadline_ns;
        bool quit;
        unsigned n_workers;
        Worker *workers;
} Pool;

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * One sample: 0 or -errno, the bytes read in *ret_bytes. Reads to EOF so a
 * daemon that serves in pieces pays for every piece. An empty file is no
 * error: a container without block I/O may have an empty diskstats.
 */
static int read_once(const char *path, char *buf, uint64_t *ret_bytes)
{
        ssize_t n;
        size_t total = 0;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        do {
                n = read(fd, buf, READ_BUF_SIZE);
                if (n < 0) {
                        r = -errno;
                        break;
                }
                total += (size_t)n;
        } while (n > 0);
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0)
                *ret_bytes = total;
        return r;
}

static void *worker_run(void *arg)
{
        Worker *w = arg;
        Pool *p = w->pool;

        for (;;) {
                pthread_barrier_wait(&p->start);
                if (p->quit)
                        return NULL;
                if (w->index < p->active) {
                        uint64_t t0 = now_ns();

                        while (t0 < p->deadline_ns) {
                                uint64_t bytes = 0;
                                int r = read_once(p->path, w->buf, &bytes);
                                uint64_t t1 = now_ns();

                                if (r < 0) {
                                        if (w->errors++ == 0)
                                                w->first_errno = -r;
                                } else {
                                        uint64_t d = t1 - t0;

                                        g_array_append_val(w->lat_ns, d);
                                        w->bytes += bytes;
                                }
                                t0 = t1;
                        }
                }
                pthread_barrier_wait(&p->done);
        }
}

/* Runs one slice of cell c; merges the samples into c unless warm-up. */
static double self_cpu_seconds(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run_slice(Pool *p, Cell *c, unsigned ms, bool measure)
{
        double cpu0 = bench_cpu_seconds(c->target->pids), self0 = self_cpu_seconds();
        uint64_t start = now_ns(), end;

        p->path = c->path;
        p->active = c->threads;
        p->deadline_ns = start + (uint64_t)ms * 1000000u;
        pthread_barrier_wait(&p->start);
        pthread_barrier_wait(&p->done);
        end = now_ns();

        for (unsigned i = 0; i < c->threads; i++) {
                Worker *w = &p->workers[i];

                if (measure) {
                        g_array_append_vals(c->lat_ns, w->lat_ns->data, w->lat_ns->len);
                        if (w->errors > 0 && c->errors == 0)
                                c->first_errno = w->first_errno;
                        c->errors += w->errors;
                        c->bytes += w->bytes;
                }
                g_array_set_size(w->lat_ns, 0);
                w->bytes = 0;
                w->errors = 0;
                w->first_errno = 0;
        }
        if (measure) {
                double cpu1 = bench_cpu_seconds(c->target->pids);

                c->seconds += (double)(end - start) / 1e9;
                c->reader_cpu += self_cpu_seconds() - self0;
                if (cpu0 < 0 || cpu1 < 0 || c->daemon_cpu < 0)
                        c->daemon_cpu = -1;
                else
                        c->daemon_cpu += cpu1 - cpu0;
        }
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

/* Nearest-rank percentile in microseconds of a sorted array; NAN when empty. */
static int parse_target(const char *text, Target *ret)
{
        const char *eq = strchr(text, '=');

        if (!eq || eq == text || eq[1] == '\0')
                return -EINVAL;
        ret->name = g_strndup(text, (gsize)(eq - text));
        ret->root = g_strdup(eq + 1);
        return 0;
}

static int parse_threads(const char *text, GArray *ret)
{
        g_auto(GStrv) parts = g_strsplit(text, ",", -1);

        for (char **s = parts; *s; s++) {
                char *end;
                unsigned long v = strtoul(*s, &end, 10);

                if (*end != '\0' || end == *s || v < 1 || v > 256)
                        return -EINVAL;
                unsigned u = (unsigned)v;
                g_array_append_val(ret, u);
        }
        return ret->len > 0 ? 0 : -EINVAL;
}

/* Gives each target named in a --cpu argument its pids. */
static int assign_cpu_pids(char **args, Target *targets[3])
{
        for (char **a = args; a && *a; a++) {
                const char *eq = strchr(*a, '=');
                Target *t = NULL;

                for (int i = 0; i < 3 && eq; i++)
                        if (targets[i]->name && strlen(targets[i]->name) == (size_t)(eq - *a) &&
                            strncmp(targets[i]->name, *a, (size_t)(eq - *a)) == 0)
                                t = targets[i];
                if (!t)
                        return -EINVAL;
                if (!t->pids)
                        t->pids = g_array_new(FALSE, FALSE, sizeof(int));
                if (bench_cpu_parse_pids(eq + 1, t->pids) < 0)
                        return -EINVAL;
        }
        return 0;
}

/*
 * CPU per sample: what the daemon spent (its FUSE requests, the kernel
 * files it reads, its own work) and what the reader's open, read and close
 * cost in the reader's kernel (path walk, FUSE round trips, wake-ups).
 */
static void cell_free(gpointer p)
{
        Cell *c = p;

        g_array_unref(c->lat_ns);
        g_free(c->path);
        g_free(c);
}

int bench_latency_main(int argc, char **argv)
{
        g_autofree char *subject_arg = NULL, *reference_arg = NULL, *baseline_arg = NULL;
        g_autofree char *files_arg = NULL, *threads_arg = NULL;
        g_auto(GStrv) cpu_args = NULL;
        int rounds = 8, slice_ms = 250, warmup_ms = 100;
        gint64 seed = 0;
        GOptionEntry entries[] = {
            {"subject", 0, 0, G_OPTION_ARG_STRING, &subject_arg,
             "daemon under test, NAME=MOUNTPOINT (ratios are NAME/other)", "NAME=DIR"},
            {"reference", 0, 0, G_OPTION_ARG_STRING, &reference_arg,
             "daemon to compare with, NAME=MOUNTPOINT", "NAME=DIR"},
            {"baseline", 0, 0, G_OPTION_ARG_STRING, &baseline_arg,
             "trivial FUSE file, NAME=PATH (the same file stands for every file)", "NAME=PATH"},
            {"files", 0, 0, G_OPTION_ARG_STRING, &files_arg,
             "comma-separated files relative to the mount points", "LIST"},
            {"threads", 0, 0, G_OPTION_ARG_STRING, &threads_arg,
             "comma-separated reader thread counts (default 1,8)", "LIST"},
            {"rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "measured rounds (default 8)", "N"},
            {"slice-ms", 0, 0, G_OPTION_ARG_INT, &slice_ms, "time per cell per round (default 250)",
             "MS"},
            {"warmup-ms", 0, 0, G_OPTION_ARG_INT, &warmup_ms,
             "unmeasured warm-up per cell (default 100)", "MS"},
            {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "shuffle seed (default: time)", "N"},
            {"cpu", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cpu_args,
             "count the CPU time of daemon NAME's processes (repeatable)", "NAME=PID[,PID...]"},
            {NULL},
        };
        g_autoptr(GOptionContext) ctx = g_option_context_new("- FUSE read latency benchmark");
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) threads = g_array_new(FALSE, FALSE, sizeof(unsigned));
        g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(cell_free);
        g_autoptr(GPtrArray) order = g_ptr_array_new();
        g_autoptr(GRand) rng = NULL;
        g_auto(GStrv) files = NULL;
        Target subject = {0}, reference = {0}, baseline = {0};
        Target *with_files[2];
        unsigned n_with_files = 0, max_threads = 0;
        Pool pool = {0};
        int ret = 1;

        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "pv-bench latency: %s\n", error->message);
                return 2;
        }
        if (rounds < 1 || slice_ms < 1 || warmup_ms < 0 || !files_arg ||
            parse_threads(threads_arg ? threads_arg : "1,8", threads) < 0 ||
            (subject_arg && parse_target(subject_arg, &subject) < 0) ||
            (reference_arg && parse_target(reference_arg, &reference) < 0) ||
            (baseline_arg && parse_target(baseline_arg, &baseline) < 0) || !subject_arg) {
                fprintf(stderr, "pv-bench latency: bad arguments (--subject and --files are "
                                "required; see --help)\n");
                return 2;
        }
        if (assign_cpu_pids(cpu_args, (Target *[]){&subject, &reference, &baseline}) < 0) {
                fprintf(stderr, "pv-bench latency: bad --cpu (NAME=PID[,PID...], NAME one of "
                                "the daemons)\n");
                goto out_targets;
        }
        if (seed == 0)
                seed = g_get_real_time() & 0xffffffff; /* g_rand takes 32 bits */
        rng = g_rand_new_with_seed((guint32)seed);
        files = g_strsplit(files_arg, ",", -1);

        with_files[n_with_files++] = &subject;
        if (reference_arg)
                with_files[n_with_files++] = &reference;
        for (guint ti = 0; ti < threads->len; ti++) {
                unsigned n = g_array_index(threads, unsigned, ti);

                max_threads = MAX(max_threads, n);
                for (unsigned d = 0; d < n_with_files; d++)
                        for (char **f = files; *f; f++) {
                                Cell *c = g_new0(Cell, 1);

                                c->target = with_files[d];
                                c->file = *f;
                                c->path = g_build_filename(with_files[d]->root, *f, NULL);
                                c->threads = n;
                                c->lat_ns = g_array_new(FALSE, FALSE, sizeof(uint64_t));
                                g_ptr_array_add(cells, c);
                        }
                if (baseline_arg) {
                        Cell *c = g_new0(Cell, 1);

                        c->target = &baseline;
                        c->path = g_strdup(baseline.root);
                        c->threads = n;
                        c->lat_ns = g_array_new(FALSE, FALSE, sizeof(uint64_t));
                        g_ptr_array_add(cells, c);
                }
        }

        /* Fail early and clearly when a file is not served at all. */
        {
                g_autofree char *buf = g_malloc(READ_BUF_SIZE);

                for (guint i = 0; i < cells->len; i++) {
                        Cell *c = cells->pdata[i];
                        uint64_t bytes;
                        int r = read_once(c->path, buf, &bytes);

                        if (r < 0) {
                                fprintf(stderr, "pv-bench latency: %s: %s\n", c->path,
                                        g_strerror(-r));
                                goto out_targets;
                        }
                }
        }

        pool.n_workers = max_threads;
        pool.workers = g_new0(Worker, max_threads);
        pthread_barrier_init(&pool.start, NULL, max_threads + 1);
        pthread_barrier_init(&pool.done, NULL, max_threads + 1);
        for (unsigned i = 0; i < max_threads; i++) {
                Worker *w = &pool.workers[i];

                w->pool = &pool;
                w->index = i;
                w->buf = g_malloc(READ_BUF_SIZE);
                w->lat_ns = g_array_sized_new(FALSE, FALSE, sizeof(uint64_t), 65536);
                if (pthread_create(&w->thread, NULL, worker_run, w) != 0) {
                        fprintf(stderr, "pv-bench latency: pthread_create failed\n");
                        abort(); /* the barriers would hang; nothing to unwind */
                }
        }

        printf("# %u cells, warm-up %d ms each, %d rounds x %d ms per cell, seed %" G_GINT64_FORMAT
               "\n",
               cells->len, warmup_ms, rounds, slice_ms, seed);
        fflush(stdout);

        for (guint i = 0; i < cells->len; i++)
                g_ptr_array_add(order, cells->pdata[i]);
        for (int r = -1; r < rounds; r++) {
                /* Fisher-Yates: a new random order of all cells every round. */
                for (guint i = order->len - 1; i > 0; i--) {
                        guint j = (guint)g_rand_int_range(rng, 0, (gint32)i + 1);
                        gpointer tmp = order->pdata[i];

                        order->pdata[i] = order->pdata[j];
                        order->pdata[j] = tmp;
                }
                for (guint i = 0; i < order->len; i++) {
                        if (r < 0) {
                                if (warmup_ms > 0)
                                        run_slice(&pool, order->pdata[i], (unsigned)warmup_ms,
                                                  false);
                        } else {
                                run_slice(&pool, order->pdata[i], (unsigned)slice_ms, true);
                        }
                }
        }

        pool.quit = true;
        pthread_barrier_wait(&pool.start);
        for (unsigned i = 0; i < max_threads; i++) {
                pthread_join(pool.workers[i].thread, NULL);
                g_free(pool.workers[i].buf);
                g_array_unref(pool.workers[i].lat_ns);
        }
        pthread_barrier_destroy(&pool.start);
        pthread_barrier_destroy(&pool.done);
        g_free(pool.workers);

        for (guint i = 0; i < cells->len; i++) {
                Cell *c = cells->pdata[i];

                qsort(c->lat_ns->data, c->lat_ns->len, sizeof(uint64_t), cmp_u64);
        }

        bench_report(&(BenchRun){.cells = cells,
                                 .threads = threads,
                                 .files = files,
                                 .subject = &subject,
                                 .reference = reference_arg ? &reference : NULL,
                                 .baseline = baseline_arg ? &baseline : NULL});
        ret = 0;
        for (guint i = 0; i < cells->len; i++)
                if (((Cell *)cells->pdata[i])->errors > 0)
                        ret = 1;

out_targets:
        g_free(subject.name);
        g_free(subject.root);
        g_free(reference.name);
        g_free(reference.root);
        g_free(baseline.name);
        g_free(baseline.root);
        for (int i = 0; i < 3; i++) {
                Target *t = (Target *[]){&subject, &reference, &baseline}[i];

                if (t->pids)
                        g_array_unref(t->pids);
        }
        return ret;
}
