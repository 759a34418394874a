/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpuset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void pv_cpuset_zero(PvCpuSet *set)
{
        memset(set, 0, sizeof(*set));
}

void pv_cpuset_add(PvCpuSet *set, unsigned cpu)
{
        if (cpu < PV_CPU_MAX)
                set->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

bool pv_cpuset_has(const PvCpuSet *set, unsigned cpu)
{
        return cpu < PV_CPU_MAX && (set->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned pv_cpuset_count(const PvCpuSet *set)
{
        unsigned n = 0;
        for (size_t i = 0; i < PV_CPUSET_WORDS; i++)
                n += (unsigned)__builtin_popcountll(set->bits[i]);
        return n;
}

bool pv_cpuset_equal(const PvCpuSet *a, const PvCpuSet *b)
{
        return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

void pv_cpuset_and(PvCpuSet *a, const PvCpuSet *b)
{
        for (size_t i = 0; i < PV_CPUSET_WORDS; i++)
                a->bits[i] &= b->bits[i];
}

int pv_cpuset_next(const PvCpuSet *set, unsigned from)
{
        for (unsigned w = from / 64; w < PV_CPUSET_WORDS; w++) {
                uint64_t word = set->bits[w];
                if (w == from / 64)
                        word &= ~UINT64_C(0) << (from % 64);
                if (word)
                        return (int)(w * 64 + (unsigned)__builtin_ctzll(word));
        }
        return -1;
}

int pv_cpuset_nth(const PvCpuSet *set, unsigned index)
{
        for (unsigned w = 0; w < PV_CPUSET_WORDS; w++) {
                uint64_t word = set->bits[w];
                unsigned n = (unsigned)__builtin_popcountll(word);
                if (index >= n) {
                        index -= n;
                        continue;
                }
                while (index--)
                        word &= word - 1; /* drop the lowest bit */
                return (int)(w * 64 + (unsigned)__builtin_ctzll(word));
        }
        return -1;
}

int pv_cpuset_last(const PvCpuSet *set)
{
        for (unsigned w = PV_CPUSET_WORDS; w-- > 0;)
                if (set->bits[w])
                        return (int)(w * 64 + 63 - (unsigned)__builtin_clzll(set->bits[w]));
        return -1;
}

void pv_cpuset_keep_first(PvCpuSet *set, unsigned n)
{
        int cut = pv_cpuset_nth(set, n);
        if (cut < 0)
                return;
        for (unsigned cpu = (unsigned)cut; cpu < PV_CPU_MAX; cpu++)
                set->bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

static int parse_id(const char **p, unsigned *ret)
{
        char *end;
        if (!isdigit((unsigned char)**p))
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(*p, &end, 10);
        if (errno == ERANGE || v >= PV_CPU_MAX)
                return -ERANGE;
        *p = end;
        *ret = (unsigned)v;
        return 0;
}

int pv_cpuset_parse(const char *text, PvCpuSet *ret)
{
        PvCpuSet set;
        const char *p = text;
        int r;

        pv_cpuset_zero(&set);
        while (isspace((unsigned char)*p))
                p++;
        while (*p && !isspace((unsigned char)*p)) {
                unsigned lo, hi;
                r = parse_id(&p, &lo);
                if (r < 0)
                        return r;
                hi = lo;
                if (*p == '-') {
                        p++;
                        r = parse_id(&p, &hi);
                        if (r < 0)
                                return r;
                        if (hi < lo)
                                return -EINVAL;
                }
                for (unsigned c = lo; c <= hi; c++)
                        pv_cpuset_add(&set, c);
                if (*p == ',')
                        p++;
                else if (*p && !isspace((unsigned char)*p))
                        return -EINVAL;
        }
        if (!pv_str_blank(p))
                return -EINVAL;
        *ret = set;
        return 0;
}

size_t pv_cpuset_format(const PvCpuSet *set, char *buf, size_t len)
{
        size_t need = 0;
        int cpu = pv_cpuset_next(set, 0);

        if (len > 0)
                buf[0] = '\0';
        while (cpu >= 0) {
                int end = cpu;
                while (end + 1 < PV_CPU_MAX && pv_cpuset_has(set, (unsigned)end + 1))
                        end++;
                char item[32];
                int n = end == cpu
                            ? snprintf(item, sizeof(item), "%s%d", need ? "," : "", cpu)
                            : snprintf(item, sizeof(item), "%s%d-%d", need ? "," : "", cpu, end);
                if (need + (size_t)n < len)
                        memcpy(buf + need, item, (size_t)n + 1);
                else if (len > 0)
                        buf[len - 1] = '\0';
                need += (size_t)n;
                cpu = end + 1 < PV_CPU_MAX ? pv_cpuset_next(set, (unsigned)end + 1) : -1;
        }
        return need;
}
