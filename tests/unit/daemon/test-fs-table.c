/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file table is the one list of served files: its rows are consistent,
 * and the hooks bind what it serves (the OCI hook every file runc accepts,
 * the LXC hook everything). PV_SOURCE_ROOT is the source tree, for those files.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "gather/fs-table.h"
#include "pv-check.h"

/* Every file runc accepts as a mount destination under /proc (checkProcMount). */
static const char *const runc_allowed[] = {
    "cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg", "slabinfo",
};

static bool is_runc_allowed(const char *name)
{
        for (size_t i = 0; i < G_N_ELEMENTS(runc_allowed); i++)
                if (strcmp(name, runc_allowed[i]) == 0)
                        return true;
        return false;
}

static char *read_source(const char *rel)
{
        g_autofree char *path = g_build_filename(PV_SOURCE_ROOT, rel, NULL);
        char *text = NULL;
        ck_assert_msg(pv_read_file_at(AT_FDCWD, path, &text, NULL) == 0, "cannot read %s", path);
        return text;
}

/* The static row of ino; fails the test when there is none. */
static const PvFile *row_of(PvIno ino)
{
        for (size_t i = 0; i < pv_fs_n_files; i++)
                if (pv_fs_files[i].ino == ino)
                        return &pv_fs_files[i];
        ck_abort_msg("no row has inode %lu", (unsigned long)ino);
        abort();
}

START_TEST(test_rows)
{
        ck_assert_int_eq(pv_fs_files[0].ino, INO_ROOT);
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const PvFile *f = &pv_fs_files[i];
                ck_assert_msg(f->ino > 0 && f->ino < INO_CPU_BASE, "%s: inode", f->path);
                for (size_t j = i + 1; j < pv_fs_n_files; j++)
                        ck_assert_msg(pv_fs_files[j].ino != f->ino, "%s: inode reused", f->path);
                /* directories come before their entries, and paths follow the tree */
                const PvFile *parent = row_of(f->parent);
                ck_assert_msg(S_ISDIR(parent->mode) && parent <= f, "%s", f->path);
                if (f->ino != INO_ROOT) {
                        g_autofree char *path = *parent->path
                                                    ? g_build_filename(parent->path, f->name, NULL)
                                                    : g_strdup(f->name);
                        ck_assert_str_eq(f->path, path);
                }
                ck_assert_msg(S_ISDIR(f->mode) == (f->gather == NULL), "%s: gather", f->path);
                ck_assert_msg(f->mode == DIR_MODE || f->mode == FILE_MODE, "%s: mode", f->path);
                /* what a row says of its host file needs a host file */
                if (!f->host)
                        ck_assert_msg(!f->host_required && !f->host_records, "%s", f->path);
                else
                        ck_assert_msg(g_str_has_prefix(f->path, "proc/") ||
                                          g_str_has_prefix(f->path, "sys/devices/system/cpu/") ||
                                          g_str_has_prefix(f->path, "sys/devices/system/node/"),
                                      "%s: no host directory holds it", f->path);
        }
        ck_assert_int_eq(pv_fs_cpu_online_file.parent, INO_SYS_CPU);
        ck_assert_str_eq(row_of(INO_SYS_CPU)->path, "sys/devices/system/cpu");
        ck_assert_str_eq(row_of(INO_SYS_NODE)->path, "sys/devices/system/node");
        /* the per-node inodes follow the per-CPU ones and map back to their node and file */
        ck_assert_uint_ge(INO_NODE_BASE, INO_CPU_BASE + 2 * (PvIno)PV_CPU_MAX);
        for (unsigned node = 0; node < PV_NODE_MAX; node += PV_NODE_MAX - 1)
                for (int s = PV_NODE_DIR; s < _PV_NODE_SLOTS; s++) {
                        unsigned got;
                        PvIno ino = INO_NODE_BASE + _PV_NODE_SLOTS * (PvIno)node + (PvIno)s;
                        ck_assert_ptr_eq(pv_fs_file_of(ino, &got), &pv_fs_node_files[s]);
                        ck_assert_uint_eq(got, node);
                }
        unsigned got;
        ck_assert_ptr_null(
            pv_fs_file_of(INO_NODE_BASE + _PV_NODE_SLOTS * (PvIno)PV_NODE_MAX, &got));
}
END_TEST

START_TEST(test_file_of_path)
{
        /* a host file is known by its row's path: every row is found by it */
        for (size_t i = 0; i < pv_fs_n_files; i++)
                ck_assert_ptr_eq(pv_fs_file_of_path(pv_fs_files[i].path), &pv_fs_files[i]);
        const PvFile *stat = pv_fs_file_of_path("proc/stat");
        ck_assert_ptr_nonnull(stat);
        ck_assert(stat && stat->host && stat->host_required);
        ck_assert_ptr_null(pv_fs_file_of_path("proc/slabinfo"));
        ck_assert_ptr_null(pv_fs_file_of_path("sys/devices/system/cpu/cpuN/online"));
}
END_TEST

/* runc_bind is set exactly on the files runc accepts */
START_TEST(test_runc_bind)
{
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const PvFile *f = &pv_fs_files[i];
                bool allowed = f->gather && strcmp(row_of(f->parent)->path, "proc") == 0 &&
                               is_runc_allowed(f->name);
                ck_assert_msg(f->runc_bind == allowed, "%s: runc_bind should be %d", f->path,
                              allowed);
        }
}
END_TEST

