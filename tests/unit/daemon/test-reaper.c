/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reaper: a watched pidfd's exit is reported once, with its key, soon after it happens. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pidref.h"
#include "pv-check.h"
#include "registry/reaper.h"

typedef struct Reports {
        GMutex lock;
        GCond cond;
        GArray *keys; /* uint64_t */
} Reports;

static void on_exit_reported(void *data, uint64_t key)
{
        Reports *r = data;
        g_mutex_lock(&r->lock);
        g_array_append_val(r->keys, key);
        g_cond_broadcast(&r->cond);
        g_mutex_unlock(&r->lock);
}

/* Waits up to 1 s for n reports; returns how many came. */
static guint wait_reports(Reports *r, guint n)
{
        gint64 until = g_get_monotonic_time() + G_USEC_PER_SEC;
        g_mutex_lock(&r->lock);
        while (r->keys->len < n && g_cond_wait_until(&r->cond, &r->lock, until))
                ;
        guint got = r->keys->len;
        g_mutex_unlock(&r->lock);
        return got;
}

static void reports_init(Reports *r)
{
        g_mutex_init(&r->lock);
        g_cond_init(&r->cond);
        r->keys = g_array_new(FALSE, FALSE, sizeof(uint64_t));
}

static void reports_clear(Reports *r)
{
        g_array_unref(r->keys);
        g_cond_clear(&r->cond);
        g_mutex_clear(&r->lock);
}

/* A child that lives until its pipe closes. */
static pid_t child_waiting(int *ret_go)
{
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
        close(go[0]);
        *ret_go = go[1];
        return child;
}

START_TEST(test_process_exit)
{
        Reports rep;
        reports_init(&rep);
        PvReaper *r = pv_reaper_new(on_exit_reported, &rep);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(pv_reaper_start(r), 0);

        int go_a, go_b;
        pid_t a = child_waiting(&go_a), b = child_waiting(&go_b);
        int fd_a = (int)syscall(SYS_pidfd_open, a, 0), fd_b = (int)syscall(SYS_pidfd_open, b, 0);
        ck_assert_int_ge(fd_a, 0);
        ck_assert_int_ge(fd_b, 0);
        ck_assert_int_eq(pv_reaper_watch(r, fd_a, 17), 0);
        ck_assert_int_eq(pv_reaper_watch(r, fd_b, 42), 0);
        g_usleep(50 * 1000);
        ck_assert_uint_eq(wait_reports(&rep, 0), 0);

        /* b exits, and is reported though not yet reaped (a zombie) */
        close(go_b);
        ck_assert_uint_eq(wait_reports(&rep, 1), 1);
        ck_assert_uint_eq(g_array_index(rep.keys, uint64_t, 0), 42);
        /* once: b's pidfd, left open, stays readable */
        g_usleep(100 * 1000);
        ck_assert_uint_eq(wait_reports(&rep, 1), 1);

        /* a's pidfd closed before its exit: nothing is reported */
        close(fd_a);
        close(go_a);
        ck_assert_int_eq(waitpid(a, NULL, 0), a);
        ck_assert_int_eq(waitpid(b, NULL, 0), b);
        g_usleep(100 * 1000);
        ck_assert_uint_eq(wait_reports(&rep, 1), 1);

        close(fd_b);
        pv_reaper_free(r);
        reports_clear(&rep);
}
END_TEST

static int thread_go[2];

static void *thread_main(void *arg)
{
        char c;
        (void)!read(thread_go[0], &c, 1);
        return NULL;
}

/* A reader that is not its process's main thread: its exit where the kernel tells it (>= 6.9). */
START_TEST(test_thread_exit)
{
        Reports rep;
        reports_init(&rep);
        PvReaper *r = pv_reaper_new(on_exit_reported, &rep);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(pv_reaper_start(r), 0);

        ck_assert_int_eq(pipe2(thread_go, O_CLOEXEC), 0);
        pthread_t th;
        ck_assert_int_eq(pthread_create(&th, NULL, thread_main, NULL), 0);
        /* the thread's id, from /proc/self/task: the one that is not ours */
        pid_t tid = 0;
        for (int i = 0; i < 100 && !tid; i++) {
                g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
                const char *name;
                while (dir && (name = g_dir_read_name(dir)))
                        if (atoi(name) != getpid())
                                tid = atoi(name);
                if (!tid)
                        g_usleep(10 * 1000);
        }
        ck_assert_int_gt(tid, 0);
        int pfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        PvPidRef ref = {.fd = -1};
        ck_assert_int_eq(pv_pidref_open(pfd, tid, &ref), 0);
        if (!ref.is_pidfd) {
                /* no PIDFD_THREAD: its process's exit is what can be watched (caller.c) */
                int fd = pv_pidfd_of_process(pfd, tid);
                ck_assert_int_ge(fd, 0);
                close(fd);
                pv_pidref_close(&ref);
                close(pfd);
                (void)!write(thread_go[1], "x", 1);
                pthread_join(th, NULL);
                pv_reaper_free(r);
                reports_clear(&rep);
                return;
        }
        ck_assert_int_eq(pv_reaper_watch(r, ref.fd, 7), 0);
        g_usleep(50 * 1000);
        ck_assert_uint_eq(wait_reports(&rep, 0), 0);
        (void)!write(thread_go[1], "x", 1);
        pthread_join(th, NULL);
        /* the thread exited, its process lives on */
        ck_assert_uint_eq(wait_reports(&rep, 1), 1);
        ck_assert_uint_eq(g_array_index(rep.keys, uint64_t, 0), 7);
        pv_pidref_close(&ref);
        close(pfd);
        close(thread_go[0]);
        close(thread_go[1]);
        pv_reaper_free(r);
        reports_clear(&rep);
}
END_TEST

/* A reaper never started, or started and stopped at once, frees cleanly. */
START_TEST(test_stop)
{
        PvReaper *r = pv_reaper_new(on_exit_reported, NULL);
        ck_assert_ptr_nonnull(r);
        pv_reaper_free(r);
        r = pv_reaper_new(on_exit_reported, NULL);
        ck_assert_int_eq(pv_reaper_start(r), 0);
        pv_reaper_free(r);
        pv_reaper_free(NULL);
        ck_assert_int_eq(pv_reaper_watch(NULL, 0, 1), -ENOSYS);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("reaper");
        TCase *tc = tcase_create("reaper");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_process_exit);
        tcase_add_test(tc, test_thread_exit);
        tcase_add_test(tc, test_stop);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
