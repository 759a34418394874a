/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Renderer tests: /proc/stat. Golden cases and helpers: views-test.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv-check.h"
#include "views-test.h"

START_TEST(test_stat_v1)
{
        g_autofree char *host = fixture("stat-v1", "stat");
        g_autoptr(GString) out = g_string_new(NULL);
        uint64_t user[2] = {1234567890, 3456789012}, sys[2] = {987654321, 1500000000};
        PvCpuSet v = cpus("1");
        PvCpuUsage u = {
            .user_ns = user[0] + user[1],
            .system_ns = sys[0] + sys[1],
            .percpu_user_ns = user,
            .percpu_system_ns = sys,
            .n_cpus = 2,
        };
        PvTaskCounts t = {.running = 3, .uninterruptible = 1, .total = 17, .last_pid = 4242};
        PvStatInput in = {
            .visible = &v,
            .usage = &u,
            .tasks = &t,
            .container_uptime_ns = SEC(3000.5),
            .boot_time_s = 1795600000,
            .processes = 42,
            .user_hz = 100,
        };
        PvStatMemo memo = {0};
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        assert_golden("stat-v1", out);
        pv_stat_memo_clear(&memo);
}
END_TEST

static PvStatInput stat_v2_input(const PvCpuSet *v, const PvCpuUsage *u)
{
        return (PvStatInput){
            .visible = v,
            .usage = u,
            .container_uptime_ns = SEC(1000),
            .boot_time_s = 1795600100,
            .user_hz = 100,
        };
}

START_TEST(test_stat_v2_sparse)
{
        g_autofree char *host = fixture("stat-v2-sparse", "stat");
        g_autoptr(GString) out = g_string_new(NULL);
        PvCpuSet v = cpus("0,2,5-7");
        PvCpuUsage u = {.user_ns = SEC(123.45), .system_ns = SEC(67.89)};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};

        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        assert_golden("stat-v2-sparse", out);
        pv_stat_memo_clear(&memo);
}
END_TEST

/* Parses the "cpu" aggregate and "cpuN" lines into [N + 1][3] (user, system, idle); index 0 is the
 * aggregate. */
static void stat_values(const char *text, uint64_t v[][3], size_t n, bool shown[])
{
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        memset(shown, 0, n * sizeof(bool));
        for (char **l = lines; *l; l++) {
                unsigned long long x[10];
                int id = -1, used = 0;
                if (strncmp(*l, "cpu", 3) != 0)
                        continue;
                if ((*l)[3] != ' ')
                        ck_assert_int_eq(sscanf(*l + 3, "%d%n", &id, &used), 1);
                int k =
                    sscanf(*l + 3 + used, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                           &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7], &x[8], &x[9]);
                ck_assert_int_eq(k, 10);
                ck_assert_uint_lt((size_t)(id + 1), n);
                v[id + 1][0] = x[0];
                v[id + 1][1] = x[2];
                v[id + 1][2] = x[3];
                shown[id + 1] = true;
        }
}

START_TEST(test_stat_monotonic)
{
        g_autofree char *host = fixture("stat-v2-sparse", "stat");
        uint64_t user[8] = {0}, sys[8] = {0};
        PvCpuSet v = cpus("0-3");
        PvCpuUsage u = {.percpu_user_ns = user, .percpu_system_ns = sys, .n_cpus = 8};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        uint64_t prev[9][3] = {{0}}, cur[9][3] = {{0}};
        bool shown[9];

        for (int i = 0; i < 8; i++) {
                user[i] = SEC(10 + i);
                sys[i] = SEC(5);
        }
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, prev, 9, shown);
        ck_assert_uint_eq(prev[1 + 2][0], 1200);
        ck_assert_uint_eq(prev[0][0], 1000 + 1100 + 1200 + 1300);

        /* the counters go down (a cgroup recreated, a backend glitch) and uptime with them */
        for (int i = 0; i < 8; i++)
                user[i] = SEC(1);
        in.container_uptime_ns = SEC(500);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, cur, 9, shown);
        for (int i = 0; i < 5; i++)
                for (int k = 0; k < 3; k++)
                        ck_assert_uint_eq(cur[i][k], prev[i][k]);

        /* and grow again: CPU 2's user rises past its old value */
        user[2] = SEC(20);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, cur, 9, shown);
        ck_assert_uint_eq(cur[1 + 2][0], 2000);
        ck_assert_uint_eq(cur[0][0], prev[0][0] + 800);
        pv_stat_memo_clear(&memo);
        ck_assert_ptr_null(memo.cpu);
}
END_TEST

