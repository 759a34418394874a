/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-private.h"
#include "fileio.h"
#include "parse-proc.h"
#include "parse.h"
#include "taskstats.h"

/*
 * Cost bounds: a container is walked at most this deep and this wide, so a
 * runaway nesting cannot stall the caller. Real containers nest a few levels.
 */
#define TASKS_MAX_DEPTH 32
#define TASKS_MAX_DIRS 4096

typedef struct TaskWalk {
        const PvCgroup *cg;
        const char *list_file;
        int sock; /* netlink socket, -1: read /proc */
        unsigned dirs;
        PvTaskCounts counts;
} TaskWalk;

/* The state letter of one thread from <proc>/<tid>/stat; 0 when it is gone. */
static char thread_state(int proc_fd, unsigned long tid)
{
        char path[48], buf[512];
        snprintf(path, sizeof(path), "%lu/stat", tid);
        /* pid, comm (<= 64 bytes for kernel threads) and state fit in the first 512 bytes */
        if (pv_read_head_at(proc_fd, path, buf, sizeof(buf)) < 0)
                return 0;
        char state;
        return pv_parse_proc_stat_state(buf, &state) == 0 ? state : 0;
}

/* Counts the threads listed in one cgroup directory; states by netlink or /proc. */
static int walk_one(TaskWalk *w, int path_fd, int dir_fd)
{
        char *text = NULL;
        int r = pv_read_file_at(path_fd, w->list_file, &text, NULL);
        if (r < 0)
                return r == -ENODEV ? -ENOENT : r;

        bool by_netlink = false;
        if (w->sock >= 0) {
                PvCgroupStats cs;
                r = pv_cgroupstats_get(w->sock, w->cg->h->taskstats_family, dir_fd, &cs);
                if (r == 0) {
                        by_netlink = true;
                        w->counts.running += (unsigned)cs.running;
                        w->counts.uninterruptible += (unsigned)cs.uninterruptible;
                } else if (r != -ENOENT) {
                        /* refused (not v1 cgroupfs, no permission): /proc from here on */
                        close(w->sock);
                        w->sock = -1;
                }
        }

        for (char *p = text; *p;) {
                char *end;
                errno = 0;
                unsigned long tid = strtoul(p, &end, 10);
                if (end == p || errno) {
                        free(text);
                        return -EINVAL;
                }
                p = end;
                while (*p == '\n' || *p == ' ')
                        p++;
                w->counts.total++;
                if ((pid_t)tid > w->counts.last_pid)
                        w->counts.last_pid = (pid_t)tid;
                if (by_netlink)
                        continue;
                switch (thread_state(w->cg->h->proc_fd, tid)) {
                case 'R':
                        w->counts.running++;
                        break;
                case 'D':
                        w->counts.uninterruptible++;
                        break;
                default:
                        break;
                }
        }
        free(text);
        return 0;
}

static int walk(TaskWalk *w, int path_fd, unsigned depth)
{
        /* the kernel's netlink and readdir need a readable fd, not O_PATH */
        _cleanup_close_ int dir_fd = openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return errno == ENODEV ? -ENOENT : -errno;
        int r = walk_one(w, path_fd, dir_fd);
        if (r < 0)
                return r;
        if (depth >= TASKS_MAX_DEPTH)
                return 0;
        /* a cgroup directory links 2 plus its subdirectories (kernfs): a leaf needs no listing */
        struct stat st;
        if (fstat(dir_fd, &st) == 0 && st.st_nlink == 2)
                return 0;

        int list_fd = dup(dir_fd);
        if (list_fd < 0)
                return -errno;
        DIR *d = fdopendir(list_fd);
        if (!d) {
                close(list_fd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                    strcmp(de->d_name, "..") == 0)
                        continue;
                if (++w->dirs > TASKS_MAX_DIRS)
                        break;
                _cleanup_close_ int child =
                    openat(path_fd, de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (child < 0)
                        continue; /* removed meanwhile */
                r = walk(w, child, depth + 1);
                if (r < 0 && r != -ENOENT) {
                        closedir(d);
                        return r;
                }
        }
        closedir(d);
        return 0;
}

int pv_cg_count_tasks(const PvCgroup *cg, PvController c, const char *list_file, bool use_netlink,
                      PvTaskCounts *ret)
{
        TaskWalk w = {.cg = cg, .list_file = list_file, .sock = -1};
        if (!cg->chain[c])
                return -ENODEV;
        if (use_netlink && cg->h->taskstats_family > 0)
                w.sock = pv_taskstats_socket();
        int r = walk(&w, cg->chain[c][0], 0);
        if (w.sock >= 0)
                close(w.sock);
        if (r < 0)
                return r;
        *ret = w.counts;
        return 0;
}

/* The start of task pid in clock ticks since boot, from <proc>/<pid>/stat. */
static int task_start(int proc_fd, pid_t pid, uint64_t *ret)
{
        char path[32];
        char *text = NULL;
        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        int r = pv_read_file_at(proc_fd, path, &text, NULL);
        if (r < 0)
                return r;
        r = pv_parse_pid_stat(text, NULL, ret);
        free(text);
        return r;
}

int pv_cgroup_oldest_task(const PvCgroup *cg, pid_t *ret_pid, uint64_t *ret_start_ticks)
{
        static const PvController order[] = {PV_CTRL_CPUACCT, PV_CTRL_MEMORY, PV_CTRL_PIDS};
        int r = -ENODEV;

        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
                PvController c = order[i];
                char *text = NULL;
                if (!cg->chain[c])
                        continue;
                /* cgroup.procs gives a page of pids per read: read to the end */
                r = pv_read_file_at(cg->chain[c][0], "cgroup.procs", &text, NULL);
                if (r < 0)
                        continue;
                pid_t oldest = 0;
                uint64_t oldest_start = UINT64_MAX;
                for (char *p = text; *p;) {
                        pid_t pid = (pid_t)strtol(p, &p, 10);
                        uint64_t s;
                        if (pid > 0 && task_start(cg->h->proc_fd, pid, &s) == 0 &&
                            s < oldest_start) {
                                oldest = pid;
                                oldest_start = s;
                        }
                        while (*p == '\n')
                                p++;
                        if (*p && !isdigit((unsigned char)*p))
                                break;
                }
                free(text);
                if (oldest <= 0)
                        return -ESRCH;
                if (ret_pid)
                        *ret_pid = oldest;
                if (ret_start_ticks)
                        *ret_start_ticks = oldest_start;
                return 0;
        }
        return r;
}
