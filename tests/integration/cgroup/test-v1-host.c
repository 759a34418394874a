/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration: the backends on this host's real cgroup v1 hierarchies.
 * Creates pv-test-v1-host-<pid>/c under each v1 controller's root, limits
 * memory on the parent only, pins the child's cpuset, runs a process in it
 * that burns CPU, and checks what pv_hierarchy_open + pv_cgroup_open_proc +
 * the getters see; then removes the cgroups while held and reads again.
 * Needs root and a writable v1 memory hierarchy, else exits 77.
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

#define LIMIT (UINT64_C(64) << 20)
#define BURN_NS 400000000ULL

static PvHierarchy hier;
static char name[64];
static char *dirs[_PV_CTRL_MAX]; /* parent cgroup dir per distinct v1 mount, NULL if none */

/* Removes what this test created, and only that; safe to call twice. */
static void cleanup(void)
{
        host_child_kill();
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                if (!dirs[c])
                        continue;
                char sub[4200];
                snprintf(sub, sizeof(sub), "%s/c", dirs[c]);
                host_rmdir_retry(sub);
                rmdir(dirs[c]);
                free(dirs[c]);
                dirs[c] = NULL;
        }
}

static void on_signal(int sig)
{
        cleanup();
        _exit(128 + sig);
}

START_TEST(test_v1_host)
{
        PvCgroup *cg;
        PvMemory m;
        PvCpuUsage u0, u1;
        PvCpuSet set, want;
        PvTaskCounts t;
        char *text;

        /* the last CPU of the root's cpuset, and the root's mems, for the child cpuset */
        char cpus[64] = "", mems[256] = "";
        ck_assert_ptr_nonnull(dirs[PV_CTRL_CPUSET]);
        ck_assert_int_eq(
            pv_read_file_at(hier.root_fd[PV_CTRL_CPUSET], "cpuset.effective_cpus", &text, NULL), 0);
        ck_assert_int_eq(pv_cpuset_parse(text, &want), 0);
        free(text);
        snprintf(cpus, sizeof(cpus), "%d", pv_cpuset_last(&want));
        ck_assert_int_eq(pv_read_file_at(hier.root_fd[PV_CTRL_CPUSET], "cpuset.mems", &text, NULL),
                         0);
        snprintf(mems, sizeof(mems), "%s", text);
        free(text);
        char sub[4200];
        host_write_at(dirs[PV_CTRL_CPUSET], "cpuset.cpus", cpus);
        host_write_at(dirs[PV_CTRL_CPUSET], "cpuset.mems", mems);
        snprintf(sub, sizeof(sub), "%s/c", dirs[PV_CTRL_CPUSET]);
        host_write_at(sub, "cpuset.cpus", cpus);
        host_write_at(sub, "cpuset.mems", mems);

        /* the memory limit only on the parent */
        char lim[32];
        snprintf(lim, sizeof(lim), "%llu", (unsigned long long)LIMIT);
        host_write_at(dirs[PV_CTRL_MEMORY], "memory.limit_in_bytes", lim);

        host_child_start(BURN_NS, NULL);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (dirs[c]) {
                        snprintf(sub, sizeof(sub), "%s/c", dirs[c]);
                        host_child_move(sub);
                }
        host_child_send('m');
        host_child_expect('m');

        cg = host_child_open_cgroup(&hier);
        char want_path[128];
        snprintf(want_path, sizeof(want_path), "/%s/c", name);
        ck_assert_str_eq(pv_cgroup_path(cg, PV_CTRL_MEMORY), want_path);
        ck_assert(!pv_cgroup_is_root(cg));

        ck_assert_int_eq(pv_cgroup_read_memory(cg, &m), 0);
        ck_assert_msg(m.limit == LIMIT, "limit %llu", (unsigned long long)m.limit);
        ck_assert_msg(m.usage >= (4u << 20) && m.usage <= LIMIT, "usage %llu",
                      (unsigned long long)m.usage);

        ck_assert_int_eq(pv_cgroup_read_cpuset(cg, &set), 0);
        pv_cpuset_zero(&want);
        pv_cpuset_add(&want, (unsigned)atoi(cpus));
        ck_assert(pv_cpuset_equal(&set, &want));

        host_check_burn(cg, BURN_NS, &u0, &u1);
        uint64_t after = u1.user_ns + u1.system_ns;
        ck_assert_uint_gt(u1.n_cpus, 0);
        uint64_t sum = 0;
        for (size_t i = 0; i < u1.n_cpus; i++)
                sum += u1.percpu_user_ns[i] + u1.percpu_system_ns[i];
        ck_assert(sum == after);
        /* all of it on the pinned CPU */
        unsigned pinned = (unsigned)atoi(cpus);
        ck_assert(u1.percpu_user_ns[pinned] + u1.percpu_system_ns[pinned] >= BURN_NS * 3 / 4);
        pv_cpu_usage_clear(&u0);
        pv_cpu_usage_clear(&u1);

        /* sleeping now: not running */
        usleep(100000);
        ck_assert_int_eq(pv_cgroup_read_tasks(cg, &t), 0);
        ck_assert_uint_eq(t.total, 1);
        ck_assert_uint_eq(t.running, 0);

        /* the same states from /proc as from netlink */
        PvTaskCounts t2;
        ck_assert_int_eq(pv_hierarchy_set_proc_root(&hier, "/proc"), 0);
        ck_assert_int_eq(pv_cgroup_read_tasks(cg, &t2), 0);
        ck_assert(t2.total == 1 && t2.running == 0 && t2.last_pid == host_child_pid());

        /* remove the cgroups while held: errors, not crashes */
        host_child_kill();
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (dirs[c]) {
                        snprintf(sub, sizeof(sub), "%s/c", dirs[c]);
                        ck_assert_msg(host_rmdir_retry(sub) == 0, "rmdir %s: %s", sub,
                                      strerror(errno));
                }
        host_check_vanished(cg);
        pv_cgroup_free(cg);
}
END_TEST

