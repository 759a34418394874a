/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "oci-timeout.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 when it has passed. */
static int ms_left(const struct timespec *deadline)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
                       (deadline->tv_nsec - now.tv_nsec) / 1000000;
        return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Copies what the child writes on fd to stderr as it comes, until the child
 * closes its end (it has exited) or timeout_s seconds have passed. The
 * copying cannot wait for the end of the output: it must stop at the
 * deadline. Returns true when the deadline passed first.
 */
static bool copy_output(int fd, int timeout_s)
{
        struct timespec deadline;

        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += timeout_s;
        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, ms_left(&deadline));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r == 0)
                        return true;
                if (r < 0)
                        return false;
                char buf[4096];
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return false; /* the child has exited */
                if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
                        /* stderr gone: the child's messages also went to syslog */
                }
        }
}

/*
 * A task waiting on a FUSE request the daemon has already read waits
 * uninterruptibly, SIGKILL or not, until the daemon answers or dies (fuse
 * request_wait_answer()). So after the kill the child is waited for only
 * briefly, and it never holds our stdout or stderr: runtimes wait for a
 * hook's output pipes to close, not only for its exit. Its output comes
 * through a pipe that we copy to stderr.
 */
static void give_up_on(pid_t pid, int timeout_s)
{
        pv_log_warning("procview views did not answer within %d s, giving up", timeout_s);
        kill(pid, SIGKILL);
        for (int i = 0; i < 20; i++) {
                if (waitpid(pid, NULL, WNOHANG) != 0)
                        return;
                usleep(50 * 1000);
        }
        pv_log_warning("helper %d is blocked in a request to the views and ends when "
                       "procviewd answers or exits; not waiting for it",
                       (int)pid);
}

void pv_oci_run_with_timeout(int (*fn)(void), int timeout_s)
{
        int out[2];
        pid_t pid;

        if (pipe2(out, O_CLOEXEC) < 0) {
                pv_log_warning("pipe: %s, running inline", g_strerror(errno));
                (void)fn();
                return;
        }
        pid = fork();
        if (pid < 0) {
                pv_log_warning("fork: %s, running inline", g_strerror(errno));
                close(out[0]);
                close(out[1]);
                (void)fn();
                return;
        }
        if (pid == 0) {
                if (dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0)
                        _exit(1);
                _exit(fn() < 0 ? 1 : 0);
        }
        close(out[1]);

        bool timed_out = copy_output(out[0], timeout_s);
        close(out[0]);
        if (timed_out) {
                give_up_on(pid, timeout_s);
                return;
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
