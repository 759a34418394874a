/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libprocview core: parsers and rules on literal strings, reads on fixture trees. */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpuset.h"
#include "core.h"
#include "pv-check.h"

static const char *fixtures(void)
{
        const char *f = getenv("PV_FIXTURES");
        return f ? f : "tests/fixtures";
}

static void tree(const char *name, char *buf, size_t len)
{
        snprintf(buf, len, "%s/lib/%s", fixtures(), name);
}

static const char *fmt(const PvCpuSet *s)
{
        static char buf[1024];
        pv_cpuset_format(s, buf, sizeof(buf));
        return buf;
}

START_TEST(test_mount_relative)
{
        char rel[64];
        unsigned depth = 99;
        ck_assert_int_eq(pv_lib_mount_relative("/", "/kube/ct", rel, sizeof(rel), &depth), 0);
        ck_assert_str_eq(rel, "kube/ct");
        ck_assert_uint_eq(depth, 0);
        /* A bind mount of a subtree (container runtimes mount the container's own cgroup). */
        ck_assert_int_eq(pv_lib_mount_relative("/kube", "/kube/ct", rel, sizeof(rel), &depth), 0);
        ck_assert_str_eq(rel, "ct");
        ck_assert_int_eq(pv_lib_mount_relative("/kube/ct", "/kube/ct", rel, sizeof(rel), &depth),
                         0);
        ck_assert_str_eq(rel, "");
        ck_assert_int_eq(pv_lib_mount_relative("/kub", "/kube/ct", rel, sizeof(rel), &depth),
                         -ENOENT);
        ck_assert_int_eq(pv_lib_mount_relative("/other", "/kube", rel, sizeof(rel), &depth),
                         -ENOENT);
        /* Inside a cgroup namespace, a mount made outside it shows "/.." roots. */
        ck_assert_int_eq(pv_lib_mount_relative("/../..", "/", rel, sizeof(rel), &depth), 1);
        ck_assert_uint_eq(depth, 2);
        ck_assert_str_eq(rel, "");
        ck_assert_int_eq(pv_lib_mount_relative("/../../x", "/sub", rel, sizeof(rel), &depth), 1);
        ck_assert_uint_eq(depth, 1);
        ck_assert_str_eq(rel, "sub");
        ck_assert_int_eq(pv_lib_mount_relative("/../x/y", "/", rel, sizeof(rel), &depth), -ENOENT);
        ck_assert_int_eq(
            pv_lib_mount_relative("/", "/a/very/long/path/that/does/not/fit/in/the/buffer/x", rel,
                                  8, &depth),
            -ENAMETOOLONG);
}
END_TEST

START_TEST(test_rounding)
{
        ck_assert_uint_eq(pv_lib_effective_count(8, 150000, 100000), 2);
        ck_assert_uint_eq(pv_lib_effective_count(1, 400000, 100000), 1);
        ck_assert_uint_eq(pv_lib_effective_count(4, 0, 0), 4);
        ck_assert_uint_eq(pv_lib_effective_count(0, 0, 0), 1);
        ck_assert_uint_eq(pv_lib_effective_count(3, 50000, 100000), 1);
}
END_TEST

