/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libprocview-preload.so: with LD_PRELOAD, unmodified dynamically linked
 * programs see their container in sysconf(), get_nprocs(), sysinfo() and
 * getloadavg(), and CPU pinning by logical index lands on allowed CPUs.
 *
 * Interposers run before the program's main() and inside malloc
 * implementations (jemalloc and tcmalloc ask sysconf() for the CPU count
 * while initialising), so nothing here allocates: the core reads with
 * open/read on stack buffers. Whenever the container's values cannot be read
 * the real functions answer. The only state is the CPU count's cache, which
 * a child inherits with the cgroups and the affinity it describes, so fork
 * and exec need no care.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "cache.h"
#include "core.h"
#include "parse-proc.h"

#define PV_EXPORT __attribute__((visibility("default")))

/* glibc's own entry point behind sysconf(), exported since 2.2.5: no dlsym needed. */
extern long __sysconf(int name);

/*
 * Set while an interposer runs: should anything the core calls ever come back
 * into an interposer on the same thread, the real function answers.
 */
static __thread int in_hook __attribute__((tls_model("initial-exec")));

/*
 * The core's reads fail on purpose along the way (a file absent at one
 * cgroup level, no procviewd mount), each failure setting errno. A wrapper
 * that succeeds must leave errno as the caller had it, as the functions it
 * stands for do: callers test errno after sysconf() and friends. Every
 * stretch of core calls runs between these two.
 */
static int hook_enter(void)
{
        in_hook++;
        return errno;
}

static void hook_leave(int saved_errno)
{
        in_hook--;
        errno = saved_errno;
}

static void *real_symbol(void **cache, const char *name)
{
        void *f = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
        if (!f) {
                f = dlsym(RTLD_NEXT, name);
                __atomic_store_n(cache, f, __ATOMIC_RELEASE);
        }
        return f;
}

/* ---- CPU count ---- */

/*
 * Computing the count reads /proc/self/cgroup, mountinfo and the cpuset and
 * quota files of every ancestor: 13 to 20 times what glibc's own sysconf()
 * costs (bench/run-bench.sh preload), and thread pools and allocators ask for
 * it often. The count is kept with the affinity mask it was computed under
 * and given again while the calling thread's mask is the same: every cpuset
 * change, and every move to another cgroup, rewrites the mask, so such a
 * change is seen at the very next call. What the mask cannot show is seen
 * within COUNT_MAX_AGE_NS: a new CPU quota, and a cpuset change for a thread
 * whose own narrower mask lies inside both the old and the new cpuset (the
 * kernel then leaves it alone). One entry serves the process: threads pinned
 * to different CPUs take turns, each turn computing once.
 */
#define COUNT_MAX_AGE_NS (100 * 1000 * 1000)

static PvLibCountCache count_cache;

static unsigned cached_count(void)
{
        uint64_t mask[PV_LIB_CACHE_WORDS] = {0};
        struct timespec now;
        unsigned n;

        /*
         * The override is looked at first: a program may set it at any time.
         * Not in secure-execution mode (setuid, file capabilities), where the
         * environment is the unprivileged caller's: the preload reaches such
         * programs through /etc/ld.so.preload.
         */
        if (pv_lib_parse_cpus_override(secure_getenv("PROCVIEW_CPUS"), &n) == 0)
                return n;
        /* The kernel's mask is longer than the cache on hosts of over 1024 CPUs: EINVAL. */
        long len = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
        /* The coarse clock is read in user space (vDSO); its few ms of grain are ample here. */
        if (len <= 0 || clock_gettime(CLOCK_MONOTONIC_COARSE, &now) < 0)
                return pv_lib_current_count();
        size_t n_words = ((size_t)len + sizeof(mask[0]) - 1) / sizeof(mask[0]);
        int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
        if (pv_lib_count_cache_get(&count_cache, mask, n_words, now_ns, COUNT_MAX_AGE_NS, &n))
                return n;
        /*
         * The mask was read before the count is computed: should the cpuset
         * change in between, the next call reads a mask that differs from the
         * stored one and computes again.
         */
        n = pv_lib_current_count();
        pv_lib_count_cache_put(&count_cache, mask, n_words, now_ns, n);
        return n;
}

static long container_cpus(int real_name)
{
        long n;
        if (in_hook)
                return __sysconf(real_name);
        int saved = hook_enter();
        n = (long)cached_count();
        hook_leave(saved);
        return n;
}

