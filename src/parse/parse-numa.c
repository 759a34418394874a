/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parser of memory.numa_stat lines, v1 and v2. */
#include "parse-numa.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pv_parse_numa_stat_line(const char *text, const char *key, uint64_t scale, PvNumaUsage *ret)
{
        size_t klen = strlen(key);
        const char *line = text;

        while (line && !(strncmp(line, key, klen) == 0 && (line[klen] == '=' || line[klen] == ' ')))
                line = (line = strchr(line, '\n')) ? line + 1 : NULL;
        if (!line)
                return -ENOENT;
        const char *eol = strchr(line, '\n');
        if (!eol)
                eol = line + strlen(line);
        /* "key=total N0=a N1=b" (v1, pages) or "key N0=a N1=b" (v2, bytes) */
        for (const char *p = line + klen; p < eol;) {
                char *end;
                unsigned long node;
                unsigned long long count;

                while (p < eol && *p != ' ')
                        p++;
                while (p < eol && *p == ' ')
                        p++;
                if (p == eol)
                        break;
                if (*p != 'N' || p[1] < '0' || p[1] > '9')
                        return -EINVAL;
                errno = 0;
                node = strtoul(p + 1, &end, 10);
                if (*end != '=' || errno)
                        return -EINVAL;
                if (node >= PV_NODE_MAX)
                        return -ERANGE;
                count = strtoull(end + 1, &end, 10);
                if (errno || end > eol || (end < eol && *end != ' '))
                        return -EINVAL;
                pv_cpuset_add(&ret->nodes, (unsigned)node);
                ret->bytes[node] += (uint64_t)count * scale;
                p = end;
        }
        return 0;
}
