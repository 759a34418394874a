/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Input layout shared by the harnesses: the bytes before the first NUL are
 * the text under test (copied and NUL-terminated, as the daemon reads host
 * and cgroup files), the bytes after it are parameters (typed counters, CPU
 * sets) read in order. A parameter past the end of the input reads as 0, so
 * a plain text file (a fixture) is a valid input on its own.
 *
 * Invariant checks abort() through FUZZ_CHECK, which libFuzzer reports as a
 * crash with the failed condition printed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/backend.h"
#include "cpuset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

typedef struct FuzzParams {
        const uint8_t *p;
        size_t n;
} FuzzParams;

/* The text part as a new malloc()ed C string (never NULL), and the parameter part. */
static inline char *fuzz_split(const uint8_t *data, size_t size, FuzzParams *ret_params)
{
        const uint8_t *nul = memchr(data, '\0', size);
        size_t tl = nul ? (size_t)(nul - data) : size;
        char *text = malloc(tl + 1);
        if (!text)
                abort();
        memcpy(text, data, tl);
        text[tl] = '\0';
        ret_params->p = nul ? nul + 1 : data + size;
        ret_params->n = nul ? size - tl - 1 : 0;
        return text;
}

static inline uint64_t fuzz_bytes(FuzzParams *in, size_t n)
{
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
                uint8_t b = 0;
                if (in->n > 0) {
                        b = *in->p++;
                        in->n--;
                }
                v |= (uint64_t)b << (8 * i);
        }
        return v;
}

static inline uint64_t fuzz_u64(FuzzParams *in)
{
        return fuzz_bytes(in, 8);
}

static inline uint32_t fuzz_u32(FuzzParams *in)
{
        return (uint32_t)fuzz_bytes(in, 4);
}

static inline uint8_t fuzz_u8(FuzzParams *in)
{
        return (uint8_t)fuzz_bytes(in, 1);
}

/*
 * A CPU set: CPUs 0-63 from a bit mask (inverted, so that missing
 * parameters give all 64), then up to 3 ids anywhere below PV_CPU_MAX.
 */
static inline void fuzz_cpuset(FuzzParams *in, PvCpuSet *ret)
{
        uint64_t low = ~fuzz_u64(in);
        uint8_t extra = fuzz_u8(in) % 4;

        pv_cpuset_zero(ret);
        for (unsigned c = 0; c < 64; c++)
                if (low >> c & 1)
                        pv_cpuset_add(ret, c);
        for (uint8_t i = 0; i < extra; i++)
                pv_cpuset_add(ret, fuzz_u32(in) % PV_CPU_MAX);
}

/* Splits text into lines (without '\n') in a NULL-terminated malloc()ed vector of copies. */
static inline char **fuzz_lines(const char *text, size_t *ret_n)
{
        size_t n = 0, cap = 16;
        char **v = malloc(cap * sizeof(char *));
        const char *p = text;
        if (!v)
                abort();
        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                if (n + 2 > cap) {
                        cap *= 2;
                        v = realloc(v, cap * sizeof(char *));
                        if (!v)
                                abort();
                }
                v[n] = strndup(p, len);
                if (!v[n])
                        abort();
                n++;
                p += len + (nl ? 1 : 0);
        }
        v[n] = NULL;
        *ret_n = n;
        return v;
}

static inline void fuzz_lines_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

/*
 * A PvMemory from the parameters: limit and swap limit inverted (no
 * parameters: unlimited), usage, swap accounting and usage, then every
 * memory.stat counter in PvMemStat order. oom_kill is left 0.
 */
static inline PvMemory fuzz_memory(FuzzParams *in)
{
        PvMemory mem = {
            .limit = ~fuzz_u64(in),
            .usage = fuzz_u64(in),
            .swap_accounted = fuzz_u8(in) & 1,
            .swap_limit = ~fuzz_u64(in),
            .swap_usage = fuzz_u64(in),
        };
        uint64_t *st = (uint64_t *)&mem.stat;
        for (size_t i = 0; i < sizeof(mem.stat) / sizeof(uint64_t); i++)
                st[i] = fuzz_u64(in);
        return mem;
}
