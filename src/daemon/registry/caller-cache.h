/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The cache of callers (caller.h) as caller.c, which keeps its readers, and
 * caller-target.c, which has a new target's exit watched, both see it.
 */

#include <glib.h>
#include <stdint.h>

#include "caller-pidns.h"
#include "caller.h"
#include "reaper.h"

/*
 * The keys of watched pidfds (reaper.h): a reader's is its thread id and
 * its entry's serial, found in one lookup; a target's (an init's) has this
 * bit and its own serial, and is found by a walk of both tables, as inits
 * exit far less often than readers.
 */
#define TARGET_KEY (UINT64_C(1) << 63)

struct PvCallerCache {
        /*
         * Protects readers. Readers of a cached entry share it, and check
         * that its processes live (a poll each) side by side.
         */
        GRWLock lock;
        GHashTable *readers;  /* pid (a thread id) -> CallerEntry* */
        PvPidnsCache *pidns;  /* has its own lock, never held with lock */
        unsigned max_entries; /* readers, and namespaces in pidns */
        PvReaper *reaper;     /* NULL: exits are seen by the sweeps only */
        uint64_t serial;      /* the last serial handed out; atomic */
};
