/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pure parsers of /proc/PID files: no I/O, no globals, libc only. The
 * daemon's caller resolution and the backend's oldest-task lookup share them.
 * Conventions as in parse.h: 0 or -errno, out-parameters untouched on failure.
 */

#include <stdint.h>
#include <sys/types.h>

/*
 * The start time (field 22, clock ticks since boot) and parent pid (field 4)
 * from the text of /proc/PID/stat. The command name may hold spaces and
 * parentheses, so fields are counted after the last ')'. Either out-parameter
 * may be NULL. Returns 0 or -EINVAL.
 */
int pv_parse_pid_stat(const char *text, pid_t *ret_ppid, uint64_t *ret_starttime);

/*
 * The innermost pid of the NSpid: line of /proc/PID/status (the pid as the
 * process's own pid namespace sees it). Returns 0, -ENOENT without an NSpid
 * line, or -EINVAL.
 */
int pv_parse_status_nspid(const char *text, pid_t *ret_inner);

/*
 * The pid after "KEY:" in the text of /proc/PID/status, for the single-pid
 * keys "Tgid" and "PPid" (as the reader of the file sees them).
 * Returns 0, -ENOENT without such a line, or -EINVAL.
 */
int pv_parse_status_pid(const char *text, const char *key, pid_t *ret);
