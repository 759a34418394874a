/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gather-fixture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "pv-check.h"

char *fixture_path(const char *rel)
{
        const char *base = getenv("PV_FIXTURES");
        ck_assert_msg(base != NULL, "PV_FIXTURES not set");
        return g_build_filename(base, rel, NULL);
}

char *read_fixture(const char *rel)
{
        g_autofree char *path = fixture_path(rel);
        char *text = NULL;
        ck_assert_msg(pv_read_file_at(AT_FDCWD, path, &text, NULL) == 0, "cannot read %s", path);
        return text;
}

static uint64_t boottime_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

PvCgroup *fixture_open_dir(const char *dir, PvHierarchy *hier)
{
        g_autofree char *procs = g_build_filename(dir, "proc", NULL);
        g_autofree char *pid_path = g_build_filename(dir, "pid-cgroup", NULL);
        g_autofree char *pid_cgroup = NULL;
        PvCgroup *cg = NULL;

        ck_assert_int_eq(pv_read_file_at(AT_FDCWD, pid_path, &pid_cgroup, NULL), 0);
        ck_assert_int_eq(pv_hierarchy_open_at(dir, hier), 0);
        ck_assert_int_eq(pv_hierarchy_set_proc_root(hier, procs), 0);
        ck_assert_int_eq(pv_cgroup_open_proc(hier, pid_cgroup, &cg), 0);
        return cg;
}

PvCgroup *fixture_open_tree(const char *tree, PvHierarchy *hier)
{
        g_autofree char *rel = g_build_filename("cgroup", tree, NULL);
        g_autofree char *dir = fixture_path(rel);
        return fixture_open_dir(dir, hier);
}

void fixture_open_at(Fixture *f, const char *dir, PvCpuViewOption view)
{
        memset(f, 0, sizeof(*f));
        f->tree = dir;
        f->d.opts.host_proc = fixture_path("daemon/host/proc");
        f->d.opts.sys_cpu_dir = fixture_path("daemon/host/sys-cpu");
        f->d.opts.sys_node_dir = fixture_path("daemon/host/sys-node");
        f->d.opts.cpu_view = view;
        f->d.opts.sample_interval_s = 5;
        f->d.clk_tck = 100;
        f->d.host_btime_s = 1795599717;
        f->d.n_files = pv_fs_n_files;
        ck_assert_int_eq(pv_host_open(&f->d, pv_fs_files, pv_fs_n_files), 0);
        f->c.cg = fixture_open_dir(dir, &f->d.hier);
        g_mutex_init(&f->c.lock);
        f->c.refs = 1;
        f->c.start_ns = boottime_ns() - 100 * NS_PER_S;
}

void fixture_open(Fixture *f, const char *tree, PvCpuViewOption view)
{
        g_autofree char *rel = g_build_filename("cgroup", tree, NULL);
        g_autofree char *dir = fixture_path(rel);
        fixture_open_at(f, dir, view);
        f->tree = tree;
}

void fixture_close(Fixture *f)
{
        pv_stat_memo_clear(&f->c.stat_memo);
        g_mutex_clear(&f->c.lock);
        pv_cgroup_free(f->c.cg);
        pv_hierarchy_close(&f->d.hier);
        pv_host_close(&f->d);
        g_free(f->d.opts.host_proc);
        g_free(f->d.opts.sys_cpu_dir);
        g_free(f->d.opts.sys_node_dir);
}

int gather(Fixture *f, PvGatherFn *fn, unsigned cpu, GString *out)
{
        g_string_truncate(out, 0);
        return fn(&f->d, &f->c, cpu, out);
}

PvGatherFn *gatherer(const char *path)
{
        const PvFile *row = pv_fs_file_of_path(path);
        ck_assert_msg(row && row->gather, "no file row %s", path);
        return row->gather;
}
