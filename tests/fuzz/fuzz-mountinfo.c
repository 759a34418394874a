/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_mount_line_split on every line of arbitrary mountinfo text, in place:
 * on success every field lies inside the line, root, mount point and fs type
 * are not empty, and decoding never lengthened a field; on failure the
 * out-parameter is untouched.
 */
#include <errno.h>

#include "mount-line.h"
#include "fuzz-input.h"

static bool inside(const char *p, const char *line, size_t len)
{
        return p >= line && p + strlen(p) <= line + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);

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
