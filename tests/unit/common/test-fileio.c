/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file readers of fileio.c: growing buffers, pread, seq_files that give a page per read. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "pv-check.h"

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
        Suite *s = suite_create("fileio");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_read_file_grows);
        tcase_add_test(tc, test_pread_all_and_records);
        tcase_add_test(tc, test_read_file_multi_page_seq_file);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
