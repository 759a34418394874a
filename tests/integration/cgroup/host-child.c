/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host-child.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

static pid_t child = -1;
static int to_child[2] = {-1, -1}, from_child[2] = {-1, -1};

void host_write_at(const char *dir, const char *file, const char *text)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
        ck_assert_msg(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write %s: %s", path,
                      strerror(errno));
        close(fd);
}

int host_rmdir_retry(const char *dir)
{
        int r = -1;
        for (int i = 0; i < 100 && (r = rmdir(dir)) < 0 && errno == EBUSY; i++)
                usleep(20000);
        return r;
}

static void child_main(unsigned long long burn_ns, const char *disk)
{
        char cmd;
        if (read(to_child[0], &cmd, 1) != 1)
                _exit(1);
        size_t n = 4 << 20;
        char *mem = malloc(n);
        if (!mem)
                _exit(1);
        memset(mem, 1, n);
        if (disk) {
                int fd = open(disk, O_WRONLY | O_DIRECT | O_CLOEXEC);
                void *buf;
                if (fd < 0 || posix_memalign(&buf, 4096, 65536) != 0)
                        _exit(2);
                memset(buf, 0, 65536);
                for (unsigned off = 0; off < HOST_CHILD_DISK_BYTES; off += 65536)
                        if (write(fd, buf, 65536) != 65536)
                                _exit(3);
                close(fd);
        }
        if (write(from_child[1], "m", 1) != 1 || read(to_child[0], &cmd, 1) != 1)
                _exit(1);
        if (write(from_child[1], "s", 1) != 1)
                _exit(1);
        /* burn_ns of CPU from now: the memory and disk work before already took some */
        struct timespec ts;
        volatile unsigned long spin = 0;
        unsigned long long start, now;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        start = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
        do {
                for (int i = 0; i < 100000; i++)
                        spin++;
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
                now =
                    (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
        } while (now - start < burn_ns);
        if (write(from_child[1], "d", 1) != 1)
                _exit(1);
        for (;;)
                pause();
}

void host_child_start(unsigned long long burn_ns, const char *disk)
{
        ck_assert_int_eq(pipe2(to_child, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(from_child, O_CLOEXEC), 0);
        child = fork();
        ck_assert_int_ge(child, 0);
        if (child == 0)
                child_main(burn_ns, disk);
}

pid_t host_child_pid(void)
{
        return child;
}

void host_child_send(char cmd)
{
        ck_assert_int_eq(write(to_child[1], &cmd, 1), 1);
}

void host_child_expect(char want)
{
        char got = 0;
        ck_assert_int_eq(read(from_child[0], &got, 1), 1);
        ck_assert_int_eq(got, want);
}

void host_child_kill(void)
{
        if (child > 0) {
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
                child = -1;
        }
}

void host_child_move(const char *dir)
{
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int)child);
        host_write_at(dir, "cgroup.procs", pid);
}

PvCgroup *host_child_open_cgroup(const PvHierarchy *h)
{
        char procfile[64], *text;
        PvCgroup *cg;
        snprintf(procfile, sizeof(procfile), "/proc/%d/cgroup", (int)child);
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, procfile, &text, NULL), 0);
        ck_assert_int_eq(pv_cgroup_open_proc(h, text, &cg), 0);
        free(text);
        return cg;
}

void host_check_burn(const PvCgroup *cg, unsigned long long burn_ns, PvCpuUsage *ret_before,
                     PvCpuUsage *ret_after)
{
        PvCpuUsage u0, u1;
        PvTaskCounts t;

        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u0), 0);
        host_child_send('b');
        host_child_expect('s');
        /* burning: the one thread is running or runnable (R), via netlink where available */
        ck_assert_int_eq(pv_cgroup_read_tasks(cg, &t), 0);
        ck_assert_uint_eq(t.total, 1);
        ck_assert_int_eq(t.last_pid, child);
        ck_assert_uint_eq(t.running, 1);
        host_child_expect('d');
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u1), 0);
        uint64_t before = u0.user_ns + u0.system_ns, after = u1.user_ns + u1.system_ns;
        ck_assert_msg(after >= before + burn_ns * 3 / 4, "cpu %llu -> %llu",
                      (unsigned long long)before, (unsigned long long)after);
        *ret_before = u0;
        *ret_after = u1;
}

void host_check_vanished(const PvCgroup *cg)
{
        PvMemory m;
        PvCpuUsage u;
        PvCpuSet set;
        PvTaskCounts t;

        m.usage = 12345;
        ck_assert_int_lt(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert(m.usage == 12345);
        ck_assert_int_lt(pv_cgroup_read_cpu(cg, &u), 0);
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), -ENOENT); /* gone, not "no cpuset" */
        ck_assert_int_lt(pv_cgroup_read_tasks(cg, &t), 0);
}
