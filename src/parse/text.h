/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Line, token and number helpers of every parser of kernel texts: the
 * cgroup parsers, the renderers, libprocview and the preload. Pure, libc
 * only, and nothing here allocates: lines and tokens point into the text.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One line of a text: [start, start + len), complete when it ended with '\n'. */
typedef struct PvLine {
        const char *start;
        size_t len;
        bool complete;
} PvLine;

/*
 * Fills ret with the line at *p and advances *p past it (and its newline).
 * Returns false at the end of the text.
 */
bool pv_line_next(const char **p, PvLine *ret);

/* True when the line holds only whitespace. */
bool pv_line_blank(const PvLine *l);

/*
 * pv_line_next, skipping blank lines: the parsers ignore them wherever they
 * stand. Returns false at the end of the text.
 */
bool pv_line_next_data(const char **p, PvLine *ret);

/*
 * Splits a line into at most max whitespace-separated tokens (tok[i] points
 * into the line, tok_len[i] its length). Returns the count, or max + 1 when
 * the line has more.
 */
size_t pv_line_split(const PvLine *l, const char **tok, size_t *tok_len, size_t max);

/* True when s holds nothing but white space (as the newline that ends a value). */
bool pv_str_blank(const char *s);

/* Parses exactly len bytes as an unsigned decimal number. Returns 0 or -EINVAL. */
int pv_parse_u64_n(const char *s, size_t len, uint64_t *ret);

/* True when the token of len bytes is word. */
bool pv_tok_eq(const char *tok, size_t len, const char *word);

/*
 * True when the list [list, list + len) of words separated by sep (the
 * controllers of a /proc/PID/cgroup line, a mount's options) holds word.
 */
bool pv_list_has(const char *list, size_t len, char sep, const char *word);

/*
 * -1, 0 or 1 as a is below, equal to or above b: the comparators that sort
 * parsed records chain it over their keys with ?:.
 */
static inline int pv_cmp_i64(int64_t a, int64_t b)
{
        return (a > b) - (a < b);
}