START_TEST(test_stat_cpuset_shrink_grow)
{
        g_autofree char *host = fixture("stat-v2-sparse", "stat");
        uint64_t user[8], sys[8];
        PvCpuSet v = cpus("0-3");
        PvCpuUsage u = {.percpu_user_ns = user, .percpu_system_ns = sys, .n_cpus = 8};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        uint64_t a[9][3] = {{0}}, b[9][3] = {{0}}, c[9][3] = {{0}};
        bool shown[9];
        g_autoptr(GString) out = g_string_new(NULL);

        for (int i = 0; i < 8; i++) {
                user[i] = SEC(100);
                sys[i] = SEC(50);
        }
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, a, 9, shown);
        ck_assert(shown[1 + 3] && !shown[1 + 4]);

        /* shrink to {0,1}: 2 and 3 disappear, the aggregate does not drop */
        v = cpus("0-1");
        for (int i = 0; i < 8; i++)
                user[i] = SEC(110);
        in.container_uptime_ns = SEC(1010);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, b, 9, shown);
        ck_assert(shown[1 + 0] && shown[1 + 1] && !shown[1 + 2] && !shown[1 + 3]);
        for (int k = 0; k < 3; k++)
                ck_assert_uint_ge(b[0][k], a[0][k]);
        /* the aggregate grew by exactly what CPUs 0 and 1 gained */
        ck_assert_uint_eq(b[0][0], a[0][0] + 2 * 1000);

        /* grow back to {0-3}, with CPU 3's counter now lower than when it left */
        v = cpus("0-3");
        user[3] = SEC(90);
        g_string_truncate(out, 0);
        ck_assert_int_eq(pv_stat_render(host, &in, &memo, out), 0);
        stat_values(out->str, c, 9, shown);
        ck_assert(shown[1 + 3]);
        ck_assert_uint_eq(c[1 + 3][0], a[1 + 3][0]); /* kept its memo: 10000, not 9000 */
        ck_assert_uint_eq(c[1 + 2][0], 11000);
        for (int k = 0; k < 3; k++)
                ck_assert_uint_ge(c[0][k], b[0][k]);
        pv_stat_memo_clear(&memo);
}
END_TEST

START_TEST(test_stat_512)
{
        g_autoptr(GString) host = g_string_new("cpu  1 2 3 4 5 6 7 8 9 10\n");
        for (unsigned i = 0; i < 512; i++)
                g_string_append_printf(host, "cpu%u 1 2 3 4 5 6 7 8 9 10\n", i);
        g_string_append(host, "intr 1 2 3\nctxt 99\nbtime 1\nprocesses 5\nprocs_running 1\n"
                              "procs_blocked 0\nsoftirq 1 2 3\n");
        g_autofree uint64_t *user = g_new0(uint64_t, 512);
        g_autofree uint64_t *sys = g_new0(uint64_t, 512);
        for (unsigned i = 0; i < 512; i++) {
                user[i] = SEC(i);
                sys[i] = SEC(1);
        }
        PvCpuSet v = cpus("0-511");
        PvCpuUsage u = {.percpu_user_ns = user, .percpu_system_ns = sys, .n_cpus = 512};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        g_autoptr(GString) out = g_string_new(NULL);
        ck_assert_int_eq(pv_stat_render(host->str, &in, &memo, out), 0);
        ck_assert(strstr(out->str, "\ncpu511 51100 0 100 48800 0 0 0 0 0 0\nintr 1 2 3\n"));
        /* sum of 0..511 seconds = 130816 s */
        ck_assert(g_str_has_prefix(out->str, "cpu  13081600 0 51200 38067200 0 0 0 0 0 0\n"));
        ck_assert(g_str_has_suffix(out->str, "btime 1795600100\nprocesses 5\nprocs_running 1\n"
                                             "procs_blocked 0\nsoftirq 1 2 3\n"));
        pv_stat_memo_clear(&memo);
}
END_TEST

START_TEST(test_stat_malformed)
{
        PvCpuSet v = cpus("0");
        PvCpuUsage u = {.user_ns = SEC(1)};
        PvStatInput in = stat_v2_input(&v, &u);
        PvStatMemo memo = {0};
        const char *bad[] = {
            "",
            "intr 1\nctxt 2\n",         /* no cpu line */
            "cpu  1 2 x 4\n",           /* not a number */
            "cpu  1 2 3\ncpuX 1 2 3\n", /* bad id */
            "cpu  1 2 3\ncpu0\n",       /* no values */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GString) out = g_string_new("keep");
                ck_assert_int_eq(pv_stat_render(bad[i], &in, &memo, out), -EINVAL);
                ck_assert_str_eq(out->str, "keep");
                ck_assert_uint_eq(memo.n_cpus, 0);
        }
        /* USER_HZ 0 is a caller error */
        in.user_hz = 0;
        g_autoptr(GString) out = g_string_new("keep");
        ck_assert_int_eq(pv_stat_render("cpu  1\n", &in, &memo, out), -EINVAL);
        ck_assert_str_eq(out->str, "keep");
}
END_TEST

static Suite *stat_suite(void)
{
        Suite *s = suite_create("views-stat");
        TCase *tc = tcase_create("stat");
        tcase_add_test(tc, test_stat_v1);
        tcase_add_test(tc, test_stat_v2_sparse);
        tcase_add_test(tc, test_stat_monotonic);
        tcase_add_test(tc, test_stat_cpuset_shrink_grow);
        tcase_add_test(tc, test_stat_512);
        tcase_add_test(tc, test_stat_malformed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(stat_suite());
}
