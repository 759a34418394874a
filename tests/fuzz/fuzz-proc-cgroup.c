/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_cgroup_paths_parse and pv_parse_cgroup_unified_path on arbitrary
 * /proc/PID/cgroup text and hierarchy layouts: paths only for controllers
 * the host has, each an absolute path of one line; failures leave the
 * out-parameters untouched.
 */
#include <errno.h>

#include "cgroup/backend.h"
#include "parse.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        uint8_t present = ~fuzz_u8(&in), v2 = fuzz_u8(&in);
        PvHierarchy h = {.unified_fd = -1, .proc_fd = -1};
        for (int c = 0; c < _PV_CTRL_MAX; c++) {
                h.is_v2[c] = (v2 >> c) & 1;
                /* only >= 0 matters to the parser: no fd is used */
                h.root_fd[c] = (present >> c) & 1 ? 100 + c : -1;
                h.v1_hier_id[c] = h.is_v2[c] ? 0 : c + 1;
        }

        char *paths[_PV_CTRL_MAX];
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                paths[c] = (char *)1;
        int r = pv_cgroup_paths_parse(&h, text, paths);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                for (int c = 0; c < _PV_CTRL_MAX; c++)
                        FUZZ_CHECK(paths[c] == (char *)1);
        } else {
                for (int c = 0; c < _PV_CTRL_MAX; c++) {
                        if (!paths[c])
                                continue;
                        FUZZ_CHECK(h.is_v2[c] || h.root_fd[c] >= 0);
                        FUZZ_CHECK(paths[c][0] == '/' && !strchr(paths[c], '\n'));
                        free(paths[c]);
                }
        }

        char *unified = (char *)1;
        r = pv_parse_cgroup_unified_path(text, &unified);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ENOENT);
                FUZZ_CHECK(unified == (char *)1);
        } else {
                FUZZ_CHECK(unified[0] == '/' && !strchr(unified, '\n'));
                free(unified);
        }
        free(text);
        return 0;
}
