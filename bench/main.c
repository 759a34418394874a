/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "bench.h"

static void usage(FILE *f)
{
        fprintf(f, "usage: pv-bench serve MOUNTPOINT\n"
                   "       pv-bench latency [OPTION...]   (--help for options)\n"
                   "       pv-bench spawn [OPTION...]     (--help for options)\n"
                   "       pv-bench namespaces COUNT MOUNTPOINT\n"
                   "       pv-bench reads FILE SECONDS\n"
                   "Normally driven by bench/run-bench.sh.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (strcmp(argv[1], "serve") == 0)
                return bench_serve_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "latency") == 0)
                return bench_latency_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "spawn") == 0)
                return bench_spawn_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "namespaces") == 0)
                return bench_namespaces_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "reads") == 0)
                return bench_reads_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                usage(stdout);
                return 0;
        }
        usage(stderr);
        return 2;
}
