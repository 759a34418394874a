/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration: the backends on a real cgroup-v2 host (run in the v2 VM by
 * the cgroup-v2-vm test, since this build host is v1). Creates
 * pv-test-v2-host-<pid>/c under the unified root, limits memory, swap and
 * cpu.max on the parent only, narrows the child's cpuset, runs a process in
 * it that touches memory, writes to the scratch disk and burns CPU, and
 * checks the getters; then removes the cgroups while held.
 * Needs root and a writable cgroup2 root with the memory controller, else 77.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/backend.h"
#include "fileio.h"
#include "host-child.h"
#include "pv-check.h"

#define ROOT "/sys/fs/cgroup"
#define LIMIT (UINT64_C(64) << 20)
#define BURN_NS 300000000ULL

static PvHierarchy hier;
static char parent[256], sub[300];

/* Removes only what this test created; safe to call twice. */
static void cleanup(void)
{
        host_child_kill();
        if (sub[0])
                host_rmdir_retry(sub);
        if (parent[0])
                host_rmdir_retry(parent);
}

static void on_signal(int sig)
{
        cleanup();
        _exit(128 + sig);
}

START_TEST(test_v2_host)
{
        PvCgroup *cg;
        PvMemory m;
        PvCpuUsage u0, u1;
        PvCpuSet set, want;
        PvIoStats io;
        char *text;
        const char *disk = getenv("PV_VM_DISK");
        if (disk && !*disk)
                disk = NULL;

        ck_assert_int_eq(hier.layout, PV_LAYOUT_V2);
        ck_assert(hier.is_v2[PV_CTRL_MEMORY] && hier.is_v2[PV_CTRL_CPU] &&
                  hier.is_v2[PV_CTRL_CPUSET]);

        /* children get every controller the root offers */
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, ROOT "/cgroup.subtree_control", &text, NULL), 0);
        bool has_io = strstr(text, "io") != NULL;
        free(text);
        host_write_at(parent, "cgroup.subtree_control",
                      has_io ? "+memory +cpu +cpuset +io +pids" : "+memory +cpu +cpuset +pids");
        ck_assert_int_eq(mkdir(sub, 0755), 0);

        char lim[32];
        snprintf(lim, sizeof(lim), "%llu", (unsigned long long)LIMIT);
        host_write_at(parent, "memory.max", lim);
        host_write_at(parent, "memory.swap.max", "0");
        host_write_at(parent, "cpu.max", "50000 100000");
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, ROOT "/cpuset.cpus.effective", &text, NULL), 0);
        ck_assert_int_eq(pv_cpuset_parse(text, &want), 0);
        free(text);
        char cpus[16];
        snprintf(cpus, sizeof(cpus), "%d", pv_cpuset_last(&want));
        host_write_at(sub, "cpuset.cpus", cpus);

        host_child_start(BURN_NS, disk);
        host_child_move(sub);
        host_child_send('m');
        host_child_expect('m');

        cg = host_child_open_cgroup(&hier);
        const char *rel = sub + strlen(ROOT);
        ck_assert_str_eq(pv_cgroup_path(cg, PV_CTRL_MEMORY), rel);
        ck_assert_str_eq(pv_cgroup_unified_path(cg), rel);

        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert_msg(m.limit == LIMIT, "limit %llu", (unsigned long long)m.limit);
        ck_assert_msg(m.usage >= (4u << 20), "usage %llu", (unsigned long long)m.usage);
        if (m.swap_accounted)
                ck_assert(m.swap_limit == 0);
        ck_assert(m.stat.anon >= (4u << 20));

        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), 0);
        pv_cpuset_zero(&want);
        pv_cpuset_add(&want, (unsigned)atoi(cpus));
        ck_assert(pv_cpuset_equal(&set, &want));

        if (disk && has_io) {
                ck_assert_int_eq(pv_cgroup_read_io(cg, &io), 0);
                uint64_t w = 0;
                for (size_t i = 0; i < io.n_devs; i++) {
                        w += io.devs[i].wbytes;
                        if (i > 0)
                                ck_assert(io.devs[i - 1].major < io.devs[i].major ||
                                          (io.devs[i - 1].major == io.devs[i].major &&
                                           io.devs[i - 1].minor < io.devs[i].minor));
                }
                ck_assert_msg(w >= HOST_CHILD_DISK_BYTES, "io.stat wbytes %llu",
                              (unsigned long long)w);
                pv_io_stats_clear(&io);
        }

        host_check_burn(cg, BURN_NS, &u0, &u1);
        ck_assert(u0.quota_us == 50000 && u0.period_us == 100000);
        ck_assert_ptr_null(u0.percpu_user_ns);
        pv_cpu_usage_clear(&u0);
        pv_cpu_usage_clear(&u1);

        /* pressure of the container's own cgroup, when the kernel has PSI */
        int r = pv_cgroup_read_pressure(cg, PV_PRESSURE_CPU, &text);
        if (access("/proc/pressure/cpu", R_OK) == 0) {
                ck_assert_int_eq(r, 0);
                ck_assert_ptr_nonnull(strstr(text, "some avg10="));
                free(text);
        } else {
                ck_assert_int_eq(r, -ENODATA); /* none kept: not a vanished cgroup */
        }

        host_child_kill();
        ck_assert_int_eq(host_rmdir_retry(sub), 0);
        host_check_vanished(cg);
        ck_assert_int_eq(pv_cgroup_read_pressure(cg, PV_PRESSURE_CPU, &text), -ENOENT);
        pv_cgroup_free(cg);
}
END_TEST

int main(void)
{
        char *ctrls = NULL;
        if (geteuid() != 0 || access(ROOT "/cgroup.subtree_control", W_OK) < 0 ||
            pv_read_file_at(AT_FDCWD, ROOT "/cgroup.controllers", &ctrls, NULL) < 0 ||
            !strstr(ctrls, "memory") || !strstr(ctrls, "cpuset")) {
                printf("SKIP: needs root and a writable cgroup2 root with memory and cpuset\n");
                free(ctrls);
                return 77;
        }
        free(ctrls);
        int r = pv_hierarchy_open(&hier);
        if (r < 0) {
                fprintf(stderr, "pv_hierarchy_open: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        snprintf(parent, sizeof(parent), ROOT "/pv-test-v2-host-%d", (int)getpid());
        snprintf(sub, sizeof(sub), "%s/c", parent);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        atexit(cleanup);
        if (mkdir(parent, 0755) < 0) {
                fprintf(stderr, "mkdir %s: %s\n", parent, strerror(errno));
                parent[0] = sub[0] = '\0';
                return EXIT_FAILURE;
        }
        /* the child is made after the parent's subtree_control is set, in the test */
        Suite *s = suite_create("cgroup-v2-host");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, test_v2_host);
        suite_add_tcase(s, tc);
        int status = pv_check_run_mode(s, CK_NOFORK);
        cleanup();
        pv_hierarchy_close(&hier);
        return status;
}
