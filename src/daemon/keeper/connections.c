/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "connections.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "mountinfo.h"

char *pv_connections_file(const char *mountpoint, const char *kind)
{
        g_autofree char *canonical = NULL;
        g_autofree char *sum = NULL;

        /* "/x/", "/x" and a symlink to it name one mount point */
        if (pv_mount_canonical_path(mountpoint, &canonical) == 0)
                mountpoint = canonical;
        sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, mountpoint, -1);
        return g_strdup_printf("%s/%s-%.16s", PV_CONNECTIONS_DIR, kind, sum);
}

static char *history_path(const char *mountpoint)
{
        return pv_connections_file(mountpoint, "connections");
}

int pv_connections_read(const char *mountpoint, GArray *devs)
{
        g_autofree char *path = history_path(mountpoint);
        _cleanup_free_ char *text = NULL;
        char *save = NULL;
        int r;

        g_array_set_size(devs, 0);
        r = pv_read_file_at(AT_FDCWD, path, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                unsigned major, minor;
                char end;
                if (sscanf(line, "%u:%u%c", &major, &minor, &end) != 2)
                        continue;
                uint64_t dev = (uint64_t)major << 32 | minor;
                g_array_append_val(devs, dev);
        }
        return 0;
}

int pv_connections_write(const char *mountpoint, const GArray *devs)
{
        g_autofree char *path = history_path(mountpoint);
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GError) error = NULL;
        guint first = devs->len > PV_CONNECTIONS_MAX ? devs->len - PV_CONNECTIONS_MAX : 0;

        if (g_mkdir_with_parents(PV_CONNECTIONS_DIR, 0755) < 0)
                return -errno;
        g_string_append_printf(text, "# the FUSE connections procviewd made or found on %s\n",
                               mountpoint);
        for (guint i = first; i < devs->len; i++) {
                uint64_t dev = g_array_index(devs, uint64_t, i);
                g_string_append_printf(text, "%u:%u\n", (unsigned)(dev >> 32), (unsigned)dev);
        }
        /* a temporary file renamed over the old one */
        if (!g_file_set_contents_full(path, text->str, (gssize)text->len,
                                      G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
                return -EIO; /* glib's error names no errno */
        return 0;
}

int pv_connections_add(const char *mountpoint, uint64_t dev)
{
        g_autoptr(GArray) devs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        int r = pv_connections_read(mountpoint, devs);

        if (r < 0)
                return r;
        for (guint i = 0; i < devs->len; i++)
                if (g_array_index(devs, uint64_t, i) == dev)
                        return 0;
        g_array_append_val(devs, dev);
        return pv_connections_write(mountpoint, devs);
}