START_TEST(test_override)
{
        unsigned n = 0;
        ck_assert_int_eq(pv_lib_parse_cpus_override("3", &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(pv_lib_parse_cpus_override("0", &n), -EINVAL);
        ck_assert_int_eq(pv_lib_parse_cpus_override("8193", &n), -EINVAL);
        ck_assert_int_eq(pv_lib_parse_cpus_override("2x", &n), -EINVAL);
        ck_assert_int_eq(pv_lib_parse_cpus_override("max", &n), -EINVAL);
        ck_assert_int_eq(pv_lib_parse_cpus_override(NULL, &n), -EINVAL);
        ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_remap)
{
        PvCpuSet allowed, mask, out;
        pv_cpuset_parse("2,4-5", &allowed);
        pv_cpuset_parse("0-1", &mask);
        ck_assert_int_eq(pv_lib_remap_mask(&allowed, &mask, &out), 1);
        ck_assert_str_eq(fmt(&out), "2,4");
        pv_cpuset_parse("2", &mask); /* index 2 */
        pv_cpuset_parse("7", &out);
        ck_assert_int_eq(pv_lib_remap_mask(&allowed, &mask, &out), 0); /* intersects: unchanged */
        ck_assert_str_eq(fmt(&out), "7");
        pv_cpuset_parse("1,3", &mask); /* index 3 is past the end: dropped */
        ck_assert_int_eq(pv_lib_remap_mask(&allowed, &mask, &out), 1);
        ck_assert_str_eq(fmt(&out), "4");
        pv_cpuset_parse("6-7", &mask); /* no index inside: passes, kernel says EINVAL */
        ck_assert_int_eq(pv_lib_remap_mask(&allowed, &mask, &out), 0);
        pv_cpuset_parse("1", &allowed);
        pv_cpuset_parse("0", &mask);
        ck_assert_int_eq(pv_lib_remap_mask(&allowed, &mask, &out), 1);
        ck_assert_str_eq(fmt(&out), "1");
}
END_TEST

/* The set of a size-byte affinity mask, for checking pv_lib_remap_affinity()'s output. */
static const char *mask_fmt(const void *mask, size_t size)
{
        PvCpuSet s;
        pv_cpuset_zero(&s);
        for (size_t c = 0; c < size * 8 && c < PV_CPU_MAX; c++)
                if (CPU_ISSET_S(c, size, (const cpu_set_t *)mask))
                        pv_cpuset_add(&s, (unsigned)c);
        return fmt(&s);
}

START_TEST(test_remap_affinity)
{
        PvCpuSet allowed;
        uint64_t out[PV_CPUSET_WORDS];
        size_t size = 0;

        pv_cpuset_parse("2,4-5", &allowed);
        /* A CPU_ALLOC()ed mask for 16384 CPUs (2 KiB, more than a PvCpuSet) holding indexes. */
        size_t big = CPU_ALLOC_SIZE(16384);
        cpu_set_t *m = CPU_ALLOC(16384);
        CPU_ZERO_S(big, m);
        CPU_SET_S(0, big, m);
        CPU_SET_S(1, big, m);
        ck_assert_int_eq(pv_lib_remap_affinity(&allowed, big, m, out, &size), 1);
        ck_assert_uint_le(size, sizeof(out));
        ck_assert_str_eq(mask_fmt(out, size), "2,4");
        /* Its bits past PV_CPU_MAX are no CPU: alone they leave the mask unchanged. */
        CPU_ZERO_S(big, m);
        CPU_SET_S(9000, big, m);
        size = 7;
        ck_assert_int_eq(pv_lib_remap_affinity(&allowed, big, m, out, &size), 0);
        ck_assert_uint_eq(size, 7);
        /* A mask meeting the allowed set passes unchanged. */
        CPU_ZERO_S(big, m);
        CPU_SET_S(0, big, m);
        CPU_SET_S(5, big, m);
        ck_assert_int_eq(pv_lib_remap_affinity(&allowed, big, m, out, &size), 0);
        CPU_FREE(m);

        /* A mask too short for the CPU it maps to grows to hold it. */
        uint64_t small = 1; /* index 0, 8 bytes */
        pv_cpuset_parse("100", &allowed);
        ck_assert_int_eq(
            pv_lib_remap_affinity(&allowed, sizeof(small), (cpu_set_t *)&small, out, &size), 1);
        ck_assert_uint_eq(size, CPU_ALLOC_SIZE(101));
        ck_assert_str_eq(mask_fmt(out, size), "100");
        ck_assert_int_eq(pv_lib_remap_affinity(&allowed, 0, (cpu_set_t *)&small, out, &size), 0);
}
END_TEST

START_TEST(test_fixture_v1)
{
        char root[PATH_MAX], dir[PV_LIB_PATH_MAX];
        PvCpuSet set;
        uint64_t q = 0, p = 0;
        PvLibMemory m;
        bool v2 = true;
        size_t mlen = 0;

        tree("v1", root, sizeof(root));
        ck_assert_int_eq(pv_lib_cgroup_dir(root, 0, PV_CTRL_CPU, dir, sizeof(dir), &v2, &mlen), 0);
        ck_assert(!v2);
        ck_assert(strstr(dir, "/sys/fs/cgroup/cpu,cpuacct/kube/ct") != NULL);
        ck_assert_uint_eq(mlen, strlen(dir) - strlen("/kube/ct"));
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), 0);
        ck_assert_str_eq(fmt(&set), "2,4-5"); /* effective_cpus wins over cpus */
        /* 250000/100000 at the parent is tighter than 150000/50000 at the leaf. */
        ck_assert_int_eq(pv_lib_read_quota(root, 0, &q, &p), 0);
        ck_assert(q == 250000 && p == 100000);
        ck_assert_uint_eq(pv_lib_effective_count(pv_cpuset_count(&set), q, p), 3);
        ck_assert_int_eq(pv_lib_read_memory(root, 0, &m), 0);
        ck_assert(m.limit == 536870912);
        ck_assert(m.usage == 104857600);
        ck_assert(m.swap_limit == 805306368 - 536870912);
        ck_assert(m.swap_usage == 110100480 - 104857600);
        ck_assert(m.shmem == 8192);
}
END_TEST

