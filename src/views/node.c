/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sysfs NUMA node files as a container sees them.
 *
 * cpumap (pv_cpumap_render): the kernel's bitmap format (lib/vsprintf.c,
 * bitmap_string()): nr_cpu_ids bits as hexadecimal words of 32 bits, the
 * highest first, separated by commas, each zero-padded to its width; the
 * first word has only the digits its bits need.
 *
 * Node memory (pv_node_memory_split): the container's memory limit is shared
 * among its visible nodes in proportion to the host's MemTotal of each, so
 * that the nodes add up to min(limit, the nodes' host MemTotal): node i gets
 * floor(limit * host_i / sum), and the last node with memory also gets what
 * the floors left over. An unlimited container gets each node's host
 * MemTotal.
 *
 * meminfo (pv_node_meminfo_render): the host's nodeN/meminfo with MemTotal the
 * node's share, MemUsed what the cgroup holds on the node (memory.numa_stat;
 * at most MemTotal) and MemFree = MemTotal - MemUsed, each keeping the
 * width of the host's field. Every other line is the host node's.
 */
#include <errno.h>
#include <string.h>

#include "text.h"
#include "views.h"

int pv_cpumap_render(const PvCpuSet *set, unsigned nbits, GString *out)
{
        if (!set || !out || nbits == 0 || nbits > PV_CPU_MAX)
                return -EINVAL;
        unsigned words = (nbits + 31) / 32;
        for (unsigned w = words; w-- > 0;) {
                uint32_t v = 0;
                unsigned bits = w == words - 1 ? nbits - 32 * w : 32;
                for (unsigned b = 0; b < bits; b++)
                        if (pv_cpuset_has(set, 32 * w + b))
                                v |= 1U << b;
                g_string_append_printf(out, "%s%0*x", w == words - 1 ? "" : ",",
                                       (int)((bits + 3) / 4), v);
        }
        g_string_append_c(out, '\n');
        return 0;
}

/* The line's key ("MemTotal" of "Node 0 MemTotal:  ...") and where its value starts. */
static bool node_line_key(const PvLine *l, const char **ret_key, size_t *ret_key_len,
                          const char **ret_colon)
{
        const char *tok[3];
        size_t tok_len[3];
        if (pv_line_split(l, tok, tok_len, 3) < 3 || !pv_tok_eq(tok[0], tok_len[0], "Node"))
                return false;
        const char *colon = memchr(tok[2], ':', tok_len[2]);
        if (!colon)
                return false;
        *ret_key = tok[2];
        *ret_key_len = (size_t)(colon - tok[2]);
        *ret_colon = colon;
        return true;
}

/* The number after colon on line l, and where it ends. */
static int line_number(const PvLine *l, const char *colon, uint64_t *ret, const char **ret_end)
{
        const char *end = l->start + l->len;
        const char *p = colon + 1, *q;
        while (p < end && *p == ' ')
                p++;
        for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
                ;
        if (pv_parse_u64_n(p, (size_t)(q - p), ret) < 0)
                return -EINVAL;
        *ret_end = q;
        return 0;
}

int pv_node_meminfo_total_kb(const char *host, uint64_t *ret)
{
        const char *p = host;
        PvLine l;

        while (host && pv_line_next_data(&p, &l)) {
                const char *key, *colon, *end;
                size_t key_len;
                uint64_t v;
                if (!node_line_key(&l, &key, &key_len, &colon) || key_len != 8 ||
                    memcmp(key, "MemTotal", 8) != 0)
                        continue;
                if (line_number(&l, colon, &v, &end) < 0)
                        return -EINVAL;
                *ret = v;
                return 0;
        }
        return -EINVAL;
}

void pv_node_memory_split(const uint64_t *host_kb, size_t n, uint64_t limit_kb, uint64_t *ret_kb)
{
        unsigned __int128 sum = 0;
        uint64_t given = 0;
        size_t last = n;

        for (size_t i = 0; i < n; i++) {
                sum += host_kb[i];
                if (host_kb[i] > 0)
                        last = i;
        }
        for (size_t i = 0; i < n; i++) {
                if (sum <= limit_kb)
                        ret_kb[i] = host_kb[i];
                else
                        ret_kb[i] = (uint64_t)((unsigned __int128)limit_kb * host_kb[i] / sum);
                given += ret_kb[i];
        }
        /* what the floors left over, so that the nodes add up to the limit */
        if (sum > limit_kb && last < n)
                ret_kb[last] += limit_kb - given;
}

int pv_node_meminfo_render(const char *host, uint64_t total_kb, uint64_t used_kb, GString *out)
{
        const char *p = host;
        size_t old = out ? out->len : 0;
        PvLine l;

        if (!host || !out)
                return -EINVAL;
        if (used_kb > total_kb)
                used_kb = total_kb;
        while (pv_line_next(&p, &l)) {
                const char *key, *colon, *end;
                size_t key_len;
                uint64_t v, host_v;
                bool known = node_line_key(&l, &key, &key_len, &colon);
                if (known && key_len == 8 && memcmp(key, "MemTotal", 8) == 0)
                        v = total_kb;
                else if (known && key_len == 7 && memcmp(key, "MemFree", 7) == 0)
                        v = total_kb - used_kb;
                else if (known && key_len == 7 && memcmp(key, "MemUsed", 7) == 0)
                        v = used_kb;
                else {
                        g_string_append_len(out, l.start, (gssize)l.len);
                        if (l.complete)
                                g_string_append_c(out, '\n');
                        continue;
                }
                if (line_number(&l, colon, &host_v, &end) < 0) {
                        g_string_truncate(out, old);
                        return -EINVAL;
                }
                /* the host's field width: the kernel's "%8lu" after the padded key */
                g_string_append_len(out, l.start, (gssize)(colon + 1 - l.start));
                g_string_append_printf(out, "%*llu", (int)(end - colon - 1), (unsigned long long)v);
                g_string_append_len(out, end, (gssize)(l.start + l.len - end));
                if (l.complete)
                        g_string_append_c(out, '\n');
        }
        return 0;
}
