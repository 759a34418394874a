/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/vmstat as a container sees it.
 *
 * Every key of the host's text is kept, in the host's order, as the kernel
 * writes it (mm/vmstat.c, vmstat_show(): "key value\n", the value an unsigned
 * decimal). Lines whose value does not change are copied byte for byte.
 *
 * Values from the cgroup (PvMemory, PvIoStats):
 *   nr_free_pages   MemFree of meminfo's rules in pages: (limit - usage) /
 *                   page_size, at least 0. The caller passes the limit already
 *                   capped at the host's MemTotal, as meminfo's MemTotal is; a
 *                   PV_UNLIMITED limit keeps the host's value.
 *   nr_inactive_anon, nr_active_anon, nr_inactive_file, nr_active_file,
 *   nr_unevictable, nr_mapped (mapped_file), nr_file_pages (file: memcg's
 *   "file" is the node counter NR_FILE_PAGES, shmem and swap cache included),
 *   nr_dirty, nr_writeback, nr_shmem, nr_anon_pages (anon: NR_ANON_MAPPED),
 *   nr_slab_reclaimable, nr_slab_unreclaimable, nr_page_table_pages
 *                   the memory.stat bytes in pages. The kernel shows its
 *                   byte-counted slab items in pages too
 *                   (global_node_page_state_pages()).
 *   nr_kernel_stack KiB: the kernel's NR_KERNEL_STACK_KB is kept in KiB.
 *   nr_anon_transparent_hugepages
 *                   anon_thp in PMD-sized huge pages, as vmstat_show() divides
 *                   NR_ANON_THPS by HPAGE_PMD_NR (vmstat_item_print_in_thp()).
 *                   A PMD maps page_size / 8 pages (8-byte page table entries:
 *                   x86-64, arm64, riscv64, s390x), 2 MiB with 4 KiB pages.
 *   pgfault, pgmajfault
 *                   the cgroup's fault events (v1 total_pgfault, v2 pgfault).
 *   pgpgin, pgpgout KiB read from and written to block devices: the sums of
 *                   rbytes and wbytes over io's devices / 1024. The kernel
 *                   counts PGPGIN/PGPGOUT in 512-byte sectors
 *                   (submit_bio()) and /proc/vmstat halves them to KiB.
 *   pswpin, pswpout v2 memory.stat keys of those names; 0 where the cgroup does
 *                   not count them (cgroup v1, v2 before 6.x).
 *   oom_kill        v2 memory.events oom_kill, v1 memory.oom_control oom_kill.
 *   workingset_refault_anon/_file, workingset_activate_anon/_file,
 *   workingset_restore_anon/_file, workingset_nodereclaim
 *                   memory.stat keys of the same names (v1: total_workingset_
 *                   refault_* only).
 * A container event counter the cgroup does not keep is 0, not the host's:
 * the host's count includes every other container's events, and a counter a
 * monitor sees jump between 0 and the host's total would read as a flood.
 *
 * Every other key keeps the host's value: the kernel keeps those event
 * counters and gauges only per node, zone or CPU (numa_*, nr_zone_*,
 * compaction, THP and NUMA balancing events, reclaim scans, ...), not per
 * memory cgroup, and no cgroup counter replaces them; the same policy as
 * meminfo's host keys. All values come straight from monotonic kernel
 * counters or gauges, so the renderer needs no memory to keep counters from
 * going backwards.
 *
 * Malformed host text (a line without "key value", a value that is not an
 * unsigned decimal, trailing text, or no line at all) gives -EINVAL.
 */
#include <errno.h>
#include <inttypes.h>

#include "views.h"
#include "views-internal.h"

