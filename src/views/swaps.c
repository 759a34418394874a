/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/swaps as a container sees it.
 *
 * The host's header line is kept. A container does not own a swap device:
 * it may only use part of the host's swap, up to its swap limit. So when it
 * has swap (swap is accounted, its swap limit is 1 KiB or more and the host has
 * swap), one line describes that share, not a host device:
 *
 *   none  virtual  SIZE  USED  -1
 *
 * SIZE = min(swap limit, total of the host's swap areas) in KiB (an
 * unlimited cgroup gets the host's total, which saturates rather than
 * wraps), USED = the cgroup's swap usage in KiB, at most SIZE. The
 * priority -1 is the kernel's default for the first area without an
 * explicit priority. Host device paths are not shown. The columns are laid
 * out as mm/swapfile.c swap_show() lays them out, so parsers of the real
 * file (util-linux, psutil) read it. The numbers agree with SwapTotal and
 * SwapTotal - SwapFree of the container's meminfo. Otherwise (no swap
 * accounting: the container's share is unknown; swap limit below 1 KiB; no
 * host swap) the file is the header alone, as for a host without swap.
 *
 * Malformed host text (empty, or an area line whose size or used field is not
 * a decimal) gives -EINVAL.
 */
#include <errno.h>
#include <inttypes.h>

#include "views.h"
#include "views-internal.h"

/* The size field (3rd) of a swap area line. */
static int parse_area(const char *s, size_t len, uint64_t *ret_size)
{
        const char *end = s + len, *p = s;
        uint64_t size, used;

        for (int field = 0; field < 2; field++) {
                p = pv_skip_blanks(p, end);
                if (p == end)
                        return -EINVAL;
                while (p < end && *p != ' ' && *p != '\t')
                        p++;
        }
        p = pv_skip_blanks(p, end);
        if (!pv_parse_dec(&p, end, &size))
                return -EINVAL;
        p = pv_skip_blanks(p, end);
        if (!pv_parse_dec(&p, end, &used))
                return -EINVAL;
        *ret_size = size;
        return 0;
}

int pv_swaps_render(const char *host_swaps, const PvMemory *mem, GString *out)
{
        size_t pos = 0, len, header_len;
        const char *s, *header;
        uint64_t host_total = 0;
        int r;

        if (!host_swaps || !mem || !out)
                return -EINVAL;
        if (!pv_next_line(host_swaps, &pos, &header, &header_len) || header_len == 0)
                return -EINVAL;
        while (pv_next_line(host_swaps, &pos, &s, &len)) {
                uint64_t size;
                if (len == 0)
                        continue;
                r = parse_area(s, len, &size);
                if (r < 0)
                        return r;
                host_total = pv_add_sat(host_total, size);
        }

        g_string_append_len(out, header, (gssize)header_len);
        g_string_append_c(out, '\n');
        if (!mem->swap_accounted || mem->swap_limit == 0 || host_total == 0)
                return 0;

        uint64_t size = host_total;
        if (mem->swap_limit != PV_UNLIMITED)
                size = pv_min_u64(mem->swap_limit / 1024, host_total);
        /* a limit below 1 KiB leaves nothing to show: the kernel lists no empty area */
        if (size == 0)
                return 0;
        uint64_t used = pv_min_u64(mem->swap_usage / 1024, size);
        /* swap_show(): the path padded to 40 columns; "file" and small numbers get a second tab */
        g_string_append_printf(out, "%-40s%s\t%" PRIu64 "\t%s%" PRIu64 "\t%s%d\n", "none",
                               "virtual\t", size, size < 10000000 ? "\t" : "", used,
                               used < 10000000 ? "\t" : "", -1);
        return 0;
}
