/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of limit, flat-keyed, cpuacct and cpu.max texts, and of /proc/PID/stat. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "parse-text.h"

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
        *ret = v >= PV_V1_UNLIMITED_THRESHOLD ? PV_UNLIMITED : v;
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

/* One pass over usage_all; fills the arrays when they are not NULL, else only sizes. */
static int usage_all_pass(const char *text, uint64_t *user, uint64_t *sys, size_t *ret_n)
{
        const char *p = text;
        bool header = false;
        size_t n = 0;
        PvLine l;

        while (pv_line_next_data(&p, &l)) {
                const char *tok[3];
                size_t tl[3];
                uint64_t id, u, s;

                size_t k = pv_line_split(&l, tok, tl, 3);
                if (!header) {
                        if (k != 3 || !pv_tok_eq(tok[0], tl[0], "cpu") ||
                            !pv_tok_eq(tok[1], tl[1], "user") ||
                            !pv_tok_eq(tok[2], tl[2], "system"))
                                return -EINVAL;
                        header = true;
                        continue;
                }
                if (k != 3 || pv_parse_u64_n(tok[0], tl[0], &id) < 0 ||
                    pv_parse_u64_n(tok[1], tl[1], &u) < 0 ||
                    pv_parse_u64_n(tok[2], tl[2], &s) < 0) {
                        if (!l.complete)
                                break;
                        return -EINVAL;
                }
                if (id >= PV_CPU_MAX)
                        return -EINVAL;
                if (user) {
                        user[id] = u;
                        sys[id] = s;
                }
                if (id + 1 > n)
                        n = (size_t)id + 1;
        }
        if (!header)
                return -EINVAL;
        *ret_n = n;
        return 0;
}

int pv_parse_cpuacct_usage_all(const char *text, uint64_t **ret_user, uint64_t **ret_sys,
                               size_t *ret_n)
{
        size_t n;
        int r = usage_all_pass(text, NULL, NULL, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return -EINVAL; /* a header alone: no CPU at all is not a real cpuacct */
        uint64_t *user = calloc(n, sizeof(uint64_t));
        uint64_t *sys = calloc(n, sizeof(uint64_t));
        if (!user || !sys) {
                free(user);
                free(sys);
                return -ENOMEM;
        }
        (void)usage_all_pass(text, user, sys, &n);
        *ret_user = user;
        *ret_sys = sys;
        *ret_n = n;
        return 0;
}

int pv_parse_u64_list(const char *text, uint64_t **ret, size_t *ret_n)
{
        size_t n = 0, cap = 0;
        uint64_t *v = NULL;
        const char *p = text;

        for (;;) {
                while (isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                const char *b = p;
                while (*p && !isspace((unsigned char)*p))
                        p++;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        uint64_t *nv = realloc(v, cap * sizeof(uint64_t));
                        if (!nv) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = nv;
                }
                if (pv_parse_u64_n(b, (size_t)(p - b), &v[n]) < 0) {
                        free(v);
                        return -EINVAL;
                }
                n++;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* ---- cpu ---- */

void pv_cpu_usage_clear(PvCpuUsage *u)
{
        free(u->percpu_user_ns);
        free(u->percpu_system_ns);
        memset(u, 0, sizeof(*u));
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

int pv_parse_proc_stat_state(const char *text, char *ret)
{
        /* comm may hold ')' and spaces, but every field after it is numeric, so the last ')' closes
         * it */
        const char *rp = strrchr(text, ')');
        if (!rp || rp[1] != ' ' || !isalpha((unsigned char)rp[2]))
                return -EINVAL;
        *ret = rp[2];
        return 0;
}
