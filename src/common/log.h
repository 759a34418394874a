/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The logger of procviewd's processes (the keeper, its workers) and of
 * procview-oci-hook: they log through pv_log(), never by writing to stderr
 * with fprintf() themselves. procviewd writes "procviewd: LEVEL: MESSAGE" on
 * stderr in the foreground and to syslog otherwise; the hook writes
 * "procview-oci-hook: MESSAGE" on stderr and to syslog; LOG_DEBUG lines only
 * with --debug. The renderers, the cgroup backends and the parsers do not
 * log (CONTRIBUTING.md). procviewd's refusals to start (bad options, mount
 * point, preflight) are one "procviewd: error: WHY" line on stderr, before
 * any daemonizing. One output bypasses it: a confined worker's last words
 * on SIGSYS, from a signal handler, where only write(2) may be called.
 */

#include <stdbool.h>
#include <syslog.h>

/* Where pv_log() writes, and how: an OR of these for pv_log_setup(). */
enum {
        PV_LOG_STDERR = 1u << 0,       /* one line "IDENT: MESSAGE" on stderr */
        PV_LOG_STDERR_LEVEL = 1u << 1, /* with PV_LOG_STDERR: "IDENT: LEVEL: MESSAGE" */
        PV_LOG_SYSLOG = 1u << 2,       /* syslog(3) as IDENT[pid], facility daemon */
};

/*
 * Sends pv_log() to flags' targets under ident (a string that outlives the
 * logging, as openlog(3) keeps it); LOG_DEBUG lines only when debug. May be
 * called again, to change any of the three. Before the first call pv_log()
 * writes "NAME: LEVEL: MESSAGE" on stderr, NAME being the program's, without
 * LOG_DEBUG. The syslog connection is made here, before a process might
 * lose the right to make it.
 */
void pv_log_setup(const char *ident, unsigned flags, bool debug);
void pv_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pv_log_error(...) pv_log(LOG_ERR, __VA_ARGS__)
#define pv_log_warning(...) pv_log(LOG_WARNING, __VA_ARGS__)
#define pv_log_info(...) pv_log(LOG_INFO, __VA_ARGS__)
#define pv_log_debug(...) pv_log(LOG_DEBUG, __VA_ARGS__)
