/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pin-threads [--attr]: an unmodified-style program that pins thread i to
 * CPU i for every i < sysconf(_SC_NPROCESSORS_ONLN), as thread pools do:
 * each thread with pthread_setaffinity_np(), or with --attr through the
 * affinity of its creation attributes (pthread_attr_setaffinity_np()). Prints the CPU
 * each thread ended up allowed on ("cpus: 1,3") and exits 0 only when every
 * pin succeeded, each thread runs on exactly one CPU, and the CPUs differ.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct slot {
        bool by_attr;
        int index;
        int err;
        int cpu;
};

static void *pin(void *p)
{
        struct slot *s = p;
        cpu_set_t set;
        if (!s->by_attr) {
                CPU_ZERO(&set);
                CPU_SET(s->index, &set);
                s->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
                if (s->err)
                        return NULL;
        }
        CPU_ZERO(&set);
        s->err = pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
        if (s->err)
                return NULL;
        if (CPU_COUNT(&set) != 1) {
                s->err = EBADE;
                return NULL;
        }
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &set))
                        s->cpu = c;
        sched_yield();
        if (sched_getcpu() != s->cpu)
                s->err = EBADE;
        return NULL;
}

int main(int argc, char **argv)
{
        bool by_attr = argc > 1 && strcmp(argv[1], "--attr") == 0;
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n < 1 || n > CPU_SETSIZE) {
                fprintf(stderr, "pin-threads: bad CPU count %ld\n", n);
                return 1;
        }
        struct slot *slots = calloc((size_t)n, sizeof(*slots));
        pthread_t *threads = calloc((size_t)n, sizeof(*threads));
        int rc = 0;
        for (long i = 0; i < n; i++) {
                pthread_attr_t attr;
                slots[i].by_attr = by_attr;
                slots[i].index = (int)i;
                slots[i].cpu = -1;
                pthread_attr_init(&attr);
                if (by_attr) {
                        cpu_set_t set;
                        CPU_ZERO(&set);
                        CPU_SET(i, &set);
                        int r = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
                        if (r != 0) {
                                fprintf(stderr, "pin-threads: attr %ld: %s\n", i, strerror(r));
                                return 1;
                        }
                }
                int r = pthread_create(&threads[i], &attr, pin, &slots[i]);
                pthread_attr_destroy(&attr);
                if (r != 0) {
                        fprintf(stderr, "pin-threads: thread %ld: %s\n", i, strerror(r));
                        return 1;
                }
        }
        printf("cpus: ");
        for (long i = 0; i < n; i++) {
                pthread_join(threads[i], NULL);
                if (slots[i].err) {
                        fprintf(stderr, "pin-threads: thread %ld: %s\n", i, strerror(slots[i].err));
                        rc = 1;
                }
                for (long j = 0; j < i; j++)
                        if (slots[j].cpu == slots[i].cpu && !slots[i].err) {
                                fprintf(stderr, "pin-threads: threads %ld and %ld share CPU %d\n",
                                        j, i, slots[i].cpu);
                                rc = 1;
                        }
                printf("%s%d", i ? "," : "", slots[i].cpu);
        }
        printf("\n");
        free(slots);
        free(threads);
        return rc;
}