typedef enum VmKey {
        V_KEEP,
        V_NR_FREE_PAGES,
        V_NR_INACTIVE_ANON,
        V_NR_ACTIVE_ANON,
        V_NR_INACTIVE_FILE,
        V_NR_ACTIVE_FILE,
        V_NR_UNEVICTABLE,
        V_NR_MAPPED,
        V_NR_FILE_PAGES,
        V_NR_DIRTY,
        V_NR_WRITEBACK,
        V_NR_SHMEM,
        V_NR_ANON_PAGES,
        V_NR_SLAB_RECLAIMABLE,
        V_NR_SLAB_UNRECLAIMABLE,
        V_NR_KERNEL_STACK,
        V_NR_PAGE_TABLE_PAGES,
        V_NR_ANON_THP,
        V_PGFAULT,
        V_PGMAJFAULT,
        V_PGPGIN,
        V_PGPGOUT,
        V_PSWPIN,
        V_PSWPOUT,
        V_OOM_KILL,
        V_WS_REFAULT_ANON,
        V_WS_REFAULT_FILE,
        V_WS_ACTIVATE_ANON,
        V_WS_ACTIVATE_FILE,
        V_WS_RESTORE_ANON,
        V_WS_RESTORE_FILE,
        V_WS_NODERECLAIM,
        _V_MAX,
} VmKey;

static const PvKeyName key_table[] = {
    {"nr_free_pages", V_NR_FREE_PAGES},
    {"nr_inactive_anon", V_NR_INACTIVE_ANON},
    {"nr_active_anon", V_NR_ACTIVE_ANON},
    {"nr_inactive_file", V_NR_INACTIVE_FILE},
    {"nr_active_file", V_NR_ACTIVE_FILE},
    {"nr_unevictable", V_NR_UNEVICTABLE},
    {"nr_mapped", V_NR_MAPPED},
    {"nr_file_pages", V_NR_FILE_PAGES},
    {"nr_dirty", V_NR_DIRTY},
    {"nr_writeback", V_NR_WRITEBACK},
    {"nr_shmem", V_NR_SHMEM},
    {"nr_anon_pages", V_NR_ANON_PAGES},
    {"nr_slab_reclaimable", V_NR_SLAB_RECLAIMABLE},
    {"nr_slab_unreclaimable", V_NR_SLAB_UNRECLAIMABLE},
    {"nr_kernel_stack", V_NR_KERNEL_STACK},
    {"nr_page_table_pages", V_NR_PAGE_TABLE_PAGES},
    {"nr_anon_transparent_hugepages", V_NR_ANON_THP},
    {"pgfault", V_PGFAULT},
    {"pgmajfault", V_PGMAJFAULT},
    {"pgpgin", V_PGPGIN},
    {"pgpgout", V_PGPGOUT},
    {"pswpin", V_PSWPIN},
    {"pswpout", V_PSWPOUT},
    {"oom_kill", V_OOM_KILL},
    {"workingset_refault_anon", V_WS_REFAULT_ANON},
    {"workingset_refault_file", V_WS_REFAULT_FILE},
    {"workingset_activate_anon", V_WS_ACTIVATE_ANON},
    {"workingset_activate_file", V_WS_ACTIVATE_FILE},
    {"workingset_restore_anon", V_WS_RESTORE_ANON},
    {"workingset_restore_file", V_WS_RESTORE_FILE},
    {"workingset_nodereclaim", V_WS_NODERECLAIM},
};

static VmKey classify(const char *key, size_t len)
{
        int k = pv_key_find(key_table, G_N_ELEMENTS(key_table), key, len);
        return k >= 0 ? (VmKey)k : V_KEEP;
}

/* "key value": the key's length and the value, or -EINVAL. */
static int parse_line(const char *s, size_t len, size_t *ret_key_len, uint64_t *ret_value)
{
        const char *end = s + len;
        const char *p;
        size_t key_len;
        uint64_t v;

        if (!pv_split_key_dec(s, end, ' ', &key_len, &v, &p) || pv_skip_blanks(p, end) != end)
                return -EINVAL;
        *ret_key_len = key_len;
        *ret_value = v;
        return 0;
}

