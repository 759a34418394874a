/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Texts shared by the opens of one container (share.h): given within
 * PV_SHARE_US of the reading they came from and never after, an older render
 * does not replace a newer one, texts too large or past the budget are not
 * kept, and the sweep gives their bytes back.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "pv-check.h"
#include "registry/share.h"

START_TEST(test_window)
{
        PvShare *s = pv_share_new(4);
        g_autoptr(GString) out = g_string_new("x");
        size_t before = pv_share_bytes();

        ck_assert(!pv_share_get(s, 1, 1000, out));
        pv_share_put(s, 1, 1000, "MemTotal: 1 kB\n", 15);
        ck_assert_uint_eq(pv_share_bytes(), before + 15);
        /* appended, at the reading and up to PV_SHARE_US after it */
        ck_assert(pv_share_get(s, 1, 1000, out));
        ck_assert_str_eq(out->str, "xMemTotal: 1 kB\n");
        g_string_truncate(out, 0);
        ck_assert(pv_share_get(s, 1, 1000 + PV_SHARE_US - 1, out));
        ck_assert_str_eq(out->str, "MemTotal: 1 kB\n");
        /* not at PV_SHARE_US, not before the reading, not in another slot */
        g_string_truncate(out, 0);
        ck_assert(!pv_share_get(s, 1, 1000 + PV_SHARE_US, out));
        ck_assert(!pv_share_get(s, 1, 999, out));
        ck_assert(!pv_share_get(s, 0, 1000, out));
        ck_assert(!pv_share_get(s, 4, 1000, out));
        ck_assert_uint_eq(out->len, 0);

        /* a render that read earlier does not replace a later one */
        pv_share_put(s, 1, 900, "old\n", 4);
        ck_assert(pv_share_get(s, 1, 1500, out));
        ck_assert_str_eq(out->str, "MemTotal: 1 kB\n");
        ck_assert_uint_eq(pv_share_bytes(), before + 15);
        g_string_truncate(out, 0);
        pv_share_put(s, 1, 1200, "new\n", 4);
        ck_assert(pv_share_get(s, 1, 1300, out));
        ck_assert_str_eq(out->str, "new\n");
        ck_assert_uint_eq(pv_share_bytes(), before + 4);

        /* the sweep frees what is too old to be given, and only that */
        pv_share_put(s, 2, 5000, "later\n", 6);
        pv_share_sweep(s, 5000);
        ck_assert_uint_eq(pv_share_bytes(), before + 6);
        g_string_truncate(out, 0);
        ck_assert(pv_share_get(s, 2, 5001, out));
        ck_assert_str_eq(out->str, "later\n");
        pv_share_free(s);
        ck_assert_uint_eq(pv_share_bytes(), before);
}
END_TEST

START_TEST(test_bounds)
{
        size_t before = pv_share_bytes();
        g_autofree char *big = g_malloc0(PV_SHARE_TEXT_MAX + 1);
        g_autoptr(GString) out = g_string_new(NULL);
        size_t n = PV_SHARE_BYTES_MAX / PV_SHARE_TEXT_MAX + 2;
        PvShare *s = pv_share_new(n);

        /* too large for one slot */
        pv_share_put(s, 0, 10, big, PV_SHARE_TEXT_MAX + 1);
        ck_assert(!pv_share_get(s, 0, 10, out));
        ck_assert_uint_eq(pv_share_bytes(), before);
        /* the largest kept texts until the budget is spent, and then no more */
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
                pv_share_put(s, i, 10, big, PV_SHARE_TEXT_MAX);
                kept += pv_share_get(s, i, 10, out);
                ck_assert_uint_le(pv_share_bytes(), PV_SHARE_BYTES_MAX);
        }
        ck_assert_uint_lt(kept, n);
        ck_assert_uint_ge(kept, (PV_SHARE_BYTES_MAX - before) / PV_SHARE_TEXT_MAX - 1);
        /* swept, the budget is back */
        pv_share_sweep(s, 10 + PV_SHARE_US);
        ck_assert_uint_eq(pv_share_bytes(), before);
        pv_share_put(s, n - 1, 20000, big, PV_SHARE_TEXT_MAX);
        ck_assert(pv_share_get(s, n - 1, 20000, out));
        pv_share_free(s);
        ck_assert_uint_eq(pv_share_bytes(), before);
}
END_TEST

/* Threads putting and getting one slot: every text given is one that was put, whole. */
static PvShare *shared;

static gpointer hammer(gpointer data)
{
        unsigned id = GPOINTER_TO_UINT(data);
        g_autoptr(GString) out = g_string_new(NULL);
        char text[64];

        for (unsigned i = 0; i < 20000; i++) {
                int len = g_snprintf(text, sizeof(text), "thread %u text %u end\n", id, i);
                pv_share_put(shared, 0, (gint64)i, text, (size_t)len);
                g_string_truncate(out, 0);
                if (pv_share_get(shared, 0, (gint64)i, out)) {
                        unsigned t, n;
                        char end[8];
                        ck_assert_int_eq(sscanf(out->str, "thread %u text %u %3s", &t, &n, end), 3);
                        ck_assert_str_eq(end, "end");
                        ck_assert_uint_le(n, i);
                }
        }
        return NULL;
}

START_TEST(test_threads)
{
        size_t before = pv_share_bytes();
        GThread *t[4];

        shared = pv_share_new(1);
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                t[i] = g_thread_new("hammer", hammer, GUINT_TO_POINTER(i));
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                g_thread_join(t[i]);
        pv_share_free(shared);
        ck_assert_uint_eq(pv_share_bytes(), before);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("share");
        TCase *tc = tcase_create("share");
        tcase_add_test(tc, test_window);
        tcase_add_test(tc, test_bounds);
        tcase_add_test(tc, test_threads);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
