/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The discovery scan on a scratch v1 pids tree: cgroups holding processes
 * are registered under their first process's cgroups (the entry a reader
 * there gets), are not expired while they hold tasks, are dropped when
 * removed, and the scan visits at most opts.scan_max directories, shared
 * fairly between subtrees.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "registry/container.h"
#include "registry/registry.h"
#include "registry/daemon.h"
#include "registry/discover.h"
#include "pv-check.h"
#include "registry-test.h"

static char *scratch;
static PvDaemon d;
static PvDiscovery disc;

static void put(const char *rel, const char *text)
{
        tree_put(scratch, rel, text);
}

/* A cgroup pids/path holding process pid (in state R), or none for pid 0. */
static void cgroup(const char *path, int pid)
{
        g_autofree char *procs = g_strdup_printf("pids/%s/cgroup.procs", path);
        g_autofree char *tasks = g_strdup_printf("pids/%s/tasks", path);
        g_autofree char *list = pid ? g_strdup_printf("%d\n", pid) : g_strdup("");
        put(procs, list);
        put(tasks, list);
        if (!pid)
                return;
        g_autofree char *cg = g_strdup_printf("proc/%d/cgroup", pid);
        g_autofree char *cg_text = g_strdup_printf("1:pids:/%s\n", path);
        put(cg, cg_text);
        g_autofree char *stat = g_strdup_printf("proc/%d/stat", pid);
        g_autofree char *stat_text =
            g_strdup_printf("%d (loop) R 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 300 0 0\n", pid);
        put(stat, stat_text);
}

static void setup(void)
{
        scratch = g_dir_make_tmp("pv-test-discover-XXXXXX", NULL);
        ck_assert_ptr_nonnull(scratch);
        put("pids/cgroup.procs", "1\n"); /* the host's: never a container */
        put("proc/1/cgroup", "1:pids:/\n");
        cgroup("a", 10);
        cgroup("a/sub", 0);
        cgroup("empty", 0);
        d = (PvDaemon){0};
        ck_assert_int_eq(pv_hierarchy_open_at(scratch, &d.hier), 0);
        g_autofree char *proc = g_build_filename(scratch, "proc", NULL);
        ck_assert_int_eq(pv_hierarchy_set_proc_root(&d.hier, proc), 0);
        d.proc_fd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(d.proc_fd, 0);
        d.clk_tck = 100;
        d.opts.idle_expiry_s = 600;
        d.opts.scan_max = 4096;
        g_rw_lock_init(&d.containers_lock);
        d.containers = g_hash_table_new(g_str_hash, g_str_equal);
        pv_discovery_init(&disc);
}

static void teardown(void)
{
        pv_discovery_clear(&disc);
        pv_registry_clear(&d);
        g_hash_table_destroy(d.containers);
        g_rw_lock_clear(&d.containers_lock);
        pv_hierarchy_close(&d.hier);
        close(d.proc_fd);
        tree_remove(scratch);
        g_free(scratch);
}

/* The registry's entry for a reader whose init is in pids/path. */
static PvContainer *reader(const char *path)
{
        g_autofree char *text = g_strdup_printf("1:pids:/%s\n", path);
        PvCgroupPaths paths;
        PvContainer *c = NULL;
        ck_assert_int_eq(pv_cgroup_paths_from_proc(&d.hier, text, &paths), 0);
        ck_assert_int_eq(pv_registry_get(&d, &paths, 1, true, &c), 0);
        pv_cgroup_paths_clear(&paths);
        return c;
}

static void sample_one(PvDaemon *dd, PvContainer *c, void *data)
{
        pv_container_sample_load(dd, c, *(uint64_t *)data);
        pv_container_unref(c);
}

START_TEST(test_found_before_read)
{
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 1);
        ck_assert_int_eq(registry_count(&d), 1);
        g_autoptr(PvContainer) a = reader("a");
        ck_assert_int_eq(registry_count(&d), 1); /* the reader found the scan's entry */
        ck_assert_int_eq(g_atomic_int_get(&a->discovered), 1);

        /* found at a tick, it is folded from that tick on, as the kernel would */
        ck_assert_uint_eq(a->load_tick, pv_load_tick(&d, g_get_monotonic_time()) - 1);
        /* two ticks of one running task, folded at once */
        uint64_t tick = a->load_tick + 2;
        pv_registry_foreach(&d, sample_one, &tick);
        ck_assert_uint_eq(a->load.avenrun[0], 315);
        ck_assert_uint_eq(a->tasks.running, 1);
        /* a second pass tracks the same entry; a new cgroup with a process joins */
        cgroup("b", 20);
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 2);
        ck_assert_int_eq(registry_count(&d), 2);
}
END_TEST