/* ---- memory ---- */

/* The container's memory, or -errno when it has no visible limit to apply. */
static int container_memory(PvLibMemory *ret)
{
        int r;
        if (in_hook)
                return -EDEADLK;
        int saved = hook_enter();
        r = pv_lib_read_memory("", 0, ret);
        hook_leave(saved);
        return r;
}

static long container_pages(int name)
{
        long host = __sysconf(name);
        long page = __sysconf(_SC_PAGESIZE);
        PvLibMemory m;

        if (host <= 0 || page <= 0 || container_memory(&m) < 0 || m.limit == PV_UNLIMITED)
                return host;
        uint64_t bytes = m.limit;
        if (name == _SC_AVPHYS_PAGES)
                bytes = m.limit > m.usage ? m.limit - m.usage : 0;
        uint64_t pages = bytes / (uint64_t)page;
        return pages < (uint64_t)host ? (long)pages : host;
}

PV_EXPORT long sysconf(int name)
{
        switch (name) {
        case _SC_NPROCESSORS_ONLN:
        case _SC_NPROCESSORS_CONF:
                return container_cpus(name);
        case _SC_PHYS_PAGES:
        case _SC_AVPHYS_PAGES:
                return container_pages(name);
        default:
                return __sysconf(name);
        }
}

PV_EXPORT int get_nprocs(void)
{
        return (int)container_cpus(_SC_NPROCESSORS_ONLN);
}

PV_EXPORT int get_nprocs_conf(void)
{
        return (int)container_cpus(_SC_NPROCESSORS_CONF);
}

/* ---- load and uptime ---- */

/*
 * Reads proc/<name> of procviewd's view ($PROCVIEW_ROOT, default the build's
 * mount point), which describes the reader's own container, else /proc/<name>,
 * which is the container's view where the runtime bind-mounted it. A program in
 * secure-execution mode reads the default: its caller must not choose the file.
 */
static ssize_t read_view(const char *name, char *buf, size_t len)
{
        char path[PV_LIB_PATH_MAX];
        const char *root = secure_getenv("PROCVIEW_ROOT");
        size_t rl, nl = strlen(name);

        if (!root || !*root)
                root = PV_DEFAULT_ROOT;
        rl = strlen(root);
        if (rl + nl + 8 <= sizeof(path)) {
                memcpy(path, root, rl);
                memcpy(path + rl, "/proc/", 6);
                memcpy(path + rl + 6, name, nl + 1);
                ssize_t n = pv_lib_read_text_at(AT_FDCWD, path, buf, len);
                if (n >= 0)
                        return n;
        }
        memcpy(path, "/proc/", 6);
        memcpy(path + 6, name, nl + 1);
        return pv_lib_read_text_at(AT_FDCWD, path, buf, len);
}

static void *real_getloadavg;

PV_EXPORT int getloadavg(double loadavg[], int nelem)
{
        char text[256];
        double loads[3];

        if (nelem < 0)
                return -1;
        if (!in_hook) {
                int saved = hook_enter();
                int ok = read_view("loadavg", text, sizeof(text)) >= 0 &&
                         pv_parse_loadavg(text, loads, NULL, NULL) == 0;
                hook_leave(saved);
                if (ok) {
                        int n = nelem < 3 ? nelem : 3;
                        for (int i = 0; i < n; i++)
                                loadavg[i] = loads[i];
                        return n;
                }
        }
        int (*f)(double[], int) =
            (int (*)(double[], int))real_symbol(&real_getloadavg, "getloadavg");
        return f ? f(loadavg, nelem) : -1;
}

static unsigned long clamp_units(uint64_t bytes, unsigned unit, unsigned long host)
{
        uint64_t v = bytes / (unit ? unit : 1);
        return v < host ? (unsigned long)v : host;
}

