/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers of the registry's tests on scratch cgroup trees (test-container.c, test-discover.c). */

#include "registry/daemon.h"

/* Writes text to root/rel, making its directories; fails the test if it cannot. */
void tree_put(const char *root, const char *rel, const char *text);

/* Removes the tree at root. */
void tree_remove(const char *root);

/* The number of containers d's registry holds. */
int registry_count(PvDaemon *d);
