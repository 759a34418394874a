/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse-limit.h"
#include "cpuset.h"
#include "fileio.h"
#include "text.h"
#include "pv-check.h"

static char *fmt(const PvCpuSet *s)
{
        static char buf[65536];
        pv_cpuset_format(s, buf, sizeof(buf));
        return buf;
}

START_TEST(test_parse_sparse)
{
        PvCpuSet s;
        ck_assert_int_eq(pv_cpuset_parse("0,2,5-7\n", &s), 0);
        ck_assert_uint_eq(pv_cpuset_count(&s), 5);
        ck_assert(pv_cpuset_has(&s, 0) && !pv_cpuset_has(&s, 1) && pv_cpuset_has(&s, 6));
        ck_assert_str_eq(fmt(&s), "0,2,5-7");
        ck_assert_int_eq(pv_cpuset_nth(&s, 0), 0);
        ck_assert_int_eq(pv_cpuset_nth(&s, 2), 5);
        ck_assert_int_eq(pv_cpuset_nth(&s, 4), 7);
        ck_assert_int_eq(pv_cpuset_nth(&s, 5), -1);
        ck_assert_int_eq(pv_cpuset_next(&s, 3), 5);
        ck_assert_int_eq(pv_cpuset_last(&s), 7);
}
END_TEST

START_TEST(test_parse_empty_and_bad)
{
        PvCpuSet s, keep;
        ck_assert_int_eq(pv_cpuset_parse("\n", &s), 0);
        ck_assert_uint_eq(pv_cpuset_count(&s), 0);
        ck_assert_str_eq(fmt(&s), "");
        ck_assert_int_eq(pv_cpuset_last(&s), -1);

        pv_cpuset_zero(&keep);
        pv_cpuset_add(&keep, 3);
        s = keep;
        ck_assert_int_eq(pv_cpuset_parse("1-", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("3-1", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("a", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("1,,2", &s), -EINVAL);
        ck_assert_int_eq(pv_cpuset_parse("8192", &s), -ERANGE);
        ck_assert(pv_cpuset_equal(&s, &keep)); /* untouched on failure */
}
END_TEST

START_TEST(test_large)
{
        PvCpuSet s;
        ck_assert_int_eq(pv_cpuset_parse("0-511", &s), 0);
        ck_assert_uint_eq(pv_cpuset_count(&s), 512);
        ck_assert_str_eq(fmt(&s), "0-511");
        pv_cpuset_keep_first(&s, 3);
        ck_assert_str_eq(fmt(&s), "0-2");
        ck_assert_int_eq(pv_cpuset_parse("8191,63-64", &s), 0);
        ck_assert_str_eq(fmt(&s), "63-64,8191");
}
END_TEST

START_TEST(test_format_truncates_safely)
{
        PvCpuSet s;
        char small[4];
        ck_assert_int_eq(pv_cpuset_parse("0,2,4,6", &s), 0);
        ck_assert_uint_eq(pv_cpuset_format(&s, small, sizeof(small)), 7);
        ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

START_TEST(test_u64_or_max)
{
        uint64_t v = 7;
        ck_assert_int_eq(pv_parse_u64_or_max("max\n", &v), 0);
        ck_assert(v == UINT64_MAX);
        ck_assert_int_eq(pv_parse_u64_or_max(" 123\n", &v), 0);
        ck_assert(v == 123);
        ck_assert_int_eq(pv_parse_u64_or_max("12x", &v), -EINVAL);
        ck_assert_int_eq(pv_parse_u64_or_max("", &v), -EINVAL);
        ck_assert(v == 123);
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

START_TEST(test_read_file_grows)
{
        char path[] = "/tmp/pv-test-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        size_t n = 100000;
        char *big = malloc(n);
        memset(big, 'x', n);
        ck_assert_int_eq(write(fd, big, n), (ssize_t)n);
        close(fd);
        char *text;
        size_t len;
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, path, &text, &len), 0);
        ck_assert_uint_eq(len, n);
        ck_assert_uint_eq(strlen(text), n);
        free(text);
        free(big);
        unlink(path);
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, path, &text, &len), -ENOENT);
}
END_TEST

START_TEST(test_pread_all_and_records)
{
        char path[] = "/tmp/pv-test-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        size_t n = 300000;
        char *big = malloc(n);
        for (size_t i = 0; i < n; i++)
                big[i] = (char)('a' + i % 26);
        ck_assert_int_eq(write(fd, big, n), (ssize_t)n);
        /* the fd's position is at the end: both read from offset 0 */
        char *text;
        size_t len;
        ck_assert_int_eq(pv_pread_all(fd, &text, &len), 0);
        ck_assert_uint_eq(len, n);
        ck_assert_int_eq(memcmp(text, big, n), 0);
        free(text);
        ck_assert_int_eq(pv_pread_records(fd, &text, &len), 0);
        ck_assert_uint_eq(len, n);
        ck_assert_int_eq(memcmp(text, big, n), 0);
        free(text);
        close(fd);
        unlink(path);
        free(big);
        ck_assert_int_eq(pv_pread_all(-1, &text, &len), -EBADF);
}
END_TEST

/*
 * A seq_file with one record per item returns at most a page per read: a
 * short read is not its end. /proc/kallsyms is long and steady.
 */
START_TEST(test_read_file_multi_page_seq_file)
{
        FILE *f = fopen("/proc/kallsyms", "re");
        if (!f)
                return;
        size_t lines = 0;
        int ch;
        while ((ch = fgetc(f)) != EOF)
                lines += ch == '\n';
        fclose(f);
        ck_assert_uint_gt(lines, 1000);

        char *text;
        size_t len, got = 0;
        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, "/proc/kallsyms", &text, &len), 0);
        for (size_t i = 0; i < len; i++)
                got += text[i] == '\n';
        free(text);
        /* modules may come and go meanwhile, not thousands of lines */
        ck_assert_uint_gt(got, lines - lines / 10);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cpuset");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_parse_sparse);
        tcase_add_test(tc, test_parse_empty_and_bad);
        tcase_add_test(tc, test_large);
        tcase_add_test(tc, test_format_truncates_safely);
        tcase_add_test(tc, test_u64_or_max);
        tcase_add_test(tc, test_tok_eq);
        tcase_add_test(tc, test_read_file_grows);
        tcase_add_test(tc, test_pread_all_and_records);
        tcase_add_test(tc, test_read_file_multi_page_seq_file);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
