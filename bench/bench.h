/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/*
 * The subcommands of pv-bench. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit status.
 */

/*
 * "serve MOUNTPOINT": the baseline, a FUSE file system (low-level API) with
 * one small read-only file, MOUNTPOINT/file, whose content is built once and
 * sliced per read with direct_io, as procviewd serves its files. Runs in the
 * foreground until SIGTERM/SIGINT, then unmounts.
 */
int bench_serve_main(int argc, char **argv);

/*
 * "latency ...": times open+read-to-EOF+close of files served by several
 * daemons with 1..N reader threads in randomized interleaved rounds, and
 * prints percentiles, throughput and ratios.
 */
int bench_latency_main(int argc, char **argv);

/*
 * "spawn ...": starts one process per cgroup, each the init of a new pid
 * namespace, joined to its cgroups, having read the given files once; reports
 * "ready" on stdout and holds them until stdin reaches EOF or SIGTERM, then
 * kills and reaps them.
 */
int bench_spawn_main(int argc, char **argv);

/* pv-bench namespaces COUNT MOUNTPOINT: mount namespaces with the views bound (namespaces.c). */
int bench_namespaces_main(int argc, char **argv);

/* pv-bench reads FILE SECONDS: one reader's latency, p50/p99/max (namespaces.c). */
int bench_reads_main(int argc, char **argv);

/* "PID[,PID...]" appended to ret (int). 0 or -EINVAL. */
int bench_cpu_parse_pids(const char *text, GArray *ret);

/* Summed user + system CPU seconds of the processes, or -1 if one is gone. */
double bench_cpu_seconds(const GArray *pids);
