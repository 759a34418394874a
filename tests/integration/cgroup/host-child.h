/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shared by the real-cgroup tests (test-v1-host.c, test-v2-host.c): one child
 * process that the test moves into the cgroups it created, then drives over
 * two pipes, and the checks both hosts make through it. Failures are Check
 * assertions, so these run inside a test (CK_NOFORK: the child and the cgroups
 * belong to the test program, whose main() cleans up).
 */

#include <sys/types.h>

#include "cgroup/backend.h"

/* Writes text to dir/file (a cgroup control file), asserting it is taken whole. */
void host_write_at(const char *dir, const char *file, const char *text);

/*
 * Removes the cgroup directory dir, retrying for up to 2 s while it is busy
 * (a cgroup stays populated for a moment while its last task exits).
 * Returns 0 or -1 with errno set, as rmdir().
 */
int host_rmdir_retry(const char *dir);

/* What the child writes to its disk, if given one. */
#define HOST_CHILD_DISK_BYTES (1u << 20)

/*
 * Forks the child. On 'm' it allocates and touches 4 MiB, then, when disk is
 * not NULL, writes HOST_CHILD_DISK_BYTES to it with O_DIRECT (charged to its cgroup now, not
 * at writeback) and answers 'm'. On 'b' it answers 's', burns burn_ns of CPU
 * in its one thread, answers 'd' and sleeps until killed.
 */
void host_child_start(unsigned long long burn_ns, const char *disk);
/* The child's pid, -1 when there is none. */
pid_t host_child_pid(void);
/* Sends a one-letter command to the child. */
void host_child_send(char cmd);
/* Asserts that the child's next answer is want. */
void host_child_expect(char want);
/* Kills and reaps the child; a no-op when there is none. */
void host_child_kill(void);
/* Writes the child's pid to dir/cgroup.procs. */
void host_child_move(const char *dir);
/* Opens the child's cgroups as procviewd would, from its /proc/PID/cgroup. */
PvCgroup *host_child_open_cgroup(const PvHierarchy *h);

/*
 * Makes the child ('m' sent and answered) burn its CPU time while asserting
 * that the cgroup counts one running thread, the child, and that the
 * cgroup's CPU usage grows by at least 3/4 of burn_ns. *ret_before and
 * *ret_after are the usages read before and after; the caller clears them.
 */
void host_check_burn(const PvCgroup *cg, unsigned long long burn_ns, PvCpuUsage *ret_before,
                     PvCpuUsage *ret_after);

/*
 * After the cgroups were removed while cg was held: every getter fails and
 * leaves its output untouched, none crashes.
 */
void host_check_vanished(const PvCgroup *cg);
