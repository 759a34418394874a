/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <syslog.h>

/*
 * Logs one line at prio (syslog's LOG_*) to stderr and syslog; LOG_DEBUG
 * lines only with --debug. The hook reports everything that goes wrong this
 * way and never through its exit status, which is always 0.
 */
void pv_oci_log(int prio, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
