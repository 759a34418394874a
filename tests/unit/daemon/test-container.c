/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The registry on a scratch v1 tree: one PvContainer per set of cgroups,
 * another for a cgroup made under a renamed one's name (the cgroup itself or
 * an ancestor renamed, or removed and made again), with and without the
 * inotify watch, start times, and the container's life (forget, expire,
 * clear).
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "registry/budget.h"
#include "registry/container.h"
#include "registry/registry.h"
#include "registry/daemon.h"
#include "pv-check.h"
#include "registry-test.h"

static char *scratch;
static PvDaemon d;

static void put(const char *rel, const char *text)
{
        tree_put(scratch, rel, text);
}

static void setup(void)
{
        scratch = g_dir_make_tmp("pv-test-container-XXXXXX", NULL);
        ck_assert_ptr_nonnull(scratch);
        put("memory/ctr/cgroup.procs", "7\n");
        put("memory/other/cgroup.procs", "");
        /* task 7 started 300 ticks after boot */
        put("proc/7/stat", "7 (init) S 0 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 300 0 0\n");
        d = (PvDaemon){0};
        ck_assert_int_eq(pv_hierarchy_open_at(scratch, &d.hier), 0);
        d.clk_tck = 100;
        d.opts.idle_expiry_s = 600;
        g_rw_lock_init(&d.containers_lock);
        d.containers = g_hash_table_new(g_str_hash, g_str_equal);
}

static void teardown(void)
{
        pv_registry_clear(&d);
        g_hash_table_destroy(d.containers);
        g_rw_lock_clear(&d.containers_lock);
        pv_hierarchy_close(&d.hier);
        g_clear_pointer(&d.renames, pv_renames_free);
        tree_remove(scratch);
        g_free(scratch);
}

static int get(const char *path, uint64_t start_ns, bool exact, PvContainer **ret)
{
        g_autofree char *text = g_strdup_printf("1:memory:%s\n", path);
        PvCgroupPaths paths;
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&d.hier, text, &paths), 0);
        int r = pv_registry_get(&d, &paths, start_ns, exact, ret);
        pv_cgroup_paths_clear(&paths);
        return r;
}

START_TEST(test_shared_and_start)
{
        g_autoptr(PvContainer) a = NULL;
        g_autoptr(PvContainer) b = NULL;
        g_autoptr(PvContainer) o = NULL;
        const uint64_t late = 10 * G_USEC_PER_SEC * 1000ULL;

        ck_assert_int_eq(get("/ctr", late, false, &a), 0);
        ck_assert_int_eq(get("/ctr", 1, true, &b), 0);
        ck_assert_ptr_eq(a, b);
        ck_assert_str_eq(a->key, pv_cgroup_key(a->cg));
        ck_assert(!a->is_root);
        /* from the host pid namespace: the oldest task of the cgroup, 300 ticks */
        ck_assert_uint_eq(a->start_ns, 3000000000ULL);

        ck_assert_int_eq(get("/other", late, false, &o), 0);
        ck_assert_ptr_ne(o, a);
        ck_assert_uint_eq(o->start_ns, late); /* no task to go by */
        ck_assert_int_eq(registry_count(&d), 2);

        PvContainer *missing = NULL;
        ck_assert_int_eq(get("/gone", 1, true, &missing), -ENOENT);
        ck_assert_ptr_null(missing);
}
END_TEST

static void rename_in(const char *from_rel, const char *to_rel)
{
        g_autofree char *from = g_build_filename(scratch, from_rel, NULL);
        g_autofree char *to = g_build_filename(scratch, to_rel, NULL);
        ck_assert_int_eq(rename(from, to), 0);
}

/* _i: 0 without inotify (every lookup checks the paths), 1 with the watch */
START_TEST(test_renamed)
{
        g_autoptr(PvContainer) a = NULL;
        g_autoptr(PvContainer) a2 = NULL;
        g_autoptr(PvContainer) b = NULL;
        g_autoptr(PvContainer) c = NULL;

        if (_i)
                ck_assert_ptr_nonnull(d.renames = pv_renames_new(64));
        ck_assert_int_eq(get("/ctr", 5, true, &a), 0);
        ck_assert(a->watched == (_i == 1));
        ck_assert_int_eq(get("/ctr", 5, true, &a2), 0);
        ck_assert_ptr_eq(a, a2);
        /* checked once by path; with the watch no lookup until an event */
        ck_assert_uint_eq(a->checked_gen, pv_renames_generation(d.renames));

        rename_in("memory/ctr", "memory/ctr-old");
        put("memory/ctr/cgroup.procs", "");
        ck_assert_int_eq(get("/ctr", 6, true, &b), 0);
        ck_assert_ptr_ne(a, b);
        ck_assert_uint_eq(b->start_ns, 6);
        ck_assert(!pv_registry_forget(&d, a)); /* replaced */
        ck_assert_int_eq(get("/ctr-old", 7, true, &c), 0);
        ck_assert_ptr_ne(c, a); /* a is keyed by the path it was opened under */
        ck_assert_int_eq(registry_count(&d), 2);
}
END_TEST

