/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading tasks and pid namespaces through a /proc dirfd. */
#include "procfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse-proc.h"
#include "fileio.h"

/* A pid namespace nests at most 32 levels, a process tree far less than this. */
#define PPID_WALK_MAX 4096

int pv_procfs_pidns_ino(int proc_fd, pid_t pid, uint64_t *ret)
{
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
        if (fstatat(proc_fd, path, &st, 0) < 0)
                return -errno;
        *ret = st.st_ino;
        return 0;
}

int pv_procfs_read(int proc_fd, pid_t pid, const char *name, char **ret)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
        int r = pv_read_file_at(proc_fd, path, ret, NULL);
        return r == -ENOENT ? -ESRCH : r;
}

int pv_procfs_thread_read(int proc_fd, pid_t pid, pid_t tid, const char *name, char **ret)
{
        char path[96];
        snprintf(path, sizeof(path), "%d/task/%d/%s", (int)pid, (int)tid, name);
        int r = pv_read_file_at(proc_fd, path, ret, NULL);
        return r == -ENOENT ? -ESRCH : r;
}

int pv_procfs_threads(int proc_fd, pid_t pid, GArray **ret)
{
        char path[64];
        snprintf(path, sizeof(path), "%d/task", (int)pid);
        int dfd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        DIR *dir = fdopendir(dfd);
        if (!dir) {
                int r = -errno;
                close(dfd);
                return r;
        }
        GArray *tids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        struct dirent *de;
        while ((de = readdir(dir)))
                if (isdigit((unsigned char)de->d_name[0])) {
                        pid_t tid = (pid_t)atoi(de->d_name);
                        g_array_append_val(tids, tid);
                }
        closedir(dir);
        *ret = tids;
        return 0;
}

int pv_procfs_start_ns(int proc_fd, long clk_tck, pid_t pid, uint64_t *ret)
{
        g_autofree char *text = NULL;
        uint64_t ticks;
        int r = pv_procfs_read(proc_fd, pid, "stat", &text);
        if (r < 0)
                return r;
        r = pv_parse_pid_stat(text, NULL, &ticks);
        if (r < 0)
                return r;
        *ret = ticks * (1000000000ULL / (uint64_t)clk_tck);
        return 0;
}

int pv_procfs_pidns_init_quick(int proc_fd, pid_t pid, int nsfd, uint64_t ns, bool use_ioctl,
                               pid_t *ret)
{
        if (use_ioctl) {
                int init = ioctl(nsfd, NS_GET_TGID_FROM_PIDNS, 1);
                if (init > 0) {
                        *ret = init;
                        return 0;
                }
                /* ESRCH: ns has no pid 1 (its init died); ENOTTY: a kernel before 6.11 */
                if (errno == ESRCH)
                        return -ESRCH;
        }

        /*
         * Older kernels: walk up while in the namespace, from a thread to its
         * process's main thread, from a process to its parent.
         */
        pid_t x = pid;
        for (int i = 0; i < PPID_WALK_MAX && x > 0; i++) {
                g_autofree char *status = NULL;
                pid_t inner = 0, tgid = 0, ppid = 0;
                uint64_t pns = 0;
                if (pv_procfs_read(proc_fd, x, "status", &status) < 0 ||
                    pv_parse_status_nspid(status, &inner) < 0)
                        break;
                if (inner == 1) {
                        *ret = x;
                        return 0;
                }
                if (pv_parse_status_pid(status, "Tgid", &tgid) < 0 ||
                    pv_parse_status_pid(status, "PPid", &ppid) < 0)
                        break;
                pid_t next = tgid != x ? tgid : ppid;
                if (next <= 0 || pv_procfs_pidns_ino(proc_fd, next, &pns) < 0 || pns != ns)
                        break;
                x = next;
        }
        /* pid joined ns from outside (setns): its parents are not in it */
        return -EAGAIN;
}

static int ns_cmp(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

int pv_procfs_pidns_init_scan(int proc_fd, const uint64_t *ns, size_t n, unsigned max_procs,
                              PvProcfsScanPace pace, void *userdata, pid_t *ret_inits)
{
        int dfd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *dir = fdopendir(dfd);
        if (!dir) {
                int r = -errno;
                close(dfd);
                return r;
        }
        for (size_t i = 0; i < n; i++)
                ret_inits[i] = 0;
        /* Every process's namespace (one fstatat each), the status of the few in a wanted one. */
        int r = 0;
        size_t found = 0;
        unsigned visited = 0;
        struct dirent *de;
        while (found < n && (de = readdir(dir))) {
                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                if (visited >= max_procs || (visited % 16 == 0 && !pace(userdata))) {
                        r = -ETIME;
                        break;
                }
                visited++;
                pid_t cand = (pid_t)atoi(de->d_name);
                uint64_t cns = 0;
                g_autofree char *status = NULL;
                pid_t inner;
                if (pv_procfs_pidns_ino(proc_fd, cand, &cns) < 0)
                        continue;
                const uint64_t *hit = bsearch(&cns, ns, n, sizeof(*ns), ns_cmp);
                if (!hit || ret_inits[hit - ns] != 0)
                        continue;
                if (pv_procfs_read(proc_fd, cand, "status", &status) == 0 &&
                    pv_parse_status_nspid(status, &inner) == 0 && inner == 1) {
                        ret_inits[hit - ns] = cand;
                        found++;
                }
        }
        closedir(dir);
        return r;
}
