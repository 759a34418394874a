/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pv-check.h"

/* What pv_log() writes on stderr meanwhile: stderr goes to a temporary file. */
static FILE *capture;
static int saved_stderr = -1;

static void capture_start(void)
{
        capture = tmpfile();
        ck_assert_ptr_nonnull(capture);
        fflush(stderr);
        saved_stderr = dup(STDERR_FILENO);
        ck_assert_int_ge(saved_stderr, 0);
        ck_assert_int_eq(dup2(fileno(capture), STDERR_FILENO), STDERR_FILENO);
}

/* Ends the capture; returns what was written (static, until the next call). */
static const char *capture_end(void)
{
        static char text[4096];
        size_t n;

        fflush(stderr);
        ck_assert_int_eq(dup2(saved_stderr, STDERR_FILENO), STDERR_FILENO);
        close(saved_stderr);
        rewind(capture);
        n = fread(text, 1, sizeof(text) - 1, capture);
        text[n] = '\0';
        fclose(capture);
        return text;
}

/* First: the state before any pv_log_setup(), also when Check does not fork. */
START_TEST(test_before_setup)
{
        capture_start();
        pv_log_warning("no setup %d", 1);
        pv_log_debug("not shown");
        ck_assert_str_eq(capture_end(), "test-log: warning: no setup 1\n");
}
END_TEST

START_TEST(test_daemon_format)
{
        pv_log_setup("procviewd", PV_LOG_STDERR | PV_LOG_STDERR_LEVEL, false);
        capture_start();
        pv_log_error("cannot %s", "go on");
        pv_log_info("started");
        pv_log_debug("not shown");
        ck_assert_str_eq(capture_end(),
                         "procviewd: error: cannot go on\nprocviewd: info: started\n");

        pv_log_setup("procviewd", PV_LOG_STDERR | PV_LOG_STDERR_LEVEL, true);
        capture_start();
        pv_log_debug("step %u", 2u);
        ck_assert_str_eq(capture_end(), "procviewd: debug: step 2\n");
}
END_TEST

/* The hook's lines carry no level: stderr goes to the runtime, syslog has the priority. */
START_TEST(test_hook_format)
{
        pv_log_setup("procview-oci-hook", PV_LOG_STDERR, false);
        capture_start();
        pv_log_warning("container %s: nothing mounted", "c1");
        pv_log_debug("not shown");
        ck_assert_str_eq(capture_end(), "procview-oci-hook: container c1: nothing mounted\n");

        pv_log_setup("procview-oci-hook", PV_LOG_STDERR, true);
        capture_start();
        pv_log_debug("shown");
        ck_assert_str_eq(capture_end(), "procview-oci-hook: shown\n");
}
END_TEST

/* %m is the caller's errno, which logging leaves as it was. */
START_TEST(test_errno)
{
        pv_log_setup("t", PV_LOG_STDERR | PV_LOG_STDERR_LEVEL, false);
        capture_start();
        errno = ENOENT;
        pv_log_error("open: %m");
        ck_assert_int_eq(errno, ENOENT);
        ck_assert_str_eq(capture_end(), "t: error: open: No such file or directory\n");
}
END_TEST

/* A message is cut at 1023 bytes, still one line. */
START_TEST(test_long_line)
{
        static char msg[2000];
        const char *out;

        memset(msg, 'x', sizeof(msg) - 1);
        pv_log_setup("t", PV_LOG_STDERR, false);
        capture_start();
        pv_log_warning("%s", msg);
        out = capture_end();
        ck_assert_uint_eq(strlen(out), strlen("t: ") + 1023 + 1);
        ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_before_setup);
        tcase_add_test(tc, test_daemon_format);
        tcase_add_test(tc, test_hook_format);
        tcase_add_test(tc, test_errno);
        tcase_add_test(tc, test_long_line);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
