/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/meminfo as a container sees it.
 *
 * Every key of the host's text is kept, in the host's order. A line whose
 * value changes is written the way the kernel writes it (fs/proc/meminfo.c,
 * show_val_kb()): the key and its colon left-aligned in 16 columns, the value
 * right-aligned in 8, then " kB". Other lines are copied byte for byte.
 * Cgroup counters are bytes; they are shown in KiB, rounded down.
 *
 * Values from the cgroup:
 *   MemTotal      the host's when the limit is PV_UNLIMITED, else
 *                 min(limit, host MemTotal).
 *   MemFree       MemTotal - usage, at least 0. usage is what the cgroup is
 *                 charged (v1 memory.usage_in_bytes, v2 memory.current); both
 *                 include page cache, so cache is not free, as on the host.
 *   MemAvailable  MemFree + file LRU pages (active_file + inactive_file; when
 *                 the kernel reports neither, file - shmem) + slab_reclaimable,
 *                 at most MemTotal. The LRU file lists exclude shmem, which
 *                 cannot be dropped, only swapped.
 *   Buffers       0: memcg does not tell buffer-cache pages apart from other
 *                 page cache; they are counted in Cached.
 *   Cached        file - swapcached. As the kernel's own Cached, it includes
 *                 shmem (tmpfs) pages and excludes the swap cache, which
 *                 memcg's "file" counter includes (NR_FILE_PAGES covers swap
 *                 cache folios).
 *   SwapCached    swapcached.
 *   Active, Inactive           the anon + file LRU lists.
 *   Active(anon) ... Inactive(file), Unevictable, Dirty, Writeback, Shmem
 *                 the memory.stat keys of the same meaning.
 *   AnonPages     anon (v1 total_rss).   Mapped  mapped_file.
 *   Slab          slab_reclaimable + slab_unreclaimable; SReclaimable and
 *                 SUnreclaim those two. cgroup v1 has no slab counters: 0.
 *   KReclaimable  slab_reclaimable: memcg accounts no other reclaimable
 *                 kernel memory.
 *   KernelStack, PageTables, AnonHugePages (anon_thp)
 *                 from memory.stat; 0 where the kernel has no such key (v1).
 *   Mlocked       min(host Mlocked, Unevictable): memcg has no mlock counter,
 *                 and mlocked pages are always on the unevictable LRU.
 *   SwapTotal, SwapFree
 *                 when swap is not accounted (v1 without memsw, v2 without
 *                 memory.swap.*) or the host has no swap: the host's values,
 *                 SwapFree capped at SwapTotal. Otherwise SwapTotal =
 *                 min(swap_limit, host SwapTotal) and SwapFree = SwapTotal -
 *                 swap_usage, at least 0.
 * Every value taken from the cgroup is capped at MemTotal (a cgroup can be
 * charged above a limit lowered after the fact).
 * Sums of counters saturate at UINT64_MAX rather than wrap, so a huge counter
 * never turns into a small one (nor MemAvailable into less than MemFree).
 *
 * Host values kept unchanged, because they measure address space or
 * accounting rather than resident memory and legitimately exceed MemTotal,
 * and no cgroup counter replaces them: CommitLimit, Committed_AS, VmallocTotal,
 * VmallocChunk, Hugepagesize, DirectMap*, and keys without a "kB" unit
 * (HugePages_*). Every other host "kB" value (Zswap, VmallocUsed, Percpu,
 * Hugetlb, ...) is capped at MemTotal, so no single line claims more memory
 * than the container has.
 *
 * Invariants: MemFree <= MemAvailable <= MemTotal, SwapFree <= SwapTotal.
 *
 * Malformed host text (a line without "Key:", a value that is not a decimal,
 * a trailing word other than "kB", a cgroup-derived key without "kB", or no
 * MemTotal line) gives -EINVAL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#include "views.h"
#include "views-internal.h"

