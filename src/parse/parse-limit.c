/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of counter, limit, cpu.max, cfs and flat-keyed texts; the quota rules. No malloc(). */
#include "parse-limit.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int pv_parse_u64_or_max(const char *text, uint64_t *ret)
{
        const char *p = text;
        char *end;
        uint64_t v;

        while (isspace((unsigned char)*p))
                p++;
        if (strncmp(p, "max", 3) == 0) {
                end = (char *)p + 3;
                v = PV_UNLIMITED;
        } else {
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                errno = 0;
                v = strtoull(p, &end, 10);
                if (errno == ERANGE)
                        return -EINVAL;
        }
        if (!pv_str_blank(end))
                return -EINVAL;
        *ret = v;
        return 0;
}

uint64_t pv_limit_normalize(uint64_t v)
{
        return v >= PV_V1_UNLIMITED_THRESHOLD ? PV_UNLIMITED : v;
}

int pv_parse_limit(const char *text, uint64_t *ret)
{
        const char *p = text;
        uint64_t v;

        while (isspace((unsigned char)*p))
                p++;
        if (p[0] == '-') {
                /* v1 writes -1 for "no limit" (cpu.cfs_quota_us; memsw when read back is the huge
                 * value) */
                if (p[1] != '1')
                        return -EINVAL;
                for (p += 2; *p; p++)
                        if (!isspace((unsigned char)*p))
                                return -EINVAL;
                *ret = PV_UNLIMITED;
                return 0;
        }
        int r = pv_parse_u64_or_max(p, &v);
        if (r < 0)
                return r;
        *ret = pv_limit_normalize(v);
        return 0;
}

#define FLAT_KEYED_MAX 64

int pv_parse_flat_keyed(const char *text, const PvKeyField *fields, size_t n_fields)
{
        uint64_t val[FLAT_KEYED_MAX];
        bool found[FLAT_KEYED_MAX] = {};
        const char *p = text;
        PvLine l;
        int n_found = 0;

        if (n_fields > FLAT_KEYED_MAX)
                return -EINVAL;
        while (pv_line_next_data(&p, &l)) {
                const char *tok[2];
                size_t tl[2];
                uint64_t v;

                size_t n = pv_line_split(&l, tok, tl, 2);
                if (n != 2 || pv_parse_u64_n(tok[1], tl[1], &v) < 0) {
                        if (!l.complete)
                                break; /* cut short: keep what came before */
                        return -EINVAL;
                }
                for (size_t i = 0; i < n_fields; i++)
                        if (pv_tok_eq(tok[0], tl[0], fields[i].key)) {
                                val[i] = v;
                                found[i] = true;
                        }
        }
        for (size_t i = 0; i < n_fields; i++)
                if (found[i]) {
                        *fields[i].dst = val[i];
                        n_found++;
                }
        return n_found;
}

int pv_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        PvLine l;
        const char *p = text, *tok[2];
        size_t tl[2];
        uint64_t quota, period;

        if (!pv_line_next(&p, &l) || pv_line_split(&l, tok, tl, 2) != 2)
                return -EINVAL;
        char qtext[24];
        if (tl[0] >= sizeof(qtext))
                return -EINVAL;
        memcpy(qtext, tok[0], tl[0]);
        qtext[tl[0]] = '\0';
        /* "max" via the one limit helper; the kernel rejects a zero quota, so 0 can mean "none" */
        if (pv_parse_limit(qtext, &quota) < 0 || quota == 0 || qtext[0] == '-')
                return -EINVAL;
        if (quota == PV_UNLIMITED)
                quota = 0;
        if (pv_parse_u64_n(tok[1], tl[1], &period) < 0 || period == 0)
                return -EINVAL;
        *ret_quota_us = quota;
        *ret_period_us = period;
        return 0;
}

int pv_parse_cfs_quota(const char *text, uint64_t *ret_quota_us)
{
        uint64_t q;
        if (pv_parse_limit(text, &q) < 0)
                return -EINVAL;
        *ret_quota_us = q == PV_UNLIMITED ? 0 : q;
        return 0;
}

int pv_parse_cfs_period(const char *text, uint64_t *ret_period_us)
{
        uint64_t p;
        if (pv_parse_limit(text, &p) < 0 || p == 0 || p == PV_UNLIMITED)
                return -EINVAL;
        *ret_period_us = p;
        return 0;
}

unsigned pv_quota_cpus(uint64_t quota_us, uint64_t period_us)
{
        if (quota_us == 0 || period_us == 0)
                return 0;
        uint64_t n = quota_us / period_us + (quota_us % period_us != 0);
        return n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
}

bool pv_quota_tighter(uint64_t qa, uint64_t pa, uint64_t qb, uint64_t pb)
{
        if (qa == 0 || pa == 0)
                return false;
        if (qb == 0 || pb == 0)
                return true;
        /* in 128 bits: quota can reach 2^44 us and period 10^6 */
        return (unsigned __int128)qa * pb < (unsigned __int128)qb * pa;
}
