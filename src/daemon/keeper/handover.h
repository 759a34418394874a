/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What passes from one keeper to the next: its fds, by exec or the fd store (handover.c). */

#include "keeper-state.h"

void pv_keeper_keep_fds(Keeper *k, bool keep);
/* Re-executes k->exe keeping the connection; returns only when that failed (logged). */
void pv_keeper_upgrade(Keeper *k);
/* Takes over from the keeper that executed us. 0, or -EINVAL on a bad hand-over. */
int pv_keeper_resume_from_env(Keeper *k, const char *env);
int pv_keeper_resume_from_fdstore(Keeper *k, GArray *jfds, GArray *jgens);