typedef enum MemKey {
        K_OTHER, /* capped at MemTotal */
        K_KEEP,  /* host value unchanged */
        K_MEMTOTAL,
        K_MEMFREE,
        K_MEMAVAILABLE,
        K_BUFFERS,
        K_CACHED,
        K_SWAPCACHED,
        K_ACTIVE,
        K_INACTIVE,
        K_ACTIVE_ANON,
        K_INACTIVE_ANON,
        K_ACTIVE_FILE,
        K_INACTIVE_FILE,
        K_UNEVICTABLE,
        K_MLOCKED,
        K_SWAPTOTAL,
        K_SWAPFREE,
        K_DIRTY,
        K_WRITEBACK,
        K_ANONPAGES,
        K_MAPPED,
        K_SHMEM,
        K_KRECLAIMABLE,
        K_SLAB,
        K_SRECLAIMABLE,
        K_SUNRECLAIM,
        K_KERNELSTACK,
        K_PAGETABLES,
        K_ANONHUGEPAGES,
        _K_MAX,
} MemKey;

static const PvKeyName key_table[] = {
    {"MemTotal", K_MEMTOTAL},
    {"MemFree", K_MEMFREE},
    {"MemAvailable", K_MEMAVAILABLE},
    {"Buffers", K_BUFFERS},
    {"Cached", K_CACHED},
    {"SwapCached", K_SWAPCACHED},
    {"Active", K_ACTIVE},
    {"Inactive", K_INACTIVE},
    {"Active(anon)", K_ACTIVE_ANON},
    {"Inactive(anon)", K_INACTIVE_ANON},
    {"Active(file)", K_ACTIVE_FILE},
    {"Inactive(file)", K_INACTIVE_FILE},
    {"Unevictable", K_UNEVICTABLE},
    {"Mlocked", K_MLOCKED},
    {"SwapTotal", K_SWAPTOTAL},
    {"SwapFree", K_SWAPFREE},
    {"Dirty", K_DIRTY},
    {"Writeback", K_WRITEBACK},
    {"AnonPages", K_ANONPAGES},
    {"Mapped", K_MAPPED},
    {"Shmem", K_SHMEM},
    {"KReclaimable", K_KRECLAIMABLE},
    {"Slab", K_SLAB},
    {"SReclaimable", K_SRECLAIMABLE},
    {"SUnreclaim", K_SUNRECLAIM},
    {"KernelStack", K_KERNELSTACK},
    {"PageTables", K_PAGETABLES},
    {"AnonHugePages", K_ANONHUGEPAGES},
    {"CommitLimit", K_KEEP},
    {"Committed_AS", K_KEEP},
    {"VmallocTotal", K_KEEP},
    {"VmallocChunk", K_KEEP},
    {"Hugepagesize", K_KEEP},
};

typedef struct MemLine {
        const char *line;
        size_t line_len;
        size_t key_len; /* the key is line[0, key_len) */
        uint64_t value;
        bool kb;
        MemKey key;
} MemLine;

static MemKey classify(const char *key, size_t len)
{
        int k = pv_key_find(key_table, G_N_ELEMENTS(key_table), key, len);
        if (k >= 0)
                return (MemKey)k;
        if (len >= 9 && memcmp(key, "DirectMap", 9) == 0)
                return K_KEEP;
        return K_OTHER;
}

static int parse_line(const char *s, size_t len, MemLine *ret)
{
        const char *end = s + len;
        const char *p;
        size_t key_len;
        uint64_t v;

        if (!pv_split_key_dec(s, end, ':', &key_len, &v, &p))
                return -EINVAL;
        p = pv_skip_blanks(p, end);
        bool kb = false;
        if (end - p >= 2 && memcmp(p, "kB", 2) == 0) {
                kb = true;
                p += 2;
        }
        if (pv_skip_blanks(p, end) != end)
                return -EINVAL;

        *ret = (MemLine){
            .line = s,
            .line_len = len,
            .key_len = key_len,
            .value = v,
            .kb = kb,
            .key = classify(s, key_len),
        };
        return 0;
}

static uint64_t to_kb(uint64_t bytes)
{
        return bytes / 1024;
}

