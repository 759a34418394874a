/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging of the daemon (fs layer and main only): stderr in the foreground, syslog otherwise. */

#include <stdbool.h>
#include <syslog.h>

void pv_log_setup(bool use_stderr, bool debug);
void pv_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pv_log_error(...) pv_log(LOG_ERR, __VA_ARGS__)
#define pv_log_warning(...) pv_log(LOG_WARNING, __VA_ARGS__)
#define pv_log_info(...) pv_log(LOG_INFO, __VA_ARGS__)
#define pv_log_debug(...) pv_log(LOG_DEBUG, __VA_ARGS__)
