/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cache.h"

/*
 * A seqlock: the fields are read and written with relaxed atomics, so a
 * reader racing a store reads a torn copy but never undefined behaviour, and
 * the sequence number, unchanged and even across the whole read, proves the
 * copy whole (the fences order the field accesses against it).
 */
bool pv_lib_count_cache_get(const PvLibCountCache *c, const uint64_t *mask, size_t n_words,
                            int64_t now_ns, int64_t max_age_ns, unsigned *ret)
{
        unsigned seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
        if (seq == 0 || (seq & 1))
                return false;
        bool same = __atomic_load_n(&c->n_words, __ATOMIC_RELAXED) == n_words;
        for (size_t i = 0; same && i < n_words; i++)
                same = __atomic_load_n(&c->mask[i], __ATOMIC_RELAXED) == mask[i];
        int64_t stamp = __atomic_load_n(&c->stamp_ns, __ATOMIC_RELAXED);
        unsigned value = __atomic_load_n(&c->value, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&c->seq, __ATOMIC_RELAXED) != seq)
                return false;
        /* a stamp after now_ns (a thread that read the clock later stored it) is fresh */
        if (!same || now_ns - stamp >= max_age_ns)
                return false;
        *ret = value;
        return true;
}

void pv_lib_count_cache_put(PvLibCountCache *c, const uint64_t *mask, size_t n_words,
                            int64_t now_ns, unsigned value)
{
        if (n_words > PV_LIB_CACHE_WORDS)
                return;
        unsigned seq = __atomic_load_n(&c->seq, __ATOMIC_RELAXED);
        if ((seq & 1) || !__atomic_compare_exchange_n(&c->seq, &seq, seq + 1, false,
                                                      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
                return;
        __atomic_thread_fence(__ATOMIC_RELEASE);
        __atomic_store_n(&c->n_words, n_words, __ATOMIC_RELAXED);
        for (size_t i = 0; i < n_words; i++)
                __atomic_store_n(&c->mask[i], mask[i], __ATOMIC_RELAXED);
        __atomic_store_n(&c->stamp_ns, now_ns, __ATOMIC_RELAXED);
        __atomic_store_n(&c->value, value, __ATOMIC_RELAXED);
        /* after 2^31 stores seq wraps to 0, which reads as empty: one miss, no harm */
        __atomic_store_n(&c->seq, seq + 2, __ATOMIC_RELEASE);
}
