/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Tasks seen through a dirfd of /proc (proc_fd): their files, their pid
 * namespaces, and the init of a namespace. Return 0 or -errno; -ESRCH when
 * the task is gone. Out-parameters untouched on failure.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

/* Linux >= 6.11: translate a pid of a pid namespace into ours (linux/nsfs.h). */
#ifndef NS_GET_TGID_FROM_PIDNS
#define NS_GET_TGID_FROM_PIDNS _IOR(0xb7, 0x7, int)
#endif

/* The text of /proc/PID/NAME, malloc()ed. */
int pv_procfs_read(int proc_fd, pid_t pid, const char *name, char **ret);

/*
 * The text of /proc/PID/task/TID/NAME, malloc()ed: what NAME says of thread
 * tid of process pid, where /proc/PID/NAME speaks for its main thread.
 */
int pv_procfs_thread_read(int proc_fd, pid_t pid, pid_t tid, const char *name, char **ret);

/* The ids of pid's threads (/proc/PID/task), its main thread's included: a new GArray of pid_t. */
int pv_procfs_threads(int proc_fd, pid_t pid, GArray **ret);

/* The inode of pid's pid namespace (/proc/PID/ns/pid). */
int pv_procfs_pidns_ino(int proc_fd, pid_t pid, uint64_t *ret);

/* When pid started, in ns of CLOCK_BOOTTIME, from /proc/PID/stat (clk_tck: sysconf(_SC_CLK_TCK)).
 */
int pv_procfs_start_ns(int proc_fd, long clk_tck, pid_t pid, uint64_t *ret);

/*
 * The host pid of the init of the pid namespace ns (open as nsfd) that pid
 * belongs to, found without looking at other processes: NS_GET_TGID_FROM_PIDNS
 * on Linux >= 6.11 (not tried when use_ioctl is false), else a walk up pid's
 * parents while they are in ns. Returns 0, -ESRCH (the kernel says ns has no
 * init), or -EAGAIN: pid joined ns from outside (setns) on an older kernel,
 * and only pv_procfs_pidns_init_scan() can tell.
 */
int pv_procfs_pidns_init_quick(int proc_fd, pid_t pid, int nsfd, uint64_t ns, bool use_ioctl,
                               pid_t *ret);

/*
 * Called every few processes a scan of /proc visits: false ends the scan
 * there. It may sleep, so that a long scan leaves the CPU to others.
 */
typedef bool (*PvProcfsScanPace)(void *userdata);

/*
 * The host pids of the inits of the pid namespaces ns[0..n-1] (sorted
 * ascending, distinct), looked for in one pass over every process of /proc:
 * an fstatat per process, visiting at most max_procs of them, while pace
 * says go on. ret_inits[i] is the init of ns[i], or 0 where none was found.
 * Returns 0 (every init found, or every process looked at), -ETIME (the
 * budget ran out first: ret_inits holds the inits found until then) or
 * -errno (ret_inits untouched).
 */
int pv_procfs_pidns_init_scan(int proc_fd, const uint64_t *ns, size_t n, unsigned max_procs,
                              PvProcfsScanPace pace, void *userdata, pid_t *ret_inits);