START_TEST(test_expiry_and_removal)
{
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 1);
        uint64_t tick = 1;
        pv_registry_foreach(&d, sample_one, &tick);
        /* unread for longer than the expiry, but holding a task: kept */
        d.opts.idle_expiry_s = 0;
        g_usleep(2000);
        pv_registry_expire(&d);
        ck_assert_int_eq(registry_count(&d), 1);

        /* removed: no longer tracked nor registered */
        g_autofree char *dir = g_build_filename(scratch, "pids/a", NULL);
        tree_remove(dir);
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 0);
        ck_assert_int_eq(registry_count(&d), 0);
}
END_TEST

START_TEST(test_emptied)
{
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 1);
        cgroup("a", 0);
        uint64_t tick = 1;
        pv_registry_foreach(&d, sample_one, &tick);
        /* its last sample found no task: untracked, and it expires as any unread entry */
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 0);
        d.opts.idle_expiry_s = 0;
        g_usleep(2000);
        pv_registry_expire(&d);
        ck_assert_int_eq(registry_count(&d), 0);
}
END_TEST

START_TEST(test_cap)
{
        /* a deep tree below a, and c at the top level: c is visited before a's children */
        cgroup("a/sub/x", 30);
        cgroup("a/sub/y", 31);
        cgroup("c", 40);
        d.opts.scan_max = 3; /* a, c, empty */
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 2);
        ck_assert(disc.capped);
        ck_assert_int_eq(registry_count(&d), 2);
        g_autoptr(PvContainer) c = reader("c");
        ck_assert_int_eq(g_atomic_int_get(&c->discovered), 1);
        d.opts.scan_max = 0;
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 0);
        d.opts.scan_max = 100;
        ck_assert_int_eq(pv_discovery_scan(&d, &disc), 4);
        ck_assert(!disc.capped);
}
END_TEST

START_TEST(test_fair_share)
{
        /* two tenants making 40 cgroups each, and a small one three levels down */
        cgroup("big1", 0);
        cgroup("big2", 0);
        for (int i = 0; i < 40; i++) {
                g_autofree char *b1 = g_strdup_printf("big1/c%d", i);
                g_autofree char *b2 = g_strdup_printf("big2/c%d", i);
                cgroup(b1, 100 + i);
                cgroup(b2, 200 + i);
        }
        cgroup("small", 0);
        cgroup("small/mid", 0);
        cgroup("small/mid/x", 50);
        /* a, empty, big1, big2, small; then at least 2 for each of the four subtrees */
        d.opts.scan_max = 16;
        ck_assert_int_gt(pv_discovery_scan(&d, &disc), 0);
        ck_assert(disc.capped);
        ck_assert(g_hash_table_contains(disc.tracked, "small/mid/x"));
        ck_assert(g_hash_table_contains(disc.tracked, "a"));

        /* the large subtrees' cgroups are each visited in turn, the small one every pass */
        bool seen[2][40] = {{false}};
        for (int pass = 0; pass < 40; pass++) {
                if (pass > 0)
                        ck_assert_int_gt(pv_discovery_scan(&d, &disc), 0);
                ck_assert(g_hash_table_contains(disc.tracked, "small/mid/x"));
                ck_assert_uint_le(g_hash_table_size(disc.tracked), 16);
                for (int i = 0; i < 40; i++)
                        for (int b = 0; b < 2; b++) {
                                g_autofree char *path = g_strdup_printf("big%d/c%d", b + 1, i);
                                seen[b][i] |= g_hash_table_contains(disc.tracked, path);
                        }
        }
        for (int i = 0; i < 40; i++)
                ck_assert_msg(seen[0][i] && seen[1][i], "big1/c%d or big2/c%d never visited", i, i);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("discover");
        TCase *tc = tcase_create("scan");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_found_before_read);
        tcase_add_test(tc, test_expiry_and_removal);
        tcase_add_test(tc, test_emptied);
        tcase_add_test(tc, test_cap);
        tcase_add_test(tc, test_fair_share);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
