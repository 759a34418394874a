/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_cpuset_parse / pv_cpuset_format: a parsed list formats to text that
 * parses back to the same set; the formatted text is canonical (formatting
 * it again gives the same bytes) and every truncated format is a
 * NUL-terminated prefix of the full text. Failures leave the set untouched.
 */
#include <errno.h>

#include "cpuset.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvCpuSet set, back, untouched;
        memset(&untouched, 0x5a, sizeof(untouched));
        set = untouched;

        int r = pv_cpuset_parse(text, &set);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -ERANGE);
                FUZZ_CHECK(pv_cpuset_equal(&set, &untouched));
                free(text);
                return 0;
        }
        size_t need = pv_cpuset_format(&set, NULL, 0);
        char *buf = malloc(need + 1);
        FUZZ_CHECK(buf);
        FUZZ_CHECK(pv_cpuset_format(&set, buf, need + 1) == need);
        FUZZ_CHECK(strlen(buf) == need);
        FUZZ_CHECK(pv_cpuset_parse(buf, &back) == 0);
        FUZZ_CHECK(pv_cpuset_equal(&set, &back));
        FUZZ_CHECK(pv_cpuset_count(&back) == pv_cpuset_count(&set));

        char *again = malloc(need + 1);
        FUZZ_CHECK(again);
        pv_cpuset_format(&back, again, need + 1);
        FUZZ_CHECK(strcmp(buf, again) == 0);

        size_t len = need ? fuzz_u32(&in) % (need + 1) : 0;
        char *small = malloc(len + 1);
        FUZZ_CHECK(small);
        memset(small, 'X', len + 1);
        FUZZ_CHECK(pv_cpuset_format(&set, small, len) == need);
        if (len > 0) {
                size_t sl = strnlen(small, len);
                FUZZ_CHECK(sl < len);
                FUZZ_CHECK(strncmp(small, buf, sl) == 0);
        }
        FUZZ_CHECK(small[len] == 'X');
        free(small);
        free(again);
        free(buf);
        free(text);
        return 0;
}
