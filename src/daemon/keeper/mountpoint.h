/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Makes a mount point usable for a new procview mount: creates it when
 * missing, refuses one another procviewd serves (live, or not answering),
 * and detaches a dead procview mount a killed daemon left behind. The state
 * of a mount there is read from mountinfo and a statfs() (never from stat(),
 * which a dead mount answers from cached attributes). Says why on stderr.
 * Returns 0 or -errno.
 */
int pv_mountpoint_prepare(const char *path);

/*
 * Enters the mount namespace named by the file ns_path (e.g. /proc/1/ns/mnt,
 * the node's, from a container with the host's pids), so that the mount
 * point, /run/procview and the host's /proc and /sys are the node's and the
 * mount outlives the container; the process must still be single-threaded.
 * Says why on stderr. Returns 0 or -errno.
 */
int pv_mountpoint_enter_ns(const char *ns_path);
