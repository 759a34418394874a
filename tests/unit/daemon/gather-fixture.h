/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A daemon on fixture trees, for the gatherers' tests: the host directory in
 * the shape of --host-proc, --sys-cpu-dir and --sys-node-dir
 * (tests/fixtures/daemon/host) and the container of
 * tests/fixtures/cgroup/<tree>/pid-cgroup. PV_FIXTURES names the fixtures.
 */

#include <stdint.h>

#include <glib.h>

#include "gather/fs-table.h"

#define NS_PER_S 1000000000ULL

typedef struct Fixture {
        const char *tree; /* v1, v2, ...; or the directory of fixture_open_at */
        PvDaemon d;
        PvContainer c;
} Fixture;

/* PV_FIXTURES/rel, g_free() it. */
char *fixture_path(const char *rel);

/* The text of PV_FIXTURES/rel, g_free() it. */
char *read_fixture(const char *rel);

/* The cgroup of dir/pid-cgroup on hier, opened on the tree dir (its proc/ too). */
PvCgroup *fixture_open_dir(const char *dir, PvHierarchy *hier);
/* fixture_open_dir of PV_FIXTURES/cgroup/<tree>. */
PvCgroup *fixture_open_tree(const char *tree, PvHierarchy *hier);

/* The daemon with the fixture host, and the container of tree, started 100 s ago. */
void fixture_open(Fixture *f, const char *tree, PvCpuViewOption view);
/* The same for a tree anywhere (dir, borrowed: f->tree points to it). */
void fixture_open_at(Fixture *f, const char *dir, PvCpuViewOption view);
void fixture_close(Fixture *f);

/* fn's text for f's container into out, emptied first. Returns what fn returns. */
int gather(Fixture *f, PvGatherFn *fn, unsigned cpu, GString *out);

/* The gatherer of the row at path. */
PvGatherFn *gatherer(const char *path);
