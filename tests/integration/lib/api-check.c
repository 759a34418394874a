/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * api-check: asserts what libprocview answers for the calling process.
 *
 *   api-check [--cpuset LIST] [--count N] [--quota Q/P|none] [--memory BYTES|none]
 *             [--next <same options>]...
 *
 * Each option group is checked in turn; before each --next group the program
 * prints "ready N" and waits for a line on stdin, so a driver can change the
 * cgroup while the process runs. Besides the given values it checks that
 * pv_cpu_id() walks the cpuset in order, rejects the first index past it,
 * and that pv_pin_thread() really pins a thread to the last allowed CPU.
 * Exit 0 when every check passed, 1 otherwise (each failure on stderr), 2 on
 * bad usage. Standalone so the VM (cgroup v2) harness can run it too.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procview.h"

static int failures;

#define FAIL(...)                                                                                  \
        do {                                                                                       \
                fprintf(stderr, "api-check: " __VA_ARGS__);                                        \
                fputc('\n', stderr);                                                               \
                failures++;                                                                        \
        } while (0)

struct pin_arg {
        unsigned index;
        int expect_cpu;
        int result;
};

static void *pin_thread(void *p)
{
        struct pin_arg *a = p;
        cpu_set_t got;
        int r = pv_pin_thread(pthread_self(), a->index);
        if (r < 0) {
                a->result = r;
                return NULL;
        }
        CPU_ZERO(&got);
        if (sched_getaffinity(0, sizeof(got), &got) < 0) {
                a->result = -errno;
                return NULL;
        }
        sched_yield();
        a->result = CPU_COUNT(&got) == 1 && CPU_ISSET(a->expect_cpu, &got) &&
                            sched_getcpu() == a->expect_cpu
                        ? 0
                        : -EBADE;
        return NULL;
}

/* The ids of a cpu list, in order; returns how many (at most max). */
static int list_ids(const char *list, int *ids, int max)
{
        int n = 0;
        const char *p = list;
        while (*p && n < max) {
                char *end;
                long lo = strtol(p, &end, 10), hi = lo;
                if (*end == '-')
                        hi = strtol(end + 1, &end, 10);
                for (long c = lo; c <= hi && n < max; c++)
                        ids[n++] = (int)c;
                p = *end == ',' ? end + 1 : end;
                if (*end && *end != ',')
                        break;
        }
        return n;
}

static void check_group(const char *cpuset, const char *count, const char *quota,
                        const char *memory)
{
        char list[4096];
        int r = pv_get_cpuset_list(list, sizeof(list));
        if (r < 0) {
                FAIL("pv_get_cpuset_list: %s", strerror(-r));
                return;
        }
        if (cpuset && strcmp(list, cpuset) != 0)
                FAIL("cpuset is '%s', expected '%s'", list, cpuset);

        /* The cpu_set_t form agrees with the list, and a too-small set is refused. */
        int ids[1024];
        int n = list_ids(list, ids, 1024);
        cpu_set_t set;
        r = pv_get_cpuset(sizeof(set), &set);
        if (r < 0)
                FAIL("pv_get_cpuset: %s", strerror(-r));
        else if (CPU_COUNT(&set) != n)
                FAIL("pv_get_cpuset has %d CPUs, the list %d", CPU_COUNT(&set), n);
        if (n > 0 && ids[n - 1] >= 8 && pv_get_cpuset(1, &set) != -EINVAL)
                FAIL("pv_get_cpuset accepted a set too small for CPU %d", ids[n - 1]);

        for (int i = 0; i < n; i++)
                if (pv_cpu_id((unsigned)i) != ids[i])
                        FAIL("pv_cpu_id(%d) = %d, expected %d", i, pv_cpu_id((unsigned)i), ids[i]);
        if (pv_cpu_id((unsigned)n) != -EINVAL)
                FAIL("pv_cpu_id(%d) past the cpuset = %d, expected -EINVAL", n,
                     pv_cpu_id((unsigned)n));

        if (count && pv_cpu_count() != atoi(count))
                FAIL("pv_cpu_count() = %d, expected %s", pv_cpu_count(), count);
        if (pv_cpu_count() < 1)
                FAIL("pv_cpu_count() < 1");

        if (quota) {
                uint64_t q = 1, p = 1;
                char got[64];
                r = pv_get_cpu_quota(&q, &p);
                if (r < 0)
                        snprintf(got, sizeof(got), "error %s", strerror(-r));
                else if (q == 0)
                        snprintf(got, sizeof(got), "none");
                else
                        snprintf(got, sizeof(got), "%" PRIu64 "/%" PRIu64, q, p);
                if (strcmp(got, quota) != 0)
                        FAIL("quota is %s, expected %s", got, quota);
        }
        if (memory) {
                uint64_t m = 0;
                char got[64];
                r = pv_get_memory_limit(&m);
                if (r < 0)
                        snprintf(got, sizeof(got), "error %s", strerror(-r));
                else if (m == PV_MEMORY_UNLIMITED)
                        snprintf(got, sizeof(got), "none");
                else
                        snprintf(got, sizeof(got), "%" PRIu64, m);
                if (strcmp(got, memory) != 0)
                        FAIL("memory limit is %s, expected %s", got, memory);
        }

        if (n > 0) {
                struct pin_arg a = {
                    .index = (unsigned)n - 1, .expect_cpu = ids[n - 1], .result = 1};
                pthread_t t;
                if (pthread_create(&t, NULL, pin_thread, &a) != 0 || pthread_join(t, NULL) != 0)
                        FAIL("cannot run the pinning thread");
                else if (a.result != 0)
                        FAIL("pv_pin_thread(index %d) did not land on CPU %d: %s", n - 1,
                             ids[n - 1], strerror(-a.result));
                struct pin_arg bad = {.index = (unsigned)n, .result = 1};
                if (pthread_create(&t, NULL, pin_thread, &bad) == 0 && pthread_join(t, NULL) == 0 &&
                    bad.result != -EINVAL)
                        FAIL("pv_pin_thread past the cpuset gave %d, expected -EINVAL", bad.result);
        }
}

int main(int argc, char **argv)
{
        const char *cpuset = NULL, *count = NULL, *quota = NULL, *memory = NULL;
        int group = 0;

        for (int i = 1; i <= argc; i++) {
                if (i == argc || strcmp(argv[i], "--next") == 0) {
                        check_group(cpuset, count, quota, memory);
                        printf("checked %d: %s\n", group, failures ? "FAIL" : "ok");
                        if (i == argc)
                                break;
                        printf("ready %d\n", ++group);
                        fflush(stdout);
                        char line[64];
                        if (!fgets(line, sizeof(line), stdin)) {
                                fprintf(stderr, "api-check: no go-ahead on stdin\n");
                                return 1;
                        }
                        cpuset = count = quota = memory = NULL;
                        continue;
                }
                if (i + 1 >= argc) {
                        fprintf(stderr, "api-check: %s needs a value\n", argv[i]);
                        return 2;
                }
                if (strcmp(argv[i], "--cpuset") == 0)
                        cpuset = argv[++i];
                else if (strcmp(argv[i], "--count") == 0)
                        count = argv[++i];
                else if (strcmp(argv[i], "--quota") == 0)
                        quota = argv[++i];
                else if (strcmp(argv[i], "--memory") == 0)
                        memory = argv[++i];
                else {
                        fprintf(stderr, "api-check: unknown option %s\n", argv[i]);
                        return 2;
                }
        }
        fflush(stdout);
        return failures ? 1 : 0;
}
