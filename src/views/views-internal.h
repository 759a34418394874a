/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Helpers shared by the renderers: walking host text line by line and parsing
 * numbers, in the renderers' terms, on the line and number helpers every
 * parser uses (text.h, in pvparse).
 */

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

/*
 * One line of a NUL-terminated text: [start, start + len) without the newline.
 * Returns false at the end of the text. *pos advances past the newline.
 */
static inline bool pv_next_line(const char *text, size_t *pos, const char **ret_start,
                                size_t *ret_len)
{
        const char *p = text + *pos;
        PvLine l;
        if (!pv_line_next(&p, &l))
                return false;
        *ret_start = l.start;
        *ret_len = l.len;
        *pos = (size_t)(p - text);
        return true;
}

/*
 * Parses an unsigned decimal at *p (no sign, at least one digit) that must end
 * before end; advances *p. Returns false on no digits or overflow.
 */
static inline bool pv_parse_dec(const char **p, const char *end, uint64_t *ret)
{
        const char *s = *p;
        uint64_t v;
        while (s < end && isdigit((unsigned char)*s))
                s++;
        if (pv_parse_u64_n(*p, (size_t)(s - *p), &v) < 0)
                return false;
        *p = s;
        *ret = v;
        return true;
}

static inline const char *pv_skip_blanks(const char *p, const char *end)
{
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        return p;
}

/*
 * The key and number of a line [s, end) such as "Key: 123 kB" (sep ':') or
 * "key 123" (sep ' '): a key without white space up to the first sep, then
 * blanks and an unsigned decimal. *ret_rest is what follows the number.
 * Returns false, writing nothing, when the line is not of that form.
 */
static inline bool pv_split_key_dec(const char *s, const char *end, char sep, size_t *ret_key_len,
                                    uint64_t *ret_value, const char **ret_rest)
{
        const char *at = memchr(s, sep, (size_t)(end - s));
        const char *p;
        uint64_t v;

        if (!at || at == s)
                return false;
        for (p = s; p < at; p++)
                if (isspace((unsigned char)*p))
                        return false;
        p = pv_skip_blanks(at + 1, end);
        if (!pv_parse_dec(&p, end, &v))
                return false;
        *ret_key_len = (size_t)(at - s);
        *ret_value = v;
        *ret_rest = p;
        return true;
}

/* A key of a host text and what a renderer makes of it: a value of the renderer's own enum. */
typedef struct PvKeyName {
        const char *name;
        int key;
} PvKeyName;

/* The key of the row of table named [name, name + len), or -1 when no row has that name. */
static inline int pv_key_find(const PvKeyName *table, size_t n, const char *name, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
                        return table[i].key;
        return -1;
}

static inline uint64_t pv_min_u64(uint64_t a, uint64_t b)
{
        return a < b ? a : b;
}

static inline uint64_t pv_max_u64(uint64_t a, uint64_t b)
{
        return a > b ? a : b;
}

/* a + b, or UINT64_MAX when the sum does not fit: a huge counter must not wrap to a small one. */
static inline uint64_t pv_add_sat(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a - b, or 0 when b > a. */
static inline uint64_t pv_sub_sat(uint64_t a, uint64_t b)
{
        return a > b ? a - b : 0;
}

/* True when the line [s, s + len) starts with the word w followed by end, blank or ':'. */
static inline bool pv_line_is_key(const char *s, size_t len, const char *w)
{
        size_t n = strlen(w);
        return len >= n && memcmp(s, w, n) == 0 &&
               (len == n || s[n] == ' ' || s[n] == '\t' || s[n] == ':');
}