/*
 * Splits the host's text into lines (pointing into text) and keeps the first
 * value of each key the cgroup replaces in host[], 0 for a key the host
 * lacks. Returns 0 with the lines (g_free()) in *ret_lines and their number
 * in *ret_n, or -EINVAL for malformed text or no MemTotal; *ret_lines and
 * *ret_n untouched on failure.
 */
static int parse_host(const char *text, uint64_t host[_K_MAX], MemLine **ret_lines, size_t *ret_n)
{
        g_autofree MemLine *lines = NULL;
        size_t n = 0, cap = 0, pos = 0, len;
        const char *s;
        bool have[_K_MAX] = {false};
        int r;

        while (pv_next_line(text, &pos, &s, &len)) {
                if (len == 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        lines = g_renew(MemLine, lines, cap);
                }
                r = parse_line(s, len, &lines[n]);
                if (r < 0)
                        return r;
                MemKey k = lines[n].key;
                if (k > K_KEEP && !lines[n].kb)
                        return -EINVAL;
                if (k > K_KEEP && !have[k]) {
                        host[k] = lines[n].value;
                        have[k] = true;
                }
                n++;
        }
        if (!have[K_MEMTOTAL])
                return -EINVAL;
        *ret_lines = g_steal_pointer(&lines);
        *ret_n = n;
        return 0;
}

/* The keys that are one memory.stat counter of the container, in kB. */
static const struct {
        MemKey key;
        size_t offset; /* of the counter in PvMemStat */
} stat_keys[] = {
    {K_SWAPCACHED, offsetof(PvMemStat, swapcached)},
    {K_ACTIVE_ANON, offsetof(PvMemStat, active_anon)},
    {K_INACTIVE_ANON, offsetof(PvMemStat, inactive_anon)},
    {K_ACTIVE_FILE, offsetof(PvMemStat, active_file)},
    {K_INACTIVE_FILE, offsetof(PvMemStat, inactive_file)},
    {K_UNEVICTABLE, offsetof(PvMemStat, unevictable)},
    {K_DIRTY, offsetof(PvMemStat, dirty)},
    {K_WRITEBACK, offsetof(PvMemStat, writeback)},
    {K_ANONPAGES, offsetof(PvMemStat, anon)},
    {K_MAPPED, offsetof(PvMemStat, mapped_file)},
    {K_SHMEM, offsetof(PvMemStat, shmem)},
    {K_KRECLAIMABLE, offsetof(PvMemStat, slab_reclaimable)},
    {K_SRECLAIMABLE, offsetof(PvMemStat, slab_reclaimable)},
    {K_SUNRECLAIM, offsetof(PvMemStat, slab_unreclaimable)},
    {K_KERNELSTACK, offsetof(PvMemStat, kernel_stack)},
    {K_PAGETABLES, offsetof(PvMemStat, pagetables)},
    {K_ANONHUGEPAGES, offsetof(PvMemStat, anon_thp)},
};

/*
 * The container's values of the memory keys into v[] (see the top of this
 * file), each capped at its MemTotal.
 */
static void memory_values(const PvMemory *mem, const uint64_t host[_K_MAX], uint64_t v[_K_MAX])
{
        const PvMemStat *st = &mem->stat;
        uint64_t total = host[K_MEMTOTAL];
        if (mem->limit != PV_UNLIMITED)
                total = pv_min_u64(to_kb(mem->limit), total);

        uint64_t file_lru = pv_add_sat(st->active_file, st->inactive_file);
        if (file_lru == 0)
                file_lru = pv_sub_sat(st->file, st->shmem);

        for (size_t i = 0; i < G_N_ELEMENTS(stat_keys); i++)
                v[stat_keys[i].key] =
                    to_kb(*(const uint64_t *)((const char *)st + stat_keys[i].offset));
        v[K_MEMTOTAL] = total;
        v[K_MEMFREE] = pv_sub_sat(total, to_kb(mem->usage));
        v[K_MEMAVAILABLE] =
            pv_add_sat(pv_add_sat(v[K_MEMFREE], to_kb(file_lru)), to_kb(st->slab_reclaimable));
        v[K_BUFFERS] = 0;
        v[K_CACHED] = to_kb(pv_sub_sat(st->file, st->swapcached));
        v[K_ACTIVE] = to_kb(pv_add_sat(st->active_anon, st->active_file));
        v[K_INACTIVE] = to_kb(pv_add_sat(st->inactive_anon, st->inactive_file));
        v[K_MLOCKED] = pv_min_u64(host[K_MLOCKED], v[K_UNEVICTABLE]);
        v[K_SLAB] = to_kb(pv_add_sat(st->slab_reclaimable, st->slab_unreclaimable));
        for (int k = K_MEMTOTAL; k < _K_MAX; k++)
                v[k] = pv_min_u64(v[k], total);
}

