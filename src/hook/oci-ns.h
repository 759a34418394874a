/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which mount namespace the hook runs in. */

/*
 * Whether this process shares the mount namespace of the host: the hook was
 * then configured for a stage that runs in the runtime namespace (prestart,
 * createRuntime), where its mounts would land on the host. A namespace that
 * cannot be told is not taken for the container's: the hook would bind the
 * views wherever it happens to run. Never logs.
 * Returns 1 (the host's), 0 (another), or -errno when it cannot be told
 * (that of reading /proc/1/ns/mnt when init is what could not be looked at).
 */
int pv_oci_in_host_mount_ns(void);
