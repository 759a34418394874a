/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_mount_line_split on every line of arbitrary mountinfo text, in place:
 * on success every field lies inside the line, root, mount point and fs type
 * are not empty, and decoding never lengthened a field; on failure the
 * out-parameter is untouched. Before that, the OCI hook's lookups on the
 * whole text: pv_mountinfo_dev_is finds the device and type of the first
 * line when it splits, pv_mountinfo_is_shared the mount ID it starts with,
 * pv_mountinfo_cgroup_mounts fills no more than its buffer, with mount points
 * never empty.
 */
#include <errno.h>

#include "mount-line.h"
#include "parse-mountinfo.h"
#include "fuzz-input.h"

static bool inside(const char *p, const char *line, size_t len)
{
        return p >= line && p + strlen(p) <= line + len;
}

static void check_lookups(const char *text, FuzzParams *in)
{
        const char *nl = strchr(text, '\n');
        char *first = strndup(text, nl ? (size_t)(nl - text) : strlen(text));
        char *after;
        unsigned long long id = strtoull(text, &after, 10);
        PvMountLine m;
        unsigned major, minor;

        if (!first)
                abort();
        int r = pv_mountinfo_is_shared(text, id);
        FUZZ_CHECK(r == 1 || r == 0 || r == -ENOENT);
        if (after != text && *after == ' ')
                FUZZ_CHECK(r >= 0);
        r = pv_mountinfo_dev_is(text, fuzz_u32(in), fuzz_u32(in), "fuse.procview");
        FUZZ_CHECK(r == 1 || r == 0 || r == -ENOENT);
        if (pv_mount_line_split(first, &m) == 0 && sscanf(m.devno, "%u:%u", &major, &minor) == 2)
                FUZZ_CHECK(pv_mountinfo_dev_is(text, major, minor, m.fs_type) == 1);
        free(first);

        /* the cgroup mounts, on a copy (split in place): within the buffer, never empty */
        char *copy = strdup(text);
        char unified[32] = "";
        size_t unified_len = 1 + fuzz_u8(in) % sizeof(unified);
        char *v1[_PV_CTRL_MAX] = {};
        if (!copy)
                abort();
        pv_mountinfo_cgroup_mounts(copy, unified, unified_len, v1, true);
        FUZZ_CHECK(strlen(unified) < unified_len);
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                FUZZ_CHECK(!v1[c] || *v1[c]);
                free(v1[c]);
        }
        free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);

        check_lookups(text, &in);

        for (char *line = text; *line;) {
                char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                char *next = nl ? nl + 1 : line + len;
                if (nl)
                        *nl = '\0';
                PvMountLine m = {.id = NULL};
                int r = pv_mount_line_split(line, &m);
                if (r < 0) {
                        FUZZ_CHECK(r == -EINVAL && !m.id && !m.root && !m.super_options);
                } else {
                        char *f[] = {m.id,      m.parent,      m.devno,
                                     m.root,    m.mount_point, m.mount_options,
                                     m.fs_type, m.source,      m.super_options};
                        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
                                FUZZ_CHECK(f[i] && inside(f[i], line, len));
                        FUZZ_CHECK(*m.root && *m.mount_point && *m.fs_type);
                        (void)pv_mount_opt_has(m.super_options, "memory");
                }
                line = next;
        }
        free(text);
        return 0;
}