/* SwapTotal and SwapFree into v[]: swap is not memory, so they are bounded by SwapTotal, not
 * MemTotal. */
static void swap_values(const PvMemory *mem, const uint64_t host[_K_MAX], uint64_t v[_K_MAX])
{
        if (!mem->swap_accounted || host[K_SWAPTOTAL] == 0) {
                v[K_SWAPTOTAL] = host[K_SWAPTOTAL];
                v[K_SWAPFREE] = pv_min_u64(host[K_SWAPFREE], host[K_SWAPTOTAL]);
                return;
        }
        uint64_t swap_total = host[K_SWAPTOTAL];
        if (mem->swap_limit != PV_UNLIMITED)
                swap_total = pv_min_u64(to_kb(mem->swap_limit), swap_total);
        v[K_SWAPTOTAL] = swap_total;
        v[K_SWAPFREE] = pv_sub_sat(swap_total, to_kb(mem->swap_usage));
}

/* Appends the host's lines to out in their order, with the container's values from v[]. */
static void write_lines(const MemLine *lines, size_t n, const uint64_t v[_K_MAX], GString *out)
{
        for (size_t i = 0; i < n; i++) {
                const MemLine *l = &lines[i];
                uint64_t value;

                if (l->key == K_KEEP || !l->kb) {
                        g_string_append_len(out, l->line, (gssize)l->line_len);
                        g_string_append_c(out, '\n');
                        continue;
                }
                value = l->key == K_OTHER ? pv_min_u64(l->value, v[K_MEMTOTAL]) : v[l->key];
                /* an unchanged value keeps the host's bytes (HardwareCorrupted has its own width)
                 */
                if (value == l->value) {
                        g_string_append_len(out, l->line, (gssize)l->line_len);
                        g_string_append_c(out, '\n');
                        continue;
                }
                int pad = l->key_len < 15 ? (int)(15 - l->key_len) : 0;
                g_string_append_printf(out, "%.*s:%*s%8" PRIu64 " kB\n", (int)l->key_len, l->line,
                                       pad, "", value);
        }
}

int pv_meminfo_render(const char *host_meminfo, const PvMemory *mem, GString *out)
{
        g_autofree MemLine *lines = NULL;
        uint64_t host[_K_MAX] = {0};
        uint64_t v[_K_MAX] = {0};
        size_t n;
        int r;

        if (!host_meminfo || !mem || !out)
                return -EINVAL;
        r = parse_host(host_meminfo, host, &lines, &n);
        if (r < 0)
                return r;
        memory_values(mem, host, v);
        swap_values(mem, host, v);
        write_lines(lines, n, v, out);
        return 0;
}

int pv_meminfo_total_bytes(const char *host_meminfo, uint64_t *ret)
{
        const char *p = strstr(host_meminfo, "MemTotal:");
        char *end;

        /* a key must start its line: "xMemTotal:" is another key */
        if (!p || (p != host_meminfo && p[-1] != '\n'))
                return -EINVAL;
        errno = 0;
        unsigned long long kb = strtoull(p + strlen("MemTotal:"), &end, 10);
        if (errno != 0 || end == p + strlen("MemTotal:") || kb > UINT64_MAX / 1024)
                return -EINVAL;
        *ret = (uint64_t)kb * 1024;
        return 0;
}
