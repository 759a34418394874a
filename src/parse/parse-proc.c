/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parsers of /proc/PID/stat, /proc/PID/status and /proc/PID/cgroup lines,
 * of a cgroup's pid list and cgroup.controllers, and of /proc/stat's btime,
 * /proc/loadavg and /proc/uptime.
 */
#include "parse-proc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/*
 * Where the fields after the command name start in /proc/PID/stat text:
 * comm may hold ')' and spaces, but every field after it is numeric, so the
 * last ')' closes it. NULL when there is none.
 */
static const char *after_comm(const char *text)
{
        const char *rp = strrchr(text, ')');
        return rp ? rp + 1 : NULL;
}

int pv_parse_pid_stat(const char *text, pid_t *ret_ppid, uint64_t *ret_starttime)
{
        const char *p = after_comm(text);
        unsigned long long v = 0;
        long ppid = 0;

        if (!p)
                return -EINVAL;
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

/*
 * The next field of /proc/PID/stat text at *p, after the spaces before it:
 * its start in *ret_start and its length (0 at the end of the line), *p moved
 * past it.
 */
static size_t next_field(const char **p, const char **ret_start)
{
        const char *s = *p;
        while (*s == ' ')
                s++;
        *ret_start = s;
        while (*s && *s != ' ' && *s != '\n')
                s++;
        *p = s;
        return (size_t)(s - *ret_start);
}

/* Whether the len bytes at s are a decimal integer, negative ones included. */
static bool is_integer(const char *s, size_t len)
{
        uint64_t v;
        if (len > 0 && *s == '-') {
                s++;
                len--;
        }
        return pv_parse_u64_n(s, len, &v) == 0;
}

int pv_parse_pid_stat_flags(const char *text, unsigned *ret_flags)
{
        const char *p = after_comm(text), *s;
        uint64_t v;

        if (!p)
                return -EINVAL;
        /* after ')': the state (field 3), then ppid, pgrp, session, tty_nr and tpgid */
        for (int field = 3; field <= 8; field++) {
                size_t len = next_field(&p, &s);
                if (field == 3 ? len != 1 : !is_integer(s, len))
                        return -EINVAL;
        }
        /* field 9, written "%u" (fs/proc/array.c do_task_stat) */
        size_t len = next_field(&p, &s);
        if (pv_parse_u64_n(s, len, &v) < 0 || v > UINT_MAX)
                return -EINVAL;
        *ret_flags = (unsigned)v;
        return 0;
}

int pv_parse_proc_stat_state(const char *text, char *ret)
{
        const char *p = after_comm(text);
        if (!p || p[0] != ' ' || !isalpha((unsigned char)p[1]))
                return -EINVAL;
        *ret = p[1];
        return 0;
}

/* What follows "KEY:" on the line of /proc/PID/status text that has it; NULL when none does. */
static const char *status_value(const char *text, const char *key)
{
        size_t klen = strlen(key);
        for (const char *line = text; line && *line;) {
                if (strncmp(line, key, klen) == 0 && line[klen] == ':')
                        return line + klen + 1;
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return NULL;
}

int pv_parse_status_nspid(const char *text, pid_t *ret_inner)
{
        const char *p = status_value(text, "NSpid");
        long last = -1;

        if (!p)
                return -ENOENT;
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

/* The single decimal number, at most max, after "KEY:" in /proc/PID/status text. */
static int status_number(const char *text, const char *key, unsigned long max, unsigned long *ret)
{
        const char *p = status_value(text, key);
        char *end;

        if (!p)
                return -ENOENT;
        while (*p == ' ' || *p == '\t')
                p++;
        if (!isdigit((unsigned char)*p))
                return -EINVAL;
        errno = 0;
        unsigned long v = strtoul(p, &end, 10);
        if (errno || v > max || (*end && *end != '\n'))
                return -EINVAL;
        *ret = v;
        return 0;
}

int pv_parse_status_pid(const char *text, const char *key, pid_t *ret)
{
        unsigned long v;
        int r = status_number(text, key, INT_MAX, &v);
        if (r < 0)
                return r;
        *ret = (pid_t)v;
        return 0;
}

int pv_parse_status_count(const char *text, const char *key, unsigned *ret)
{
        unsigned long v;
        int r = status_number(text, key, UINT_MAX, &v);
        if (r < 0)
                return r;
        *ret = (unsigned)v;
        return 0;
}

int pv_parse_first_pid(const char *text, pid_t *ret)
{
        char *end;

        errno = 0;
        long v = strtol(text, &end, 10);
        if (end == text)
                return pv_str_blank(text) ? -ENOENT : -EINVAL;
        /* ERANGE too: where long has 32 bits, LONG_MAX would pass for a pid */
        if (errno || v <= 0 || v > INT32_MAX)
                return -EINVAL;
        *ret = (pid_t)v;
        return 0;
}

static const char *const v1_names[_PV_CTRL_MAX] = {
    [PV_CTRL_MEMORY] = "memory", [PV_CTRL_CPU] = "cpu",  [PV_CTRL_CPUACCT] = "cpuacct",
    [PV_CTRL_CPUSET] = "cpuset", [PV_CTRL_IO] = "blkio", [PV_CTRL_PIDS] = "pids",
};

const char *pv_controller_v1_name(PvController c)
{
        return (unsigned)c < _PV_CTRL_MAX ? v1_names[c] : NULL;
}

int pv_controller_from_v1_name(const char *name, size_t len)
{
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                if (pv_tok_eq(name, len, v1_names[c]))
                        return c;
        return -1;
}

/* v2 names, as in cgroup.controllers; cpuacct has none (cpu.stat is core on v2) */
static const char *const v2_names[_PV_CTRL_MAX] = {
    [PV_CTRL_MEMORY] = "memory", [PV_CTRL_CPU] = "cpu", [PV_CTRL_CPUACCT] = "cpu",
    [PV_CTRL_CPUSET] = "cpuset", [PV_CTRL_IO] = "io",   [PV_CTRL_PIDS] = "pids",
};

void pv_parse_cgroup_controllers(const char *text, bool ret_offered[_PV_CTRL_MAX])
{
        size_t len = strcspn(text, "\n");
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                ret_offered[c] = pv_list_has(text, len, ' ', v2_names[c]);
}

int pv_cgroup_line_split(const char *line, size_t len, PvCgroupLine *ret)
{
        const char *end = line + len;
        const char *c1 = memchr(line, ':', len);
        if (!c1)
                return -EINVAL;
        const char *c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
        uint64_t id;
        if (!c2 || pv_parse_u64_n(line, (size_t)(c1 - line), &id) < 0)
                return -EINVAL;
        size_t pl = (size_t)(end - c2 - 1);
        if (pl == 0 || c2[1] != '/')
                return -EINVAL;
        *ret = (PvCgroupLine){
            .id = id,
            .ctrls = c1 + 1,
            .ctrls_len = (size_t)(c2 - c1 - 1),
            .path = c2 + 1,
            .path_len = pl,
        };
        return 0;
}

int pv_cgroup_line_match(const char *line, const char *ctrl, const char **ret_path)
{
        PvCgroupLine cl;
        if (pv_cgroup_line_split(line, strlen(line), &cl) < 0)
                return -EINVAL;
        if (cl.id == 0 && cl.ctrls_len == 0) {
                *ret_path = cl.path;
                return 2;
        }
        if (!pv_list_has(cl.ctrls, cl.ctrls_len, ',', ctrl))
                return 0;
        *ret_path = cl.path;
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

int pv_parse_loadavg(const char *text, double ret_loads[3], unsigned *ret_running,
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

int pv_parse_uptime(const char *text, double *ret_seconds)
{
        const char *p = text;
        double v;
        if (parse_decimal(&p, &v) < 0 || (*p != ' ' && *p != '\n' && *p != '\0'))
                return -EINVAL;
        *ret_seconds = v;
        return 0;
}

int pv_parse_stat_btime(const char *text, uint64_t *ret)
{
        const char *p = text;
        PvLine l;

        while (pv_line_next(&p, &l)) {
                const char *tok[2];
                size_t len[2];
                size_t n = pv_line_split(&l, tok, len, 2);

                /* "btime %llu\n", a line of its own */
                if (n < 1 || tok[0] != l.start || !pv_tok_eq(tok[0], len[0], "btime"))
                        continue;
                if (n != 2)
                        return -EINVAL;
                return pv_parse_u64_n(tok[1], len[1], ret);
        }
        return -ENOENT;
}
