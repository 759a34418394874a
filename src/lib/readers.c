/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Readers of the caller's cpuset, CPU quota and memory, walking up from its cgroup. */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse-limit.h"
#include "fileio.h"
#include "io.h"

/* Deep enough for any real hierarchy; bounds the walks on a corrupt tree. */
#define PV_LIB_MAX_LEVELS 256

typedef int (*LevelFn)(int dirfd, void *userdata);

/*
 * Calls fn on dir and each ancestor up to the mount's root, the first
 * mount_len bytes of dir (or until ".." leaves the cgroup filesystem). fn
 * returns 0 to go on, 1 to stop, or -errno to fail.
 */
static int walk_up(const char *dir, size_t mount_len, LevelFn fn, void *userdata)
{
        char top_path[PV_LIB_PATH_MAX];
        struct stat st, top;
        int fd, r = 0;

        if (mount_len == 0 || mount_len >= sizeof(top_path))
                return -EINVAL;
        memcpy(top_path, dir, mount_len);
        top_path[mount_len] = '\0';
        if (stat(top_path, &top) < 0)
                return -errno;
        fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        dev_t dev = st.st_dev;
        for (unsigned level = 0; level < PV_LIB_MAX_LEVELS; level++) {
                ino_t ino = st.st_ino;
                r = fn(fd, userdata);
                if (r != 0 || (st.st_dev == top.st_dev && st.st_ino == top.st_ino))
                        break;
                int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0)
                        break;
                if (fstat(parent, &st) < 0 || st.st_dev != dev || st.st_ino == ino) {
                        close(parent);
                        break;
                }
                close(fd);
                fd = parent;
        }
        close(fd);
        return r < 0 ? r : 0;
}

/*
 * A file holding one number: a counter (pv_parse_u64_or_max), or a limit
 * (pv_parse_limit: "max", "-1" and v1's "no limit" are PV_UNLIMITED).
 */
static int read_number_at(int dirfd, const char *file, int (*parse)(const char *, uint64_t *),
                          uint64_t *ret)
{
        char text[64];
        ssize_t n = pv_lib_read_text_at(dirfd, file, text, sizeof(text));
        if (n < 0)
                return (int)n;
        return parse(text, ret);
}

static int read_u64_at(int dirfd, const char *file, uint64_t *ret)
{
        return read_number_at(dirfd, file, pv_parse_u64_or_max, ret);
}

static int read_limit_at(int dirfd, const char *file, uint64_t *ret)
{
        return read_number_at(dirfd, file, pv_parse_limit, ret);
}

/*
 * Finds the cgroup of pid for ctrl (its path into dir, PV_LIB_PATH_MAX bytes,
 * and whether it is on cgroup v2 into *ret_v2, set before fn first runs) and
 * walks up from it with fn.
 */
static int walk_cgroup(const char *root, pid_t pid, PvController ctrl, char *dir, bool *ret_v2,
                       LevelFn fn, void *userdata)
{
        size_t mount_len;
        int r = pv_lib_cgroup_dir(root, pid, ctrl, dir, PV_LIB_PATH_MAX, ret_v2, &mount_len);
        if (r < 0)
                return r;
        return walk_up(dir, mount_len, fn, userdata);
}

/* ---- cpuset ---- */

/*
 * Room for the longest cpu list of ids below PV_CPU_MAX: runs of two CPUs
 * with one-CPU gaps ("8185-8186,8188-8189,...") take 10 bytes per 3 ids,
 * about 27 KB for 8192 CPUs.
 */
#define PV_LIB_CPULIST_MAX (64 * 1024)

