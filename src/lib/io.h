/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Allocation-free text helpers of the libprocview core (src/lib only): path
 * building into caller buffers and a line reader over an fd with a fixed
 * buffer. No malloc(), no stdio: see core.h for why.
 */

#include <stdbool.h>
#include <stddef.h>

#define PV_LIB_LINE_MAX 4096

/*
 * Appends s to buf of size len, whose first *pos bytes are used, keeping it
 * NUL-terminated. Returns 0, or -ENAMETOOLONG when it does not fit (buf and
 * *pos untouched).
 */
int pv_lib_append(char *buf, size_t len, size_t *pos, const char *s);

/* The same for the decimal text of v. */
int pv_lib_append_uint(char *buf, size_t len, size_t *pos, unsigned long v);

/* Reads lines from fd (borrowed, not closed) through a buffer of PV_LIB_LINE_MAX bytes. */
typedef struct PvLibLineReader {
        int fd;
        size_t start, end;
        bool eof, skipping;
        char buf[PV_LIB_LINE_MAX];
} PvLibLineReader;

void pv_lib_line_reader_init(PvLibLineReader *r, int fd);

/*
 * The next line, NUL-terminated, without its newline, pointing into r->buf
 * (valid until the next call); NULL at the end or on a read error. Lines
 * longer than the buffer are skipped whole: the files read this way
 * (mountinfo, cgroup membership) only matter for short lines, and a long
 * overlayfs line must not derail the parse.
 */
char *pv_lib_line_reader_next(PvLibLineReader *r);
