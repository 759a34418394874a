/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The registry's global budgets. Every registered container may hold its
 * cgroups open (a directory fd per level of each distinct path), and a
 * tenant who can make cgroups can make many: the fds all of them hold are
 * counted against d->cg_fd_budget, and the containers registered against
 * d->registry_max. Past either, the least recently read containers give
 * theirs back first (discovered ones nobody read before any read one): their
 * fds are closed, and the next read opens them again; past the registry's,
 * unread entries without open files are forgotten. A container being read is
 * pinned and never released, so its read always works; the budget may then
 * be exceeded by what the pinned ones hold.
 */

#include "container.h"
#include "daemon.h"

/*
 * Pins c's cgroups for reading through c->cg, opening them again when the
 * budget released them (and checking that they are still the ones c
 * registered; *ret_reopened says it did). Makes no room: pv_container_pin()
 * (registry.h) does. Returns 0, -ENOENT (they were removed, or renamed
 * away) or -errno; on success pv_container_unpin() must follow.
 */
int pv_container_pin_open(PvDaemon *d, PvContainer *c, bool *ret_reopened);
void pv_container_unpin(PvContainer *c);

/*
 * Closes the fds of c's cgroups unless a read pins them. Returns true when
 * it closed them.
 */
bool pv_container_release(PvContainer *c);

/*
 * c->cg pinned if c holds it open, else NULL (the sampler then opens a
 * cgroup of its own rather than take the budget from readers).
 */
PvCgroup *pv_container_pin_if_open(PvContainer *c);

/* Counts the fds c->cg holds (c->cg_lock held, or c unshared). */
void pv_container_count_fds(PvContainer *c, gint *total);

/*
 * True when the fds held or the containers registered exceed their budget
 * (0: none).
 */
bool pv_budget_exceeded(PvDaemon *d);
