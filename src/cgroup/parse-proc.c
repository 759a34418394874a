/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parsers of /proc/PID/stat and /proc/PID/status. */
#include "parse-proc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int pv_parse_pid_stat(const char *text, pid_t *ret_ppid, uint64_t *ret_starttime)
{
        const char *p = strrchr(text, ')');
        unsigned long long v = 0;
        long ppid = 0;

        if (!p)
                return -EINVAL;
        p++;
        /* after ')': field 3 (state) is the first; ppid is field 4, starttime field 22 */
        for (int field = 3; field <= 22; field++) {
                while (*p == ' ')
                        p++;
                if (!*p || *p == '\n')
                        return -EINVAL;
                if (field == 4 || field == 22) {
                        char *end;
                        errno = 0;
                        v = strtoull(p, &end, 10);
                        if (errno || end == p || (*end != ' ' && *end != '\n' && *end))
                                return -EINVAL;
                        if (field == 4)
                                ppid = (long)v;
                }
                while (*p && *p != ' ' && *p != '\n')
                        p++;
        }
        if (ret_ppid)
                *ret_ppid = (pid_t)ppid;
        if (ret_starttime)
                *ret_starttime = v;
        return 0;
}

int pv_parse_status_nspid(const char *text, pid_t *ret_inner)
{
        const char *line = text;
        while (line && *line) {
                if (strncmp(line, "NSpid:", 6) == 0) {
                        const char *p = line + 6;
                        long last = -1;
                        for (;;) {
                                while (*p == ' ' || *p == '\t')
                                        p++;
                                if (!isdigit((unsigned char)*p))
                                        break;
                                char *end;
                                last = strtol(p, &end, 10);
                                p = end;
                        }
                        if (last <= 0 || (*p && *p != '\n'))
                                return -EINVAL;
                        *ret_inner = (pid_t)last;
                        return 0;
                }
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -ENOENT;
}

int pv_parse_status_pid(const char *text, const char *key, pid_t *ret)
{
        size_t klen = strlen(key);
        for (const char *line = text; line && *line;) {
                if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
                        const char *p = line + klen + 1;
                        char *end;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        if (!isdigit((unsigned char)*p))
                                return -EINVAL;
                        errno = 0;
                        long v = strtol(p, &end, 10);
                        if (errno || v < 0 || v > INT_MAX || (*end && *end != '\n'))
                                return -EINVAL;
                        *ret = (pid_t)v;
                        return 0;
                }
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return -ENOENT;
}
