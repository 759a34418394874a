/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure parsers and rules of the libprocview core: quotas, counts, limits, masks, /proc texts. */
#include "lib-cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"

/*
 * Copies the token at *p (up to a space, tab, newline or the end) to buf of
 * size len and moves *p past it. Returns 0, or -EINVAL when the token is
 * empty or does not fit.
 */
static int take_token(const char **p, char *buf, size_t len)
{
        size_t n = strcspn(*p, " \t\n");
        if (n == 0 || n >= len)
                return -EINVAL;
        memcpy(buf, *p, n);
        buf[n] = '\0';
        *p += n;
        return 0;
}

int pvl_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        char q[32], per[32];
        const char *p = text;
        uint64_t quota, period;

        while (isspace((unsigned char)*p))
                p++;
        if (take_token(&p, q, sizeof(q)) < 0)
                return -EINVAL;
        while (*p == ' ' || *p == '\t')
                p++;
        if (take_token(&p, per, sizeof(per)) < 0)
                return -EINVAL;
        while (isspace((unsigned char)*p))
                p++;
        if (*p)
                return -EINVAL;
        if (pv_parse_u64_or_max(q, &quota) < 0 || pv_parse_u64_or_max(per, &period) < 0 ||
            period == 0 || period == UINT64_MAX)
                return -EINVAL;
        *ret_quota_us = quota == UINT64_MAX ? 0 : quota;
        *ret_period_us = period;
        return 0;
}

int pvl_parse_cfs(const char *quota_text, const char *period_text, uint64_t *ret_quota_us,
                  uint64_t *ret_period_us)
{
        const char *p = quota_text;
        uint64_t quota, period;

        while (isspace((unsigned char)*p))
                p++;
        if (strncmp(p, "-1", 2) == 0) {
                p += 2;
                while (isspace((unsigned char)*p))
                        p++;
                if (*p)
                        return -EINVAL;
                quota = 0; /* RUNTIME_INF: no limit */
        } else if (pv_parse_u64_or_max(p, &quota) < 0 || quota == UINT64_MAX) {
                return -EINVAL;
        }
        if (pv_parse_u64_or_max(period_text, &period) < 0 || period == 0 || period == UINT64_MAX)
                return -EINVAL;
        *ret_quota_us = quota;
        *ret_period_us = period;
        return 0;
}

bool pvl_quota_tighter(uint64_t qa, uint64_t pa, uint64_t qb, uint64_t pb)
{
        if (qa == 0 || pa == 0)
                return false;
        if (qb == 0 || pb == 0)
                return true;
        return (unsigned __int128)qa * pb < (unsigned __int128)qb * pa;
}

unsigned pvl_quota_cpus(uint64_t quota_us, uint64_t period_us)
{
        if (quota_us == 0 || period_us == 0)
                return 0;
        uint64_t n = quota_us / period_us + (quota_us % period_us != 0);
        if (n == 0)
                n = 1;
        return n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
}

unsigned pvl_effective_count(unsigned cpuset_count, uint64_t quota_us, uint64_t period_us)
{
        unsigned n = cpuset_count;
        unsigned q = pvl_quota_cpus(quota_us, period_us);
        if (q > 0 && (n == 0 || q < n))
                n = q;
        return n ? n : 1;
}

