/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * affinity-change PRELOAD: where no cpuset hierarchy is visible the
 * preload's CPU count is the affinity mask's, so changing the mask between
 * two calls shows whether the remembered count is checked against the mask
 * on every call: the new count must come at once, with no pause for
 * anything remembered to expire. The wrapper is called directly (dlopen()
 * and dlsym(), no LD_PRELOAD); a mount namespace of its own, with
 * /sys/fs/cgroup unmounted, hides the cgroup mounts. Needs root and two
 * CPUs; exits 77 without them.
 */
#include <dlfcn.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

static int fail(const char *what)
{
        perror(what);
        return EXIT_FAILURE;
}

static int wrong_count(const char *when, long got, int want)
{
        fprintf(stderr, "%s: sysconf(_SC_NPROCESSORS_ONLN) = %ld, the mask has %d CPUs\n", when,
                got, want);
        return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
        cpu_set_t all, one;

        if (argc < 2) {
                fprintf(stderr, "usage: affinity-change PRELOAD\n");
                return EXIT_FAILURE;
        }
        if (sched_getaffinity(0, sizeof(all), &all) < 0)
                return fail("sched_getaffinity");
        if (geteuid() != 0 || CPU_COUNT(&all) < 2) {
                fprintf(stderr, "needs root and 2 CPUs\n");
                return 77;
        }
        void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
                return EXIT_FAILURE;
        }
        long (*p_sysconf)(int) = (long (*)(int))dlsym(h, "sysconf");
        if (!p_sysconf) {
                fprintf(stderr, "sysconf not exported\n");
                return EXIT_FAILURE;
        }

        unsetenv("PROCVIEW_CPUS");
        if (unshare(CLONE_NEWNS) < 0)
                return fail("unshare");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return fail("making / private");
        if (umount2("/sys/fs/cgroup", MNT_DETACH) < 0)
                return fail("unmounting /sys/fs/cgroup");

        int n_all = CPU_COUNT(&all);
        for (int i = 0; i < 1000; i++) {
                long n = p_sysconf(_SC_NPROCESSORS_ONLN);
                if (n != n_all)
                        return wrong_count("the whole mask", n, n_all);
        }
        for (int round = 0; round < 100; round++) {
                /* each allowed CPU alone in turn */
                int k = round % n_all;
                CPU_ZERO(&one);
                for (int c = 0; c < CPU_SETSIZE; c++)
                        if (CPU_ISSET(c, &all) && k-- == 0) {
                                CPU_SET(c, &one);
                                break;
                        }
                if (sched_setaffinity(0, sizeof(one), &one) < 0)
                        return fail("sched_setaffinity to one CPU");
                long n = p_sysconf(_SC_NPROCESSORS_ONLN);
                if (n != 1)
                        return wrong_count("one CPU", n, 1);
                if (sched_setaffinity(0, sizeof(all), &all) < 0)
                        return fail("sched_setaffinity back to the whole mask");
                n = p_sysconf(_SC_NPROCESSORS_ONLN);
                if (n != n_all)
                        return wrong_count("the whole mask again", n, n_all);
        }
        return EXIT_SUCCESS;
}
