/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_parse_cpuacct_usage_all (v1 cpuacct.usage_all) and pv_parse_u64_list
 * (cpuacct.usage_percpu_*) on the same text: 0 with arrays of *ret_n entries
 * (1 <= n <= PV_CPU_MAX; ASan checks every index) or -EINVAL with the
 * out-parameters untouched.
 */
#include <errno.h>

#include "parse.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        uint64_t *user = (uint64_t *)1, *sys = (uint64_t *)1;
        size_t n = 12345;

        int r = pv_parse_cpuacct_usage_all(text, &user, &sys, &n);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(user == (uint64_t *)1 && sys == (uint64_t *)1 && n == 12345);
        } else {
                FUZZ_CHECK(n >= 1 && n <= PV_CPU_MAX);
                uint64_t sum = 0;
                for (size_t i = 0; i < n; i++)
                        sum += user[i] ^ sys[i];
                (void)sum;
                free(user);
                free(sys);
        }

        uint64_t *list = (uint64_t *)1;
        n = 12345;
        r = pv_parse_u64_list(text, &list, &n);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL);
                FUZZ_CHECK(list == (uint64_t *)1 && n == 12345);
        } else {
                FUZZ_CHECK(n == 0 ? list == NULL : list != NULL);
                for (size_t i = 0; i < n; i++)
                        FUZZ_CHECK(list[i] <= UINT64_MAX);
                free(list);
        }
        free(text);
        return 0;
}
