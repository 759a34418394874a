/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mount-line.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "text.h"

static bool is_octal(char c)
{
        return c >= '0' && c <= '7';
}

void pv_mount_unescape(char *s)
{
        char *o = s;

        while (*s) {
                if (s[0] == '\\' && is_octal(s[1]) && is_octal(s[2]) && is_octal(s[3])) {
                        int v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
                        if (v > 0 && v <= UCHAR_MAX) {
                                *o++ = (char)v;
                                s += 4;
                                continue;
                        }
                }
                *o++ = *s++;
        }
        *o = '\0';
}

int pv_mount_line_split(char *line, PvMountLine *ret)
{
        char *f[6], *tail[3];
        size_t n = 0, n_tail = 0;
        bool sep = false;
        char *p = line;

        line[strcspn(line, "\n")] = '\0';
        for (;;) {
                char *e = strchr(p, ' ');
                if (e)
                        *e = '\0';
                /* fields 0-5 are fixed, then optional fields until "-", then three more */
                if (n < 6)
                        f[n++] = p;
                else if (!sep)
                        sep = strcmp(p, "-") == 0;
                else if (n_tail < 3)
                        tail[n_tail++] = p;
                else
                        return -EINVAL;
                if (!e)
                        break;
                p = e + 1;
        }
        if (n < 6 || !sep || n_tail != 3 || !*f[3] || !*f[4] || !*tail[0])
                return -EINVAL;
        for (size_t i = 3; i < 6; i++)
                pv_mount_unescape(f[i]);
        for (size_t i = 0; i < 3; i++)
                pv_mount_unescape(tail[i]);
        *ret = (PvMountLine){
            .id = f[0],
            .parent = f[1],
            .devno = f[2],
            .root = f[3],
            .mount_point = f[4],
            .mount_options = f[5],
            .fs_type = tail[0],
            .source = tail[1],
            .super_options = tail[2],
        };
        return 0;
}

bool pv_mount_opt_has(const char *opts, const char *opt)
{
        return pv_list_has(opts, strlen(opts), ',', opt);
}

int pv_fdinfo_mnt_id(const char *fdinfo, uint64_t *ret_mnt_id)
{
        const char *p = fdinfo;
        PvLine l;

        while (pv_line_next(&p, &l)) {
                const char *tok[3];
                size_t len[3];
                size_t n = pv_line_split(&l, tok, len, 2);

                /* "mnt_id:\t%i" (fs/proc/fd.c seq_show) */
                if (n < 1 || tok[0] != l.start || !pv_tok_eq(tok[0], len[0], "mnt_id:"))
                        continue;
                if (n != 2)
                        return -EINVAL;
                return pv_parse_u64_n(tok[1], len[1], ret_mnt_id);
        }
        return -ENOENT;
}
