/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parsers of /proc texts and cgroup files in pvparse's parse-proc.c on
 * literal texts, good, malformed and cut short; linked against pvparse alone.
 */
#include <errno.h>
#include <stdint.h>

#include "parse-proc.h"
#include "pv-check.h"

START_TEST(test_pid_stat_plain)
{
        pid_t ppid = 0;
        uint64_t start = 0;
        const char *t =
            "1234 (bash) S 1200 1234 1234 34816 1300 4194304 2000 10000 0 0 3 1 5 2 20 0 1 0 "
            "98765 10000000 900 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 "
            "17 1 0 0 0 0 0\n";
        ck_assert_int_eq(pv_parse_pid_stat(t, &ppid, &start), 0);
        ck_assert_int_eq(ppid, 1200);
        ck_assert(start == 98765);
}
END_TEST

START_TEST(test_pid_stat_hostile_comm)
{
        pid_t ppid = 0;
        uint64_t start = 0;
        /* a command name with spaces and ") 7 8" must not shift the fields */
        const char *t = "42 (a) 7 8 (x) R 41 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 555 0 0 "
                        "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
        ck_assert_int_eq(pv_parse_pid_stat(t, &ppid, &start), 0);
        ck_assert_int_eq(ppid, 41);
        ck_assert(start == 555);
}
END_TEST

START_TEST(test_pid_stat_truncated)
{
        pid_t ppid = 99;
        uint64_t start = 99;
        ck_assert_int_eq(pv_parse_pid_stat("1 (init) S 0 1 1 0 -1", &ppid, &start), -EINVAL);
        ck_assert_int_eq(pv_parse_pid_stat("garbage", &ppid, &start), -EINVAL);
        ck_assert_int_eq(pv_parse_pid_stat("", &ppid, &start), -EINVAL);
        ck_assert_int_eq(ppid, 99);
        ck_assert(start == 99);
}
END_TEST

START_TEST(test_pid_stat_flags)
{
        unsigned flags = 0;
        /* kthreadd: PF_KTHREAD (0x00200000) among its flags; tty_nr 0, tpgid -1 */
        const char *kthreadd = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 5 0 0 20 0 1 0 2 0 0 "
                               "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 3 0 0 0 "
                               "0 0 0 0 0 0 0 0 0 0\n";
        ck_assert_int_eq(pv_parse_pid_stat_flags(kthreadd, &flags), 0);
        ck_assert_uint_eq(flags, 2129984);
        ck_assert(flags & 0x00200000u);
        /* a command name with spaces and ") 7 8" must not shift the fields */
        const char *t = "42 (a) 7 8 (x) R 41 42 42 34816 42 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
                        "555 0 0\n";
        ck_assert_int_eq(pv_parse_pid_stat_flags(t, &flags), 0);
        ck_assert_uint_eq(flags, 4194560);
        /* the text cut right after the flags still names them */
        ck_assert_int_eq(pv_parse_pid_stat_flags("9 (sh) S 1 9 9 0 -1 64", &flags), 0);
        ck_assert_uint_eq(flags, 64);
        ck_assert_int_eq(pv_parse_pid_stat_flags("9 (sh) S 1 9 9 0 -1 4294967295 0\n", &flags), 0);
        ck_assert_uint_eq(flags, 4294967295u);
}
END_TEST