int main(void)
{
        if (geteuid() != 0 || access("/sys/fs/cgroup/memory/memory.limit_in_bytes", W_OK) < 0) {
                printf("SKIP: needs root and a writable cgroup v1 memory hierarchy\n");
                return 77;
        }
        int r = pv_hierarchy_open(&hier);
        if (r < 0) {
                fprintf(stderr, "pv_hierarchy_open: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        const PvController want[] = {PV_CTRL_MEMORY, PV_CTRL_CPU, PV_CTRL_CPUACCT, PV_CTRL_CPUSET,
                                     PV_CTRL_PIDS};
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                if (hier.root_fd[want[i]] < 0 || hier.is_v2[want[i]]) {
                        printf("SKIP: controller %d not on a v1 hierarchy\n", (int)want[i]);
                        return 77;
                }

        snprintf(name, sizeof(name), "pv-test-v1-host-%d", (int)getpid());
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        atexit(cleanup);
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                PvController c = want[i];
                bool shared = false;
                for (size_t j = 0; j < i; j++)
                        shared |= hier.root_fd[want[j]] == hier.root_fd[c];
                if (shared)
                        continue; /* co-mounted with one already made */
                if (asprintf(&dirs[c], "%s/%s", hier.mount_path[c], name) < 0)
                        return EXIT_FAILURE;
                char sub[4200];
                snprintf(sub, sizeof(sub), "%s/c", dirs[c]);
                if (mkdir(dirs[c], 0755) < 0 || mkdir(sub, 0755) < 0) {
                        fprintf(stderr, "mkdir %s: %s\n", sub, strerror(errno));
                        return EXIT_FAILURE;
                }
        }

        Suite *s = suite_create("cgroup-v1-host");
        TCase *tc = tcase_create("core");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_v1_host);
        suite_add_tcase(s, tc);
        /* no fork: the cgroups and the child belong to this process, which cleans up after */
        int status = pv_check_run_mode(s, CK_NOFORK);
        cleanup();
        pv_hierarchy_close(&hier);
        return status;
}