/* an ancestor renamed, and a cgroup removed and made again under the same path */
START_TEST(test_moved_under)
{
        PvContainer *a = NULL, *b = NULL, *c = NULL, *x = NULL;

        if (_i)
                ck_assert_ptr_nonnull(d.renames = pv_renames_new(64));
        put("memory/pod/ctr/cgroup.procs", "");
        ck_assert_int_eq(get("/pod/ctr", 5, true, &a), 0);
        ck_assert_int_eq(get("/pod/ctr", 5, true, &x), 0);
        ck_assert_ptr_eq(a, x);
        pv_container_unref(x);

        rename_in("memory/pod", "memory/pod-old");
        put("memory/pod/ctr/cgroup.procs", "");
        ck_assert_int_eq(get("/pod/ctr", 6, true, &b), 0);
        ck_assert_ptr_ne(a, b);
        ck_assert_int_eq(get("/pod/ctr", 6, true, &x), 0);
        ck_assert_ptr_eq(x, b);
        pv_container_unref(x);

        g_autofree char *procs = g_build_filename(scratch, "memory/pod/ctr/cgroup.procs", NULL);
        g_autofree char *dir = g_path_get_dirname(procs);
        ck_assert_int_eq(unlink(procs), 0);
        ck_assert_int_eq(rmdir(dir), 0);
        ck_assert_int_eq(get("/pod/ctr", 7, true, &x), -ENOENT);
        put("memory/pod/ctr/cgroup.procs", "");
        ck_assert_int_eq(get("/pod/ctr", 8, true, &c), 0);
        ck_assert_ptr_ne(c, b);
        ck_assert_uint_eq(c->start_ns, 8);
        ck_assert_int_eq(registry_count(&d), 1);
        pv_container_unref(a);
        pv_container_unref(b);
        pv_container_unref(c);
}
END_TEST

/*
 * At most max_watches watches: a container past them is not watched and is
 * checked by path at every lookup (still right after a rename); watches of
 * removed directories are counted out.
 */
START_TEST(test_watch_cap)
{
        PvContainer *a = NULL, *b = NULL, *c = NULL, *x = NULL;

        /* the scratch tree's one hierarchy: /ctr and its root take 2, /other 1 more */
        ck_assert_ptr_nonnull(d.renames = pv_renames_new(3));
        ck_assert_int_eq(get("/ctr", 5, true, &a), 0);
        ck_assert(a->watched);
        ck_assert_uint_eq(pv_renames_watches(d.renames), 2);
        ck_assert_int_eq(get("/other", 5, true, &b), 0);
        ck_assert(b->watched);
        ck_assert_uint_eq(pv_renames_watches(d.renames), 3);
        put("memory/third/cgroup.procs", "");
        ck_assert_int_eq(get("/third", 5, true, &c), 0);
        ck_assert(!c->watched);

        /* the unwatched one is still looked up: its rename is seen */
        rename_in("memory/third", "memory/third-old");
        put("memory/third/cgroup.procs", "");
        ck_assert_int_eq(get("/third", 6, true, &x), 0);
        ck_assert_ptr_ne(x, c);
        pv_container_unref(x);

        /* /other removed and its container freed: its watch is gone, and a new container gets it */
        ck_assert(pv_registry_forget(&d, b));
        pv_container_unref(b);
        g_autofree char *procs = g_build_filename(scratch, "memory/other/cgroup.procs", NULL);
        g_autofree char *dir = g_path_get_dirname(procs);
        ck_assert_int_eq(unlink(procs), 0);
        ck_assert_int_eq(rmdir(dir), 0);
        (void)pv_renames_generation(d.renames);
        ck_assert_uint_eq(pv_renames_watches(d.renames), 2);
        put("memory/fourth/cgroup.procs", "");
        ck_assert_int_eq(get("/fourth", 7, true, &x), 0);
        ck_assert(x->watched);
        pv_container_unref(x);
        pv_container_unref(a);
        pv_container_unref(c);
}
END_TEST

