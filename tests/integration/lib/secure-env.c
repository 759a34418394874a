/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * secure-env PRELOAD LIBPROCVIEW: prints whether the process runs in
 * secure-execution mode (AT_SECURE), the PROCVIEW_CPUS it was given, and
 * what the preload's sysconf() and getloadavg() and libprocview's
 * pv_cpu_count() answer. Both libraries are loaded with dlopen() by
 * absolute path and called through dlsym(): the loader ignores LD_PRELOAD
 * paths in secure-execution mode, and a copy of this program given a file
 * capability is in that mode.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

static void *open_lib(const char *path)
{
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return h;
}

static void *symbol(void *h, const char *name)
{
        void *f = dlsym(h, name);
        if (!f)
                fprintf(stderr, "%s not exported\n", name);
        return f;
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: secure-env PRELOAD LIBPROCVIEW\n");
                return EXIT_FAILURE;
        }
        void *pre = open_lib(argv[1]), *lib = open_lib(argv[2]);
        if (!pre || !lib)
                return EXIT_FAILURE;
        long (*p_sysconf)(int) = (long (*)(int))symbol(pre, "sysconf");
        int (*p_getloadavg)(double[], int) = (int (*)(double[], int))symbol(pre, "getloadavg");
        int (*p_cpu_count)(void) = (int (*)(void))symbol(lib, "pv_cpu_count");
        if (!p_sysconf || !p_getloadavg || !p_cpu_count)
                return EXIT_FAILURE;

        const char *cpus = getenv("PROCVIEW_CPUS");
        double load[1];
        printf("at_secure %lu\n", getauxval(AT_SECURE));
        printf("env %s\n", cpus ? cpus : "(unset)");
        printf("sysconf %ld\n", p_sysconf(_SC_NPROCESSORS_ONLN));
        printf("pv_cpu_count %d\n", p_cpu_count());
        if (p_getloadavg(load, 1) != 1)
                printf("loadavg (failed)\n");
        else
                printf("loadavg %.2f\n", load[0]);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
