/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

bool pv_line_next(const char **p, PvLine *ret)
{
        const char *s = *p;
        if (!*s)
                return false;
        const char *nl = strchr(s, '\n');
        ret->start = s;
        ret->complete = nl != NULL;
        ret->len = nl ? (size_t)(nl - s) : strlen(s);
        *p = nl ? nl + 1 : s + ret->len;
        return true;
}

bool pv_line_blank(const PvLine *l)
{
        for (size_t i = 0; i < l->len; i++)
                if (!isspace((unsigned char)l->start[i]))
                        return false;
        return true;
}

bool pv_str_blank(const char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        return *s == '\0';
}

bool pv_line_next_data(const char **p, PvLine *ret)
{
        while (pv_line_next(p, ret))
                if (!pv_line_blank(ret))
                        return true;
        return false;
}

size_t pv_line_split(const PvLine *l, const char **tok, size_t *tok_len, size_t max)
{
        size_t n = 0, i = 0;
        while (i < l->len) {
                while (i < l->len && isspace((unsigned char)l->start[i]))
                        i++;
                if (i >= l->len)
                        break;
                size_t b = i;
                while (i < l->len && !isspace((unsigned char)l->start[i]))
                        i++;
                if (n == max)
                        return max + 1;
                tok[n] = l->start + b;
                tok_len[n] = i - b;
                n++;
        }
        return n;
}

int pv_parse_u64_n(const char *s, size_t len, uint64_t *ret)
{
        uint64_t v = 0;
        /* no cap on digits: leading zeros are a number, overflow is caught below */
        if (len == 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!isdigit((unsigned char)s[i]))
                        return -EINVAL;
                unsigned d = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

bool pv_tok_eq(const char *tok, size_t len, const char *word)
{
        /* stops at the first difference: parsers try many words on each token */
        for (size_t i = 0; i < len; i++)
                if (word[i] != tok[i] || !word[i])
                        return false;
        return word[len] == '\0';
}

bool pv_list_has(const char *list, size_t len, char sep, const char *word)
{
        const char *end = list + len;
        for (const char *p = list; p <= end;) {
                const char *e = memchr(p, sep, (size_t)(end - p));
                if (!e)
                        e = end;
                if (pv_tok_eq(p, (size_t)(e - p), word))
                        return true;
                p = e + 1;
        }
        return false;
}
