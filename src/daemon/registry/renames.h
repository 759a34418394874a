/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Whether the v1 cgroup directories a container holds are still the ones
 * its paths name. A v1 cgroup can be renamed, and a new one made under its
 * old name, or removed and made again; the registry must then give readers
 * the new one. Looking each path up again on every open costs one lookup per
 * hierarchy. Instead, inotify watches every held directory and its
 * ancestors: a rename or removal under any of them is an event, and events
 * advance a generation. A container checked by lookup at the current
 * generation needs no lookup until the next event.
 */

#include <stdbool.h>
#include <stdint.h>

#include "cgroup/backend.h"

typedef struct PvRenames PvRenames;

/*
 * A new watch that places at most max_watches inotify watches (they count
 * against the user's fs.inotify.max_user_watches, shared with the host's
 * other services), or NULL when inotify is unavailable (then every open
 * looks up).
 */
PvRenames *pv_renames_new(unsigned max_watches);
/* Frees w, not NULL (g_clear_pointer calls it only for a watch). */
void pv_renames_free(PvRenames *w);
/* The watches in place; those of removed directories are counted out at the next call below. */
unsigned pv_renames_watches(PvRenames *w);

/*
 * The number of event batches seen so far, after reading every event
 * queued. A rename finished before the call is counted in what it returns.
 * Returns 0 for a NULL w.
 */
uint64_t pv_renames_generation(PvRenames *w);

/*
 * The number of removals of watched directories or their subdirectories
 * seen so far, after reading every event queued. Returns 0 for a NULL w.
 */
uint64_t pv_renames_removals(PvRenames *w);

/*
 * Watches the v1 directories of cg (pv_cgroup_foreach_v1_dir), and the
 * parent of its directory on the unified hierarchy
 * (pv_cgroup_foreach_v2_parent) for its removal alone, within the same
 * max_watches (siblings share their parent's). Returns true when all v1
 * directories are watched; false (NULL w, max_watches reached, out of the
 * user's watches) means cg must be looked up on every open. A v2 directory
 * left unwatched needs no lookups (no renames there): its removal is found
 * at the sampler's next pass instead.
 */
bool pv_renames_watch(PvRenames *w, const PvCgroup *cg);