PV_EXPORT int sysinfo(struct sysinfo *info)
{
        /* The raw syscall is what glibc's sysinfo() is; no lookup needed. */
        if (syscall(SYS_sysinfo, info) < 0)
                return -1;
        if (in_hook)
                return 0;
        int saved = hook_enter();

        PvLibMemory m;
        unsigned unit = info->mem_unit ? info->mem_unit : 1;
        if (pv_lib_read_memory("", 0, &m) == 0 && m.limit != PV_UNLIMITED) {
                unsigned long total = clamp_units(m.limit, unit, info->totalram);
                uint64_t used = m.usage / unit;
                info->totalram = total;
                info->freeram = used < total ? total - (unsigned long)used : 0;
                info->sharedram = clamp_units(m.shmem, unit, total);
                /* Block-device buffers are charged as page cache; cgroups do not split them out. */
                info->bufferram = 0;
                if (m.swap_limit != PV_UNLIMITED) {
                        unsigned long stotal = clamp_units(m.swap_limit, unit, info->totalswap);
                        uint64_t sused = m.swap_usage / unit;
                        info->totalswap = stotal;
                        info->freeswap = sused < stotal ? stotal - (unsigned long)sused : 0;
                }
        }

        char text[256];
        double loads[3], up;
        unsigned total_tasks;
        if (read_view("loadavg", text, sizeof(text)) >= 0 &&
            pv_parse_loadavg(text, loads, NULL, &total_tasks) == 0) {
                /* sysinfo(2) loads are fixed point with SI_LOAD_SHIFT fraction bits. */
                for (int i = 0; i < 3; i++)
                        info->loads[i] = (unsigned long)(loads[i] * (double)(1UL << SI_LOAD_SHIFT));
                if (total_tasks <= 0xffff)
                        info->procs = (unsigned short)total_tasks;
        }
        if (read_view("uptime", text, sizeof(text)) >= 0 && pv_parse_uptime(text, &up) == 0)
                info->uptime = (long)up;
        hook_leave(saved);
        return 0;
}

/* ---- pinning ---- */

/* The mask to pass on: the caller's, or the remapped one in out_bits (then *size is updated). */
static const cpu_set_t *remap(const PvCpuSet *allowed, size_t *size, const cpu_set_t *mask,
                              uint64_t out_bits[PV_CPUSET_WORDS])
{
        if (pv_lib_remap_affinity(allowed, *size, mask, out_bits, size) != 1)
                return mask;
        return (const cpu_set_t *)out_bits;
}

PV_EXPORT int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *mask)
{
        uint64_t bits[PV_CPUSET_WORDS];
        const cpu_set_t *use = mask;

        if (!in_hook) {
                PvCpuSet allowed;
                int saved = hook_enter();
                /* Another task's cpuset for pid != 0: pinning follows the target's container. */
                int r = pid == 0 || pid == (pid_t)syscall(SYS_gettid)
                            ? pv_lib_current_cpuset(&allowed)
                            : pv_lib_read_cpuset("", pid, &allowed);
                if (r == 0)
                        use = remap(&allowed, &size, mask, bits);
                hook_leave(saved);
        }
        return (int)syscall(SYS_sched_setaffinity, pid, size, use);
}

/*
 * The mask for an affinity call on a thread of this process: threads of a
 * process share its container, so the caller's cpuset applies.
 */
static const cpu_set_t *remap_for_self(size_t *size, const cpu_set_t *mask,
                                       uint64_t bits[PV_CPUSET_WORDS])
{
        const cpu_set_t *use = mask;
        if (!in_hook) {
                PvCpuSet allowed;
                int saved = hook_enter();
                if (pv_lib_current_cpuset(&allowed) == 0)
                        use = remap(&allowed, size, mask, bits);
                hook_leave(saved);
        }
        return use;
}

static void *real_pthread_setaffinity_np;

PV_EXPORT int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *mask)
{
        uint64_t bits[PV_CPUSET_WORDS];
        int (*f)(pthread_t, size_t, const cpu_set_t *) =
            (int (*)(pthread_t, size_t, const cpu_set_t *))real_symbol(&real_pthread_setaffinity_np,
                                                                       "pthread_setaffinity_np");

        if (!f)
                return ENOSYS;
        const cpu_set_t *use = remap_for_self(&size, mask, bits);
        return f(thread, size, use);
}

static void *real_pthread_attr_setaffinity_np;

/*
 * pthread_create() applies an attribute's affinity with the raw system call,
 * out of the preload's reach: the mask is remapped when it is stored (glibc
 * copies it into the attribute).
 */
PV_EXPORT int pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *mask)
{
        uint64_t bits[PV_CPUSET_WORDS];
        int (*f)(pthread_attr_t *, size_t, const cpu_set_t *) =
            (int (*)(pthread_attr_t *, size_t, const cpu_set_t *))real_symbol(
                &real_pthread_attr_setaffinity_np, "pthread_attr_setaffinity_np");

        if (!f)
                return ENOSYS;
        const cpu_set_t *use = remap_for_self(&size, mask, bits);
        return f(attr, size, use);
}
