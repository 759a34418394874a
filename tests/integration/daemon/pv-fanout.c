/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tenant that makes many cgroups, for the daemon's budget test.
 *   pv-fanout NAME TREES DEPTH FILE   makes TREES chains of DEPTH nested v1 cgroups below
 *                                     NAME (in every controller of V1_CONTROLLERS), puts one
 *                                     sleeping process in each that reads FILE once, prints
 *                                     "ready N errors E" and waits until its stdin closes;
 *                                     then kills the sleepers and removes the cgroups.
 * NAME must exist in every controller; cpuset.cpus and cpuset.mems are copied down.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"
static const char *const controllers[] = {"memory", "cpu", "cpuacct", "cpuset", "blkio", "pids"};
#define N_CTRL (sizeof(controllers) / sizeof(controllers[0]))

static int write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, text, strlen(text));
        close(fd);
        return n < 0 ? -1 : 0;
}

static void copy_file(const char *from, const char *to)
{
        char buf[4096];
        int fd = open(from, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n > 0) {
                buf[n] = 0;
                (void)write_file(to, buf);
        }
}

/* The path of level (1..DEPTH) of tree t below name, relative to a controller's root. */
static void cg_path(char *buf, size_t size, const char *name, int t, int level)
{
        int n = snprintf(buf, size, "%s/t%d", name, t);
        for (int l = 2; l <= level && n > 0 && (size_t)n < size; l++)
                n += snprintf(buf + n, size - (size_t)n, "/l%d", l);
}

static int make_cgroup(const char *rel)
{
        char path[1200], parent[1200];
        for (size_t c = 0; c < N_CTRL; c++) {
                snprintf(path, sizeof(path), CG_ROOT "/%s/%s", controllers[c], rel);
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        return -1;
        }
        snprintf(parent, sizeof(parent), CG_ROOT "/cpuset/%s", rel);
        *strrchr(parent, '/') = 0;
        const char *files[] = {"cpuset.cpus", "cpuset.mems"};
        for (size_t i = 0; i < 2; i++) {
                char from[1300], to[1300];
                snprintf(from, sizeof(from), "%s/%s", parent, files[i]);
                snprintf(to, sizeof(to), CG_ROOT "/cpuset/%s/%s", rel, files[i]);
                copy_file(from, to);
        }
        return 0;
}

/* A sleeper: joins rel in every controller, reads file once, says so on ready_fd, sleeps. */
static void sleeper(const char *rel, const char *file, int ready_fd)
{
        char path[1200], pid[32], buf[65536], ok = 'y';
        snprintf(pid, sizeof(pid), "%d", (int)getpid());
        for (size_t c = 0; c < N_CTRL; c++) {
                snprintf(path, sizeof(path), CG_ROOT "/%s/%s/cgroup.procs", controllers[c], rel);
                if (write_file(path, pid) < 0)
                        ok = 'n';
        }
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
                ok = 'n';
        if (fd >= 0)
                close(fd);
        (void)write(ready_fd, &ok, 1);
        close(ready_fd);
        for (;;)
                pause();
}

int main(int argc, char **argv)
{
        if (argc != 5) {
                fprintf(stderr, "usage: pv-fanout NAME TREES DEPTH FILE\n");
                return 2;
        }
        const char *name = argv[1], *file = argv[4];
        int trees = atoi(argv[2]), depth = atoi(argv[3]), n = trees * depth, errors = 0;
        pid_t *pids = calloc((size_t)n, sizeof(pid_t));
        int ready[2];
        char rel[1024];

        if (!pids || trees <= 0 || depth <= 0 || pipe2(ready, O_CLOEXEC) < 0) {
                free(pids);
                return 1;
        }
        for (int t = 0; t < trees; t++)
                for (int l = 1; l <= depth; l++) {
                        cg_path(rel, sizeof(rel), name, t, l);
                        if (make_cgroup(rel) < 0) {
                                fprintf(stderr, "pv-fanout: mkdir %s: %m\n", rel);
                                n = t * depth + l - 1;
                                goto run;
                        }
                }
run:
        for (int i = 0; i < n; i++) {
                cg_path(rel, sizeof(rel), name, i / depth, i % depth + 1);
                pids[i] = fork();
                if (pids[i] == 0) {
                        close(ready[0]);
                        sleeper(rel, file, ready[1]);
                }
                if (pids[i] < 0) {
                        n = i;
                        break;
                }
        }
        close(ready[1]);
        for (int i = 0; i < n; i++) {
                char ok;
                if (read(ready[0], &ok, 1) != 1 || ok != 'y')
                        errors++;
        }
        printf("ready %d errors %d\n", n, errors);
        fflush(stdout);
        while (read(STDIN_FILENO, rel, sizeof(rel)) > 0)
                ;
        for (int i = 0; i < n; i++)
                kill(pids[i], SIGKILL);
        for (int i = 0; i < n; i++)
                waitpid(pids[i], NULL, 0);
        /* deepest first */
        for (int t = trees - 1; t >= 0; t--)
                for (int l = depth; l >= 1; l--) {
                        cg_path(rel, sizeof(rel), name, t, l);
                        for (size_t c = 0; c < N_CTRL; c++) {
                                char path[1200];
                                snprintf(path, sizeof(path), CG_ROOT "/%s/%s", controllers[c], rel);
                                (void)rmdir(path);
                        }
                }
        free(pids);
        return 0;
}