START_TEST(test_life)
{
        PvContainer *a = NULL, *b = NULL;

        ck_assert_int_eq(get("/ctr", 5, true, &a), 0);
        ck_assert(pv_registry_forget(&d, a));
        ck_assert(!pv_registry_forget(&d, a));
        ck_assert_int_eq(registry_count(&d), 0);
        ck_assert_int_eq(get("/ctr", 5, true, &b), 0);
        ck_assert_ptr_ne(a, b); /* a was still held: a new one is registered */
        pv_container_unref(a);

        pv_registry_expire(&d);
        ck_assert_int_eq(registry_count(&d), 1);
        d.opts.idle_expiry_s = 0;
        g_usleep(2000);
        pv_registry_expire(&d);
        ck_assert_int_eq(registry_count(&d), 0);
        ck_assert_int_eq(g_atomic_int_get(&b->refs), 1); /* only ours is left */
        pv_container_unref(b);

        ck_assert_int_eq(get("/ctr", 5, true, &a), 0);
        pv_registry_clear(&d);
        ck_assert_int_eq(registry_count(&d), 0);
        pv_container_unref(a);
}
END_TEST

/*
 * The global budgets: past d.cg_fd_budget the least recently read container
 * gives its fds back and takes them again when read (its pin outlives any
 * trim); past d.registry_max an unread entry is forgotten; a removed
 * cgroup's fds go at the next expiry.
 */
START_TEST(test_budget)
{
        g_autoptr(PvContainer) a = NULL;
        g_autoptr(PvContainer) b = NULL;
        g_autoptr(PvContainer) c = NULL;
        put("memory/a/b/c/cgroup.procs", "");
        put("memory/x/y/z/cgroup.procs", "");
        d.cg_fd_budget = 4;

        ck_assert_int_eq(get("/a/b/c", 1, true, &a), 0);
        ck_assert_int_eq(g_atomic_int_get(&d.cg_fds), 3); /* a level each, not the root */
        g_usleep(1000);
        ck_assert_int_eq(get("/x/y/z", 1, true, &b), 0);
        ck_assert_ptr_null(a->cg); /* the older gave its fds back */
        ck_assert_ptr_nonnull(b->cg);
        ck_assert_int_eq(g_atomic_int_get(&d.cg_fds), 3);

        ck_assert_int_eq(pv_container_pin(&d, a), 0);
        ck_assert_ptr_nonnull(a->cg); /* pinned: b went instead */
        ck_assert_ptr_null(b->cg);
        ck_assert_int_eq(g_atomic_int_get(&d.cg_fds), 3);
        ck_assert_int_eq(pv_cgroup_alive(a->cg), 0);
        ck_assert(!pv_container_release(a));
        pv_container_unpin(a);
        ck_assert(pv_container_release(a));
        ck_assert_int_eq(g_atomic_int_get(&d.cg_fds), 0);

        /* removed while released: its next read finds it gone */
        g_autofree char *a_dir = g_build_filename(scratch, "memory/a", NULL);
        g_autofree char *x_dir = g_build_filename(scratch, "memory/x", NULL);
        tree_remove(a_dir);
        ck_assert_int_eq(pv_container_pin(&d, a), -ENOENT);

        /* removed while held: dropped at the next expiry, with its fds */
        ck_assert_int_eq(pv_container_pin(&d, b), 0);
        pv_container_unpin(b);
        tree_remove(x_dir);
        pv_registry_expire(&d);
        ck_assert_ptr_null(b->cg);
        ck_assert_int_eq(g_atomic_int_get(&d.cg_fds), 0);

        d.registry_max = 1;
        g_usleep(1000);
        ck_assert_int_eq(get("/ctr", 1, true, &c), 0);
        ck_assert_int_le(registry_count(&d), 1);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("container");
        TCase *tc = tcase_create("registry");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_shared_and_start);
        tcase_add_loop_test(tc, test_renamed, 0, 2);
        tcase_add_loop_test(tc, test_moved_under, 0, 2);
        tcase_add_test(tc, test_watch_cap);
        tcase_add_test(tc, test_life);
        tcase_add_test(tc, test_budget);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
