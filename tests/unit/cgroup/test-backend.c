/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backends on fixture trees (tests/fixtures/cgroup/{v1,v2,hybrid}): each
 * has a container /kube/pod1 nested two deep, limits set only on /kube,
 * "max" limits, a sparse cpuset, zero swap, files missing, and a proc/ with
 * task states. Plus a scratch tree whose cgroup is removed while held open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/backend.h"
#include "fileio.h"
#include "pv-check.h"

static char *fixture(const char *name)
{
        const char *base = getenv("PV_FIXTURES");
        ck_assert_msg(base != NULL, "PV_FIXTURES not set");
        char *p = malloc(strlen(base) + strlen(name) + 16);
        sprintf(p, "%s/cgroup/%s", base, name);
        return p;
}

static char *read_text(const char *dir, const char *file)
{
        char path[4096], *text = NULL;
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, path, &text, NULL), 0);
        return text;
}

/* Opens hierarchy dir and the cgroup named by its pid-cgroup file. */
static void open_case(const char *name, const char *pidfile, PvHierarchy *h, PvCgroup **cg)
{
        char *dir = fixture(name);
        ck_assert_int_eq(pv_hierarchy_open_at(dir, h), 0);
        char *text = read_text(dir, pidfile);
        ck_assert_int_eq(pv_cgroup_open_proc(h, text, cg), 0);
        free(text);
        free(dir);
}

static const char *fmt_cpuset(const PvCpuSet *s)
{
        static char buf[256];
        pv_cpuset_format(s, buf, sizeof(buf));
        return buf;
}

START_TEST(test_v1_hierarchy)
{
        PvHierarchy h;
        char *dir = fixture("v1");
        ck_assert_int_eq(pv_hierarchy_open_at(dir, &h), 0);
        ck_assert_int_eq(h.layout, PV_LAYOUT_V1);
        ck_assert_int_ge(h.root_fd[PV_CTRL_MEMORY], 0);
        ck_assert(!h.is_v2[PV_CTRL_MEMORY]);
        ck_assert_int_eq(h.v1_hier_id[PV_CTRL_MEMORY], 4);
        ck_assert_int_eq(h.v1_hier_id[PV_CTRL_CPUACCT], 2);
        /* co-mounted "cpu,cpuacct" is one hierarchy */
        ck_assert_int_eq(h.root_fd[PV_CTRL_CPU], h.root_fd[PV_CTRL_CPUACCT]);
        ck_assert_int_eq(h.unified_fd, -1);
        pv_hierarchy_close(&h);
        ck_assert_int_eq(h.root_fd[PV_CTRL_MEMORY], -1);
        free(dir);

        ck_assert_int_eq(pv_hierarchy_open_at("/nonexistent-pv-fixture", &h), -ENOENT);
}
END_TEST

