/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The loadavg sampler: one thread that every opts.sample_interval_s scans
 * the cgroups for containers nobody has read yet (discover.h), folds the
 * 5-second load ticks passed into every registered container's averages
 * (container.h), and forgets containers idle for opts.idle_expiry_s that
 * the scan does not track. The ticks count from pv_sampler_start.
 */

#include "daemon.h"

int pv_sampler_start(PvDaemon *d);
void pv_sampler_stop(PvDaemon *d);
