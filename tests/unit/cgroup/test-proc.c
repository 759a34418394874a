/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the backend builds on the /proc/PID parsers (tests/unit/parse), on a
 * scratch tree: a cgroup's oldest task, and the keys that tell a renamed v1
 * cgroup from the one made under its old name.
 */
#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "cgroup/backend.h"
#include "pv-check.h"

static char *scratch;

static void put(const char *rel, const char *text)
{
        g_autofree char *path = g_build_filename(scratch, rel, NULL);
        g_autofree char *dir = g_path_get_dirname(path);
        ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
        ck_assert(g_file_set_contents(path, text, -1, NULL));
}

static void put_stat(pid_t pid, unsigned long long start)
{
        char rel[64], text[256];
        snprintf(rel, sizeof(rel), "proc/%d/stat", (int)pid);
        snprintf(text, sizeof(text),
                 "%d (a b) S 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n", (int)pid,
                 (int)pid, (int)pid, start);
        put(rel, text);
}

/* memory and pids v1 hierarchies holding /ctr (tasks 7, 100 and 55, which exited) and /empty. */
static void scratch_setup(void)
{
        scratch = g_dir_make_tmp("pv-test-proc-XXXXXX", NULL);
        ck_assert_ptr_nonnull(scratch);
        put("hierarchies", "memory 4\npids 8\n");
        put("memory/ctr/cgroup.procs", "7\n55\n100\n");
        put("pids/ctr/cgroup.procs", "7\n55\n100\n");
        put("memory/empty/cgroup.procs", "");
        put("pids/empty/cgroup.procs", "");
        put_stat(7, 500);
        put_stat(100, 300);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void scratch_teardown(void)
{
        nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        g_free(scratch);
}

static PvCgroup *open_ctr(PvHierarchy *h, const char *path)
{
        g_autofree char *text = g_strdup_printf("8:pids:%s\n4:memory:%s\n", path, path);
        PvCgroup *cg = NULL;
        ck_assert_int_eq(pv_hierarchy_open_at(scratch, h), 0);
        ck_assert_int_eq(pv_cgroup_open_proc(h, text, &cg), 0);
        return cg;
}

START_TEST(test_oldest_task)
{
        PvHierarchy h;
        PvCgroup *cg = open_ctr(&h, "/ctr");
        pid_t pid = 0;
        uint64_t start = 0;
        ck_assert_int_eq(pv_cgroup_oldest_task(cg, &pid, &start), 0);
        ck_assert_int_eq(pid, 100);
        ck_assert_uint_eq(start, 300);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);

        cg = open_ctr(&h, "/empty");
        ck_assert_int_eq(pv_cgroup_oldest_task(cg, &pid, &start), -ESRCH);
        ck_assert_int_eq(pid, 100);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);
}
END_TEST

START_TEST(test_paths_key)
{
        PvHierarchy h;
        PvCgroup *cg = open_ctr(&h, "/ctr");
        PvCgroupPaths paths;
        char *key = NULL;

        ck_assert_int_eq(
            pv_cgroup_paths_from_proc(&h, "8:pids:/ctr\n4:memory:/ctr\n0::/u\n", &paths), 0);
        ck_assert_str_eq(paths.path[PV_CTRL_MEMORY], "/ctr");
        ck_assert_str_eq(paths.unified, "/u");
        ck_assert_int_eq(pv_cgroup_paths_key(&h, &paths, &key), 0);
        /* no unified mount here: the "0::" path names nothing, in either key */
        ck_assert_str_eq(key, pv_cgroup_key(cg));
        free(key);

        /* renamed, and a new cgroup made under the old name: another key */
        g_autofree char *from = g_build_filename(scratch, "memory/ctr", NULL);
        g_autofree char *to = g_build_filename(scratch, "memory/ctr-old", NULL);
        ck_assert_int_eq(rename(from, to), 0);
        ck_assert_int_eq(pv_cgroup_paths_key(&h, &paths, &key), -ENOENT);
        put("memory/ctr/cgroup.procs", "");
        ck_assert_int_eq(pv_cgroup_paths_key(&h, &paths, &key), 0);
        ck_assert_str_ne(key, pv_cgroup_key(cg));
        free(key);
        pv_cgroup_paths_clear(&paths);
        ck_assert_ptr_null(paths.unified);

        ck_assert_int_eq(pv_cgroup_paths_from_proc(&h, "4:memory:relative\n", &paths), -EINVAL);
        pv_cgroup_free(cg);
        pv_hierarchy_close(&h);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("cgroup-proc");
        TCase *tc = tcase_create("tree");
        tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
        tcase_add_test(tc, test_oldest_task);
        tcase_add_test(tc, test_paths_key);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
