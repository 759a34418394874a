/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPUs a container sees, /proc/cpuinfo, and the sysfs cpu lists.
 *
 * CPU view (pv_cpu_view): the cgroup's effective cpuset intersected with the
 * host's online CPUs. With PV_CPU_VIEW_QUOTA and a bandwidth limit
 * (quota_us > 0, period_us > 0), only the first ceil(quota/period) CPUs of
 * that set (lowest host ids) are kept; quota_us == 0 means no limit and keeps
 * them all. If the result is empty (a cpuset naming only offline CPUs), the
 * lowest online CPU is shown, so no reader ever sees zero CPUs. CPU ids stay
 * the host's, so a program pinning to the ids it reads succeeds.
 *
 * cpuinfo (pv_cpuinfo_render): the host text is a list of blocks separated by
 * one blank line. A block whose first line is "processor : N" is kept, byte
 * for byte and in host order, when N is in the visible set; blocks without a
 * "processor" line (architectures that print global lines) are always kept.
 * In kept blocks two lines change, to the kernel's own meaning restricted to
 * what the container sees (arch/x86/kernel/cpu/proc.c, show_cpuinfo_core()):
 *   siblings   the number of visible CPUs with the same "physical id";
 *   cpu cores  the number of distinct "core id"s among them.
 * So a container given both threads of one core of a 2x16x2 host reads
 * "siblings: 2, cpu cores: 1", and one given the whole host reads the host's
 * text unchanged. Blocks without "physical id"/"core id" keep those lines.
 * There is no size limit: a 512-CPU host's megabyte of text works.
 * Malformed host text (no processor block, a processor id that is not a
 * decimal, two processor lines in one block, a "physical id"/"core id" that
 * is not a decimal) gives -EINVAL.
 *
 * cpulist (pv_cpulist_render): the kernel's cpu list format ("0-1,4\n"), just
 * "\n" for an empty set, as in /sys/devices/system/cpu/offline.
 */
#include <errno.h>
#include <stdlib.h>

#include "parse-limit.h"
#include "views.h"
#include "views-internal.h"

void pv_cpu_view(const PvCpuSet *cpuset, const PvCpuSet *host_online, uint64_t quota_us,
                 uint64_t period_us, PvCpuViewMode mode, PvCpuSet *ret)
{
        PvCpuSet v = *cpuset;

        pv_cpuset_and(&v, host_online);
        if (mode == PV_CPU_VIEW_QUOTA) {
                unsigned n = pv_quota_cpus(quota_us, period_us);
                if (n > 0 && n < PV_CPU_MAX)
                        pv_cpuset_keep_first(&v, n);
        }
        if (pv_cpuset_count(&v) == 0) {
                int first = pv_cpuset_next(host_online, 0);
                if (first >= 0)
                        pv_cpuset_add(&v, (unsigned)first);
        }
        *ret = v;
}

int pv_cpulist_render(const PvCpuSet *set, GString *out)
{
        if (!set || !out)
                return -EINVAL;
        size_t old = out->len;
        size_t need = pv_cpuset_format(set, NULL, 0);
        g_string_set_size(out, old + need);
        /* GString keeps room for the NUL after len. */
        pv_cpuset_format(set, out->str + old, need + 1);
        g_string_append_c(out, '\n');
        return 0;
}

/* One "processor" block of the host text. */
typedef struct CpuBlock {
        size_t start, len; /* the block including its trailing blank line */
        long cpu;          /* processor id; -1 for a block without one */
        long pkg, core;    /* physical id, core id; -1 when absent */
} CpuBlock;

/* The value of a "key\t: value" line, if the line has that key. */
static bool line_value(const char *s, size_t len, const char *key, const char **ret_value,
                       const char **ret_end)
{
        size_t n = strlen(key);
        const char *end = s + len;
        if (len < n || memcmp(s, key, n) != 0)
                return false;
        const char *p = pv_skip_blanks(s + n, end);
        if (p == end || *p != ':')
                return false;
        *ret_value = pv_skip_blanks(p + 1, end);
        *ret_end = end;
        return true;
}

static int parse_id_value(const char *v, const char *end, long *ret)
{
        uint64_t x;
        if (!pv_parse_dec(&v, end, &x) || pv_skip_blanks(v, end) != end || x > INT32_MAX)
                return -EINVAL;
        *ret = (long)x;
        return 0;
}

static int parse_blocks(const char *text, GArray *blocks)
{
        size_t pos = 0, len;
        const char *s;
        CpuBlock b = {.cpu = -1, .pkg = -1, .core = -1};
        bool in_block = false, any_cpu = false;
        int r;

        for (;;) {
                size_t line_pos = pos;
                bool more = pv_next_line(text, &pos, &s, &len);
                if (!more || len == 0) {
                        if (in_block) {
                                b.len = pos - b.start;
                                g_array_append_val(blocks, b);
                                any_cpu |= b.cpu >= 0;
                        }
                        if (!more)
                                break;
                        in_block = false;
                        b = (CpuBlock){.cpu = -1, .pkg = -1, .core = -1};
                        continue;
                }
                if (!in_block) {
                        in_block = true;
                        b.start = line_pos;
                }
                const char *v, *end;
                if (line_value(s, len, "processor", &v, &end)) {
                        /* one CPU per block: a second id would share the first one's fate */
                        if (b.cpu >= 0)
                                return -EINVAL;
                        r = parse_id_value(v, end, &b.cpu);
                        if (r < 0)
                                return r;
                } else if (line_value(s, len, "physical id", &v, &end)) {
                        r = parse_id_value(v, end, &b.pkg);
                        if (r < 0)
                                return r;
                } else if (line_value(s, len, "core id", &v, &end)) {
                        r = parse_id_value(v, end, &b.core);
                        if (r < 0)
                                return r;
                }
        }
        return any_cpu ? 0 : -EINVAL;
}

