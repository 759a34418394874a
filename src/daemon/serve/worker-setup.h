/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a worker opens before it serves (worker-setup.c). */

#include "registry/daemon.h"

/*
 * Opens what d serves from: the host's files (gather/host.h) and its boot
 * time, then the cgroup hierarchies and the registry (pv_daemon_setup()).
 * d->opts and d->n_files must be set, fds at -1. On failure, logs one line
 * naming the cause ("--host-proc=/x: /x/meminfo: No such file or
 * directory", "no cgroup hierarchy is mounted ...") and returns -errno;
 * pv_host_close() and pv_daemon_teardown() free what was opened either way.
 */
int pv_worker_setup(PvDaemon *d);
