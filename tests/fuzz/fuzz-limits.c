/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_parse_u64_or_max, pv_parse_limit, pv_parse_cpu_max and the v1 cfs
 * quota and period parsers. They agree with each other ("max" and v1's
 * >= 2^62 are unlimited, "-1" only for limits, an unlimited quota is 0), a
 * parsed number printed back parses to itself, a period is never 0, and
 * failures leave the out-parameters untouched.
 */
#include <errno.h>
#include <inttypes.h>

#include "parse.h"
#include "fileio.h"
#include "fuzz-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        uint64_t v = 42, lim = 43;

        int r = pv_parse_u64_or_max(text, &v);
        int rl = pv_parse_limit(text, &lim);
        FUZZ_CHECK(r == 0 || (r == -EINVAL && v == 42));
        FUZZ_CHECK(rl == 0 || (rl == -EINVAL && lim == 43));
        if (r == 0) {
                FUZZ_CHECK(rl == 0);
                FUZZ_CHECK(lim == (v >= PV_V1_UNLIMITED_THRESHOLD ? PV_UNLIMITED : v));
                if (v != UINT64_MAX) {
                        char buf[32];
                        uint64_t back;
                        snprintf(buf, sizeof(buf), "%" PRIu64, v);
                        FUZZ_CHECK(pv_parse_u64_or_max(buf, &back) == 0 && back == v);
                }
        } else if (rl == 0) {
                /* only "-1" (with blanks) is a limit without being a number */
                FUZZ_CHECK(lim == PV_UNLIMITED && strstr(text, "-1"));
        }

        uint64_t cq = 46, cp = 47;
        int rq = pv_parse_cfs_quota(text, &cq);
        int rp = pv_parse_cfs_period(text, &cp);
        FUZZ_CHECK((rq == 0) == (rl == 0));
        FUZZ_CHECK(rq == 0 ? cq == (lim == PV_UNLIMITED ? 0 : lim) : cq == 46);
        FUZZ_CHECK(rp == 0 ? rl == 0 && cp == lim && cp > 0 && cp != PV_UNLIMITED : cp == 47);

        uint64_t q = 44, p = 45;
        int rc = pv_parse_cpu_max(text, &q, &p);
        if (rc < 0) {
                FUZZ_CHECK(rc == -EINVAL && q == 44 && p == 45);
        } else {
                FUZZ_CHECK(p > 0);
                FUZZ_CHECK(q == 0 || q < PV_V1_UNLIMITED_THRESHOLD);
        }
        free(text);
        return 0;
}
