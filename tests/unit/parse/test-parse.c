/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of pvparse (src/parse) on literal kernel texts, linked against pvparse alone. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "parse.h"
#include "text.h"
#include "pv-check.h"

START_TEST(test_loadavg_uptime)
{
        double l[3] = {0};
        unsigned run = 0, total = 0;
        ck_assert_int_eq(pv_parse_loadavg("0.50 1.25 12.00 3/456 7890\n", l, &run, &total), 0);
        ck_assert(l[0] > 0.499 && l[0] < 0.501 && l[1] > 1.249 && l[1] < 1.251 && l[2] > 11.99);
        ck_assert_uint_eq(run, 3);
        ck_assert_uint_eq(total, 456);
        ck_assert_int_eq(pv_parse_loadavg("0.50 1.25\n", l, NULL, NULL), -EINVAL);
        ck_assert_int_eq(pv_parse_loadavg("a b c 1/2 3\n", l, NULL, NULL), -EINVAL);
        double up = 0;
        ck_assert_int_eq(pv_parse_uptime("1234.56 789.00\n", &up), 0);
        ck_assert(up > 1234.5 && up < 1234.6);
        ck_assert_int_eq(pv_parse_uptime("x\n", &up), -EINVAL);
}
END_TEST

START_TEST(test_parse_numa_stat)
{
        g_autofree PvNumaUsage *u = g_new0(PvNumaUsage, 1);
        /* v1: "key=total" then pages per node */
        const char *v1 = "total=30 N0=10 N1=20\nhierarchical_total=40 N0=10 N3=30\n";
        ck_assert_int_eq(pv_parse_numa_stat_line(v1, "hierarchical_total", 4096, u), 0);
        ck_assert_uint_eq(pv_cpuset_count(&u->nodes), 2);
        ck_assert(u->bytes[0] == 10 * 4096 && u->bytes[3] == 30 * 4096 && u->bytes[1] == 0);
        /* "total" is not the prefix of "hierarchical_total", nor of a key it starts */
        memset(u, 0, sizeof(*u));
        ck_assert_int_eq(pv_parse_numa_stat_line(v1, "total", 1, u), 0);
        ck_assert(u->bytes[0] == 10 && u->bytes[1] == 20 && u->bytes[3] == 0);
        /* v2: "key N0=bytes", and the lines add up */
        memset(u, 0, sizeof(*u));
        const char *v2 = "anon N0=5 N1=6\nanon_thp N0=100 N1=100\nfile N0=1 N1=2";
        ck_assert_int_eq(pv_parse_numa_stat_line(v2, "anon", 1, u), 0);
        ck_assert_int_eq(pv_parse_numa_stat_line(v2, "file", 1, u), 0);
        ck_assert(u->bytes[0] == 6 && u->bytes[1] == 8);
        ck_assert_int_eq(pv_parse_numa_stat_line(v2, "shmem", 1, u), -ENOENT);
        /* malformed fields and node ids past the kernel's limit */
        ck_assert_int_eq(pv_parse_numa_stat_line("anon N0=5x\n", "anon", 1, u), -EINVAL);
        ck_assert_int_eq(pv_parse_numa_stat_line("anon X0=5\n", "anon", 1, u), -EINVAL);
        ck_assert_int_eq(pv_parse_numa_stat_line("anon N1024=5\n", "anon", 1, u), -ERANGE);
}
END_TEST