START_TEST(test_pid_stat_flags_bad)
{
        unsigned flags = 77;
        const char *bad[] = {
            "",
            "garbage",
            "9 (sh",
            /* cut before the flags */
            "9 (sh) S 1 9 9 0 -1",
            "9 (sh) S 1 9 9 0 -1 ",
            "9 (sh) S 1 9 9 0 -1\n64\n",
            /* not a one-letter state, or not integers before the flags */
            "9 (sh) SX 1 9 9 0 -1 64 0\n",
            "9 (sh) S x 9 9 0 -1 64 0\n",
            "9 (sh) S 1 9 9 0 - 64 0\n",
            "9 (sh) S 1 9 9 0 -1x 64 0\n",
            /* flags that are not one decimal number of 32 bits */
            "9 (sh) S 1 9 9 0 -1 -64 0\n",
            "9 (sh) S 1 9 9 0 -1 0x40 0\n",
            "9 (sh) S 1 9 9 0 -1 4294967296 0\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(pv_parse_pid_stat_flags(bad[i], &flags) == -EINVAL, "%s", bad[i]);
        ck_assert_uint_eq(flags, 77);
}
END_TEST

START_TEST(test_proc_stat_state)
{
        char st = '?';
        ck_assert_int_eq(pv_parse_proc_stat_state("42 (bash) S 1 42 42 0", &st), 0);
        ck_assert_int_eq(st, 'S');
        ck_assert_int_eq(pv_parse_proc_stat_state("43 (a) b) (c) D 1 2", &st), 0);
        ck_assert_int_eq(st, 'D');
        ck_assert_int_eq(pv_parse_proc_stat_state("44 (cut", &st), -EINVAL);
        ck_assert_int_eq(pv_parse_proc_stat_state("45 (x)", &st), -EINVAL);
        ck_assert_int_eq(st, 'D');
}
END_TEST

START_TEST(test_nspid)
{
        pid_t inner = 0;
        ck_assert_int_eq(
            pv_parse_status_nspid("Name:\tsh\nNSpid:\t4242\t17\t1\nNSsid:\t1\n", &inner), 0);
        ck_assert_int_eq(inner, 1);
        ck_assert_int_eq(pv_parse_status_nspid("Name:\tsh\nNSpid:\t4242\n", &inner), 0);
        ck_assert_int_eq(inner, 4242);
        ck_assert_int_eq(pv_parse_status_nspid("Name:\tsh\nPid:\t3\n", &inner), -ENOENT);
        ck_assert_int_eq(pv_parse_status_nspid("NSpid:\tx\n", &inner), -EINVAL);
        ck_assert_int_eq(inner, 4242);
}
END_TEST

START_TEST(test_status_pid)
{
        const char *t = "Name:\tworker\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4200\n"
                        "Ngid:\t0\nPid:\t4242\nPPid:\t1\nTracerPid:\t0\nNSpid:\t4242\t7\n";
        pid_t v = 0;
        ck_assert_int_eq(pv_parse_status_pid(t, "Tgid", &v), 0);
        ck_assert_int_eq(v, 4200);
        ck_assert_int_eq(pv_parse_status_pid(t, "PPid", &v), 0);
        ck_assert_int_eq(v, 1);
        /* "Pid" must not match the end of "PPid" or "TracerPid", nor "Pid" match "PPid" */
        ck_assert_int_eq(pv_parse_status_pid(t, "Pid", &v), 0);
        ck_assert_int_eq(v, 4242);
        /* a zombie's PPid may be 0 */
        ck_assert_int_eq(pv_parse_status_pid("PPid:\t0\n", "PPid", &v), 0);
        ck_assert_int_eq(v, 0);
}
END_TEST

START_TEST(test_status_pid_bad)
{
        pid_t v = 77;
        ck_assert_int_eq(pv_parse_status_pid("Name:\tx\nPid:\t3\n", "Tgid", &v), -ENOENT);
        ck_assert_int_eq(pv_parse_status_pid("Tgid:\t\n", "Tgid", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_status_pid("Tgid:\t12x\n", "Tgid", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_status_pid("Tgid:\t-1\n", "Tgid", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_status_pid("Tgid:\t99999999999\n", "Tgid", &v), -EINVAL);
        /* a key that only starts like the one asked for */
        ck_assert_int_eq(pv_parse_status_pid("Tgidx:\t5\n", "Tgid", &v), -ENOENT);
        ck_assert_int_eq(v, 77);
}
END_TEST

START_TEST(test_status_count)
{
        const char *t = "Name:\tworker\nState:\tS (sleeping)\nTgid:\t4200\nPid:\t4200\n"
                        "PPid:\t1\nVmRSS:\t  1024 kB\nThreads:\t1\nSigQ:\t0/63439\n";
        unsigned n = 0;
        ck_assert_int_eq(pv_parse_status_count(t, "Threads", &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(pv_parse_status_count("Name:\tx\nThreads:\t12\n", "Threads", &n), 0);
        ck_assert_uint_eq(n, 12);
        /* cut short after the value */
        ck_assert_int_eq(pv_parse_status_count("Name:\tx\nThreads:\t3", "Threads", &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(pv_parse_status_count("Threads:\t4294967295\n", "Threads", &n), 0);
        ck_assert_uint_eq(n, 4294967295u);
}
END_TEST

START_TEST(test_status_count_bad)
{
        unsigned n = 77;
        ck_assert_int_eq(pv_parse_status_count("Name:\tx\nPid:\t3\n", "Threads", &n), -ENOENT);
        ck_assert_int_eq(pv_parse_status_count("", "Threads", &n), -ENOENT);
        ck_assert_int_eq(pv_parse_status_count("Threadsx:\t1\n", "Threads", &n), -ENOENT);
        /* cut inside the key */
        ck_assert_int_eq(pv_parse_status_count("Name:\tx\nThrea", "Threads", &n), -ENOENT);
        ck_assert_int_eq(pv_parse_status_count("Threads:\t\n", "Threads", &n), -EINVAL);
        ck_assert_int_eq(pv_parse_status_count("Threads:", "Threads", &n), -EINVAL);
        ck_assert_int_eq(pv_parse_status_count("Threads:\t1x\n", "Threads", &n), -EINVAL);
        ck_assert_int_eq(pv_parse_status_count("Threads:\t1 2\n", "Threads", &n), -EINVAL);
        ck_assert_int_eq(pv_parse_status_count("Threads:\t-1\n", "Threads", &n), -EINVAL);
        ck_assert_int_eq(pv_parse_status_count("Threads:\t4294967296\n", "Threads", &n), -EINVAL);
        ck_assert_uint_eq(n, 77);
}
END_TEST

START_TEST(test_cgroup_line)
{
        const char *p = NULL;
        ck_assert_int_eq(pv_cgroup_line_match("1:cpu,cpuacct:/kube/ct", "cpu", &p), 1);
        ck_assert_str_eq(p, "/kube/ct");
        ck_assert_int_eq(pv_cgroup_line_match("2:cpuacct:/a", "cpu", &p), 0);
        ck_assert_int_eq(pv_cgroup_line_match("3:cpuset:/a", "cpu", &p), 0);
        ck_assert_int_eq(pv_cgroup_line_match("3:cpuset:/a:b", "cpuset", &p), 1);
        ck_assert_str_eq(p, "/a:b");
        ck_assert_int_eq(pv_cgroup_line_match("0::/user.slice", "memory", &p), 2);
        ck_assert_str_eq(p, "/user.slice");
        ck_assert_int_eq(pv_cgroup_line_match("9:name=systemd:/", "memory", &p), 0);
        ck_assert_int_eq(pv_cgroup_line_match("garbage", "cpu", &p), -EINVAL);
        ck_assert_int_eq(pv_cgroup_line_match("1:cpu:relative", "cpu", &p), -EINVAL);
        /* a v1 line naming no controller is not the unified one */
        ck_assert_int_eq(pv_cgroup_line_match("5::/x", "cpu", &p), 0);
        ck_assert_int_eq(pv_cgroup_line_match("x:cpu:/a", "cpu", &p), -EINVAL);
        /* cut short: inside the controllers, or before the path */
        ck_assert_int_eq(pv_cgroup_line_match("1:cpu,cpuac", "cpu", &p), -EINVAL);
        ck_assert_int_eq(pv_cgroup_line_match("1:cpu,cpuacct:", "cpu", &p), -EINVAL);
        ck_assert_int_eq(pv_cgroup_line_match("", "cpu", &p), -EINVAL);
        ck_assert_str_eq(p, "/user.slice");
}
END_TEST

START_TEST(test_cgroup_controllers)
{
        bool on[_PV_CTRL_MAX];
        pv_parse_cgroup_controllers("cpuset cpu io memory hugetlb pids rdma misc\n", on);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                ck_assert_msg(on[c], "controller %d", c);
        /* cpuacct comes with cpu; a name is a whole word */
        pv_parse_cgroup_controllers("cpu iox memoryx\n", on);
        ck_assert(on[PV_CTRL_CPU] && on[PV_CTRL_CPUACCT]);
        ck_assert(!on[PV_CTRL_CPUSET] && !on[PV_CTRL_IO] && !on[PV_CTRL_MEMORY]);
        pv_parse_cgroup_controllers("cpuset pids", on);
        ck_assert(on[PV_CTRL_CPUSET] && on[PV_CTRL_PIDS] && !on[PV_CTRL_CPU]);
        /* empty (a root without controllers), only the first line, cut inside a name */
        pv_parse_cgroup_controllers("", on);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                ck_assert(!on[c]);
        pv_parse_cgroup_controllers("memory\ncpu\n", on);
        ck_assert(on[PV_CTRL_MEMORY] && !on[PV_CTRL_CPU]);
        pv_parse_cgroup_controllers("memory cpus", on);
        ck_assert(on[PV_CTRL_MEMORY] && !on[PV_CTRL_CPU] && !on[PV_CTRL_CPUSET]);
}
END_TEST

START_TEST(test_first_pid)
{
        pid_t pid = 0;
        ck_assert_int_eq(pv_parse_first_pid("4242\n17\n99\n", &pid), 0);
        ck_assert_int_eq(pid, 4242);
        ck_assert_int_eq(pv_parse_first_pid("1\n", &pid), 0);
        ck_assert_int_eq(pid, 1);
        ck_assert_int_eq(pv_parse_first_pid("2147483647\n", &pid), 0);
        ck_assert_int_eq(pid, 2147483647);
        /* the head of a long list, cut inside its second pid or its first newline */
        ck_assert_int_eq(pv_parse_first_pid("31337\n123", &pid), 0);
        ck_assert_int_eq(pid, 31337);
        ck_assert_int_eq(pv_parse_first_pid("808", &pid), 0);
        ck_assert_int_eq(pid, 808);
        /* as strtol reads it: leading blanks and a plus sign */
        ck_assert_int_eq(pv_parse_first_pid(" +12\n", &pid), 0);
        ck_assert_int_eq(pid, 12);
}
END_TEST

START_TEST(test_first_pid_bad)
{
        pid_t pid = 77;
        /* an empty list */
        ck_assert_int_eq(pv_parse_first_pid("", &pid), -ENOENT);
        ck_assert_int_eq(pv_parse_first_pid("\n", &pid), -ENOENT);
        /* no pid at the start, or none a process can have */
        ck_assert_int_eq(pv_parse_first_pid("x12\n", &pid), -EINVAL);
        ck_assert_int_eq(pv_parse_first_pid("0\n", &pid), -EINVAL);
        ck_assert_int_eq(pv_parse_first_pid("-5\n", &pid), -EINVAL);
        ck_assert_int_eq(pv_parse_first_pid("2147483648\n", &pid), -EINVAL);
        ck_assert_int_eq(pv_parse_first_pid("99999999999999999999999\n", &pid), -EINVAL);
        ck_assert_int_eq(pv_parse_first_pid("-99999999999999999999999\n", &pid), -EINVAL);
        ck_assert_int_eq(pid, 77);
}
END_TEST

START_TEST(test_stat_btime)
{
        uint64_t bt = 0;
        const char *t = "cpu  10 0 5 100 0 0 0 0 0 0\ncpu0 10 0 5 100 0 0 0 0 0 0\n"
                        "intr 500 0 9\nctxt 7000\nbtime 1700000000\nprocesses 4200\n"
                        "procs_running 2\n";
        ck_assert_int_eq(pv_parse_stat_btime(t, &bt), 0);
        ck_assert(bt == 1700000000);
        /* the text cut after the value: the line still parses */
        ck_assert_int_eq(pv_parse_stat_btime("ctxt 1\nbtime 42", &bt), 0);
        ck_assert(bt == 42);
}
END_TEST

START_TEST(test_stat_btime_bad)
{
        uint64_t bt = 77;
        /* no such line: missing, only inside another line, or a longer key */
        ck_assert_int_eq(pv_parse_stat_btime("", &bt), -ENOENT);
        ck_assert_int_eq(pv_parse_stat_btime("cpu 1 2\nprocesses 3\n", &bt), -ENOENT);
        ck_assert_int_eq(pv_parse_stat_btime("intr 1 btime 5\n", &bt), -ENOENT);
        ck_assert_int_eq(pv_parse_stat_btime("btimex 5\n", &bt), -ENOENT);
        ck_assert_int_eq(pv_parse_stat_btime("ctxt 1\nbti", &bt), -ENOENT);
        /* a value that is not one decimal number */
        ck_assert_int_eq(pv_parse_stat_btime("btime\n", &bt), -EINVAL);
        ck_assert_int_eq(pv_parse_stat_btime("btime 12x\n", &bt), -EINVAL);
        ck_assert_int_eq(pv_parse_stat_btime("btime -5\n", &bt), -EINVAL);
        ck_assert_int_eq(pv_parse_stat_btime("btime 1 2\n", &bt), -EINVAL);
        ck_assert_int_eq(pv_parse_stat_btime("btime 18446744073709551616\n", &bt), -EINVAL);
        ck_assert(bt == 77);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("parse-proc");
        TCase *tc = tcase_create("pid");
        tcase_add_test(tc, test_pid_stat_plain);
        tcase_add_test(tc, test_pid_stat_hostile_comm);
        tcase_add_test(tc, test_pid_stat_truncated);
        tcase_add_test(tc, test_pid_stat_flags);
        tcase_add_test(tc, test_pid_stat_flags_bad);
        tcase_add_test(tc, test_proc_stat_state);
        tcase_add_test(tc, test_nspid);
        tcase_add_test(tc, test_status_pid);
        tcase_add_test(tc, test_status_pid_bad);
        tcase_add_test(tc, test_status_count);
        tcase_add_test(tc, test_status_count_bad);
        suite_add_tcase(s, tc);
        tc = tcase_create("cgroup");
        tcase_add_test(tc, test_cgroup_line);
        tcase_add_test(tc, test_cgroup_controllers);
        tcase_add_test(tc, test_first_pid);
        tcase_add_test(tc, test_first_pid_bad);
        suite_add_tcase(s, tc);
        tc = tcase_create("host");
        tcase_add_test(tc, test_stat_btime);
        tcase_add_test(tc, test_stat_btime_bad);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
