/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libprocview-preload's wrappers called directly: the library is dlopen()ed
 * (its path is argv[1]) and each wrapper looked up with dlsym(), so the
 * test needs neither LD_PRELOAD nor root. What is checked holds whatever
 * the cgroups of the test process are: the wrappers' return conventions and
 * that they leave errno alone when they succeed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "pv-check.h"

static const char *preload_path;

static void *wrapper(const char *name)
{
        void *h = dlopen(preload_path, RTLD_NOW | RTLD_LOCAL);
        ck_assert_msg(h != NULL, "dlopen %s: %s", preload_path, dlerror());
        void *f = dlsym(h, name);
        ck_assert_msg(f != NULL, "%s not exported", name);
        return f;
}

/* An errno value none of the wrappers' internal reads produces. */
#define MARK EXDEV

START_TEST(test_errno_kept_on_success)
{
        long (*p_sysconf)(int) = (long (*)(int))wrapper("sysconf");
        int (*p_nprocs)(void) = (int (*)(void))wrapper("get_nprocs");
        int (*p_nprocs_conf)(void) = (int (*)(void))wrapper("get_nprocs_conf");
        int (*p_loadavg)(double[], int) = (int (*)(double[], int))wrapper("getloadavg");
        int (*p_sysinfo)(struct sysinfo *) = (int (*)(struct sysinfo *))wrapper("sysinfo");
        int (*p_setaff)(pid_t, size_t, const cpu_set_t *) =
            (int (*)(pid_t, size_t, const cpu_set_t *))wrapper("sched_setaffinity");
        int (*p_pthread_setaff)(pthread_t, size_t, const cpu_set_t *) =
            (int (*)(pthread_t, size_t, const cpu_set_t *))wrapper("pthread_setaffinity_np");
        int (*p_attr_setaff)(pthread_attr_t *, size_t, const cpu_set_t *) = (int (*)(
            pthread_attr_t *, size_t, const cpu_set_t *))wrapper("pthread_attr_setaffinity_np");
        double loads[3];
        struct sysinfo si;
        cpu_set_t cur;

        /* A view that cannot be read: the wrappers fall back, and must not leak its ENOENT. */
        setenv("PROCVIEW_ROOT", "/nonexistent-procview-root", 1);

        errno = MARK;
        ck_assert_int_eq(p_loadavg(loads, 3), 3);
        ck_assert_int_eq(errno, MARK);

        errno = MARK;
        ck_assert_int_eq(p_sysinfo(&si), 0);
        ck_assert_int_eq(errno, MARK);
        ck_assert(si.totalram > 0);

        errno = MARK;
        ck_assert(p_sysconf(_SC_NPROCESSORS_ONLN) >= 1);
        ck_assert(p_sysconf(_SC_NPROCESSORS_CONF) >= 1);
        ck_assert(p_sysconf(_SC_PHYS_PAGES) >= 1);
        ck_assert(p_sysconf(_SC_AVPHYS_PAGES) >= 0);
        ck_assert(p_nprocs() >= 1 && p_nprocs_conf() >= 1);
        ck_assert_int_eq(errno, MARK);

        /* Pinning to the current mask succeeds and, like the syscall, keeps errno. */
        ck_assert_int_eq(sched_getaffinity(0, sizeof(cur), &cur), 0);
        errno = MARK;
        ck_assert_int_eq(p_setaff(0, sizeof(cur), &cur), 0);
        ck_assert_int_eq(errno, MARK);
        errno = MARK;
        ck_assert_int_eq(p_pthread_setaff(pthread_self(), sizeof(cur), &cur), 0);
        ck_assert_int_eq(errno, MARK);

        /* The mask stored in thread attributes is the one read back. */
        pthread_attr_t attr;
        cpu_set_t got;
        pthread_attr_init(&attr);
        errno = MARK;
        ck_assert_int_eq(p_attr_setaff(&attr, sizeof(cur), &cur), 0);
        ck_assert_int_eq(errno, MARK);
        ck_assert_int_eq(pthread_attr_getaffinity_np(&attr, sizeof(got), &got), 0);
        ck_assert(CPU_EQUAL(&got, &cur));
        pthread_attr_destroy(&attr);
}
END_TEST

START_TEST(test_return_conventions)
{
        int (*p_setaff)(pid_t, size_t, const cpu_set_t *) =
            (int (*)(pid_t, size_t, const cpu_set_t *))wrapper("sched_setaffinity");
        int (*p_pthread_setaff)(pthread_t, size_t, const cpu_set_t *) =
            (int (*)(pthread_t, size_t, const cpu_set_t *))wrapper("pthread_setaffinity_np");
        int (*p_sysinfo)(struct sysinfo *) = (int (*)(struct sysinfo *))wrapper("sysinfo");
        long (*p_sysconf)(int) = (long (*)(int))wrapper("sysconf");
        cpu_set_t none;

        CPU_ZERO(&none);
        /* sched_setaffinity(2): -1 and errno. */
        errno = 0;
        ck_assert_int_eq(p_setaff(0, sizeof(none), &none), -1);
        ck_assert_int_eq(errno, EINVAL);
        /* pthread_setaffinity_np(3): the error number, errno untouched. */
        errno = MARK;
        ck_assert_int_eq(p_pthread_setaff(pthread_self(), sizeof(none), &none), EINVAL);
        ck_assert_int_eq(errno, MARK);
        errno = 0;
        ck_assert_int_eq(p_sysinfo(NULL), -1);
        ck_assert_int_eq(errno, EFAULT);
        /* Names the preload does not handle reach glibc unchanged. */
        errno = 0;
        ck_assert_int_eq(p_sysconf(-12345), -1);
        ck_assert_int_eq(errno, EINVAL);
        ck_assert_int_eq(p_sysconf(_SC_PAGESIZE), sysconf(_SC_PAGESIZE));
}
END_TEST

/* PROCVIEW_CPUS is looked at on every call, before anything remembered. */
START_TEST(test_override_seen_at_once)
{
        long (*p_sysconf)(int) = (long (*)(int))wrapper("sysconf");
        int (*p_nprocs)(void) = (int (*)(void))wrapper("get_nprocs");

        unsetenv("PROCVIEW_CPUS");
        long real = p_sysconf(_SC_NPROCESSORS_ONLN);
        ck_assert(real >= 1);
        ck_assert_int_eq(p_sysconf(_SC_NPROCESSORS_ONLN), real);
        setenv("PROCVIEW_CPUS", "3", 1);
        ck_assert_int_eq(p_sysconf(_SC_NPROCESSORS_ONLN), 3);
        setenv("PROCVIEW_CPUS", "5", 1);
        ck_assert_int_eq(p_sysconf(_SC_NPROCESSORS_ONLN), 5);
        ck_assert_int_eq(p_nprocs(), 5);
        unsetenv("PROCVIEW_CPUS");
        ck_assert_int_eq(p_sysconf(_SC_NPROCESSORS_ONLN), real);
}
END_TEST

int main(int argc, char **argv)
{
        if (argc < 2)
                return EXIT_FAILURE;
        preload_path = argv[1];
        Suite *s = suite_create("lib-preload-wrappers");
        TCase *tc = tcase_create("wrappers");
        tcase_add_test(tc, test_errno_kept_on_success);
        tcase_add_test(tc, test_return_conventions);
        tcase_add_test(tc, test_override_seen_at_once);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