START_TEST(test_usage_all)
{
        uint64_t *u = NULL, *s = NULL;
        size_t n = 0;
        ck_assert_int_eq(pv_parse_cpuacct_usage_all(
                             "cpu user system\n0 100 10\n1 200 20\n3 400 40\n", &u, &s, &n),
                         0);
        ck_assert_uint_eq(n, 4);
        ck_assert(u[0] == 100 && s[0] == 10 && u[1] == 200 && u[2] == 0 && s[3] == 40);
        free(u);
        free(s);

        /* cut inside the last line: that CPU is dropped, not misread */
        ck_assert_int_eq(pv_parse_cpuacct_usage_all("cpu user system\n0 100 10\n1 20", &u, &s, &n),
                         0);
        ck_assert_uint_eq(n, 1);
        free(u);
        free(s);

        u = s = NULL;
        n = 77;
        ck_assert_int_eq(pv_parse_cpuacct_usage_all("0 100 10\n", &u, &s, &n),
                         -EINVAL); /* no header */
        ck_assert_int_eq(pv_parse_cpuacct_usage_all("cpu user system\n", &u, &s, &n), -EINVAL);
        ck_assert_int_eq(pv_parse_cpuacct_usage_all("cpu user system\n0 1\n1 2 3\n", &u, &s, &n),
                         -EINVAL);
        ck_assert_int_eq(pv_parse_cpuacct_usage_all("cpu user system\n9000 1 2\n", &u, &s, &n),
                         -EINVAL);
        ck_assert_int_eq(pv_parse_cpuacct_usage_all("", &u, &s, &n), -EINVAL);
        ck_assert(u == NULL && n == 77);
}
END_TEST

