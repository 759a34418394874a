/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The keeper's connection: mounting, or taking it over (keeper-mount.c). */

#include "keeper-state.h"

/*
 * Gets k its FUSE connection and state: from the keeper that executed us
 * when resume (its hand-over) is not NULL, else from systemd's fd store,
 * else by mounting k->opts->mountpoint afresh. Returns 0 or -errno (said
 * why).
 */
int pv_keeper_connect(Keeper *k, const char *resume);
