/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Tenants: whose allowance a container's open files take (handle.h,
 * allowance.h).
 *
 * A reader's container is the cgroup of its pid namespace's init, so a
 * tenant who can make cgroups and pid namespaces (a root user in a user
 * namespace, a nested container runtime) can make as many containers as it
 * likes below its own. Its tenant is the container of the init of the
 * outermost pid namespace below the daemon's on the reader's chain: the
 * container the host started, whatever cgroups and namespaces it made
 * inside. A container read from the daemon's pid namespace, or from a pid
 * namespace right below it, is its own tenant.
 *
 * Until a container's tenant is known (its outer namespace's init must wait
 * for a scan of /proc, or is missing), its handles take from the daemon's
 * one allowance for unknown tenants (PV_UNKNOWN_PART), never from a fresh
 * one: making namespaces whose tenant is hard to find gains a tenant at
 * most that small shared allowance.
 */

#include <sys/types.h>

#include "allowance.h"
#include "container.h"
#include "daemon.h"

/*
 * Finds the tenant of c, the container of the reader pid, unless known:
 * once found it stays (c->tenant). A failure leaves it unknown, and the
 * next open tries again. Returns 0 or -errno (-EBUSY: a scan of /proc must
 * end first).
 */
int pv_tenant_resolve(PvDaemon *d, PvContainer *c, pid_t pid);

/*
 * The allowance c's open files take: its tenant's, or d->unknown while its
 * tenant is unknown. A new reference.
 */
PvAllowance *pv_tenant_allowance(PvDaemon *d, PvContainer *c);
