/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static bool log_stderr = true;
static bool log_debug;

void pv_log_setup(bool use_stderr, bool debug)
{
        log_stderr = use_stderr;
        log_debug = debug;
        if (!use_stderr)
                openlog("procviewd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void pv_log(int priority, const char *fmt, ...)
{
        va_list ap;

        if (priority == LOG_DEBUG && !log_debug)
                return;
        va_start(ap, fmt);
        if (log_stderr) {
                static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                                    "warning", "notice", "info", "debug"};
                char line[1024];
                vsnprintf(line, sizeof(line), fmt, ap);
                fprintf(stderr, "procviewd: %s: %s\n", names[priority & 7], line);
        } else {
                vsyslog(priority, fmt, ap);
        }
        va_end(ap);
}