START_TEST(test_v1_memory)
{
        PvHierarchy h;
        PvCgroup *cg;
        PvMemory m;
        open_case("v1", "pid-cgroup", &h, &cg);
        ck_assert(!pv_cgroup_is_root(cg));
        ck_assert_str_eq(pv_cgroup_path(cg, PV_CTRL_MEMORY), "/kube/pod1");
        ck_assert_ptr_nonnull(strstr(pv_cgroup_key(cg), "/kube/pod1"));

        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        /* pod1 says "no limit" (v1 huge value); its parent /kube limits to 1 GiB */
        ck_assert(m.limit == 1073741824);
        ck_assert(m.usage == 104857600);
        /* memsw limit == mem limit on /kube: zero swap allowed */
        ck_assert(m.swap_accounted);
        ck_assert(m.swap_limit == 0);
        ck_assert(m.swap_usage == 4096);
        /* hierarchical total_* keys, not the local ones */
        ck_assert(m.stat.anon == 52428800);
        ck_assert(m.stat.file == 41943040);
        ck_assert(m.stat.shmem == 1048576);
        ck_assert(m.stat.anon_thp == 2097152);
        ck_assert(m.stat.mapped_file == 4096000);
        ck_assert(m.stat.inactive_file == 11943040);
        ck_assert(m.stat.slab_reclaimable == 0);
        /* event counters: total_* (not the local pgfault 999), oom_kill from memory.oom_control */
        ck_assert(m.stat.pgfault == 765432 && m.stat.pgmajfault == 87);
        ck_assert(m.stat.workingset_refault_anon == 21 && m.stat.workingset_refault_file == 4321);
        ck_assert(m.stat.pswpin == 0 && m.stat.workingset_activate_file == 0);
        ck_assert(m.oom_kill == 0); /* read apart, for vmstat only */
        ck_assert_int_eq(pv_cgroup_read_memory_events(cg, &m), 0);
        ck_assert(m.oom_kill == 4);
        pv_cgroup_free(cg);

        /*
         * pod3: the kernel's hierarchical_memory_limit (512 MiB) is taken
         * over a walk of the limit files (which would give /kube's 1 GiB):
         * it is the kernel's own minimum over the ancestors
         */
        char *paths3[_PV_CTRL_MAX] = {[PV_CTRL_MEMORY] = (char *)"/kube/pod3"};
        ck_assert_int_eq(pv_cgroup_open(&h, paths3, &cg), 0);
        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert(m.limit == 536870912);
        ck_assert(m.swap_accounted);
        ck_assert(m.swap_limit == PV_UNLIMITED);
        ck_assert(m.stat.anon == 1048576);
        pv_cgroup_free(cg);

        /* pod2: own limit, no memsw files, keys missing */
        char *paths[_PV_CTRL_MAX] = {[PV_CTRL_MEMORY] = (char *)"/kube/pod2"};
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), 0);
        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert(m.limit == 268435456);
        ck_assert(!m.swap_accounted);
        ck_assert(m.swap_limit == PV_UNLIMITED);
        ck_assert(m.stat.anon == 524288 && m.stat.shmem == 0);
        /* no memory.oom_control (a kernel before 4.13 has no oom_kill line either): 0 */
        m.oom_kill = 7;
        ck_assert_int_eq(pv_cgroup_read_memory_events(cg, &m), 0);
        ck_assert(m.oom_kill == 0 && m.stat.pgfault == 0);
        /* no cpu path: cpu reads say so */
        PvCpuUsage u;
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), -ENODEV);
        /* no unified path on this v1 host: no pressure */
        char *text;
        ck_assert_int_eq(pv_cgroup_read_pressure(cg, PV_PRESSURE_MEMORY, &text), -ENODATA);
        pv_cgroup_free(cg);

        /* a cgroup that does not exist */
        paths[PV_CTRL_MEMORY] = (char *)"/kube/nope";
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), -ENOENT);
        /* escaping the hierarchy is refused */
        paths[PV_CTRL_MEMORY] = (char *)"/kube/../..";
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), -EINVAL);
        pv_hierarchy_close(&h);
}
END_TEST

