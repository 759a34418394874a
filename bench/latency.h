/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The latency client's cells and their report (latency.c measures, report.c prints). */

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

typedef struct Target {
        char *name;   /* daemon label, e.g. "procviewd" */
        char *root;   /* its mount point, or for the baseline the one file */
        GArray *pids; /* int: its processes, whose CPU time is counted (--cpu) */
} Target;

typedef struct Cell {
        const Target *target;
        const char *file; /* shown name; NULL for the baseline */
        char *path;
        unsigned threads;
        GArray *lat_ns; /* guint64 latencies of the measured slices */
        uint64_t bytes; /* read by the measured samples */
        uint64_t errors;
        int first_errno;
        double seconds;    /* summed wall time of the measured slices */
        double daemon_cpu; /* the daemon's CPU seconds in them, < 0 if unknown */
        double reader_cpu; /* the reader's own (open, read, close in its kernel) */
} Cell;

/* What one run measured, for its report. */
typedef struct BenchRun {
        GPtrArray *cells; /* Cell *, latencies sorted */
        GArray *threads;  /* unsigned: the thread counts */
        char **files;
        const Target *subject, *reference, *baseline; /* reference and baseline may be NULL */
} BenchRun;

/* Prints the latency table, the ratios and the CPU per sample. */
void bench_report(const BenchRun *r);
