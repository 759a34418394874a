/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_parse_proc_stat_state and pv_parse_pid_stat_flags on arbitrary
 * /proc/PID/stat text: the state is the letter after the last ") " (comm may
 * hold ')' and blanks), else -EINVAL with the out-parameter untouched; the
 * flags parsed are what sscanf reads after the last ')' (the lenient reading
 * the OCI hook made before), else -EINVAL, out-parameter untouched.
 */
#include <ctype.h>
#include <errno.h>

#include "parse.h"
#include "fuzz-input.h"

static void check_flags(const char *text)
{
        unsigned flags = 77;
        int r = pv_parse_pid_stat_flags(text, &flags);
        const char *rp = strrchr(text, ')');
        unsigned long want;

        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL && flags == 77);
                return;
        }
        FUZZ_CHECK(rp && sscanf(rp + 1, " %*c %*d %*d %*d %*d %*d %lu", &want) == 1);
        FUZZ_CHECK(want == flags);
}

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
        check_flags(text);
        free(text);
        return 0;
}