START_TEST(test_v1_cpu)
{
        PvHierarchy h;
        PvCgroup *cg;
        PvCpuUsage u;
        open_case("v1", "pid-cgroup", &h, &cg);
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), 0);
        /* 512 CPUs from cpuacct.usage_all: user i*1000+7, system i*10 */
        ck_assert_uint_eq(u.n_cpus, 512);
        ck_assert_ptr_nonnull(u.percpu_user_ns);
        ck_assert(u.percpu_user_ns[511] == 511007 && u.percpu_system_ns[300] == 3000);
        ck_assert(u.user_ns == 1000ULL * 511 * 512 / 2 + 7 * 512);
        ck_assert(u.system_ns == 10ULL * 511 * 512 / 2);
        /* pod1 has -1, /kube 150000/100000 */
        ck_assert(u.quota_us == 150000 && u.period_us == 100000);
        pv_cpu_usage_clear(&u);
        ck_assert_ptr_null(u.percpu_user_ns);

        PvCpuSet set;
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), 0);
        ck_assert_str_eq(fmt_cpuset(&set), "0,2,5-7");
        pv_cgroup_free(cg);

        /* fallback: usage_percpu_user/_sys; own quota 50000/200000 is smaller than /kube's */
        char *paths[_PV_CTRL_MAX] = {
            [PV_CTRL_CPU] = (char *)"/kube/old", [PV_CTRL_CPUACCT] = (char *)"/kube/old"};
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), 0);
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), 0);
        ck_assert_uint_eq(u.n_cpus, 4);
        ck_assert(u.user_ns == 1000 && u.system_ns == 100 && u.percpu_system_ns[3] == 40);
        ck_assert(u.quota_us == 50000 && u.period_us == 200000);
        pv_cpu_usage_clear(&u);
        pv_cgroup_free(cg);

        /* oldest: cpuacct.usage split 3:1 by cpuacct.stat ticks */
        paths[PV_CTRL_CPU] = paths[PV_CTRL_CPUACCT] = (char *)"/kube/oldest";
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), 0);
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), 0);
        ck_assert_ptr_null(u.percpu_user_ns);
        ck_assert(u.user_ns == 750000 && u.system_ns == 250000);
        pv_cpu_usage_clear(&u);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);
}
END_TEST

START_TEST(test_v1_io_tasks)
{
        PvHierarchy h;
        PvCgroup *cg;
        PvIoStats io;
        open_case("v1", "pid-cgroup", &h, &cg);
        ck_assert_int_eq(pv_cgroup_read_io(cg, &io), 0);
        ck_assert_uint_eq(io.n_devs, 3);
        /* 8:0 is in throttle and bfq: per counter the larger */
        ck_assert(io.devs[0].major == 8 && io.devs[0].minor == 0);
        ck_assert(io.devs[0].rbytes == 8192 && io.devs[0].wbytes == 8388608);
        ck_assert(io.devs[0].rios == 1 && io.devs[0].wios == 2048);
        ck_assert(io.devs[1].minor == 16 && io.devs[1].dbytes == 5);
        ck_assert(io.devs[2].major == 259 && io.devs[2].rbytes == 512);
        pv_io_stats_clear(&io);

        /* fixture proc/: 100 R, 101 S (comm with ')'), 102 D; sub/205 R */
        PvTaskCounts t;
        ck_assert_int_eq(pv_cgroup_read_tasks(cg, &t), 0);
        ck_assert_uint_eq(t.total, 4);
        ck_assert_uint_eq(t.running, 2);
        ck_assert_uint_eq(t.uninterruptible, 1);
        ck_assert_int_eq(t.last_pid, 205);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);
}
END_TEST