typedef struct PkgCore {
        long pkg, core;
} PkgCore;

static int cmp_pkg_core(const void *a, const void *b)
{
        const PkgCore *x = a, *y = b;
        return pv_cmp_i64(x->pkg, y->pkg) ?: pv_cmp_i64(x->core, y->core);
}

/* Per package of the visible CPUs: thread and distinct core counts. */
typedef struct PkgCount {
        long pkg;
        unsigned siblings, cores;
} PkgCount;

static const PkgCount *find_pkg(const GArray *counts, long pkg)
{
        for (guint i = 0; i < counts->len; i++)
                if (g_array_index(counts, PkgCount, i).pkg == pkg)
                        return &g_array_index(counts, PkgCount, i);
        return NULL;
}

static bool block_visible(const CpuBlock *b, const PvCpuSet *visible)
{
        return b->cpu < 0 || pv_cpuset_has(visible, (unsigned)b->cpu);
}

/* Appends one kept block, rewriting its siblings and cpu cores lines. */
static void append_block(const char *text, const CpuBlock *b, const PkgCount *pc, GString *out)
{
        const char *p = text + b->start, *blk_end = text + b->start + b->len;

        if (!pc) {
                g_string_append_len(out, p, (gssize)b->len);
                return;
        }
        while (p < blk_end) {
                const char *nl = memchr(p, '\n', (size_t)(blk_end - p));
                size_t len = nl ? (size_t)(nl - p) : (size_t)(blk_end - p);
                const char *v, *end;
                unsigned value;

                if (line_value(p, len, "siblings", &v, &end))
                        value = pc->siblings;
                else if (line_value(p, len, "cpu cores", &v, &end))
                        value = pc->cores;
                else {
                        g_string_append_len(out, p, (gssize)(len + (nl ? 1 : 0)));
                        p += len + (nl ? 1 : 0);
                        continue;
                }
                g_string_append_len(out, p, v - p);
                g_string_append_printf(out, "%u%s", value, nl ? "\n" : "");
                p += len + (nl ? 1 : 0);
        }
}

int pv_cpuinfo_render(const char *host_cpuinfo, const PvCpuSet *visible, GString *out)
{
        g_autoptr(GArray) blocks = NULL;
        g_autoptr(GArray) pcs = NULL;
        g_autoptr(GArray) counts = NULL;
        int r;

        if (!host_cpuinfo || !visible || !out)
                return -EINVAL;

        blocks = g_array_new(FALSE, FALSE, sizeof(CpuBlock));
        r = parse_blocks(host_cpuinfo, blocks);
        if (r < 0)
                return r;

        pcs = g_array_new(FALSE, FALSE, sizeof(PkgCore));
        for (guint i = 0; i < blocks->len; i++) {
                const CpuBlock *b = &g_array_index(blocks, CpuBlock, i);
                if (b->cpu >= 0 && b->pkg >= 0 && b->core >= 0 && block_visible(b, visible)) {
                        PkgCore pc = {b->pkg, b->core};
                        g_array_append_val(pcs, pc);
                }
        }
        /*
         * Sorted by (package, core): one pass counts threads and distinct cores per package.
         * Without any such block the array has no storage, and qsort() takes no NULL base.
         */
        if (pcs->len > 1)
                qsort(pcs->data, pcs->len, sizeof(PkgCore), cmp_pkg_core);
        counts = g_array_new(FALSE, FALSE, sizeof(PkgCount));
        for (guint i = 0; i < pcs->len; i++) {
                const PkgCore *pc = &g_array_index(pcs, PkgCore, i);
                const PkgCore *prev = i ? &g_array_index(pcs, PkgCore, i - 1) : NULL;
                if (!prev || prev->pkg != pc->pkg) {
                        PkgCount c = {pc->pkg, 0, 0};
                        g_array_append_val(counts, c);
                }
                PkgCount *c = &g_array_index(counts, PkgCount, counts->len - 1);
                c->siblings++;
                if (!prev || prev->pkg != pc->pkg || prev->core != pc->core)
                        c->cores++;
        }

        for (guint i = 0; i < blocks->len; i++) {
                const CpuBlock *b = &g_array_index(blocks, CpuBlock, i);
                if (!block_visible(b, visible))
                        continue;
                const PkgCount *pc = NULL;
                if (b->cpu >= 0 && b->pkg >= 0 && b->core >= 0)
                        pc = find_pkg(counts, b->pkg);
                append_block(host_cpuinfo, b, pc, out);
        }
        return 0;
}
