/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The registry: the containers of the daemon by their cgroups' paths, each
 * registered once on first use, forgotten when its cgroups go, when nobody
 * read it for long, or when the registry's budgets (budget.h) are spent.
 */

#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "daemon.h"

/*
 * The container of the cgroups paths names, registered on first use and
 * keyed by the paths. An entry whose directories are no longer the ones the
 * paths name (a v1 cgroup renamed, or removed and made again) is replaced by
 * a new container; a lookup checks that only after a rename event since its
 * last check (renames.h), or on every call when its directories are not
 * watched. start_ns is when the process whose cgroups
 * these are started; start_exact says it is the container's first process
 * (the init of its pid namespace), else the container's start is its
 * cgroup's oldest task's, if older. Returns a new reference in *ret, 0,
 * -ENOENT (a cgroup does not exist) or -errno.
 */
int pv_registry_get(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns, bool start_exact,
                    PvContainer **ret);
/*
 * pv_registry_get for the discovery scan: not a read, so a container nobody
 * read stays the least recently read (the first whose fds the budget takes
 * back), and its start is its cgroup's oldest task's.
 */
int pv_registry_discover(PvDaemon *d, const PvCgroupPaths *paths, uint64_t start_ns,
                         PvContainer **ret);

/*
 * Removes c from the registry if it is still the entry for its cgroups:
 * they were removed, and the next reader of those paths must get the
 * cgroups made anew under them (a container restarted under the same name).
 * Returns true when it removed c.
 */
bool pv_registry_forget(PvDaemon *d, PvContainer *c);

/*
 * Forgets, with the fds they hold, the registered containers whose cgroups
 * were removed: the next reader of their paths gets the cgroups made anew
 * there. Released containers hold no fds and are left to the expiry.
 */
void pv_registry_drop_removed(PvDaemon *d);

/*
 * Drops the registry entries unused for opts.idle_expiry_s, but not those
 * the discovery scan tracks while their last sample found tasks; and at
 * once those whose cgroups were removed, with the fds they held.
 */
void pv_registry_expire(PvDaemon *d);
/* Calls fn on a new reference to every registered container (fn unrefs). */
void pv_registry_foreach(PvDaemon *d, void (*fn)(PvDaemon *d, PvContainer *c, void *data),
                         void *data);
/* Drops every registry entry; handles keep their references. */
void pv_registry_clear(PvDaemon *d);

/*
 * Pins c's cgroups for reading through c->cg (pv_container_pin_open(),
 * budget.h), trimming the registry first when its budgets are spent and
 * after a reopening that spent them. Returns 0, -ENOENT (they were removed,
 * or renamed away) or -errno; on success pv_container_unpin() must follow.
 */
int pv_container_pin(PvDaemon *d, PvContainer *c);

/*
 * Brings the fds held and the containers registered back under 7/8 of
 * their budgets, least recently read first. One thread trims at a time;
 * others return at once.
 */
void pv_registry_trim(PvDaemon *d);
/* pv_registry_trim, waiting for a trim under way rather than return. */
void pv_registry_trim_wait(PvDaemon *d);
