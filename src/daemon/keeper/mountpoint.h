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