int pv_lib_read_cpulist_at(int dirfd, const char *path, PvCpuSet *ret)
{
        char text[PV_LIB_LINE_MAX];
        ssize_t n = pv_lib_read_text_at(dirfd, path, text, sizeof(text));
        if (n >= 0)
                return pv_cpuset_parse(text, ret);
        if (n != -EFBIG)
                return (int)n;
        /*
         * Longer than the stack buffer: only on hosts with thousands of
         * CPUs, so the rare second read is cheaper than a big stack frame
         * on every call. An anonymous mapping rather than malloc(): the
         * preload runs inside malloc implementations' initialisation.
         */
        char *big = mmap(NULL, PV_LIB_CPULIST_MAX, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (big == MAP_FAILED)
                return -errno;
        n = pv_lib_read_text_at(dirfd, path, big, PV_LIB_CPULIST_MAX);
        int r = n < 0 ? (int)n : pv_cpuset_parse(big, ret);
        munmap(big, PV_LIB_CPULIST_MAX);
        return r;
}

typedef struct CpusetWalk {
        bool found;
        PvCpuSet set;
        int err;
} CpusetWalk;

static int cpuset_v2_level(int dirfd, void *userdata)
{
        CpusetWalk *w = userdata;
        /*
         * cpuset.cpus.effective exists only where the cpuset controller is
         * enabled; a cgroup without it runs on its parent's effective set.
         */
        w->err = pv_lib_read_cpulist_at(dirfd, "cpuset.cpus.effective", &w->set);
        if (w->err == -ENOENT)
                return 0;
        if (w->err < 0)
                return w->err;
        w->found = true;
        return 1;
}

int pv_lib_read_cpuset(const char *root, pid_t pid, PvCpuSet *ret)
{
        char dir[PV_LIB_PATH_MAX];
        size_t mount_len;
        bool v2;
        int r = pv_lib_cgroup_dir(root, pid, PV_CTRL_CPUSET, dir, sizeof(dir), &v2, &mount_len);
        if (r < 0)
                return r;
        if (v2) {
                CpusetWalk w = {.found = false};
                r = walk_up(dir, mount_len, cpuset_v2_level, &w);
                if (r < 0)
                        return r;
                if (!w.found)
                        return -ENOENT;
                *ret = w.set;
                return 0;
        }
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* v1: effective_cpus (cpus & the parent's effective set) where the kernel has it. */
        PvCpuSet set;
        r = pv_lib_read_cpulist_at(fd, "cpuset.effective_cpus", &set);
        if (r == -ENOENT)
                r = pv_lib_read_cpulist_at(fd, "cpuset.cpus", &set);
        if (r < 0)
                return r;
        *ret = set;
        return 0;
}

/* ---- cpu quota ---- */

typedef struct QuotaWalk {
        bool v2;
        uint64_t quota, period;
} QuotaWalk;

static int quota_level(int dirfd, void *userdata)
{
        QuotaWalk *w = userdata;
        uint64_t q, p;
        char a[64], b[64];

        if (w->v2) {
                /* cpu.max is absent in the root cgroup and where cpu is not enabled. */
                ssize_t n = pv_lib_read_text_at(dirfd, "cpu.max", a, sizeof(a));
                if (n == -ENOENT)
                        return 0;
                if (n < 0)
                        return (int)n;
                if (pv_parse_cpu_max(a, &q, &p) < 0)
                        return -EINVAL;
        } else {
                ssize_t n = pv_lib_read_text_at(dirfd, "cpu.cfs_quota_us", a, sizeof(a));
                if (n == -ENOENT)
                        return 0;
                if (n < 0)
                        return (int)n;
                if (pv_parse_cfs_quota(a, &q) < 0)
                        return -EINVAL;
                if (q == 0)
                        return 0;
                n = pv_lib_read_text_at(dirfd, "cpu.cfs_period_us", b, sizeof(b));
                if (n < 0)
                        return (int)n;
                if (pv_parse_cfs_period(b, &p) < 0)
                        return -EINVAL;
        }
        if (pv_quota_tighter(q, p, w->quota, w->period)) {
                w->quota = q;
                w->period = p;
        }
        return 0;
}

int pv_lib_read_quota(const char *root, pid_t pid, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        char dir[PV_LIB_PATH_MAX];
        QuotaWalk w = {.quota = 0, .period = 0};
        int r = walk_cgroup(root, pid, PV_CTRL_CPU, dir, &w.v2, quota_level, &w);
        if (r < 0)
                return r;
        *ret_quota_us = w.quota;
        *ret_period_us = w.quota ? w.period : 0;
        return 0;
}

/* ---- memory ---- */

typedef struct MemoryWalk {
        bool v2;
        uint64_t limit, memsw_limit, swap_max;
} MemoryWalk;

static void take_min(uint64_t *acc, uint64_t v)
{
        if (v < *acc)
                *acc = v;
}

static int memory_level(int dirfd, void *userdata)
{
        MemoryWalk *w = userdata;
        uint64_t v;

        if (w->v2) {
                if (read_limit_at(dirfd, "memory.max", &v) == 0)
                        take_min(&w->limit, v);
                if (read_limit_at(dirfd, "memory.swap.max", &v) == 0)
                        take_min(&w->swap_max, v);
        } else {
                if (read_limit_at(dirfd, "memory.limit_in_bytes", &v) == 0)
                        take_min(&w->limit, v);
                if (read_limit_at(dirfd, "memory.memsw.limit_in_bytes", &v) == 0)
                        take_min(&w->memsw_limit, v);
        }
        return 0;
}

int pv_lib_read_memory(const char *root, pid_t pid, PvLibMemory *ret)
{
        char dir[PV_LIB_PATH_MAX], stat[8192];
        MemoryWalk w = {
            .limit = PV_UNLIMITED, .memsw_limit = PV_UNLIMITED, .swap_max = PV_UNLIMITED};
        PvLibMemory m = {.swap_limit = PV_UNLIMITED};
        uint64_t v;
        int r = walk_cgroup(root, pid, PV_CTRL_MEMORY, dir, &w.v2, memory_level, &w);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        bool have_stat = pv_lib_read_text_at(fd, "memory.stat", stat, sizeof(stat)) >= 0;
        uint64_t hier_limit = PV_UNLIMITED, hier_memsw = PV_UNLIMITED;
        const PvKeyField keys[] = {
            {w.v2 ? "shmem" : "total_shmem", &m.shmem},
            /* v1: already the minimum over every ancestor, also those a cgroup namespace hides */
            {"hierarchical_memory_limit", &hier_limit},
            {"hierarchical_memsw_limit", &hier_memsw},
        };
        if (have_stat)
                (void)pv_parse_flat_keyed(stat, keys, w.v2 ? 1 : 3);

        if (w.v2) {
                r = read_u64_at(fd, "memory.current", &m.usage);
                if (r < 0)
                        return r;
                if (read_u64_at(fd, "memory.swap.current", &v) == 0)
                        m.swap_usage = v;
                m.limit = w.limit;
                m.swap_limit = w.swap_max;
        } else {
                r = read_u64_at(fd, "memory.usage_in_bytes", &m.usage);
                if (r < 0)
                        return r;
                take_min(&w.limit, pv_limit_normalize(hier_limit));
                take_min(&w.memsw_limit, pv_limit_normalize(hier_memsw));
                m.limit = w.limit;
                /* v1 memsw counts memory + swap: the swap share is the difference. */
                if (w.memsw_limit != PV_UNLIMITED)
                        m.swap_limit = w.memsw_limit > w.limit ? w.memsw_limit - w.limit : 0;
                if (read_u64_at(fd, "memory.memsw.usage_in_bytes", &v) == 0 && v > m.usage)
                        m.swap_usage = v - m.usage;
        }
        *ret = m;
        return 0;
}
