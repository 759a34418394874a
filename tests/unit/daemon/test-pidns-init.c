/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding the init of a pid namespace: the quick ways, and the bounded scan of /proc. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfs.h"
#include "pv-check.h"

/*
 * A pid namespace with an init and a second process whose parent is outside
 * it (what a reader that joined by setns looks like): both wait on a pipe.
 * Returns false where pid namespaces cannot be made.
 */
static bool make_pidns(pid_t *ret_helper, pid_t *ret_init, pid_t *ret_joined, int *ret_hold)
{
        int hold[2], pids[2];
        ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(pids, O_CLOEXEC), 0);
        pid_t helper = fork();
        ck_assert_int_ge(helper, 0);
        if (helper == 0) {
                char c;
                pid_t got[2] = {0, 0};
                close(hold[1]);
                if (unshare(CLONE_NEWPID) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
                        _exit(1);
                for (int i = 0; i < 2; i++) {
                        got[i] = fork();
                        if (got[i] == 0) {
                                (void)!read(hold[0], &c, 1);
                                _exit(0);
                        }
                }
                (void)!write(pids[1], got, sizeof(got));
                (void)!read(hold[0], &c, 1);
                while (wait(NULL) > 0)
                        ;
                _exit(0);
        }
        close(hold[0]);
        close(pids[1]);
        pid_t got[2];
        ssize_t n = read(pids[0], got, sizeof(got));
        close(pids[0]);
        if (n != sizeof(got) || got[0] <= 0 || got[1] <= 0) {
                close(hold[1]);
                waitpid(helper, NULL, 0);
                return false;
        }
        *ret_helper = helper;
        *ret_init = got[0];
        *ret_joined = got[1];
        *ret_hold = hold[1];
        return true;
}

static bool go_on(void *userdata)
{
        return true;
}

/* Ends a scan at its first look at the clock. */
static bool stop(void *userdata)
{
        return false;
}

START_TEST(test_pidns_init)
{
        int pfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(pfd, 0);
        pid_t helper, init, joined, found = 0;
        int hold;
        if (!make_pidns(&helper, &init, &joined, &hold)) {
                printf("no pid namespaces here: nothing to look for\n");
                close(pfd);
                return;
        }
        uint64_t ns = 0, ns2 = 0;
        ck_assert_int_eq(pv_procfs_pidns_ino(pfd, init, &ns), 0);
        ck_assert_int_eq(pv_procfs_pidns_ino(pfd, joined, &ns2), 0);
        ck_assert(ns == ns2);
        char path[64];
        snprintf(path, sizeof(path), "%d/ns/pid", (int)joined);
        int nsfd = openat(pfd, path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(nsfd, 0);

        /* the init is pid 1 of ns: no walk needed */
        ck_assert_int_eq(pv_procfs_pidns_init_quick(pfd, init, nsfd, ns, false, &found), 0);
        ck_assert_int_eq(found, init);
        /* the joined process's parent is outside ns: only a scan tells, before 6.11 */
        found = 77;
        ck_assert_int_eq(pv_procfs_pidns_init_quick(pfd, joined, nsfd, ns, false, &found), -EAGAIN);
        ck_assert_int_eq(found, 77);
        int r = pv_procfs_pidns_init_quick(pfd, joined, nsfd, ns, true, &found);
        bool has_ioctl = r == 0;
        ck_assert(r == 0 || r == -EAGAIN);
        ck_assert_int_eq(found, has_ioctl ? init : 77);

        /* one pass looks for several namespaces: none is in one of inode 1 */
        uint64_t wanted[2] = {1, ns};
        pid_t inits[2] = {77, 77};
        ck_assert_int_eq(pv_procfs_pidns_init_scan(pfd, wanted, 2, UINT_MAX, go_on, NULL, inits),
                         0);
        ck_assert_int_eq(inits[0], 0);
        ck_assert_int_eq(inits[1], init);
        /* out of budget: no process may be visited, or the time is up */
        inits[1] = 77;
        ck_assert_int_eq(pv_procfs_pidns_init_scan(pfd, &ns, 1, 0, go_on, NULL, &inits[1]), -ETIME);
        ck_assert_int_eq(inits[1], 0);
        ck_assert_int_eq(pv_procfs_pidns_init_scan(pfd, &ns, 1, UINT_MAX, stop, NULL, &inits[1]),
                         -ETIME);
        ck_assert_int_eq(inits[1], 0);

        /* the init exits (taking ns's other process along): gone for good */
        close(hold);
        ck_assert_int_eq(waitpid(helper, NULL, 0), helper);
        r = pv_procfs_pidns_init_quick(pfd, joined, nsfd, ns, true, &found);
        ck_assert_int_eq(r, has_ioctl ? -ESRCH : -EAGAIN);
        inits[1] = 77;
        ck_assert_int_eq(pv_procfs_pidns_init_scan(pfd, &ns, 1, UINT_MAX, go_on, NULL, &inits[1]),
                         0);
        ck_assert_int_eq(inits[1], 0);
        close(nsfd);
        close(pfd);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("pidns-init");
        TCase *tc = tcase_create("procfs");
        tcase_add_test(tc, test_pidns_init);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