START_TEST(test_v2)
{
        PvHierarchy h;
        PvCgroup *cg;
        PvMemory m;
        PvCpuUsage u;
        PvCpuSet set;
        PvIoStats io;
        PvTaskCounts t;
        char *text;

        open_case("v2", "pid-cgroup", &h, &cg);
        ck_assert_int_eq(h.layout, PV_LAYOUT_V2);
        ck_assert(h.is_v2[PV_CTRL_MEMORY] && h.is_v2[PV_CTRL_CPUACCT] && h.is_v2[PV_CTRL_IO]);
        ck_assert_str_eq(pv_cgroup_path(cg, PV_CTRL_IO), "/kube/pod1");
        ck_assert_str_eq(pv_cgroup_unified_path(cg), "/kube/pod1");

        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert(m.limit == 2147483648); /* "max" here, 2 GiB on /kube, none on the root */
        ck_assert(m.usage == 209715200);
        ck_assert(m.swap_accounted && m.swap_limit == 0 && m.swap_usage == 0);
        ck_assert(m.stat.anon == 104857600 && m.stat.file == 52428800 && m.stat.shmem == 4096);
        ck_assert(m.stat.mapped_file == 2048000 && m.stat.dirty == 12288);
        ck_assert(m.stat.slab_reclaimable == 3000000 && m.stat.slab_unreclaimable == 700000);
        ck_assert(m.stat.kernel_stack == 327680 && m.stat.pagetables == 1228800);
        ck_assert(m.stat.anon_thp == 8388608 && m.stat.active_file == 12428800);
        ck_assert(m.stat.pgfault == 12345 && m.stat.pgmajfault == 23);
        ck_assert(m.stat.pswpin == 41 && m.stat.pswpout == 42);
        ck_assert(m.stat.workingset_refault_anon == 31 && m.stat.workingset_refault_file == 32);
        ck_assert(m.stat.workingset_activate_anon == 33 && m.stat.workingset_activate_file == 34);
        ck_assert(m.stat.workingset_restore_anon == 35 && m.stat.workingset_restore_file == 36);
        ck_assert(m.stat.workingset_nodereclaim == 37);
        /* memory.events oom_kill, not oom or oom_group_kill */
        ck_assert_int_eq(pv_cgroup_read_memory_events(cg, &m), 0);
        ck_assert(m.oom_kill == 2);

        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), 0);
        ck_assert(u.user_ns == 2500000 && u.system_ns == 1000000);
        ck_assert_ptr_null(u.percpu_user_ns);
        ck_assert(u.quota_us == 50000 && u.period_us == 100000);
        pv_cpu_usage_clear(&u);

        /* pod1 lacks cpuset.cpus.effective (controller not enabled): /kube's applies */
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), 0);
        ck_assert_str_eq(fmt_cpuset(&set), "0,2,5-7");

        ck_assert_int_eq(pv_cgroup_read_io(cg, &io), 0);
        ck_assert_uint_eq(io.n_devs, 2);
        ck_assert(io.devs[0].major == 8 && io.devs[0].wios == 2048 && io.devs[0].dbytes == 4096);
        ck_assert(io.devs[1].major == 259 && io.devs[1].rbytes == 4096);
        pv_io_stats_clear(&io);

        ck_assert_int_eq(pv_cgroup_read_tasks(cg, &t), 0);
        ck_assert_uint_eq(t.total, 3);
        ck_assert_uint_eq(t.running, 1);
        ck_assert_uint_eq(t.uninterruptible, 1);
        ck_assert_int_eq(t.last_pid, 302);

        ck_assert_int_eq(pv_cgroup_read_pressure(cg, PV_PRESSURE_CPU, &text), 0);
        ck_assert_ptr_nonnull(strstr(text, "total=12345"));
        free(text);
        ck_assert_int_eq(pv_cgroup_read_pressure(cg, PV_PRESSURE_IO, &text), -ENODATA);
        pv_cgroup_free(cg);

        /* the root: v2 has no memory.current there */
        char *paths[_PV_CTRL_MAX] = {
            [PV_CTRL_MEMORY] = (char *)"/", [PV_CTRL_CPUACCT] = (char *)"/"};
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), 0);
        ck_assert(pv_cgroup_is_root(cg));
        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), -ENOENT);
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), 0);
        ck_assert(u.user_ns == 600000000ULL && u.quota_us == 0);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);
}
END_TEST

