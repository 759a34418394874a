/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The preload's CPU count cache, alone and under concurrent readers and writers. */
#include <pthread.h>
#include <stdint.h>

#include "cache.h"
#include "pv-check.h"

/* The preload's CPU count cache: a hit needs the same mask, the same length and a fresh stamp. */
START_TEST(test_count_cache)
{
        PvLibCountCache c = {0};
        uint64_t a[2] = {0x3, 0}, b[2] = {0x1, 0}, long_mask[PV_LIB_CACHE_WORDS + 1] = {0x3};
        unsigned n = 77;

        ck_assert(!pv_lib_count_cache_get(&c, a, 2, 1000, 100, &n));
        ck_assert_uint_eq(n, 77);
        pv_lib_count_cache_put(&c, a, 2, 1000, 2);
        ck_assert(pv_lib_count_cache_get(&c, a, 2, 1000, 100, &n));
        ck_assert_uint_eq(n, 2);
        ck_assert(pv_lib_count_cache_get(&c, a, 2, 1099, 100, &n));
        /* the mask changed (a cpuset change rewrites it): computed again at once */
        n = 77;
        ck_assert(!pv_lib_count_cache_get(&c, b, 2, 1001, 100, &n));
        ck_assert_uint_eq(n, 77);
        /* the same bits in a mask of another length are another mask */
        ck_assert(!pv_lib_count_cache_get(&c, a, 1, 1001, 100, &n));
        /* too old: what the mask cannot show (a quota) is read again */
        ck_assert(!pv_lib_count_cache_get(&c, a, 2, 1100, 100, &n));
        /* a stamp later than the reader's clock (stored by a later reader) is fresh */
        ck_assert(pv_lib_count_cache_get(&c, a, 2, 900, 100, &n));
        /* the new mask replaces the old one */
        pv_lib_count_cache_put(&c, b, 2, 2000, 1);
        ck_assert(pv_lib_count_cache_get(&c, b, 2, 2000, 100, &n));
        ck_assert_uint_eq(n, 1);
        ck_assert(!pv_lib_count_cache_get(&c, a, 2, 2000, 100, &n));
        /* a mask longer than the cache is never stored, and the old entry stays */
        pv_lib_count_cache_put(&c, long_mask, PV_LIB_CACHE_WORDS + 1, 3000, 9);
        ck_assert(!pv_lib_count_cache_get(&c, long_mask, PV_LIB_CACHE_WORDS + 1, 3000, 100, &n));
        ck_assert(pv_lib_count_cache_get(&c, b, 2, 2050, 100, &n));
        ck_assert_uint_eq(n, 1);
}
END_TEST

/*
 * Two writers store two masks that differ in every word, each with its own
 * value, while readers look both up: a hit must always pair a mask with its
 * own value, which a torn read (half of one store, half of the other) breaks.
 */
static PvLibCountCache shared_cache;
static uint64_t mask_one[PV_LIB_CACHE_WORDS], mask_two[PV_LIB_CACHE_WORDS];
static int cache_stop;

static void *cache_writer(void *arg)
{
        const uint64_t *mask = arg;
        unsigned value = mask == mask_one ? 1 : 2;
        /* the pause leaves readers whole copies to hit, between stores that overlap them */
        for (int64_t t = 1; !__atomic_load_n(&cache_stop, __ATOMIC_RELAXED); t++) {
                pv_lib_count_cache_put(&shared_cache, mask, PV_LIB_CACHE_WORDS, t, value);
                sched_yield();
        }
        return NULL;
}

static void *cache_reader(void *arg)
{
        unsigned long hits = 0, wrong = 0;
        for (int i = 0; i < 2000000; i++) {
                const uint64_t *mask = i % 2 ? mask_one : mask_two;
                unsigned n;
                if (pv_lib_count_cache_get(&shared_cache, mask, PV_LIB_CACHE_WORDS, 0, INT64_MAX,
                                           &n)) {
                        hits++;
                        wrong += n != (mask == mask_one ? 1u : 2u);
                }
        }
        ck_assert_msg(wrong == 0, "%lu of %lu hits gave the other mask's value", wrong, hits);
        return (void *)hits;
}

START_TEST(test_count_cache_threads)
{
        pthread_t w[2], r[2];
        void *hits[2];
        for (int i = 0; i < PV_LIB_CACHE_WORDS; i++) {
                mask_one[i] = 0x5555555555555555ull;
                mask_two[i] = 0xaaaaaaaaaaaaaaaaull;
        }
        pthread_create(&w[0], NULL, cache_writer, mask_one);
        pthread_create(&w[1], NULL, cache_writer, mask_two);
        for (int i = 0; i < 2; i++)
                pthread_create(&r[i], NULL, cache_reader, NULL);
        for (int i = 0; i < 2; i++)
                pthread_join(r[i], &hits[i]);
        __atomic_store_n(&cache_stop, 1, __ATOMIC_RELAXED);
        pthread_join(w[0], NULL);
        pthread_join(w[1], NULL);
        /* not a proof of anything when no lookup ever hit */
        ck_assert((uintptr_t)hits[0] + (uintptr_t)hits[1] > 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("lib-cache");
        TCase *tk = tcase_create("count-cache");
        tcase_add_test(tk, test_count_cache);
        tcase_add_test(tk, test_count_cache_threads);
        suite_add_tcase(s, tk);
        return pv_check_run(s);
}