START_TEST(test_u64_list)
{
        uint64_t *v = NULL;
        size_t n = 0;
        ck_assert_int_eq(pv_parse_u64_list("100 200 300 \n", &v, &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert(v[2] == 300);
        free(v);
        ck_assert_int_eq(pv_parse_u64_list("1 x 3", &v, &n), -EINVAL);
        ck_assert_int_eq(pv_parse_u64_list("1 -3", &v, &n), -EINVAL);
        ck_assert_int_eq(pv_parse_u64_list("\n", &v, &n), 0);
        ck_assert_uint_eq(n, 0);
        free(v);
}
END_TEST

START_TEST(test_blkio)
{
        PvIoStats s = {};
        const char *text =
            "8:16 Read 100\n8:16 Write 200\n8:16 Sync 300\n8:16 Async 0\n8:16 Discard 5\n"
            "8:16 Total 305\n8:0 Read 4096\n8:0 Write 8388608\n8:0 Total 8392704\nTotal 8393009\n";
        ck_assert_int_eq(pv_parse_blkio(text, false, &s), 0);
        ck_assert_uint_eq(s.n_devs, 2);
        /* sorted by (major, minor) */
        ck_assert_uint_eq(s.devs[0].minor, 0);
        ck_assert(s.devs[0].rbytes == 4096 && s.devs[0].wbytes == 8388608 && s.devs[0].rios == 0);
        ck_assert(s.devs[1].major == 8 && s.devs[1].minor == 16);
        ck_assert(s.devs[1].rbytes == 100 && s.devs[1].wbytes == 200 && s.devs[1].dbytes == 5);
        pv_io_stats_clear(&s);

        ck_assert_int_eq(pv_parse_blkio("8:0 Read 3\n8:0 Write 4\nTotal 7\n", true, &s), 0);
        ck_assert(s.n_devs == 1 && s.devs[0].rios == 3 && s.devs[0].wios == 4 &&
                  s.devs[0].rbytes == 0);
        pv_io_stats_clear(&s);

        /* the empty file of a cgroup without I/O, and "Total 0" alone */
        ck_assert_int_eq(pv_parse_blkio("Total 0\n", false, &s), 0);
        ck_assert_uint_eq(s.n_devs, 0);
        pv_io_stats_clear(&s);

        /* cut short: earlier lines kept */
        ck_assert_int_eq(pv_parse_blkio("8:0 Read 3\n8:0 Wri", true, &s), 0);
        ck_assert(s.n_devs == 1 && s.devs[0].rios == 3 && s.devs[0].wios == 0);
        pv_io_stats_clear(&s);

        PvIoStats keep = {.n_devs = 42};
        ck_assert_int_eq(pv_parse_blkio("8-0 Read 3\n", false, &keep), -EINVAL);
        ck_assert_int_eq(pv_parse_blkio("8:0 Read\n", false, &keep), -EINVAL);
        ck_assert_int_eq(pv_parse_blkio("8:0 Read 3 4\n", false, &keep), -EINVAL);
        ck_assert_int_eq(pv_parse_blkio("garbage\n", false, &keep), -EINVAL);
        ck_assert_uint_eq(keep.n_devs, 42);
}
END_TEST

START_TEST(test_io_stat)
{
        PvIoStats s = {};
        const char *text = "259:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n"
                           "8:0 rbytes=1048576 wbytes=8388608 rios=256 wios=2048 dbytes=4096 "
                           "dios=1 cost.vrate=100.00\n";
        ck_assert_int_eq(pv_parse_io_stat(text, &s), 0);
        ck_assert_uint_eq(s.n_devs, 2);
        ck_assert(s.devs[0].major == 8 && s.devs[0].wbytes == 8388608 && s.devs[0].dios == 1);
        ck_assert(s.devs[1].major == 259 && s.devs[1].rbytes == 4096 && s.devs[1].rios == 1);
        pv_io_stats_clear(&s);

        ck_assert_int_eq(pv_parse_io_stat("", &s), 0);
        ck_assert_uint_eq(s.n_devs, 0);
        /* cut inside the last line's value: that line dropped */
        ck_assert_int_eq(pv_parse_io_stat("8:0 rbytes=1 wbytes=2\n8:16 rbytes=1x", &s), 0);
        ck_assert_uint_eq(s.n_devs, 1);
        pv_io_stats_clear(&s);

        PvIoStats keep = {.n_devs = 7};
        ck_assert_int_eq(pv_parse_io_stat("8:0 rbytes=x\n", &keep), -EINVAL);
        ck_assert_int_eq(pv_parse_io_stat("8:0 rbytes\n", &keep), -EINVAL);
        ck_assert_int_eq(pv_parse_io_stat("sda rbytes=1\n", &keep), -EINVAL);
        ck_assert_uint_eq(keep.n_devs, 7);
}
END_TEST

START_TEST(test_io_merge)
{
        PvIoDev a[] = {{.major = 8, .minor = 0, .rbytes = 10, .wbytes = 100},
                       {.major = 8, .minor = 16, .rbytes = 1}};
        PvIoDev b[] = {{.major = 8, .minor = 0, .rbytes = 20, .wbytes = 50, .rios = 3},
                       {.major = 259, .minor = 0, .wios = 9}};
        PvIoStats dst = {.devs = malloc(sizeof(a)), .n_devs = 2};
        memcpy(dst.devs, a, sizeof(a));
        PvIoStats src = {.devs = b, .n_devs = 2};
        ck_assert_int_eq(pv_io_stats_merge_max(&dst, &src), 0);
        ck_assert_uint_eq(dst.n_devs, 3);
        ck_assert(dst.devs[0].rbytes == 20 && dst.devs[0].wbytes == 100 && dst.devs[0].rios == 3);
        ck_assert(dst.devs[1].minor == 16 && dst.devs[2].major == 259 && dst.devs[2].wios == 9);
        pv_io_stats_clear(&dst);
}
END_TEST

START_TEST(test_cgroup_paths)
{
        /* memory and cpuset on v1, cpu and cpuacct on v2; io and pids on neither */
        const bool v2[_PV_CTRL_MAX] = {[PV_CTRL_CPU] = true, [PV_CTRL_CPUACCT] = true};
        const bool v1[_PV_CTRL_MAX] = {[PV_CTRL_MEMORY] = true, [PV_CTRL_CPUSET] = true};
        const char *text = "12:pids:/docker/abc\n9:name=systemd:/system.slice\n"
                           "4:memory:/docker/a:b\n3:cpuset,cpu:/docker/abc\n\n0::/kube/u\n";
        char *p[_PV_CTRL_MAX];
        ck_assert_int_eq(pv_parse_cgroup_paths(text, v2, v1, p), 0);
        ck_assert_str_eq(p[PV_CTRL_MEMORY], "/docker/a:b");
        ck_assert_str_eq(p[PV_CTRL_CPUSET], "/docker/abc");
        /* cpu's v1 line does not count where cpu is on v2 */
        ck_assert_str_eq(p[PV_CTRL_CPU], "/kube/u");
        ck_assert_str_eq(p[PV_CTRL_CPUACCT], "/kube/u");
        ck_assert_ptr_null(p[PV_CTRL_IO]);
        ck_assert_ptr_null(p[PV_CTRL_PIDS]);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                free(p[c]);

        /* a cut last line names no cgroup */
        ck_assert_int_eq(pv_parse_cgroup_paths("4:memory:/a\n3:cpuset:/kube/po", v2, v1, p), 0);
        ck_assert_str_eq(p[PV_CTRL_MEMORY], "/a");
        ck_assert_ptr_null(p[PV_CTRL_CPUSET]);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                free(p[c]);

        char *keep[_PV_CTRL_MAX] = {(char *)"untouched"};
        ck_assert_int_eq(pv_parse_cgroup_paths("garbage\n", v2, v1, keep), -EINVAL);
        ck_assert_int_eq(pv_parse_cgroup_paths("4:memory:relative\n", v2, v1, keep), -EINVAL);
        ck_assert_int_eq(pv_parse_cgroup_paths("0:memory:/a\n", v2, v1, keep), -EINVAL);
        ck_assert_str_eq(keep[0], "untouched");
}
END_TEST

START_TEST(test_cgroup_unified_path)
{
        const char *text = "12:pids:/docker/abc\n4:memory:/docker/abc\n7:blkio:/\n0::/\n";
        char *u = NULL;
        ck_assert_int_eq(pv_parse_cgroup_unified_path(text, &u), 0);
        ck_assert_str_eq(u, "/");
        free(u);
        ck_assert_int_eq(pv_parse_cgroup_unified_path("4:memory:/a\n", &u), -ENOENT);
        /* a cut path could name another cgroup */
        ck_assert_int_eq(pv_parse_cgroup_unified_path("0::/kube/po", &u), -EINVAL);
        ck_assert_int_eq(pv_parse_cgroup_unified_path("nonsense\n", &u), -EINVAL);
}
END_TEST

/* a token of len bytes against a word: equal only when the word is exactly those bytes */
START_TEST(test_tok_eq)
{
        ck_assert(pv_tok_eq("cache 12", 5, "cache"));
        ck_assert(!pv_tok_eq("cache 12", 5, "cach"));   /* the word is shorter */
        ck_assert(!pv_tok_eq("cache 12", 5, "caches")); /* the word is longer */
        ck_assert(!pv_tok_eq("cache 12", 4, "cache"));
        ck_assert(!pv_tok_eq("rss", 3, "rsz"));
        ck_assert(pv_tok_eq("", 0, ""));
        ck_assert(!pv_tok_eq("", 0, "x"));
        /* a NUL inside the token never matches, nor reads past a shorter word */
        ck_assert(!pv_tok_eq("a\0c", 3, "a"));
        ck_assert(!pv_tok_eq("ab\0", 3, "abc"));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("parse");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_loadavg_uptime);
        tcase_add_test(tc, test_parse_numa_stat);
        tcase_add_test(tc, test_usage_all);
        tcase_add_test(tc, test_u64_list);
        tcase_add_test(tc, test_blkio);
        tcase_add_test(tc, test_io_stat);
        tcase_add_test(tc, test_io_merge);
        tcase_add_test(tc, test_cgroup_paths);
        tcase_add_test(tc, test_cgroup_unified_path);
        tcase_add_test(tc, test_tok_eq);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
