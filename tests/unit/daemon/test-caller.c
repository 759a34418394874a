/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pinning readers: a pinned task is alive until it exits, whatever its pid becomes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parse-proc.h"
#include "pidref.h"
#include "procfs.h"
#include "pv-check.h"

static int proc_fd(void)
{
        int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        return fd;
}

START_TEST(test_pidref_self)
{
        int pfd = proc_fd();
        PvPidRef ref = {.fd = -1};
        ck_assert_int_eq(pv_pidref_open(pfd, getpid(), &ref), 0);
        ck_assert_int_ge(ref.fd, 0);
        ck_assert(pv_pidref_alive(&ref));
        pv_pidref_close(&ref);
        ck_assert_int_eq(ref.fd, -1);
        pv_pidref_close(&ref);
        close(pfd);
}
END_TEST

START_TEST(test_pidref_exit)
{
        int pfd = proc_fd();
        int go[2];
        ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
        pid_t child = fork();
        ck_assert_int_ge(child, 0);
        if (child == 0) {
                char c;
                close(go[1]);
                (void)!read(go[0], &c, 1);
                _exit(0);
        }
        PvPidRef ref = {.fd = -1};
        ck_assert_int_eq(pv_pidref_open(pfd, child, &ref), 0);
        ck_assert(pv_pidref_alive(&ref));
        close(go[1]);
        close(go[0]);
        ck_assert_int_eq(waitpid(child, NULL, 0), child);
        ck_assert(!pv_pidref_alive(&ref));
        pv_pidref_close(&ref);

        /* reaped: the pid names nothing now (or, reused, no task this test made) */
        PvPidRef none = {.fd = 77};
        int r = pv_pidref_open(pfd, child, &none);
        if (r < 0) {
                ck_assert_int_eq(r, -ESRCH);
                ck_assert_int_eq(none.fd, 77);
        } else {
                pv_pidref_close(&none);
        }
        close(pfd);
}
END_TEST

static int thread_go[2];
static pid_t thread_tid;

static void *thread_main(void *arg)
{
        char c;
        thread_tid = gettid();
        (void)!write(thread_go[1], "x", 1);
        (void)!read(thread_go[0], &c, 1);
        return NULL;
}

/* A reader that is not its process's main thread: a FUSE request carries its thread id. */
START_TEST(test_pidref_thread)
{
        int pfd = proc_fd();
        int ready[2];
        pthread_t th;
        char c;
        ck_assert_int_eq(pipe2(thread_go, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
        int keep = thread_go[1];
        thread_go[1] = ready[1];
        ck_assert_int_eq(pthread_create(&th, NULL, thread_main, NULL), 0);
        ck_assert_int_eq(read(ready[0], &c, 1), 1);
        PvPidRef ref = {.fd = -1};
        ck_assert_int_eq(pv_pidref_open(pfd, thread_tid, &ref), 0);
        ck_assert(pv_pidref_alive(&ref));
        ck_assert_int_eq(write(keep, "x", 1), 1);
        ck_assert_int_eq(pthread_join(th, NULL), 0);
        /* the exit of a thread is seen by a thread pidfd or its /proc directory alike */
        for (int i = 0; i < 1000 && pv_pidref_alive(&ref); i++)
                usleep(1000);
        ck_assert(!pv_pidref_alive(&ref));
        pv_pidref_close(&ref);
        close(keep);
        close(thread_go[0]);
        close(ready[0]);
        close(ready[1]);
        close(pfd);
}
END_TEST

static pid_t parked_tid;
static int park_fd[2];

static void *park(void *arg)
{
        char c;
        __atomic_store_n(&parked_tid, gettid(), __ATOMIC_RELEASE);
        (void)!read(park_fd[0], &c, 1);
        return NULL;
}

/* A process's threads, and what /proc says of one that is not its main thread. */
START_TEST(test_procfs_threads)
{
        int pfd = proc_fd();
        pthread_t th;
        pid_t tid;
        ck_assert_int_eq(pipe2(park_fd, O_CLOEXEC), 0);
        ck_assert_int_eq(pthread_create(&th, NULL, park, NULL), 0);
        while (!(tid = __atomic_load_n(&parked_tid, __ATOMIC_ACQUIRE)))
                usleep(1000);

        GArray *tids = NULL;
        ck_assert_int_eq(pv_procfs_threads(pfd, getpid(), &tids), 0);
        bool main_seen = false, thread_seen = false;
        for (guint i = 0; i < tids->len; i++) {
                main_seen |= g_array_index(tids, pid_t, i) == getpid();
                thread_seen |= g_array_index(tids, pid_t, i) == tid;
        }
        ck_assert(main_seen && thread_seen);
        g_array_unref(tids);

        char *text = NULL, state = 0;
        ck_assert_int_eq(pv_procfs_thread_read(pfd, getpid(), tid, "stat", &text), 0);
        ck_assert_int_eq(atoi(text), tid); /* the thread's own stat, not the main thread's */
        ck_assert_int_eq(pv_parse_proc_stat_state(text, &state), 0);
        ck_assert(state != 'Z' && state != 'X');
        free(text);

        ck_assert_int_eq(write(park_fd[1], "x", 1), 1);
        ck_assert_int_eq(pthread_join(th, NULL), 0);
        text = (char *)"untouched";
        ck_assert_int_eq(pv_procfs_thread_read(pfd, getpid(), tid, "stat", &text), -ESRCH);
        ck_assert_str_eq(text, "untouched");
        close(park_fd[0]);
        close(park_fd[1]);
        close(pfd);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("caller");
        TCase *tc = tcase_create("pidref");
        tcase_add_test(tc, test_pidref_self);
        tcase_add_test(tc, test_pidref_exit);
        tcase_add_test(tc, test_pidref_thread);
        suite_add_tcase(s, tc);
        tc = tcase_create("procfs");
        tcase_add_test(tc, test_procfs_threads);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
