/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "mountinfo.h"
#include "pv-check.h"

static char *tmp_dir;

static void tmp_setup(void)
{
        g_autoptr(GError) error = NULL;

        tmp_dir = g_dir_make_tmp("pv-mountinfo-XXXXXX", &error);
        ck_assert_ptr_nonnull(tmp_dir);
}

static void tmp_teardown(void)
{
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp_dir);
        ck_assert_int_eq(system(cmd), 0);
        g_clear_pointer(&tmp_dir, g_free);
}

static char *canonical(const char *path)
{
        char *ret = NULL;
        int r = pv_mount_canonical_path(path, &ret);

        ck_assert_msg(r == 0, "%s: %s", path, g_strerror(-r));
        return ret;
}

START_TEST(test_canonical_path)
{
        g_autofree char *real_tmp = realpath(tmp_dir, NULL);
        g_autofree char *dir = g_build_filename(tmp_dir, "with space", NULL);
        g_autofree char *want = g_build_filename(real_tmp, "with space", NULL);
        g_autofree char *link = g_build_filename(tmp_dir, "link", NULL);
        g_autofree char *rel_link = g_build_filename(tmp_dir, "rel", NULL);
        g_autofree char *loop = g_build_filename(tmp_dir, "loop", NULL);
        g_autofree char *trailing = g_strconcat(dir, "//", NULL);
        g_autofree char *via_link = g_build_filename(link, "..", "link", NULL);
        g_autofree char *missing = g_build_filename(tmp_dir, "missing", NULL);
        g_autofree char *want_missing = g_build_filename(real_tmp, "missing", NULL);
        g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;
        char *untouched = (char *)"x";

        ck_assert_int_eq(g_mkdir(dir, 0755), 0);
        ck_assert_int_eq(symlink(dir, link), 0);
        ck_assert_int_eq(symlink("with space/", rel_link), 0);
        ck_assert_int_eq(symlink("loop", loop), 0);

        ck_assert_str_eq((a = canonical(dir)), want);
        ck_assert_str_eq((b = canonical(trailing)), want);
        ck_assert_str_eq((c = canonical(link)), want);
        ck_assert_str_eq((d = canonical(rel_link)), want);
        /* A symlink in the parent path, and "..", resolve too. */
        ck_assert_str_eq((e = canonical(via_link)), want);
        /* A missing last component is fine: nothing can be mounted there. */
        ck_assert_str_eq((f = canonical(missing)), want_missing);

        ck_assert_int_eq(pv_mount_canonical_path(loop, &untouched), -ELOOP);
        ck_assert_int_eq(pv_mount_canonical_path("/no/such/dir/x", &untouched), -ENOENT);
        ck_assert_int_eq(pv_mount_canonical_path("", &untouched), -EINVAL);
        ck_assert_str_eq(untouched, "x");
}
END_TEST

START_TEST(test_find_real_mounts)
{
        g_autofree char *link = g_build_filename(tmp_dir, "proc-link", NULL);
        g_autofree char *link_slash = g_strconcat(link, "/", NULL);
        g_autofree char *plain = g_build_filename(tmp_dir, "plain", NULL);
        g_auto(PvMountEntry) e = {0};
        PvMountState state = PV_MOUNT_LIVE;

        /* Every mount namespace has a root, and /proc is mounted wherever these tests run. */
        ck_assert_int_eq(pv_mount_find("/", &e), 0);
        ck_assert_str_eq(e.mount_point, "/");
        pv_mount_entry_clear(&e);

        ck_assert_int_eq(symlink("/proc", link), 0);
        ck_assert_int_eq(pv_mount_find(link_slash, &e), 0);
        ck_assert_str_eq(e.mount_point, "/proc");
        ck_assert_str_eq(e.fs_type, "proc");
        pv_mount_entry_clear(&e);

        ck_assert_int_eq(g_mkdir(plain, 0755), 0);
        ck_assert_int_eq(pv_mount_find(plain, &e), -ENOENT);
        ck_assert_int_eq(pv_mount_find("/no/such/dir", &e), -ENOENT);

        /* No procview mount: NONE, without asking anything of the file system. */
        ck_assert_int_eq(pv_mount_probe(plain, 1000, &state), 0);
        ck_assert_int_eq(state, PV_MOUNT_NONE);
        state = PV_MOUNT_LIVE;
        ck_assert_int_eq(pv_mount_probe(link, 1000, &state), 0);
        ck_assert_int_eq(state, PV_MOUNT_NONE);
        ck_assert_int_eq(pv_mount_probe(link, 0, &state), -EINVAL);
}
END_TEST

START_TEST(test_state_names)
{
        ck_assert_str_eq(pv_mount_state_to_string(PV_MOUNT_NONE), "none");
        ck_assert_str_eq(pv_mount_state_to_string(PV_MOUNT_LIVE), "live");
        ck_assert_str_eq(pv_mount_state_to_string(PV_MOUNT_DEAD), "dead");
        ck_assert_str_eq(pv_mount_state_to_string(PV_MOUNT_HUNG), "hung");
}
END_TEST

static Suite *mountinfo_suite(void)
{
        Suite *s = suite_create("mountinfo");
        TCase *pure = tcase_create("parse");
        TCase *fs = tcase_create("paths");

        tcase_add_test(pure, test_state_names);
        suite_add_tcase(s, pure);

        tcase_add_checked_fixture(fs, tmp_setup, tmp_teardown);
        tcase_add_test(fs, test_canonical_path);
        tcase_add_test(fs, test_find_real_mounts);
        suite_add_tcase(s, fs);
        return s;
}

int main(void)
{
        return pv_check_run(mountinfo_suite());
}
