/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parsers of mountinfo into PvMountEntry: one line, and the topmost mount
 * at a point; the OCI hook's lookups by device and by mount ID; and the
 * cgroup mounts the backend's hierarchy discovery falls back on.
 */
#include "parse-mountinfo.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount-line.h"
#include "parse-proc.h"

void pv_mount_entry_clear(PvMountEntry *e)
{
        g_clear_pointer(&e->root, g_free);
        g_clear_pointer(&e->mount_point, g_free);
        g_clear_pointer(&e->mount_options, g_free);
        g_clear_pointer(&e->fs_type, g_free);
        g_clear_pointer(&e->source, g_free);
        g_clear_pointer(&e->super_options, g_free);
        *e = (PvMountEntry){0};
}

/* A decimal number that is all of s. Returns 0 or -EINVAL. */
static int parse_u64(const char *s, uint64_t *ret)
{
        char *end;

        if (!g_ascii_isdigit(*s))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int pv_mountinfo_parse_line(const char *line, PvMountEntry *ret)
{
        g_autofree char *copy = g_strdup(line);
        uint64_t id, parent, major, minor;
        PvMountLine f;
        char *colon;

        if (pv_mount_line_split(copy, &f) < 0)
                return -EINVAL;
        colon = strchr(f.devno, ':');
        if (!colon)
                return -EINVAL;
        *colon = '\0';
        if (parse_u64(f.id, &id) < 0 || parse_u64(f.parent, &parent) < 0 ||
            parse_u64(f.devno, &major) < 0 || parse_u64(colon + 1, &minor) < 0 ||
            major > UINT_MAX || minor > UINT_MAX)
                return -EINVAL;

        *ret = (PvMountEntry){
            .mount_id = id,
            .parent_id = parent,
            .major = (unsigned)major,
            .minor = (unsigned)minor,
            .root = g_strdup(f.root),
            .mount_point = g_strdup(f.mount_point),
            .mount_options = g_strdup(f.mount_options),
            .fs_type = g_strdup(f.fs_type),
            .source = g_strdup(f.source),
            .super_options = g_strdup(f.super_options),
        };
        return 0;
}

void pv_mount_entry_free(gpointer p)
{
        pv_mount_entry_clear(p);
        g_free(p);
}

int pv_mountinfo_find(const char *mountinfo, const char *mount_point, PvMountEntry *ret)
{
        g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(pv_mount_entry_free);
        PvMountEntry *top = NULL;

        for (const char *line = mountinfo; line && *line;) {
                const char *end = strchr(line, '\n');
                g_autofree char *text = end ? g_strndup(line, (gsize)(end - line)) : g_strdup(line);
                PvMountEntry e = {0};

                line = end ? end + 1 : NULL;
                if (pv_mountinfo_parse_line(text, &e) < 0)
                        continue;
                if (strcmp(e.mount_point, mount_point) != 0) {
                        pv_mount_entry_clear(&e);
                        continue;
                }
                g_ptr_array_add(found, g_memdup2(&e, sizeof(e)));
        }

        /*
         * A mount stacked on another at the same point has the one below as
         * its parent. mountinfo lists mounts in the order they joined the
         * namespace, which a moved or propagated mount does not follow, so
         * the parent links decide; the order only breaks a tie.
         */
        for (guint i = 0; i < found->len; i++) {
                PvMountEntry *c = found->pdata[i];
                bool covered = false;

                for (guint j = 0; j < found->len && !covered; j++)
                        covered =
                            j != i && ((PvMountEntry *)found->pdata[j])->parent_id == c->mount_id;
                if (!covered)
                        top = c;
        }
        if (!top)
                return -ENOENT;
        *ret = *top;
        *top = (PvMountEntry){0}; /* the strings now belong to *ret */
        return 0;
}

size_t pv_mountinfo_select(const char *mountinfo, const char *fstype, const uint64_t *devs,
                           size_t n_devs, GPtrArray *ret)
{
        size_t n = 0;

        for (const char *line = mountinfo; line && *line;) {
                const char *end = strchr(line, '\n');
                g_autofree char *text = end ? g_strndup(line, (gsize)(end - line)) : g_strdup(line);
                g_auto(PvMountEntry) e = {0};
                uint64_t dev;

                line = end ? end + 1 : NULL;
                if (pv_mountinfo_parse_line(text, &e) < 0 || strcmp(e.fs_type, fstype) != 0)
                        continue;
                dev = pv_mount_devno(&e);
                for (size_t i = 0; i < n_devs; i++) {
                        if (devs[i] != dev)
                                continue;
                        g_ptr_array_add(ret, g_memdup2(&e, sizeof(e)));
                        e = (PvMountEntry){0}; /* the strings now belong to ret */
                        n++;
                        break;
                }
        }
        return n;
}

int pv_mountinfo_dev_is(const char *mountinfo, unsigned major, unsigned minor, const char *fstype)
{
        int found = -ENOENT;

        for (const char *line = mountinfo; line && *line;) {
                const char *end = strchr(line, '\n');
                char *copy = strndup(line, end ? (size_t)(end - line) : strlen(line));
                PvMountLine f;
                unsigned maj, mn;

                if (!copy)
                        return -ENOMEM;
                if (pv_mount_line_split(copy, &f) == 0 &&
                    sscanf(f.devno, "%u:%u", &maj, &mn) == 2 && maj == major && mn == minor) {
                        bool match = strcmp(f.fs_type, fstype) == 0;
                        free(copy);
                        if (match)
                                return 1;
                        found = 0;
                } else {
                        free(copy);
                }
                line = end ? end + 1 : NULL;
        }
        return found;
}

int pv_mountinfo_is_shared(const char *mountinfo, uint64_t mnt_id)
{
        for (const char *line = mountinfo; line && *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                char *after;
                unsigned long long id = strtoull(line, &after, 10);

                if (after != line && *after == ' ' && id == mnt_id) {
                        /* id parent maj:min root mountpoint options [optional...] - ... */
                        const char *p = line, *stop = line + len;
                        for (int field = 0; p < stop; field++) {
                                while (p < stop && *p == ' ')
                                        p++;
                                size_t n = strcspn(p, " \n");
                                if (p + n > stop)
                                        n = (size_t)(stop - p);
                                if (n == 1 && *p == '-')
                                        return 0;
                                if (field >= 6 && n > 7 && strncmp(p, "shared:", 7) == 0)
                                        return 1;
                                p += n;
                        }
                        return 0;
                }
                line = end ? end + 1 : NULL;
        }
        return -ENOENT;
}

void pv_mountinfo_cgroup_mounts(char *mountinfo, char *unified_path, size_t unified_len,
                                char *v1_path[_PV_CTRL_MAX], bool want_v1)
{
        char *save = NULL;
        for (char *line = strtok_r(mountinfo, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                PvMountLine m;
                if (pv_mount_line_split(line, &m) < 0)
                        continue;
                if (strcmp(m.fs_type, "cgroup2") == 0) {
                        if (!unified_path[0])
                                snprintf(unified_path, unified_len, "%s", m.mount_point);
                } else if (want_v1 && strcmp(m.fs_type, "cgroup") == 0) {
                        for (int c = 0; c < _PV_CTRL_MAX; c++)
                                if (!v1_path[c] &&
                                    pv_mount_opt_has(m.super_options, pv_controller_v1_name(c)))
                                        v1_path[c] = strdup(m.mount_point);
                }
        }
}