static void container_values(const PvMemory *mem, const PvIoStats *io, uint64_t page_size,
                             uint64_t v[_V_MAX], bool have[_V_MAX])
{
        const PvMemStat *st = &mem->stat;
        /* PMD-sized huge page: page_size / 8 page table entries of page_size each */
        uint64_t thp_size = page_size * (page_size / 8);
        uint64_t rbytes = 0, wbytes = 0;
        /* the keys whose value is a memory.stat byte count, in pages */
        const struct {
                int key;
                uint64_t bytes;
        } in_pages[] = {
            {V_NR_INACTIVE_ANON, st->inactive_anon},
            {V_NR_ACTIVE_ANON, st->active_anon},
            {V_NR_INACTIVE_FILE, st->inactive_file},
            {V_NR_ACTIVE_FILE, st->active_file},
            {V_NR_UNEVICTABLE, st->unevictable},
            {V_NR_MAPPED, st->mapped_file},
            {V_NR_FILE_PAGES, st->file},
            {V_NR_DIRTY, st->dirty},
            {V_NR_WRITEBACK, st->writeback},
            {V_NR_SHMEM, st->shmem},
            {V_NR_ANON_PAGES, st->anon},
            {V_NR_SLAB_RECLAIMABLE, st->slab_reclaimable},
            {V_NR_SLAB_UNRECLAIMABLE, st->slab_unreclaimable},
            {V_NR_PAGE_TABLE_PAGES, st->pagetables},
        };

        for (int k = V_NR_INACTIVE_ANON; k < _V_MAX; k++)
                have[k] = true;
        if (mem->limit != PV_UNLIMITED) {
                v[V_NR_FREE_PAGES] = pv_sub_sat(mem->limit, mem->usage) / page_size;
                have[V_NR_FREE_PAGES] = true;
        }
        for (size_t i = 0; i < sizeof(in_pages) / sizeof(in_pages[0]); i++)
                v[in_pages[i].key] = in_pages[i].bytes / page_size;
        v[V_NR_KERNEL_STACK] = st->kernel_stack / 1024;
        v[V_NR_ANON_THP] = thp_size ? st->anon_thp / thp_size : 0;
        v[V_PGFAULT] = st->pgfault;
        v[V_PGMAJFAULT] = st->pgmajfault;
        for (size_t i = 0; io && i < io->n_devs; i++) {
                rbytes = pv_add_sat(rbytes, io->devs[i].rbytes);
                wbytes = pv_add_sat(wbytes, io->devs[i].wbytes);
        }
        v[V_PGPGIN] = rbytes / 1024;
        v[V_PGPGOUT] = wbytes / 1024;
        v[V_PSWPIN] = st->pswpin;
        v[V_PSWPOUT] = st->pswpout;
        v[V_OOM_KILL] = mem->oom_kill;
        v[V_WS_REFAULT_ANON] = st->workingset_refault_anon;
        v[V_WS_REFAULT_FILE] = st->workingset_refault_file;
        v[V_WS_ACTIVATE_ANON] = st->workingset_activate_anon;
        v[V_WS_ACTIVATE_FILE] = st->workingset_activate_file;
        v[V_WS_RESTORE_ANON] = st->workingset_restore_anon;
        v[V_WS_RESTORE_FILE] = st->workingset_restore_file;
        v[V_WS_NODERECLAIM] = st->workingset_nodereclaim;
}

int pv_vmstat_render(const char *host_vmstat, const PvMemory *mem, const PvIoStats *io,
                     uint64_t page_size, GString *out)
{
        g_autoptr(GString) text = NULL;
        uint64_t v[_V_MAX] = {0};
        bool have[_V_MAX] = {false};
        size_t pos = 0, len, n = 0;
        const char *s;

        if (!host_vmstat || !mem || !out || page_size == 0)
                return -EINVAL;
        container_values(mem, io, page_size, v, have);

        text = g_string_sized_new(strlen(host_vmstat) + 64);
        while (pv_next_line(host_vmstat, &pos, &s, &len)) {
                size_t key_len;
                uint64_t value;
                if (len == 0)
                        continue;
                int r = parse_line(s, len, &key_len, &value);
                if (r < 0)
                        return r;
                n++;
                VmKey k = classify(s, key_len);
                /* "key value" as the kernel writes it, whatever blanks the line had */
                if (k != V_KEEP && have[k])
                        value = v[k];
                g_string_append_printf(text, "%.*s %" PRIu64 "\n", (int)key_len, s, value);
        }
        if (n == 0)
                return -EINVAL;
        g_string_append_len(out, text->str, (gssize)text->len);
        return 0;
}
