/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The loadavg sampler: one thread that every opts.sample_interval_s folds the
 * 5-second load ticks passed into every registered container's averages
 * (container.h), and forgets containers idle for opts.idle_expiry_s. The
 * ticks count from pv_sampler_start.
 */

#include "daemon.h"

int pv_sampler_start(PvDaemon *d);
void pv_sampler_stop(PvDaemon *d);
