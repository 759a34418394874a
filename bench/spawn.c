/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Populates many containers for the loadavg-sampling measurement. Each
 * container is one process that is the init of its own pid namespace and sits
 * in its own cgroups: that is what both procviewd and lxcfs take as "the
 * reader's container" (the cgroup of the reader's pid-namespace init), so a
 * single read of proc/loadavg by that process makes each daemon start tracking
 * that cgroup. The processes then sleep, so the cgroups are idle and what the
 * daemons spend afterwards is the cost of sampling alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "bench.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        stop_requested = 1;
}

/* Child side, after a raw clone: plain system calls only, no stdio or malloc. */
static int child_join_and_read(char **procs_files, char **read_paths)
{
        static char buf[65536];

        for (char **p = procs_files; *p; p++) {
                int fd = open(*p, O_WRONLY | O_CLOEXEC);

                /* "0" names the writer itself (cgroup v1 and v2 cgroup.procs). */
                if (fd < 0)
                        return errno;
                if (write(fd, "0", 1) != 1) {
                        int e = errno;

                        close(fd);
                        return e;
                }
                close(fd);
        }
        for (char **p = read_paths; *p; p++) {
                int fd = open(*p, O_RDONLY | O_CLOEXEC);
                ssize_t n, total = 0;

                if (fd < 0)
                        return errno;
                while ((n = read(fd, buf, sizeof(buf))) > 0)
                        total += n;
                if (n < 0 || total == 0) {
                        int e = n < 0 ? errno : ENODATA;

                        close(fd);
                        return e;
                }
                close(fd);
        }
        return 0;
}

static void kill_all(GArray *pids)
{
        for (guint i = 0; i < pids->len; i++)
                kill(g_array_index(pids, pid_t, i), SIGKILL);
        for (guint i = 0; i < pids->len; i++)
                while (waitpid(g_array_index(pids, pid_t, i), NULL, 0) < 0 && errno == EINTR)
                        ;
        g_array_set_size(pids, 0);
}

int bench_spawn_main(int argc, char **argv)
{
        int count = 0;
        g_auto(GStrv) cgroups = NULL, reads = NULL;
        GOptionEntry entries[] = {
            {"count", 0, 0, G_OPTION_ARG_INT, &count, "number of containers", "N"},
            {"cgroup", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cgroups,
             "parent cgroup directory (repeat per controller); container i joins DIR/i", "DIR"},
            {"read", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &reads,
             "file each container reads once (repeatable)", "PATH"},
            {NULL},
        };
        g_autoptr(GOptionContext) ctx =
            g_option_context_new("- one idle process per cgroup, each a pid-namespace init");
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        struct sigaction sa = {.sa_handler = on_stop};
        sigset_t stop_mask, old_mask;
        int status_pipe[2];
        int failed = 0, first_error = 0;

        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "pv-bench spawn: %s\n", error->message);
                return 2;
        }
        if (count < 1 || !cgroups) {
                fprintf(stderr, "pv-bench spawn: --count and --cgroup are required\n");
                return 2;
        }
        if (!reads)
                reads = g_new0(char *, 1);

        /* No SA_RESTART: the status reads below must return on SIGTERM/SIGINT. */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigemptyset(&stop_mask);
        sigaddset(&stop_mask, SIGTERM);
        sigaddset(&stop_mask, SIGINT);
        if (pipe2(status_pipe, O_CLOEXEC) < 0) {
                perror("pv-bench spawn: pipe2");
                return 1;
        }

        for (int i = 0; i < count && !stop_requested; i++) {
                guint n = g_strv_length(cgroups);
                g_auto(GStrv) procs = g_new0(char *, n + 1);
                long pid;

                for (guint k = 0; k < n; k++)
                        procs[k] = g_strdup_printf("%s/%d/cgroup.procs", cgroups[k], i);

                /* fork() semantics (same stack), but the child is pid 1 of a new pid namespace. */
                pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);
                if (pid < 0) {
                        perror("pv-bench spawn: clone");
                        kill_all(pids);
                        return 1;
                }
                if (pid == 0) {
                        int e;

                        /* Never outlive the spawner, whatever happens to it. */
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        e = child_join_and_read(procs, reads);
                        if (write(status_pipe[1], &e, sizeof(e)) != sizeof(e))
                                _exit(1);
                        for (;;)
                                pause();
                }
                pid_t p = (pid_t)pid;
                g_array_append_val(pids, p);
        }

        /* One status per child; pipe writes of an int are atomic. */
        for (guint i = 0; i < pids->len && !stop_requested; i++) {
                int e;
                ssize_t n = read(status_pipe[0], &e, sizeof(e));

                if (n < 0 && errno == EINTR)
                        break;
                if (n != sizeof(e)) {
                        fprintf(stderr, "pv-bench spawn: lost a child's status\n");
                        kill_all(pids);
                        return 1;
                }
                if (e != 0 && failed++ == 0)
                        first_error = e;
        }
        if (stop_requested) {
                kill_all(pids);
                return 1;
        }
        if (failed > 0) {
                fprintf(stderr, "pv-bench spawn: %d of %u containers failed, first: %s\n", failed,
                        pids->len, g_strerror(first_error));
                kill_all(pids);
                return 1;
        }

        /* Blocked between the check and the wait, so a stop request cannot be missed. */
        sigprocmask(SIG_BLOCK, &stop_mask, &old_mask);
        printf("ready %u\n", pids->len);
        fflush(stdout);
        while (!stop_requested)
                sigsuspend(&old_mask);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        kill_all(pids);
        return 0;
}
