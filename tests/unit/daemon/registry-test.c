/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "registry-test.h"

#include <ftw.h>
#include <stdio.h>

#include "registry/container.h"
#include "registry/registry.h"
#include "pv-check.h"

void tree_put(const char *root, const char *rel, const char *text)
{
        g_autofree char *path = g_build_filename(root, rel, NULL);
        g_autofree char *dir = g_path_get_dirname(path);
        ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
        ck_assert(g_file_set_contents(path, text, -1, NULL));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

void tree_remove(const char *root)
{
        nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void count_one(PvDaemon *d, PvContainer *c, void *data)
{
        (*(int *)data)++;
        pv_container_unref(c);
}

int registry_count(PvDaemon *d)
{
        int n = 0;
        pv_registry_foreach(d, count_one, &n);
        return n;
}
