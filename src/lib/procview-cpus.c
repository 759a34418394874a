/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* procview-cpus: prints the calling container's cpuset, CPU count and quota. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procview.h"

static void usage(FILE *out)
{
        fprintf(out, "Usage: procview-cpus [--count] [--help] [--version]\n"
                     "Prints the CPUs this container may use: its cpuset (host CPU ids),\n"
                     "its effective CPU count and its CPU quota.\n\n"
                     "  -c, --count    print only the effective CPU count (for make -j)\n"
                     "  -h, --help     show this help\n"
                     "  -V, --version  show the version\n\n"
                     "The count is min(cpuset size, ceil(quota / period)), at least 1;\n"
                     "PROCVIEW_CPUS=N overrides it. See procview-cpus(1), libprocview(3).\n");
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
            {"count", no_argument, NULL, 'c'},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, 'V'},
            {},
        };
        bool count_only = false;
        int c;

        while ((c = getopt_long(argc, argv, "chV", opts, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        count_only = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_SUCCESS;
                case 'V':
                        printf("procview-cpus %s\n", PV_VERSION);
                        return EXIT_SUCCESS;
                default:
                        fprintf(stderr, "Try 'procview-cpus --help'.\n");
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr,
                        "procview-cpus: unexpected argument '%s'\nTry 'procview-cpus --help'.\n",
                        argv[optind]);
                return 2;
        }

        int count = pv_cpu_count();
        if (count_only) {
                printf("%d\n", count);
                return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        }

        char list[65536];
        int r = pv_get_cpuset_list(list, sizeof(list));
        if (r < 0) {
                fprintf(stderr, "procview-cpus: cannot read the cpuset: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        printf("cpuset: %s\n", list);
        printf("count: %d%s\n", count, secure_getenv("PROCVIEW_CPUS") ? " (PROCVIEW_CPUS)" : "");

        uint64_t quota, period;
        r = pv_get_cpu_quota(&quota, &period);
        if (r == -ENOENT)
                printf("quota: unknown (no cpu controller visible)\n");
        else if (r < 0) {
                fprintf(stderr, "procview-cpus: cannot read the CPU quota: %s\n", strerror(-r));
                return EXIT_FAILURE;
        } else if (quota == 0)
                printf("quota: none\n");
        else
                printf("quota: %.2f CPUs (%" PRIu64 "/%" PRIu64 " us)\n",
                       (double)quota / (double)period, quota, period);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
