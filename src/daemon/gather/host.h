/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host's own files, kept open: a read is one pread() at offset 0, which
 * makes procfs and sysfs generate fresh content (see pv_pread_all()). Which
 * files they are, which are required and how each is read is said by the
 * file table's rows (fs-table.h, PvFile.host): a host file is known by its
 * row's path.
 */

#include <stddef.h>

#include "cpuset.h"

typedef struct PvDaemon PvDaemon;
typedef struct PvFile PvFile;

/* The host's files of d (d->host): the rows they belong to, their fds (host.c). */
typedef struct PvHost PvHost;

/*
 * Opens, as d->host, the host file of every row of rows (n_rows of them,
 * the file table: pv_fs_files) that has one: under opts.host_proc for proc/
 * rows, under opts.sys_cpu_dir for sys/devices/system/cpu/ rows, under
 * opts.sys_node_dir for sys/devices/system/node/ rows (that directory kept
 * open; a host without it has no node files). Returns 0, or -errno when a
 * required one cannot be opened; the others may be missing. pv_host_close()
 * frees what was opened either way.
 */
int pv_host_open(PvDaemon *d, const PvFile *rows, size_t n_rows);
void pv_host_close(PvDaemon *d);

/*
 * After pv_host_open() failed: what it could not open, as the option and the
 * path ("--host-proc=/x" for the directory, "--host-proc=/x: /x/meminfo" for
 * a file in it); valid until pv_host_close(). NULL if it did not fail.
 */
const char *pv_host_missing(const PvDaemon *d);

/*
 * Sets d->host_btime_s, the host's boot time, from its proc/stat (0 when that
 * has no btime line). Returns 0 or -errno.
 */
int pv_host_read_btime(PvDaemon *d);

/*
 * The whole current text of the host file of the row at path (as
 * "proc/meminfo"), malloc()ed. -ENOENT if the host lacks it or no row with a
 * host file has that path.
 */
int pv_host_read(PvDaemon *d, const char *path, char **ret, size_t *ret_len);

/* The cpu or node list of the host file at path (pv_host_read), parsed. Returns 0 or -errno. */
int pv_host_read_cpuset(PvDaemon *d, const char *path, PvCpuSet *ret);

/*
 * The whole current text of the host's node<node>/<name> under
 * opts.sys_node_dir, malloc()ed. Opened per read: nodes come and go with
 * memory hotplug. -ENOENT if the host lacks it.
 */
int pv_host_read_node(PvDaemon *d, unsigned node, const char *name, char **ret);
