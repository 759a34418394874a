/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Allocation-free text helpers of the libprocview core (lib-*.c only): path
 * building into caller buffers and a line reader over an fd with a fixed
 * buffer. No malloc(), no stdio: see lib-cgroup.h for why.
 */

#include <stdbool.h>
#include <stddef.h>

#define PVL_LINE_MAX 4096

/*
 * Appends s to buf of size len, whose first *pos bytes are used, keeping it
 * NUL-terminated. Returns 0, or -ENAMETOOLONG when it does not fit (buf and
 * *pos untouched).
 */
int pvl_append(char *buf, size_t len, size_t *pos, const char *s);

/* The same for the decimal text of v. */
int pvl_append_uint(char *buf, size_t len, size_t *pos, unsigned long v);

/* Reads lines from fd (borrowed, not closed) through a buffer of PVL_LINE_MAX bytes. */
typedef struct PvlLineReader {
        int fd;
        size_t start, end;
        bool eof, skipping;
        char buf[PVL_LINE_MAX];
} PvlLineReader;

void pvl_line_reader_init(PvlLineReader *r, int fd);

/*
 * The next line, NUL-terminated, without its newline, pointing into r->buf
 * (valid until the next call); NULL at the end or on a read error. Lines
 * longer than the buffer are skipped whole: the files read this way
 * (mountinfo, cgroup membership) only matter for short lines, and a long
 * overlayfs line must not derail the parse.
 */
char *pvl_line_reader_next(PvlLineReader *r);
