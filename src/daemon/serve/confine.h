/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The worker's least privilege. The worker parses what every reader sends
 * and what every tenant writes into its cgroups, so once it is set up (its
 * descriptors open, its limits raised) and before it answers anything, it
 * keeps only what its reads need:
 *
 * - capabilities: CAP_SYS_PTRACE alone, in the effective, permitted and
 *   bounding sets. /proc/PID/ns/pid of a reader or an init whose uid is not
 *   root, or whose capabilities exceed the worker's, opens only with it
 *   (ptrace access mode read). Every other file the worker opens is readable
 *   by uid 0 without a capability: /proc/PID/{cgroup,stat,status,task},
 *   cgroup counters, the host's /proc texts.
 * - securebits that keep uid 0 from regaining capabilities, and no_new_privs.
 * - a seccomp filter that allows the system calls the worker makes and
 *   nothing else: files open read-only (openat without write, create, truncate
 *   or append flags), signals go to itself only, sockets are netlink
 *   (taskstats) and send to the kernel only, ioctl answers FIONREAD, TCGETS
 *   and the pid-namespace queries. Any other call ends the worker at once
 *   with PV_WORKER_EXIT_SYSCALL after one line on stderr naming the call's
 *   number; the keeper starts another. connect() and other sockets fail with
 *   EPERM instead, so that syslog(3) reconnecting after a restart of the log
 *   daemon loses a message and not the worker.
 *
 * Sanitizer builds (PV_SANITIZED) also allow what the sanitizers' run-time
 * needs: writing reports, and the leak checker's ptrace of its own threads.
 */

#include <stdbool.h>

/*
 * Confines the calling process; with filter false, it loads no seccomp
 * filter (--no-seccomp: valgrind runs no seccomp(2)). It must be single-threaded: capabilities
 * are per thread (the filter alone is synchronised to every thread).
 * Returns 0, -EBUSY when other threads run, or -errno; on failure part of
 * it may be in effect, and the caller must exit.
 */
int pv_worker_confine(bool filter);
