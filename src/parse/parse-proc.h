/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pure parsers of /proc/PID files, /proc/stat's btime, /proc/loadavg,
 * /proc/uptime, and the pid lists and cgroup.controllers of cgroups: no I/O,
 * no globals, libc only and allocation-free. The daemon's caller resolution, discovery and host
 * files, the backend's task lookups, libprocview and the preload share them.
 * Conventions as in parse.h: 0 or -errno, out-parameters untouched on failure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "parse-types.h"

/*
 * The start time (field 22, clock ticks since boot) and parent pid (field 4)
 * from the text of /proc/PID/stat. The command name may hold spaces and
 * parentheses, so fields are counted after the last ')'. Either out-parameter
 * may be NULL. Returns 0 or -EINVAL.
 */
int pv_parse_pid_stat(const char *text, pid_t *ret_ppid, uint64_t *ret_starttime);

/*
 * The flags (field 9, PF_* of include/linux/sched.h) from the text of
 * /proc/PID/stat, counted after the last ')' as above; the fields before
 * them must be a one-letter state and five decimal integers (ppid, pgrp,
 * session, tty_nr, tpgid). Returns 0 or -EINVAL.
 */
int pv_parse_pid_stat_flags(const char *text, unsigned *ret_flags);

/*
 * From /proc/PID/stat text, the state letter (the field after the last ')').
 * Returns 0 or -EINVAL.
 */
int pv_parse_proc_stat_state(const char *text, char *ret);

/*
 * The v1 name of controller c, as /proc/cgroups, mount options and
 * /proc/PID/cgroup write it ("blkio" for PV_CTRL_IO); NULL for a bad c.
 */
const char *pv_controller_v1_name(PvController c);

/* The controller whose v1 name is [name, name + len); -1 for none we use. */
int pv_controller_from_v1_name(const char *name, size_t len);

/*
 * Which controllers a cgroup2 cgroup.controllers text (one line of names
 * separated by spaces) offers: ret_offered[c] for each, by its v2 name
 * (PV_CTRL_CPUACCT is offered with "cpu", whose cpu.stat is core on v2).
 */
void pv_parse_cgroup_controllers(const char *text, bool ret_offered[_PV_CTRL_MAX]);

/* The fields of one /proc/PID/cgroup line; pointers into the line. */
typedef struct PvCgroupLine {
        uint64_t id; /* hierarchy id, 0 for the unified hierarchy */
        const char *ctrls;
        size_t ctrls_len; /* 0 on the unified line */
        const char *path;
        size_t path_len;
} PvCgroupLine;

/*
 * Splits the line [line, line + len) of /proc/PID/cgroup, "ID:CONTROLLERS:PATH",
 * into its fields; the path (absolute, may hold ':') runs to the end of the
 * line. Returns 0 or -EINVAL.
 */
int pv_cgroup_line_split(const char *line, size_t len, PvCgroupLine *ret);

/*
 * Matches one line of /proc/PID/cgroup (NUL-terminated, without its newline)
 * against ctrl, a controller's v1 name. Returns 1 when the line is the v1
 * hierarchy carrying ctrl, 2 when it is the unified line "0::PATH", 0 for
 * another line, -EINVAL for a malformed one; for 1 and 2, *ret_path points
 * to the path in line.
 */
int pv_cgroup_line_match(const char *line, const char *ctrl, const char **ret_path);

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

/*
 * The count after "KEY:" in the text of /proc/PID/status, for the keys that
 * hold one number of things, such as "Threads" (the threads of the process).
 * Returns 0, -ENOENT without such a line, or -EINVAL when its value is not
 * one decimal number of at most UINT_MAX.
 */
int pv_parse_status_count(const char *text, const char *key, unsigned *ret);

/*
 * The pid at the start of a cgroup's pid list (cgroup.procs, and a line of
 * tasks or cgroup.threads: one decimal pid per line), read as strtol() reads
 * it (leading blanks and a sign allowed); what follows the number is not
 * looked at, so the head of a long list read into a small buffer will do.
 * Returns 0 with a pid in 1..INT32_MAX, -ENOENT for a blank text (an empty
 * list), or -EINVAL.
 */
int pv_parse_first_pid(const char *text, pid_t *ret);

/*
 * /proc/loadavg: "0.50 0.40 0.30 2/345 6789". The three averages, and the
 * running and total task counts (either may be NULL). Returns 0 or -EINVAL.
 */
int pv_parse_loadavg(const char *text, double ret_loads[3], unsigned *ret_running,
                     unsigned *ret_total);

/* /proc/uptime: "123.45 678.90", the first number (seconds). Returns 0 or -EINVAL. */
int pv_parse_uptime(const char *text, double *ret_seconds);

/*
 * The boot time (seconds since the epoch) on the "btime N" line of /proc/stat
 * (fs/proc/stat.c). Returns 0, -ENOENT without such a line, or -EINVAL when
 * its value is not one decimal number.
 */
int pv_parse_stat_btime(const char *text, uint64_t *ret);
