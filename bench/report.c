/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The latency client's tables: latency, ratios, and CPU per sample. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "latency.h"

/* CPU microseconds per sample, or NAN. */
static double cpu_per_read_us(const Cell *c, bool daemon)
{
        double s;

        if (!c || c->lat_ns->len == 0)
                return NAN;
        s = daemon ? c->daemon_cpu : c->reader_cpu;
        return s < 0 ? NAN : s * 1e6 / c->lat_ns->len;
}

static double percentile_us(const GArray *sorted, double pct)
{
        size_t rank;

        if (sorted->len == 0)
                return NAN;
        rank = (size_t)ceil(pct / 100.0 * sorted->len);
        if (rank < 1)
                rank = 1;
        return (double)g_array_index(sorted, uint64_t, rank - 1) / 1000.0;
}

static double cell_rate(const Cell *c)
{
        return c->seconds > 0 ? c->lat_ns->len / c->seconds : 0;
}

static Cell *find_cell(GPtrArray *cells, const Target *t, const char *file, unsigned threads)
{
        for (guint i = 0; i < cells->len; i++) {
                Cell *c = cells->pdata[i];

                if (c->target == t && c->threads == threads &&
                    (file == NULL || g_strcmp0(c->file, file) == 0))
                        return c;
        }
        return NULL;
}

static void print_cell(const Cell *c, const char *file)
{
        if (c->lat_ns->len == 0) {
                /* Every sample failed: no latency to show. */
                printf("%7u  %-30s %-10s %9s %9s %9s %10s %7s %8" PRIu64 "  (first: %s)\n",
                       c->threads, file, c->target->name, "-", "-", "-", "0", "-", c->errors,
                       g_strerror(c->first_errno));
                return;
        }
        printf("%7u  %-30s %-10s %9.1f %9.1f %9.1f %10.0f %7.0f %8" PRIu64, c->threads, file,
               c->target->name, percentile_us(c->lat_ns, 50), percentile_us(c->lat_ns, 90),
               percentile_us(c->lat_ns, 99), cell_rate(c),
               c->lat_ns->len ? (double)c->bytes / c->lat_ns->len : 0.0, c->errors);
        if (c->errors > 0)
                printf("  (first: %s)", g_strerror(c->first_errno));
        printf("\n");
}

static void print_ratio(double num, double den)
{
        if (isnan(num) || isnan(den) || num <= 0 || den <= 0)
                printf(" %8s", "-");
        else
                printf(" %8.2f", num / den);
}

static void print_ratios(const Cell *s, const Cell *other)
{
        if (!other) {
                printf(" %8s %8s %8s", "-", "-", "-");
                return;
        }
        print_ratio(percentile_us(s->lat_ns, 50), percentile_us(other->lat_ns, 50));
        print_ratio(percentile_us(s->lat_ns, 99), percentile_us(other->lat_ns, 99));
        print_ratio(cell_rate(s), cell_rate(other));
}

static double cpu_sum_us(const Cell *c)
{
        return c ? cpu_per_read_us(c, true) + cpu_per_read_us(c, false) : NAN;
}

/* A row; for the subject also its sum over the baseline's and the reference's. */
static void print_cpu_row(const Cell *c, const char *file, const Cell *base, const Cell *ref)
{
        if (!c)
                return;
        printf("%7u  %-30s %-10s %9.1f %9.1f %9.1f", c->threads, file, c->target->name,
               cpu_per_read_us(c, true), cpu_per_read_us(c, false), cpu_sum_us(c));
        if (base || ref) {
                print_ratio(cpu_sum_us(c), cpu_sum_us(base));
                print_ratio(cpu_sum_us(c), cpu_sum_us(ref));
        }
        printf("\n");
}

static void print_cpu(GPtrArray *cells, GArray *threads, char **files, const Target **with_files,
                      unsigned n_with_files, const Target *baseline)
{
        printf("\n## CPU per sample (microseconds): the daemon's processes, the reader\n");
        printf("%7s  %-30s %-10s %9s %9s %9s %8s %8s\n", "threads", "file", "daemon", "daemon",
               "reader", "sum", "sum/base", "sum/ref");
        for (guint ti = 0; ti < threads->len; ti++) {
                unsigned n = g_array_index(threads, unsigned, ti);
                Cell *b = baseline ? find_cell(cells, baseline, NULL, n) : NULL;

                print_cpu_row(b, "(one small file)", NULL, NULL);
                for (char **f = files; *f; f++) {
                        print_cpu_row(find_cell(cells, with_files[0], *f, n), *f, b,
                                      n_with_files > 1 ? find_cell(cells, with_files[1], *f, n)
                                                       : NULL);
                        for (unsigned d = 1; d < n_with_files; d++)
                                print_cpu_row(find_cell(cells, with_files[d], *f, n), *f, NULL,
                                              NULL);
                }
        }
}

void bench_report(const BenchRun *r)
{
        const Target *with[2] = {r->subject, r->reference};
        unsigned n_with = r->reference ? 2 : 1;

        printf("\n## open+read+close latency (microseconds) and throughput (all threads)\n");
        printf("%7s  %-30s %-10s %9s %9s %9s %10s %7s %8s\n", "threads", "file", "daemon", "p50",
               "p90", "p99", "reads/s", "bytes", "errors");
        for (guint ti = 0; ti < r->threads->len; ti++) {
                unsigned n = g_array_index(r->threads, unsigned, ti);
                Cell *b = r->baseline ? find_cell(r->cells, r->baseline, NULL, n) : NULL;

                if (b)
                        print_cell(b, "(one small file)");
                for (char **f = r->files; *f; f++)
                        for (unsigned d = 0; d < n_with; d++)
                                print_cell(find_cell(r->cells, with[d], *f, n), *f);
        }

        printf("\n## ratios %s/%s and %s/%s: latency p50, p99 (lower is better for %s), "
               "reads/s (higher is better)\n",
               r->subject->name, r->baseline ? r->baseline->name : "-", r->subject->name,
               r->reference ? r->reference->name : "-", r->subject->name);
        printf("%7s  %-30s %8s %8s %8s   %8s %8s %8s\n", "threads", "file", "p50", "p99", "reads/s",
               "p50", "p99", "reads/s");
        {
                g_autofree char *vs_b =
                    g_strdup_printf("vs %s", r->baseline ? r->baseline->name : "-");
                g_autofree char *vs_r =
                    g_strdup_printf("vs %s", r->reference ? r->reference->name : "-");

                printf("%7s  %-30s %-26s   %-26s\n", "", "", vs_b, vs_r);
        }
        for (guint ti = 0; ti < r->threads->len; ti++) {
                unsigned n = g_array_index(r->threads, unsigned, ti);
                Cell *b = r->baseline ? find_cell(r->cells, r->baseline, NULL, n) : NULL;

                for (char **f = r->files; *f; f++) {
                        Cell *s = find_cell(r->cells, r->subject, *f, n);

                        printf("%7u  %-30s", n, *f);
                        print_ratios(s, b);
                        printf("  ");
                        print_ratios(s, r->reference ? find_cell(r->cells, r->reference, *f, n)
                                                     : NULL);
                        printf("\n");
                }
        }
        print_cpu(r->cells, r->threads, r->files, with, n_with, r->baseline);
}