START_TEST(test_fixture_v2)
{
        char root[PATH_MAX];
        PvCpuSet set;
        uint64_t q = 0, p = 0;
        PvLibMemory m;

        tree("v2", root, sizeof(root));
        /* The leaf has no cpuset.cpus.effective: the parent's set applies. */
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), 0);
        ck_assert_str_eq(fmt(&set), "1,3,6-7");
        ck_assert_int_eq(pv_lib_read_quota(root, 0, &q, &p), 0);
        ck_assert(q == 50000 && p == 100000);
        ck_assert_uint_eq(pv_lib_effective_count(pv_cpuset_count(&set), q, p), 1);
        ck_assert_int_eq(pv_lib_read_memory(root, 0, &m), 0);
        ck_assert(m.limit == 2147483648ULL);
        ck_assert(m.usage == 1000000);
        ck_assert(m.swap_limit == 1048576);
        ck_assert(m.swap_usage == 4096);
        ck_assert(m.shmem == 12288);

        tree("v2-nolimit", root, sizeof(root));
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), 0);
        ck_assert_str_eq(fmt(&set), "0-3");
        q = p = 9;
        ck_assert_int_eq(pv_lib_read_quota(root, 0, &q, &p), 0);
        ck_assert(q == 0 && p == 0);
        ck_assert_int_eq(pv_lib_read_memory(root, 0, &m), 0);
        ck_assert(m.limit == PV_UNLIMITED && m.swap_limit == PV_UNLIMITED);
}
END_TEST

START_TEST(test_fixture_hidden_namespace_root)
{
        char root[PATH_MAX];
        PvCpuSet set;
        uint64_t q = 0, p = 0;

        /* Paths are "/" and "/sub", the mounts' roots "/..": found by membership. */
        tree("hidden", root, sizeof(root));
        ck_assert_int_eq(pv_lib_read_cpuset(root, 4242, &set), 0);
        ck_assert_str_eq(fmt(&set), "6-7");
        ck_assert_int_eq(pv_lib_read_quota(root, 4242, &q, &p), 0);
        ck_assert(q == 70000 && p == 100000);
        /* A task listed nowhere is not guessed into someone else's cgroup. */
        ck_assert_int_eq(pv_lib_read_cpuset(root, 999, &set), -ENOENT);
}
END_TEST

