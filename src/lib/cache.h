/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One value (the preload's CPU count) remembered together with the CPU
 * affinity mask it was computed under, so that a caller can trust it while
 * its mask is unchanged: a cpuset change rewrites the mask of every task in
 * the cpuset, and moving a task to another cgroup sets its mask to that
 * cgroup's cpuset, so comparing masks (one system call) notices both at once.
 *
 * Readers never wait and never write: a seqlock lets any number of threads
 * read while one stores; a reader that overlaps a store misses and computes
 * the value itself. Nothing allocates, so it works inside malloc's own
 * initialisation. Zero-initialised storage is an empty cache.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Masks of up to 1024 CPUs are cached; beyond that every call computes. */
#define PV_LIB_CACHE_WORDS 16

typedef struct PvLibCountCache {
        unsigned seq; /* 0: empty; odd: a store is under way */
        unsigned value;
        size_t n_words;
        int64_t stamp_ns;
        uint64_t mask[PV_LIB_CACHE_WORDS];
} PvLibCountCache;

/*
 * The value stored for exactly this mask (n_words words), if it was stored
 * less than max_age_ns before now_ns (any monotonic clock, the same for
 * every call). Returns true and sets *ret on a hit; false leaves *ret alone.
 */
bool pv_lib_count_cache_get(const PvLibCountCache *c, const uint64_t *mask, size_t n_words,
                            int64_t now_ns, int64_t max_age_ns, unsigned *ret);

/*
 * Remembers value for mask as of now_ns. Does nothing when another thread is
 * storing (its value is as good) or when the mask is longer than the cache.
 */
void pv_lib_count_cache_put(PvLibCountCache *c, const uint64_t *mask, size_t n_words,
                            int64_t now_ns, unsigned value);
