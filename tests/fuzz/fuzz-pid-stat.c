/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_parse_proc_stat_state on arbitrary /proc/PID/stat text: the state is
 * the letter after the last ") " (comm may hold ')' and blanks), else
 * -EINVAL with the out-parameter untouched.
 */
#include <ctype.h>
#include <errno.h>

#include "parse.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        char state = '?';
        int r = pv_parse_proc_stat_state(text, &state);
        const char *rp = strrchr(text, ')');
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL && state == '?');
                FUZZ_CHECK(!rp || rp[1] != ' ' || !isalpha((unsigned char)rp[2]));
        } else {
                FUZZ_CHECK(isalpha((unsigned char)state));
                FUZZ_CHECK(rp && rp[1] == ' ' && rp[2] == state);
        }
        free(text);
        return 0;
}
