/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The keeper: the process procviewd starts as. It mounts, holds the
 * /dev/fuse fd and the saved INIT request, and runs one worker (started
 * through launch.h; serve/worker.h) that serves on that fd. It never reads
 * cgroup data, so nothing a container does can crash it: its library,
 * pvkeeper, cannot include a cgroup, view or worker header. A worker that dies is replaced at once,
 * and what it had read is answered again (FUSE_NOTIFY_RESEND where the kernel has it, else the
 * worker's journal). Before mounting it checks that a worker can set up (a rehearsal, launch.h);
 * while workers cannot start, it answers every request with EIO itself (keeper-refuse.h).
 * SIGHUP re-executes the binary on disk with the fd kept open; SIGTERM and SIGINT unmount and
 * stop.
 */

#include "launch.h"

/*
 * Runs the keeper until it is stopped; argv is what to re-execute on SIGHUP,
 * worker_main what each worker it forks runs.
 * Mounts opts->mountpoint, unless the connection is handed over (by an
 * earlier keeper's re-execution or by systemd's fd store). Returns the
 * process exit status.
 */
int pv_keeper_main(PvOptions *opts, char **argv, PvWorkerMain *worker_main);
