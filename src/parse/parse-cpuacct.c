/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers that allocate their results: cpuacct per-CPU usage, number lists. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "text.h"

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

void pv_cpu_usage_clear(PvCpuUsage *u)
{
        free(u->percpu_user_ns);
        free(u->percpu_system_ns);
        memset(u, 0, sizeof(*u));
}
