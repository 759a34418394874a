/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Start-up checks of the namespaces procviewd runs in. procviewd serves the
 * whole host: it finds a reader's container from the reader's pid (which the
 * kernel gives in the pid namespace of the daemon that mounted) and the
 * cgroup paths in /proc/PID/cgroup (which the kernel writes relative to the
 * reading process's cgroup namespace). Started in a private namespace of
 * either kind, it could serve no reader outside that namespace, and every
 * such reader would get EIO.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * The inode numbers of the initial namespaces, fixed by the kernel
 * (include/linux/proc_ns.h: PROC_PID_INIT_INO, PROC_CGROUP_INIT_INO) since
 * Linux 4.6, whatever user namespace looks at them.
 */
#define PV_PIDNS_INIT_INO UINT64_C(0xEFFFFFFC)
#define PV_CGROUPNS_INIT_INO UINT64_C(0xEFFFFFFB)

/* What pv_preflight_judge() found wrong. */
typedef enum PvPreflightProblem {
        PV_PREFLIGHT_OK,
        PV_PREFLIGHT_CGROUPNS,    /* a private cgroup namespace */
        PV_PREFLIGHT_PIDNS,       /* a private pid namespace */
        PV_PREFLIGHT_FOREIGN_PROC /* /proc belongs to another pid namespace */
} PvPreflightProblem;

/* What a process sees of its namespaces; an inode of 0 means "no such namespace". */
typedef struct PvNamespaces {
        uint64_t cgroupns_ino; /* 0: the kernel has no cgroup namespaces (before 4.6) */
        uint64_t pidns_ino;
        bool proc_is_ours; /* /proc/self names this process */
} PvNamespaces;

/*
 * Judges the namespaces ns (pure): the first problem found, cgroup namespace
 * first, or PV_PREFLIGHT_OK.
 */
PvPreflightProblem pv_preflight_judge(const PvNamespaces *ns);

/*
 * The one-line explanation of problem, with what to do instead (static
 * string), or NULL for PV_PREFLIGHT_OK.
 */
const char *pv_preflight_explain(PvPreflightProblem problem);

/*
 * Reads this process's namespaces from /proc and refuses the ones that
 * would make every reader fail; says why on stderr in one line.
 * Returns 0, -EPERM for a refused namespace, or -errno when /proc cannot be
 * read.
 */
int pv_preflight_check(void);
