/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static const char *log_ident; /* NULL: the program's name */
static unsigned log_flags = PV_LOG_STDERR | PV_LOG_STDERR_LEVEL;
static bool log_debug;

void pv_log_setup(const char *ident, unsigned flags, bool debug)
{
        log_ident = ident;
        log_flags = flags;
        log_debug = debug;
        if (flags & PV_LOG_SYSLOG)
                openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void pv_log(int priority, const char *fmt, ...)
{
        int saved_errno = errno; /* for %m, in each target */
        va_list ap;

        if (priority == LOG_DEBUG && !log_debug)
                return;
        if (log_flags & PV_LOG_STDERR) {
                static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                                    "warning", "notice", "info", "debug"};
                const char *ident = log_ident ? log_ident : program_invocation_short_name;
                char line[1024];

                va_start(ap, fmt);
                vsnprintf(line, sizeof(line), fmt, ap);
                va_end(ap);
                /* one call, so that the line reaches stderr in one write */
                if (log_flags & PV_LOG_STDERR_LEVEL)
                        fprintf(stderr, "%s: %s: %s\n", ident, names[priority & 7], line);
                else
                        fprintf(stderr, "%s: %s\n", ident, line);
        }
        if (log_flags & PV_LOG_SYSLOG) {
                errno = saved_errno;
                va_start(ap, fmt);
                vsyslog(priority, fmt, ap);
                va_end(ap);
        }
        errno = saved_errno;
}
