/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The loadavg sampler: one thread that every opts.sample_interval_s counts the
 * runnable and uninterruptible tasks of each container somebody has read
 * proc/loadavg of, and forgets containers idle for opts.idle_expiry_s. Only
 * containers that are read cost anything.
 */

#include "daemon.h"

int pv_sampler_start(PvDaemon *d);
void pv_sampler_stop(PvDaemon *d);