int pvl_parse_cpus_override(const char *text, unsigned *ret)
{
        uint64_t v;
        if (!text || pv_parse_u64_or_max(text, &v) < 0 || v == 0 || v > PV_CPU_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int pvl_keyed_value(const char *text, const char *key, uint64_t *ret)
{
        size_t klen = strlen(key);
        for (const char *p = text; p && *p;) {
                if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
                        char num[32];
                        const char *v = p + klen + 1;
                        size_t n = strcspn(v, "\n");
                        if (n >= sizeof(num))
                                return -EINVAL;
                        memcpy(num, v, n);
                        num[n] = '\0';
                        return pv_parse_u64_or_max(num, ret) < 0 ? -EINVAL : 0;
                }
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return -ENOENT;
}

uint64_t pvl_normalize_limit(uint64_t bytes)
{
        /* PAGE_COUNTER_MAX * PAGE_SIZE is LONG_MAX rounded down to the page size (<= 1 MiB pages).
         */
        if (bytes >= (uint64_t)INT64_MAX - (UINT64_C(1) << 20))
                return PVL_UNLIMITED;
        return bytes;
}

int pvl_remap_mask(const PvCpuSet *allowed, const PvCpuSet *mask, PvCpuSet *ret)
{
        PvCpuSet both = *mask, out;
        unsigned n = pv_cpuset_count(allowed);

        pv_cpuset_and(&both, allowed);
        if (n == 0 || pv_cpuset_count(&both) > 0)
                return 0;
        pv_cpuset_zero(&out);
        for (int i = pv_cpuset_next(mask, 0); i >= 0 && (unsigned)i < n;
             i = pv_cpuset_next(mask, (unsigned)i + 1))
                pv_cpuset_add(&out, (unsigned)pv_cpuset_nth(allowed, (unsigned)i));
        if (pv_cpuset_count(&out) == 0)
                return 0;
        *ret = out;
        return 1;
}

int pvl_remap_affinity(const PvCpuSet *allowed, size_t size, const cpu_set_t *mask,
                       uint64_t out[PV_CPUSET_WORDS], size_t *ret_size)
{
        size_t bits = size < PV_CPUSET_WORDS * 8 ? size * 8 : PV_CPU_MAX;
        PvCpuSet in, res;

        if (!mask || size == 0)
                return 0;
        pv_cpuset_zero(&in);
        for (size_t c = 0; c < bits; c++)
                if (CPU_ISSET_S(c, size, mask))
                        pv_cpuset_add(&in, (unsigned)c);
        if (pvl_remap_mask(allowed, &in, &res) != 1)
                return 0;
        /*
         * Keep the caller's size where it fits; a larger one (a CPU_ALLOC()ed
         * mask for more than PV_CPU_MAX CPUs) shrinks to what the result needs.
         */
        size_t need = CPU_ALLOC_SIZE((size_t)pv_cpuset_last(&res) + 1);
        size_t nsize = need > size ? need : size;
        if (nsize > PV_CPUSET_WORDS * 8)
                nsize = need;
        memset(out, 0, PV_CPUSET_WORDS * 8);
        for (int c = pv_cpuset_next(&res, 0); c >= 0; c = pv_cpuset_next(&res, (unsigned)c + 1))
                CPU_SET_S((size_t)c, nsize, (cpu_set_t *)out);
        *ret_size = nsize;
        return 1;
}

/* strtod is locale-dependent; /proc always uses '.', so parse by hand. */
static int parse_decimal(const char **p, double *ret)
{
        const char *s = *p;
        double v = 0, scale = 1;
        bool digits = false;

        while (*s == ' ' || *s == '\t')
                s++;
        while (isdigit((unsigned char)*s)) {
                v = v * 10 + (*s++ - '0');
                digits = true;
        }
        if (*s == '.') {
                s++;
                while (isdigit((unsigned char)*s)) {
                        scale /= 10;
                        v += (*s++ - '0') * scale;
                        digits = true;
                }
        }
        if (!digits)
                return -EINVAL;
        *p = s;
        *ret = v;
        return 0;
}

int pvl_parse_loadavg(const char *text, double ret_loads[3], unsigned *ret_running,
                      unsigned *ret_total)
{
        const char *p = text;
        double loads[3];
        char *end;

        for (int i = 0; i < 3; i++)
                if (parse_decimal(&p, &loads[i]) < 0 || (*p != ' ' && *p != '\t'))
                        return -EINVAL;
        while (*p == ' ')
                p++;
        if (!isdigit((unsigned char)*p))
                return -EINVAL;
        unsigned long running = strtoul(p, &end, 10);
        if (*end != '/' || !isdigit((unsigned char)end[1]))
                return -EINVAL;
        unsigned long total = strtoul(end + 1, &end, 10);
        if (*end != ' ' && *end != '\n' && *end != '\0')
                return -EINVAL;
        memcpy(ret_loads, loads, sizeof(loads));
        if (ret_running)
                *ret_running = (unsigned)running;
        if (ret_total)
                *ret_total = (unsigned)total;
        return 0;
}

int pvl_parse_uptime(const char *text, double *ret_seconds)
{
        const char *p = text;
        double v;
        if (parse_decimal(&p, &v) < 0 || (*p != ' ' && *p != '\n' && *p != '\0'))
                return -EINVAL;
        *ret_seconds = v;
        return 0;
}
