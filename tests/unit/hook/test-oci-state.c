/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "oci-state.h"

#define PARSE_STATE(s, id, bundle) pv_oci_parse_state((s), strlen(s), (id), (bundle))
#define PARSE_CONFIG(s, b, rootfs, dis) pv_oci_parse_config((s), strlen(s), (b), (rootfs), (dis))

START_TEST(test_state_runc)
{
        /* As runc 1.1 writes it for createContainer. */
        const char *s = "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"web-1\",\"status\":\"creating\","
                        "\"pid\":1,\"bundle\":\"/run/bundles/web-1\",\"annotations\":{}}";
        g_autofree char *id = NULL, *bundle = NULL;

        ck_assert_int_eq(PARSE_STATE(s, &id, &bundle), 0);
        ck_assert_str_eq(id, "web-1");
        ck_assert_str_eq(bundle, "/run/bundles/web-1");
}
END_TEST

START_TEST(test_state_legacy_bundle_path)
{
        const char *s = "{\"id\":\"c\",\"pid\":42,\"bundlePath\":\"/b\"}";
        g_autofree char *id = NULL, *bundle = NULL;

        ck_assert_int_eq(PARSE_STATE(s, &id, &bundle), 0);
        ck_assert_str_eq(bundle, "/b");
}
END_TEST

START_TEST(test_state_no_id)
{
        const char *s = "{\"bundle\":\"/b\"}";
        g_autofree char *id = NULL, *bundle = NULL;

        ck_assert_int_eq(PARSE_STATE(s, &id, &bundle), 0);
        ck_assert_str_eq(id, "");
}
END_TEST

START_TEST(test_state_invalid)
{
        static const char *const bad[] = {
            "",
            "not json",
            "[1,2]",
            "{\"id\":\"c\"}",
            "{\"bundle\":\"\"}",
            "{\"bundle\":7}",
            "{\"bundle\":{\"a\":1}}",
            "{\"bundle\":\"/b\"",
        };
        char *id = (char *)"untouched", *bundle = (char *)"untouched";

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                ck_assert_int_eq(PARSE_STATE(bad[i], &id, &bundle), -EINVAL);
                ck_assert_str_eq(id, "untouched");
                ck_assert_str_eq(bundle, "untouched");
        }
}
END_TEST

START_TEST(test_state_not_nul_terminated)
{
        /* The length bounds the parse: the tail after it must be ignored. */
        const char *s = "{\"bundle\":\"/b\"}garbage";
        g_autofree char *id = NULL, *bundle = NULL;

        ck_assert_int_eq(pv_oci_parse_state(s, strlen("{\"bundle\":\"/b\"}"), &id, &bundle), 0);
        ck_assert_str_eq(bundle, "/b");
}
END_TEST

START_TEST(test_config_relative_root)
{
        const char *c =
            "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true}}";
        g_autofree char *rootfs = NULL;
        bool disabled = true;

        ck_assert_int_eq(PARSE_CONFIG(c, "/run/b", &rootfs, &disabled), 0);
        ck_assert_str_eq(rootfs, "/run/b/rootfs");
        ck_assert(!disabled);
}
END_TEST

START_TEST(test_config_absolute_root)
{
        const char *c = "{\"root\":{\"path\":\"/var/lib/containers/x/merged\"}}";
        g_autofree char *rootfs = NULL;
        bool disabled = true;

        ck_assert_int_eq(PARSE_CONFIG(c, "/run/b", &rootfs, &disabled), 0);
        ck_assert_str_eq(rootfs, "/var/lib/containers/x/merged");
}
END_TEST

START_TEST(test_config_annotation)
{
        const char *on = "{\"root\":{\"path\":\"r\"},\"annotations\":"
                         "{\"io.procview.disable\":\"true\",\"other\":\"x\"}}";
        const char *off = "{\"root\":{\"path\":\"r\"},\"annotations\":"
                          "{\"io.procview.disable\":\"false\"}}";
        g_autofree char *r1 = NULL, *r2 = NULL;
        bool d1 = false, d2 = true;

        ck_assert_int_eq(PARSE_CONFIG(on, "/b", &r1, &d1), 0);
        ck_assert(d1);
        ck_assert_int_eq(PARSE_CONFIG(off, "/b", &r2, &d2), 0);
        ck_assert(!d2);
}
END_TEST

START_TEST(test_config_invalid)
{
        static const char *const bad[] = {
            "",
            "[]",
            "{}",
            "{\"root\":\"rootfs\"}",
            "{\"root\":{}}",
            "{\"root\":{\"path\":\"\"}}",
            "{\"root\":{\"path\":3}}",
        };
        char *rootfs = (char *)"untouched";
        bool disabled = true;

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                ck_assert_int_eq(PARSE_CONFIG(bad[i], "/b", &rootfs, &disabled), -EINVAL);
                ck_assert_str_eq(rootfs, "untouched");
                ck_assert(disabled);
        }
}
END_TEST

static Suite *oci_state_suite(void)
{
        Suite *s = suite_create("oci-state");
        TCase *tc = tcase_create("parse");

        tcase_add_test(tc, test_state_runc);
        tcase_add_test(tc, test_state_legacy_bundle_path);
        tcase_add_test(tc, test_state_no_id);
        tcase_add_test(tc, test_state_invalid);
        tcase_add_test(tc, test_state_not_nul_terminated);
        tcase_add_test(tc, test_config_relative_root);
        tcase_add_test(tc, test_config_absolute_root);
        tcase_add_test(tc, test_config_annotation);
        tcase_add_test(tc, test_config_invalid);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(oci_state_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
