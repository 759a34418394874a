/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/diskstats as a container sees it.
 *
 * One line per device the cgroup has done I/O on (io->devs, in its
 * (major, minor) order), named as the host's line for the same major:minor
 * names it. Devices the host text does not list (gone, or not a disk) and
 * devices whose counters are all zero are left out. Each line has the 20
 * fields of the kernel's block/genhd.c diskstats_show(), in its format
 * ("%4u %7u %s" then the counters):
 *
 *   reads completed      rios           reads merged     0
 *   sectors read         rbytes / 512   ms reading       0
 *   writes completed     wios           writes merged    0
 *   sectors written      wbytes / 512   ms writing       0
 *   I/Os in progress     0              ms doing I/O     0
 *   weighted ms          0
 *   discards completed   dios           discards merged  0
 *   sectors discarded    dbytes / 512   ms discarding    0
 *   flush requests       0              ms flushing      0
 *
 * Sectors are the kernel's fixed 512-byte units, whatever the device's block
 * size. Merges, times and the in-flight count are 0: cgroups count neither
 * (v2 io.stat has bytes and ios only; v1 blkio.throttle.* the same).
 *
 * Malformed host text (a line without major, minor and name, or whose name
 * starts with whitespace other than blanks) gives -EINVAL. A name ends at
 * the first whitespace.
 */
#include <errno.h>
#include <inttypes.h>

#include "views.h"
#include "views-internal.h"

static guint64 dev_key(uint64_t major, uint64_t minor)
{
        return (major << 32) | minor;
}

int pv_diskstats_render(const char *host_diskstats, const PvIoStats *io, GString *out)
{
        g_autoptr(GHashTable) names = NULL;
        size_t pos = 0, len;
        const char *s;

        if (!host_diskstats || !io || (io->n_devs > 0 && !io->devs) || !out)
                return -EINVAL;

        /* major:minor -> name (borrowed from a copy kept in the table) */
        names = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        while (pv_next_line(host_diskstats, &pos, &s, &len)) {
                const char *end = s + len, *p = pv_skip_blanks(s, end), *name;
                uint64_t major, minor;

                if (p == end)
                        continue;
                if (!pv_parse_dec(&p, end, &major) || major > UINT32_MAX)
                        return -EINVAL;
                p = pv_skip_blanks(p, end);
                if (!pv_parse_dec(&p, end, &minor) || minor > UINT32_MAX)
                        return -EINVAL;
                name = pv_skip_blanks(p, end);
                if (name == p || name == end || isspace((unsigned char)*name))
                        return -EINVAL;
                /*
                 * The name ends at any whitespace: one with a '\v' or '\r' in it would
                 * add a field to the line for readers that split on whitespace.
                 */
                p = name;
                while (p < end && !isspace((unsigned char)*p))
                        p++;
                gint64 *key = g_new(gint64, 1);
                *key = (gint64)dev_key(major, minor);
                g_hash_table_insert(names, key, g_strndup(name, (gsize)(p - name)));
        }

        for (size_t i = 0; i < io->n_devs; i++) {
                const PvIoDev *d = &io->devs[i];
                gint64 key = (gint64)dev_key(d->major, d->minor);
                const char *name = g_hash_table_lookup(names, &key);

                if (!name)
                        continue;
                if (!(d->rbytes | d->wbytes | d->rios | d->wios | d->dbytes | d->dios))
                        continue;
                g_string_append_printf(out,
                                       "%4u %7u %s %" PRIu64 " 0 %" PRIu64 " 0 %" PRIu64
                                       " 0 %" PRIu64 " 0 0 0 0 %" PRIu64 " 0 %" PRIu64 " 0 0 0\n",
                                       d->major, d->minor, name, d->rios, d->rbytes / 512, d->wios,
                                       d->wbytes / 512, d->dios, d->dbytes / 512);
        }
        return 0;
}