/* The names of the group "dir/{a,b}" of list (groups separated by "; "), or NULL. */
static char **group_of(const char *list, const char *dir)
{
        g_auto(GStrv) groups = g_strsplit(list, "; ", -1);
        g_autofree char *open = g_strdup_printf("%s/{", dir);
        for (char **g = groups; *g; g++) {
                if (!g_str_has_prefix(*g, open) || !g_str_has_suffix(*g, "}"))
                        continue;
                g_autofree char *names =
                    g_strndup(*g + strlen(open), strlen(*g) - strlen(open) - 1);
                return g_strsplit(names, ",", -1);
        }
        return NULL;
}

START_TEST(test_file_list)
{
        g_autoptr(GString) all = g_string_new(NULL);
        g_autoptr(GString) runc = g_string_new(NULL);
        pv_fs_append_file_list(all, false, "; ");
        pv_fs_append_file_list(runc, true, "; ");
        /* one "dir/{a,b}" group per directory, in table order */
        ck_assert_msg(g_str_has_prefix(all->str, "proc/{meminfo,cpuinfo,stat,diskstats,") &&
                          strstr(all->str, "}; proc/pressure/{cpu,memory,io}; "
                                           "sys/devices/system/cpu/{online,possible,present,") &&
                          strstr(all->str, ",cpuN/online}; sys/devices/system/node/{online") &&
                          g_str_has_suffix(all->str, ",nodeN/cpulist,nodeN/cpumap,nodeN/meminfo}"),
                      "%s", all->str);
        /* every file is in its directory's group */
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const PvFile *f = &pv_fs_files[i];
                if (!f->gather)
                        continue;
                g_auto(GStrv) names = group_of(all->str, row_of(f->parent)->path);
                ck_assert_msg(names && g_strv_contains((const char *const *)names, f->name),
                              "%s not listed: %s", f->path, all->str);
        }
        ck_assert_str_eq(runc->str, "proc/{meminfo,cpuinfo,stat,diskstats,uptime,loadavg,swaps}");
}
END_TEST

/*
 * The OCI hook binds the files of its proc_files[] that the mount serves: that
 * list must be runc's, so that it covers every runc_bind row.
 */
START_TEST(test_oci_hook_list)
{
        g_autofree char *src = read_source("src/hook/oci-hook.c");
        const char *start = strstr(src, "proc_files[] = {");
        ck_assert_ptr_nonnull(start);
        const char *end = strstr(start, "};");
        ck_assert_ptr_nonnull(end);
        g_autofree char *body = g_strndup(start, (gsize)(end - start));
        g_auto(GStrv) parts = g_strsplit(body, "\"", -1);
        size_t n_hook = 0;
        /* the odd pieces are the quoted names */
        for (size_t i = 1; parts[i]; i += 2, n_hook++)
                ck_assert_msg(is_runc_allowed(parts[i]), "runc refuses %s", parts[i]);
        ck_assert_uint_eq(n_hook, G_N_ELEMENTS(runc_allowed));
        /* the per-CPU and per-node files come with their directories */
        ck_assert_ptr_nonnull(strstr(src, "#define SYS_CPU_DIR \"sys/devices/system/cpu\""));
        ck_assert_ptr_nonnull(strstr(src, "#define SYS_NODE_DIR \"sys/devices/system/node\""));
        ck_assert_ptr_nonnull(strstr(src, "bind_sys_dir(id, rootfd, viewsfd, SYS_CPU_DIR)"));
        ck_assert_ptr_nonnull(strstr(src, "bind_sys_dir(id, rootfd, viewsfd, SYS_NODE_DIR)"));
}
END_TEST

/*
 * The LXC hook binds what the mount holds: every entry of proc/ and the
 * sys/devices/system/cpu and node directories, so it follows the table as
 * long as every file is under one of those.
 */
START_TEST(test_lxc_hook_list)
{
        g_autofree char *src = read_source("init/procview-lxc-mount-hook.in");
        ck_assert_ptr_nonnull(strstr(src, "for src in \"$PROCVIEW_ROOT\"/proc/*; do"));
        ck_assert_ptr_nonnull(strstr(src, "bind \"$PROCVIEW_ROOT/sys/devices/system/cpu\""));
        ck_assert_ptr_nonnull(strstr(src, "bind \"$PROCVIEW_ROOT/sys/devices/system/node\""));
        for (size_t i = 0; i < pv_fs_n_files; i++) {
                const char *path = pv_fs_files[i].path;
                if (!pv_fs_files[i].gather)
                        continue;
                ck_assert_msg(g_str_has_prefix(path, "proc/") ||
                                  g_str_has_prefix(path, "sys/devices/system/cpu/") ||
                                  g_str_has_prefix(path, "sys/devices/system/node/"),
                              "the LXC hook does not bind %s", path);
        }
}
END_TEST

int main(void)
{
        Suite *s = suite_create("fs-table");
        TCase *tc = tcase_create("table");
        tcase_add_test(tc, test_rows);
        tcase_add_test(tc, test_file_of_path);
        tcase_add_test(tc, test_runc_bind);
        tcase_add_test(tc, test_file_list);
        tcase_add_test(tc, test_oci_hook_list);
        tcase_add_test(tc, test_lxc_hook_list);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