START_TEST(test_fixture_no_cgroupfs)
{
        char root[PATH_MAX];
        PvCpuSet set;
        uint64_t q = 5, p = 5;
        PvLibMemory m;

        tree("none", root, sizeof(root));
        pv_cpuset_parse("3", &set);
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), -ENOENT);
        ck_assert_str_eq(fmt(&set), "3");
        ck_assert_int_eq(pv_lib_read_quota(root, 0, &q, &p), -ENOENT);
        ck_assert(q == 5 && p == 5);
        ck_assert_int_eq(pv_lib_read_memory(root, 0, &m), -ENOENT);
}
END_TEST

/* Writes text to root/rel, creating its directories. */
static void put(const char *root, const char *rel, const char *text)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                mkdir(path, 0755);
                *p = '/';
        }
        FILE *f = fopen(path, "w");
        ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

/*
 * cpusets of thousands of CPUs: runs of two CPUs with one-CPU gaps up to
 * 8191 are a 25 KB list, more than any one-page buffer holds.
 */
START_TEST(test_long_cpu_lists)
{
        char root[] = "/tmp/pvlib-long-lists-XXXXXX";
        static char list[40000];
        size_t pos = 0;
        PvCpuSet set;

        for (unsigned c = 0; c + 1 < PV_CPU_MAX; c += 3)
                pos += (size_t)snprintf(list + pos, sizeof(list) - pos, "%s%u-%u", c ? "," : "", c,
                                        c + 1);
        snprintf(list + pos, sizeof(list) - pos, "\n");
        ck_assert_uint_gt(pos, 20000);
        ck_assert_ptr_nonnull(mkdtemp(root));

        /* cgroup v1, cpuset.cpus only (kernels without effective_cpus). */
        put(root, "proc/thread-self/cgroup", "4:cpuset:/ct\n");
        put(root, "proc/self/mountinfo",
            "30 25 0:26 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n");
        put(root, "sys/fs/cgroup/cpuset/ct/cpuset.cpus", list);
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), 0);
        ck_assert_uint_eq(pv_cpuset_count(&set), 5462); /* 2731 pairs, the last 8190-8191 */
        ck_assert(pv_cpuset_has(&set, 8190) && pv_cpuset_has(&set, 8191));
        ck_assert(!pv_cpuset_has(&set, 8189) && !pv_cpuset_has(&set, 8186));
        ck_assert(pv_cpuset_has(&set, 0) && pv_cpuset_has(&set, 1) && !pv_cpuset_has(&set, 2));

        /* cgroup v2, inherited from the parent. */
        put(root, "proc/thread-self/cgroup", "0::/kube/ct\n");
        put(root, "proc/self/mountinfo", "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        put(root, "sys/fs/cgroup/kube/cpuset.cpus.effective", list);
        put(root, "sys/fs/cgroup/kube/ct/cgroup.procs", "");
        pv_cpuset_zero(&set);
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), 0);
        ck_assert_uint_eq(pv_cpuset_count(&set), 5462); /* 2731 pairs, the last 8190-8191 */
        ck_assert(pv_cpuset_has(&set, 8191));

        /* An id past PV_CPU_MAX is an error, never a silently cut set. */
        put(root, "sys/fs/cgroup/kube/cpuset.cpus.effective", "0-3,8192\n");
        ck_assert_int_eq(pv_lib_read_cpuset(root, 0, &set), -ERANGE);

        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("lib");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_mount_relative);
        tcase_add_test(tc, test_rounding);
        tcase_add_test(tc, test_override);
        tcase_add_test(tc, test_remap);
        tcase_add_test(tc, test_remap_affinity);
        suite_add_tcase(s, tc);
        TCase *tf = tcase_create("fixtures");
        tcase_add_test(tf, test_fixture_v1);
        tcase_add_test(tf, test_fixture_v2);
        tcase_add_test(tf, test_fixture_hidden_namespace_root);
        tcase_add_test(tf, test_fixture_no_cgroupfs);
        tcase_add_test(tf, test_long_cpu_lists);
        suite_add_tcase(s, tf);
        return pv_check_run(s);
}