START_TEST(test_hybrid)
{
        PvHierarchy h;
        PvCgroup *cg;
        PvMemory m;
        PvCpuUsage u;
        PvCpuSet set;
        PvIoStats io;
        char *text;

        open_case("hybrid", "pid-cgroup", &h, &cg);
        ck_assert_int_eq(h.layout, PV_LAYOUT_HYBRID);
        ck_assert(!h.is_v2[PV_CTRL_MEMORY] && h.is_v2[PV_CTRL_CPU] && h.is_v2[PV_CTRL_IO]);
        ck_assert_int_eq(h.v1_hier_id[PV_CTRL_MEMORY], 5);
        ck_assert_int_eq(h.v1_hier_id[PV_CTRL_CPU], 0);

        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert(m.limit == 536870912);
        /* memsw unlimited everywhere while memory is limited: swap unbounded */
        ck_assert(m.swap_accounted && m.swap_limit == PV_UNLIMITED && m.swap_usage == 0);
        ck_assert(m.stat.anon == 1000);

        /* v2 cpu: pod1 200000/100000, /kube 100000/100000: the smaller ratio wins */
        ck_assert_int_eq(pv_cgroup_read_cpu(cg, &u), 0);
        ck_assert(u.user_ns == 7000 && u.system_ns == 3000);
        ck_assert(u.quota_us == 100000 && u.period_us == 100000);
        pv_cpu_usage_clear(&u);

        /* v1 cpuset without effective_cpus: cpuset.cpus */
        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), 0);
        ck_assert_str_eq(fmt_cpuset(&set), "3");

        ck_assert_int_eq(pv_cgroup_read_io(cg, &io), 0);
        ck_assert(io.n_devs == 1 && io.devs[0].dios == 6);
        pv_io_stats_clear(&io);

        ck_assert_int_eq(pv_cgroup_read_pressure(cg, PV_PRESSURE_MEMORY, &text), 0);
        ck_assert_ptr_nonnull(strstr(text, "total=42"));
        free(text);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);

        /* the unified path is the root while v1 paths are not: never the host's pressure */
        open_case("hybrid", "pid-cgroup-unified-root", &h, &cg);
        ck_assert_str_eq(pv_cgroup_unified_path(cg), "/");
        ck_assert_int_eq(pv_cgroup_read_pressure(cg, PV_PRESSURE_MEMORY, &text), -ENODATA);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

START_TEST(test_vanished)
{
        char top[] = "/tmp/pv-cgroup-vanish-XXXXXX";
        char d[4200], pod[4300];
        ck_assert_ptr_nonnull(mkdtemp(top));
        snprintf(d, sizeof(d), "%s/memory", top);
        ck_assert_int_eq(mkdir(d, 0755), 0);
        write_file(d, "memory.limit_in_bytes", "9223372036854771712\n");
        snprintf(pod, sizeof(pod), "%s/pod", d);
        ck_assert_int_eq(mkdir(pod, 0755), 0);
        write_file(pod, "cgroup.procs", "");
        write_file(pod, "memory.usage_in_bytes", "4096\n");
        write_file(pod, "memory.limit_in_bytes", "8192\n");
        write_file(pod, "memory.stat", "total_rss 4096\n");

        PvHierarchy h;
        PvCgroup *cg;
        PvMemory m = {.usage = 77};
        ck_assert_int_eq(pv_hierarchy_open_at(top, &h), 0);
        char *paths[_PV_CTRL_MAX] = {[PV_CTRL_MEMORY] = (char *)"/pod"};
        ck_assert_int_eq(pv_cgroup_open(&h, paths, &cg), 0);
        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert(m.limit == 8192 && m.usage == 4096);

        /* remove the cgroup's directory while its fd is held */
        const char *files[] = {"cgroup.procs", "memory.usage_in_bytes", "memory.limit_in_bytes",
                               "memory.stat"};
        for (size_t i = 0; i < 4; i++) {
                char p[4400];
                snprintf(p, sizeof(p), "%s/%s", pod, files[i]);
                unlink(p);
        }
        ck_assert_int_eq(rmdir(pod), 0);
        m.usage = 77;
        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), -ENOENT);
        ck_assert(m.usage == 77); /* untouched on failure */
        PvTaskCounts t;
        ck_assert_int_lt(pv_cgroup_read_tasks(cg, &t), 0);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);

        char p[4400];
        snprintf(p, sizeof(p), "%s/memory.limit_in_bytes", d);
        unlink(p);
        rmdir(d);
        rmdir(top);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cgroup-backend");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_v1_hierarchy);
        tcase_add_test(tc, test_v1_memory);
        tcase_add_test(tc, test_v1_cpu);
        tcase_add_test(tc, test_v1_io_tasks);
        tcase_add_test(tc, test_v2);
        tcase_add_test(tc, test_hybrid);
        tcase_add_test(tc, test_vanished);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
