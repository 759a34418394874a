/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lib-cgroup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fileio.h"

/* Deep enough for any real hierarchy; bounds the walks on a corrupt tree. */
#define PVL_MAX_LEVELS 256
/* How deep a hidden cgroup-namespace root is searched for (see pvl_mount_relative()). */
#define PVL_MAX_SEARCH_DEPTH 8
#define PVL_LINE_MAX 4096

static const char *const ctrl_names[_PVL_CTRL_MAX] = {
    [PVL_CPU] = "cpu",
    [PVL_CPUSET] = "cpuset",
    [PVL_MEMORY] = "memory",
};

/* ---- allocation-free helpers ---- */

/* Appends s to buf (used bytes *pos); -ENAMETOOLONG when it does not fit. */
static int append(char *buf, size_t len, size_t *pos, const char *s)
{
        size_t n = strlen(s);
        if (*pos + n + 1 > len)
                return -ENAMETOOLONG;
        memcpy(buf + *pos, s, n + 1);
        *pos += n;
        return 0;
}

static int append_uint(char *buf, size_t len, size_t *pos, unsigned long v)
{
        char tmp[24];
        size_t i = sizeof(tmp);
        tmp[--i] = '\0';
        do {
                tmp[--i] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        return append(buf, len, pos, tmp + i);
}

typedef struct LineReader {
        int fd;
        size_t start, end;
        bool eof, skipping;
        char buf[PVL_LINE_MAX];
} LineReader;

static void line_reader_init(LineReader *r, int fd)
{
        r->fd = fd;
        r->start = r->end = 0;
        r->eof = r->skipping = false;
}

/*
 * The next line, NUL-terminated, without its newline; NULL at the end or on a
 * read error. Lines longer than the buffer are skipped whole: the files read
 * this way (mountinfo, cgroup membership) only matter for short lines, and a
 * long overlayfs line must not derail the parse.
 */
static char *line_reader_next(LineReader *r)
{
        for (;;) {
                char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
                if (nl) {
                        char *line = r->buf + r->start;
                        *nl = '\0';
                        r->start = (size_t)(nl - r->buf) + 1;
                        if (r->skipping) {
                                r->skipping = false;
                                continue;
                        }
                        return line;
                }
                if (r->eof) {
                        if (r->start < r->end && !r->skipping) {
                                char *line = r->buf + r->start;
                                r->buf[r->end] = '\0';
                                r->start = r->end;
                                return line;
                        }
                        return NULL;
                }
                if (r->start > 0) {
                        memmove(r->buf, r->buf + r->start, r->end - r->start);
                        r->end -= r->start;
                        r->start = 0;
                }
                if (r->end >= sizeof(r->buf) - 1) {
                        r->skipping = true;
                        r->end = 0;
                }
                ssize_t n = read(r->fd, r->buf + r->end, sizeof(r->buf) - 1 - r->end);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        r->eof = true;
                else
                        r->end += (size_t)n;
        }
}

ssize_t pvl_read_text_at(int dirfd, const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        size_t used = 0;

        if (fd < 0)
                return -errno;
        if (len == 0)
                return -EFBIG;
        for (;;) {
                if (used == len - 1) {
                        char extra;
                        ssize_t n = read(fd, &extra, 1);
                        if (n > 0)
                                return -EFBIG;
                        break;
                }
                ssize_t n = read(fd, buf + used, len - 1 - used);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                used += (size_t)n;
        }
        buf[used] = '\0';
        return (ssize_t)used;
}

/* ---- pure parsers ---- */

int pvl_cgroup_line_match(const char *line, const char *ctrl, const char **ret_path)
{
        const char *c1 = strchr(line, ':');
        if (!c1 || c1 == line)
                return -EINVAL;
        const char *c2 = strchr(c1 + 1, ':');
        if (!c2)
                return -EINVAL;
        const char *path = c2 + 1;
        if (*path != '/')
                return -EINVAL;
        if (c2 == c1 + 1) {
                /* "0::PATH": the unified hierarchy. */
                if (c1 - line != 1 || line[0] != '0')
                        return -EINVAL;
                *ret_path = path;
                return 2;
        }
        size_t clen = strlen(ctrl);
        for (const char *p = c1 + 1; p < c2;) {
                const char *e = memchr(p, ',', (size_t)(c2 - p));
                if (!e)
                        e = c2;
                if ((size_t)(e - p) == clen && memcmp(p, ctrl, clen) == 0) {
                        *ret_path = path;
                        return 1;
                }
                p = e + 1;
        }
        return 0;
}

/* Decodes the kernel's \ooo escapes of mountinfo (space, tab, newline, backslash) in place. */
static void unescape_octal(char *s)
{
        char *w = s;
        for (char *r = s; *r;) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else {
                        *w++ = *r++;
                }
        }
        *w = '\0';
}

int pvl_mountinfo_parse(char *line, PvlMount *ret)
{
        /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
        char *fields[6];
        char *p = line;
        size_t n = 0;
        PvlMount m;

        for (; n < 6; n++) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        return -EINVAL;
                fields[n] = p;
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                *p++ = '\0';
        }
        /* Optional fields end at a lone "-". */
        for (;;) {
                while (*p == ' ')
                        p++;
                if (!*p)
                        return -EINVAL;
                char *tok = p;
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                *p++ = '\0';
                if (strcmp(tok, "-") == 0)
                        break;
        }
        while (*p == ' ')
                p++;
        m.fstype = p;
        p = strchr(p, ' ');
        if (!p)
                return -EINVAL;
        *p++ = '\0';
        p = strchr(p, ' '); /* skip the source */
        if (!p)
                return -EINVAL;
        *p++ = '\0';
        m.super_opts = p;
        unescape_octal(fields[3]);
        unescape_octal(fields[4]);
        m.root = fields[3];
        m.mountpoint = fields[4];
        *ret = m;
        return 0;
}

bool pvl_opt_has(const char *opts, const char *opt)
{
        size_t olen = strlen(opt);
        for (const char *p = opts; *p;) {
                const char *e = strchr(p, ',');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (n == olen && memcmp(p, opt, n) == 0)
                        return true;
                if (!e)
                        break;
                p = e + 1;
        }
        return false;
}

/* The next path component of *p (skipping slashes); its length, 0 at the end. */
static size_t next_component(const char **p, const char **ret_start)
{
        while (**p == '/')
                (*p)++;
        *ret_start = *p;
        while (**p && **p != '/')
                (*p)++;
        return (size_t)(*p - *ret_start);
}

int pvl_mount_relative(const char *mount_root, const char *cg_path, char *buf, size_t len,
                       unsigned *ret_depth)
{
        const char *m = mount_root, *c = cg_path, *ms, *cs;
        unsigned up = 0, down = 0;
        size_t n;

        /* Leading ".." components: the mount root is above the namespace root. */
        for (;;) {
                const char *save = m;
                n = next_component(&m, &ms);
                if (n == 2 && ms[0] == '.' && ms[1] == '.') {
                        up++;
                        continue;
                }
                m = save;
                break;
        }
        if (up > 0) {
                /* What follows the ".."s names directories under the hidden ancestor. */
                while ((n = next_component(&m, &ms)) > 0)
                        down++;
                if (down > up)
                        return -ENOENT;
                while (*c == '/')
                        c++;
                if (strlen(c) + 1 > len)
                        return -ENAMETOOLONG;
                memcpy(buf, c, strlen(c) + 1);
                *ret_depth = up - down;
                return 1;
        }
        /* The mount root must be a component-wise prefix of the cgroup path. */
        for (;;) {
                n = next_component(&m, &ms);
                if (n == 0)
                        break;
                size_t cn = next_component(&c, &cs);
                if (cn != n || memcmp(ms, cs, n) != 0)
                        return -ENOENT;
        }
        while (*c == '/')
                c++;
        if (strlen(c) + 1 > len)
                return -ENAMETOOLONG;
        memcpy(buf, c, strlen(c) + 1);
        *ret_depth = 0;
        return 0;
}

static int parse_u64(const char *text, uint64_t *ret)
{
        return pv_parse_u64_or_max(text, ret);
}

int pvl_parse_cpu_max(const char *text, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        char q[32], per[32];
        const char *p = text;
        size_t n;
        uint64_t quota, period;

        while (isspace((unsigned char)*p))
                p++;
        n = strcspn(p, " \t\n");
        if (n == 0 || n >= sizeof(q))
                return -EINVAL;
        memcpy(q, p, n);
        q[n] = '\0';
        p += n;
        while (*p == ' ' || *p == '\t')
                p++;
        n = strcspn(p, " \t\n");
        if (n == 0 || n >= sizeof(per))
                return -EINVAL;
        memcpy(per, p, n);
        per[n] = '\0';
        p += n;
        while (isspace((unsigned char)*p))
                p++;
        if (*p)
                return -EINVAL;
        if (parse_u64(q, &quota) < 0 || parse_u64(per, &period) < 0 || period == 0 ||
            period == UINT64_MAX)
                return -EINVAL;
        *ret_quota_us = quota == UINT64_MAX ? 0 : quota;
        *ret_period_us = period;
        return 0;
}

int pvl_parse_cfs(const char *quota_text, const char *period_text, uint64_t *ret_quota_us,
                  uint64_t *ret_period_us)
{
        const char *p = quota_text;
        uint64_t quota, period;

        while (isspace((unsigned char)*p))
                p++;
        if (strncmp(p, "-1", 2) == 0) {
                p += 2;
                while (isspace((unsigned char)*p))
                        p++;
                if (*p)
                        return -EINVAL;
                quota = 0; /* RUNTIME_INF: no limit */
        } else if (parse_u64(p, &quota) < 0 || quota == UINT64_MAX) {
                return -EINVAL;
        }
        if (parse_u64(period_text, &period) < 0 || period == 0 || period == UINT64_MAX)
                return -EINVAL;
        *ret_quota_us = quota;
        *ret_period_us = period;
        return 0;
}

bool pvl_quota_tighter(uint64_t qa, uint64_t pa, uint64_t qb, uint64_t pb)
{
        if (qa == 0 || pa == 0)
                return false;
        if (qb == 0 || pb == 0)
                return true;
        return (unsigned __int128)qa * pb < (unsigned __int128)qb * pa;
}

unsigned pvl_quota_cpus(uint64_t quota_us, uint64_t period_us)
{
        if (quota_us == 0 || period_us == 0)
                return 0;
        uint64_t n = quota_us / period_us + (quota_us % period_us != 0);
        if (n == 0)
                n = 1;
        return n > UINT32_MAX ? UINT32_MAX : (unsigned)n;
}

unsigned pvl_effective_count(unsigned cpuset_count, uint64_t quota_us, uint64_t period_us)
{
        unsigned n = cpuset_count;
        unsigned q = pvl_quota_cpus(quota_us, period_us);
        if (q > 0 && (n == 0 || q < n))
                n = q;
        return n ? n : 1;
}

int pvl_parse_cpus_override(const char *text, unsigned *ret)
{
        uint64_t v;
        if (!text || parse_u64(text, &v) < 0 || v == 0 || v > PV_CPU_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int pvl_keyed_value(const char *text, const char *key, uint64_t *ret)
{
        size_t klen = strlen(key);
        for (const char *p = text; p && *p;) {
                if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
                        char num[32];
                        const char *v = p + klen + 1;
                        size_t n = strcspn(v, "\n");
                        if (n >= sizeof(num))
                                return -EINVAL;
                        memcpy(num, v, n);
                        num[n] = '\0';
                        return parse_u64(num, ret) < 0 ? -EINVAL : 0;
                }
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return -ENOENT;
}

uint64_t pvl_normalize_limit(uint64_t bytes)
{
        /* PAGE_COUNTER_MAX * PAGE_SIZE is LONG_MAX rounded down to the page size (<= 1 MiB pages).
         */
        if (bytes >= (uint64_t)INT64_MAX - (UINT64_C(1) << 20))
                return PVL_UNLIMITED;
        return bytes;
}

int pvl_remap_mask(const PvCpuSet *allowed, const PvCpuSet *mask, PvCpuSet *ret)
{
        PvCpuSet both = *mask, out;
        unsigned n = pv_cpuset_count(allowed);

        pv_cpuset_and(&both, allowed);
        if (n == 0 || pv_cpuset_count(&both) > 0)
                return 0;
        pv_cpuset_zero(&out);
        for (int i = pv_cpuset_next(mask, 0); i >= 0 && (unsigned)i < n;
             i = pv_cpuset_next(mask, (unsigned)i + 1))
                pv_cpuset_add(&out, (unsigned)pv_cpuset_nth(allowed, (unsigned)i));
        if (pv_cpuset_count(&out) == 0)
                return 0;
        *ret = out;
        return 1;
}

/* strtod is locale-dependent; /proc always uses '.', so parse by hand. */
static int parse_decimal(const char **p, double *ret)
{
        const char *s = *p;
        double v = 0, scale = 1;
        bool digits = false;

        while (*s == ' ' || *s == '\t')
                s++;
        while (isdigit((unsigned char)*s)) {
                v = v * 10 + (*s++ - '0');
                digits = true;
        }
        if (*s == '.') {
                s++;
                while (isdigit((unsigned char)*s)) {
                        scale /= 10;
                        v += (*s++ - '0') * scale;
                        digits = true;
                }
        }
        if (!digits)
                return -EINVAL;
        *p = s;
        *ret = v;
        return 0;
}

int pvl_parse_loadavg(const char *text, double ret_loads[3], unsigned *ret_running,
                      unsigned *ret_total)
{
        const char *p = text;
        double loads[3];
        char *end;

        for (int i = 0; i < 3; i++)
                if (parse_decimal(&p, &loads[i]) < 0 || (*p != ' ' && *p != '\t'))
                        return -EINVAL;
        while (*p == ' ')
                p++;
        if (!isdigit((unsigned char)*p))
                return -EINVAL;
        unsigned long running = strtoul(p, &end, 10);
        if (*end != '/' || !isdigit((unsigned char)end[1]))
                return -EINVAL;
        unsigned long total = strtoul(end + 1, &end, 10);
        if (*end != ' ' && *end != '\n' && *end != '\0')
                return -EINVAL;
        memcpy(ret_loads, loads, sizeof(loads));
        if (ret_running)
                *ret_running = (unsigned)running;
        if (ret_total)
                *ret_total = (unsigned)total;
        return 0;
}

int pvl_parse_uptime(const char *text, double *ret_seconds)
{
        const char *p = text;
        double v;
        if (parse_decimal(&p, &v) < 0 || (*p != ' ' && *p != '\n' && *p != '\0'))
                return -EINVAL;
        *ret_seconds = v;
        return 0;
}

/* ---- locating the cgroup ---- */

/* True when the membership file (v1 "tasks", v2 "cgroup.threads") at dirfd lists tid. */
static bool lists_tid(int dirfd, const char *file, pid_t tid)
{
        _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
        LineReader r;
        char *line;

        if (fd < 0)
                return false;
        line_reader_init(&r, fd);
        while ((line = line_reader_next(&r))) {
                char *end;
                long v = strtol(line, &end, 10);
                if (end != line && v == tid)
                        return true;
        }
        return false;
}

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/*
 * Finds a directory D depth levels below dirfd such that D/rel lists tid,
 * appending "/D/rel" to path. Directories are listed with getdents64 into a
 * stack buffer because opendir() allocates.
 */
static int search_below(int dirfd, unsigned depth, const char *rel, const char *members, pid_t tid,
                        char *path, size_t len, size_t *pos)
{
        if (depth == 0) {
                _cleanup_close_ int fd =
                    openat(dirfd, *rel ? rel : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0 || !lists_tid(fd, members, tid))
                        return -ENOENT;
                if (*rel) {
                        int r = append(path, len, pos, "/");
                        if (r < 0)
                                return r;
                        return append(path, len, pos, rel);
                }
                return 0;
        }

        _cleanup_close_ int lfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char dbuf[2048] __attribute__((aligned(8)));
        if (lfd < 0)
                return -errno;
        for (;;) {
                long n = syscall(SYS_getdents64, lfd, dbuf, sizeof(dbuf));
                if (n <= 0)
                        return n < 0 ? -errno : -ENOENT;
                for (long off = 0; off < n;) {
                        struct linux_dirent64 *d = (struct linux_dirent64 *)(dbuf + off);
                        off += d->d_reclen;
                        if (d->d_type != DT_DIR || strcmp(d->d_name, ".") == 0 ||
                            strcmp(d->d_name, "..") == 0)
                                continue;
                        _cleanup_close_ int child =
                            openat(lfd, d->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (child < 0)
                                continue;
                        size_t save = *pos;
                        if (append(path, len, pos, "/") < 0 ||
                            append(path, len, pos, d->d_name) < 0) {
                                *pos = save;
                                path[save] = '\0';
                                continue;
                        }
                        if (search_below(child, depth - 1, rel, members, tid, path, len, pos) == 0)
                                return 0;
                        *pos = save;
                        path[save] = '\0';
                }
        }
}

int pvl_cgroup_dir(const char *root, pid_t pid, PvlController ctrl, char *buf, size_t len,
                   bool *ret_v2, size_t *ret_mount_len)
{
        size_t mount_len = 0;
        char path[PVL_PATH_MAX], want[PVL_PATH_MAX], rel[PVL_PATH_MAX];
        char hidden_mp[PVL_PATH_MAX];
        unsigned hidden_depth = 0;
        bool have_v1 = false, have_v2 = false, have_hidden = false, v2;
        size_t pos = 0;
        LineReader r;
        char *line;
        int fd, ret;

        if ((unsigned)ctrl >= _PVL_CTRL_MAX)
                return -EINVAL;
        /* The calling thread's own file: v1 lets threads of a process sit in different cgroups. */
        if (append(path, sizeof(path), &pos, root) < 0 ||
            append(path, sizeof(path), &pos, pid ? "/proc/" : "/proc/thread-self/cgroup") < 0 ||
            (pid && (append_uint(path, sizeof(path), &pos, (unsigned long)pid) < 0 ||
                     append(path, sizeof(path), &pos, "/cgroup") < 0)))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        line_reader_init(&r, fd);
        while ((line = line_reader_next(&r))) {
                const char *p;
                int m = pvl_cgroup_line_match(line, ctrl_names[ctrl], &p);
                if (m == 1 || (m == 2 && !have_v1)) {
                        size_t n = strlen(p);
                        if (n >= sizeof(want))
                                continue;
                        memcpy(want, p, n + 1);
                        have_v1 = have_v1 || m == 1;
                        have_v2 = have_v2 || m == 2;
                }
        }
        close(fd);
        if (!have_v1 && !have_v2)
                return -ENOENT;
        v2 = !have_v1;

        pos = 0;
        if (append(path, sizeof(path), &pos, root) < 0 ||
            append(path, sizeof(path), &pos, "/proc/self/mountinfo") < 0)
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        line_reader_init(&r, fd);
        ret = -ENOENT;
        while ((line = line_reader_next(&r))) {
                PvlMount mnt;
                unsigned depth;
                if (pvl_mountinfo_parse(line, &mnt) < 0)
                        continue;
                if (v2 ? strcmp(mnt.fstype, "cgroup2") != 0
                       : strcmp(mnt.fstype, "cgroup") != 0 ||
                             !pvl_opt_has(mnt.super_opts, ctrl_names[ctrl]))
                        continue;
                int k = pvl_mount_relative(mnt.root, want, rel, sizeof(rel), &depth);
                if (k < 0)
                        continue;
                if (k == 1) {
                        if (!have_hidden && strlen(mnt.mountpoint) < sizeof(hidden_mp)) {
                                memcpy(hidden_mp, mnt.mountpoint, strlen(mnt.mountpoint) + 1);
                                hidden_depth = depth;
                                have_hidden = true;
                        }
                        continue;
                }
                pos = 0;
                if (append(path, sizeof(path), &pos, root) < 0 ||
                    append(path, sizeof(path), &pos, mnt.mountpoint) < 0)
                        continue;
                mount_len = pos;
                if ((*rel && (append(path, sizeof(path), &pos, "/") < 0 ||
                              append(path, sizeof(path), &pos, rel) < 0)))
                        continue;
                struct stat st;
                if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                        ret = 0;
                        break;
                }
        }
        close(fd);

        if (ret < 0 && have_hidden && hidden_depth <= PVL_MAX_SEARCH_DEPTH) {
                /*
                 * A cgroup namespace entered without remounting cgroupfs: the
                 * paths we read are relative to a namespace root whose name we
                 * cannot see. Find it as the directory, hidden_depth levels
                 * below the mount, whose cgroup lists the calling thread.
                 */
                char relcopy[PVL_PATH_MAX];
                memcpy(relcopy, want[0] == '/' ? want + 1 : want, strlen(want) + 1);
                pos = 0;
                if (append(path, sizeof(path), &pos, root) < 0 ||
                    append(path, sizeof(path), &pos, hidden_mp) < 0)
                        return -ENAMETOOLONG;
                mount_len = pos;
                _cleanup_close_ int mfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (mfd < 0)
                        return -ENOENT;
                pid_t tid = pid ? pid : (pid_t)syscall(SYS_gettid);
                while (relcopy[0] == '/')
                        memmove(relcopy, relcopy + 1, strlen(relcopy));
                ret = search_below(mfd, hidden_depth, relcopy, v2 ? "cgroup.threads" : "tasks", tid,
                                   path, sizeof(path), &pos);
        }
        if (ret < 0)
                return ret;
        if (strlen(path) + 1 > len)
                return -ENAMETOOLONG;
        memcpy(buf, path, strlen(path) + 1);
        *ret_v2 = v2;
        if (ret_mount_len)
                *ret_mount_len = mount_len;
        return 0;
}

/* ---- walking up the hierarchy ---- */

typedef int (*LevelFn)(int dirfd, void *userdata);

/*
 * Calls fn on dir and each ancestor up to the mount's root, the first
 * mount_len bytes of dir (or until ".." leaves the cgroup filesystem). fn
 * returns 0 to go on, 1 to stop, or -errno to fail.
 */
static int walk_up(const char *dir, size_t mount_len, LevelFn fn, void *userdata)
{
        char top_path[PVL_PATH_MAX];
        struct stat st, top;
        int fd, r = 0;

        if (mount_len == 0 || mount_len >= sizeof(top_path))
                return -EINVAL;
        memcpy(top_path, dir, mount_len);
        top_path[mount_len] = '\0';
        if (stat(top_path, &top) < 0)
                return -errno;
        fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        dev_t dev = st.st_dev;
        for (unsigned level = 0; level < PVL_MAX_LEVELS; level++) {
                ino_t ino = st.st_ino;
                r = fn(fd, userdata);
                if (r != 0 || (st.st_dev == top.st_dev && st.st_ino == top.st_ino))
                        break;
                int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (parent < 0)
                        break;
                if (fstat(parent, &st) < 0 || st.st_dev != dev || st.st_ino == ino) {
                        close(parent);
                        break;
                }
                close(fd);
                fd = parent;
        }
        close(fd);
        return r < 0 ? r : 0;
}

static int read_u64_at(int dirfd, const char *file, uint64_t *ret)
{
        char text[64];
        ssize_t n = pvl_read_text_at(dirfd, file, text, sizeof(text));
        if (n < 0)
                return (int)n;
        return parse_u64(text, ret);
}

/* ---- cpuset ---- */

typedef struct CpusetWalk {
        bool found;
        PvCpuSet set;
        int err;
} CpusetWalk;

static int cpuset_v2_level(int dirfd, void *userdata)
{
        CpusetWalk *w = userdata;
        char text[PVL_LINE_MAX];
        /*
         * cpuset.cpus.effective exists only where the cpuset controller is
         * enabled; a cgroup without it runs on its parent's effective set.
         */
        ssize_t n = pvl_read_text_at(dirfd, "cpuset.cpus.effective", text, sizeof(text));
        if (n == -ENOENT)
                return 0;
        if (n < 0)
                return (int)n;
        w->err = pv_cpuset_parse(text, &w->set);
        if (w->err < 0)
                return w->err;
        w->found = true;
        return 1;
}

int pvl_read_cpuset(const char *root, pid_t pid, PvCpuSet *ret)
{
        char dir[PVL_PATH_MAX], text[PVL_LINE_MAX];
        size_t mount_len;
        bool v2;
        int r = pvl_cgroup_dir(root, pid, PVL_CPUSET, dir, sizeof(dir), &v2, &mount_len);
        if (r < 0)
                return r;
        if (v2) {
                CpusetWalk w = {.found = false};
                r = walk_up(dir, mount_len, cpuset_v2_level, &w);
                if (r < 0)
                        return r;
                if (!w.found)
                        return -ENOENT;
                *ret = w.set;
                return 0;
        }
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* v1: effective_cpus (cpus & the parent's effective set) where the kernel has it. */
        ssize_t n = pvl_read_text_at(fd, "cpuset.effective_cpus", text, sizeof(text));
        if (n == -ENOENT)
                n = pvl_read_text_at(fd, "cpuset.cpus", text, sizeof(text));
        if (n < 0)
                return (int)n;
        PvCpuSet set;
        r = pv_cpuset_parse(text, &set);
        if (r < 0)
                return r;
        *ret = set;
        return 0;
}

/* ---- cpu quota ---- */

typedef struct QuotaWalk {
        bool v2;
        uint64_t quota, period;
} QuotaWalk;

static int quota_level(int dirfd, void *userdata)
{
        QuotaWalk *w = userdata;
        uint64_t q, p;
        char a[64], b[64];

        if (w->v2) {
                /* cpu.max is absent in the root cgroup and where cpu is not enabled. */
                ssize_t n = pvl_read_text_at(dirfd, "cpu.max", a, sizeof(a));
                if (n == -ENOENT)
                        return 0;
                if (n < 0)
                        return (int)n;
                if (pvl_parse_cpu_max(a, &q, &p) < 0)
                        return -EINVAL;
        } else {
                ssize_t n = pvl_read_text_at(dirfd, "cpu.cfs_quota_us", a, sizeof(a));
                if (n == -ENOENT)
                        return 0;
                if (n < 0)
                        return (int)n;
                n = pvl_read_text_at(dirfd, "cpu.cfs_period_us", b, sizeof(b));
                if (n < 0)
                        return (int)n;
                if (pvl_parse_cfs(a, b, &q, &p) < 0)
                        return -EINVAL;
        }
        /* The kernel throttles at every level, so the tightest ratio rules. */
        if (pvl_quota_tighter(q, p, w->quota, w->period)) {
                w->quota = q;
                w->period = p;
        }
        return 0;
}

int pvl_read_quota(const char *root, pid_t pid, uint64_t *ret_quota_us, uint64_t *ret_period_us)
{
        char dir[PVL_PATH_MAX];
        QuotaWalk w = {.quota = 0, .period = 0};
        size_t mount_len;
        int r = pvl_cgroup_dir(root, pid, PVL_CPU, dir, sizeof(dir), &w.v2, &mount_len);
        if (r < 0)
                return r;
        r = walk_up(dir, mount_len, quota_level, &w);
        if (r < 0)
                return r;
        *ret_quota_us = w.quota;
        *ret_period_us = w.quota ? w.period : 0;
        return 0;
}

/* ---- memory ---- */

typedef struct MemoryWalk {
        bool v2;
        uint64_t limit, memsw_limit, swap_max;
} MemoryWalk;

static void take_min(uint64_t *acc, uint64_t v)
{
        if (v < *acc)
                *acc = v;
}

static int memory_level(int dirfd, void *userdata)
{
        MemoryWalk *w = userdata;
        uint64_t v;

        if (w->v2) {
                if (read_u64_at(dirfd, "memory.max", &v) == 0)
                        take_min(&w->limit, v);
                if (read_u64_at(dirfd, "memory.swap.max", &v) == 0)
                        take_min(&w->swap_max, v);
        } else {
                if (read_u64_at(dirfd, "memory.limit_in_bytes", &v) == 0)
                        take_min(&w->limit, pvl_normalize_limit(v));
                if (read_u64_at(dirfd, "memory.memsw.limit_in_bytes", &v) == 0)
                        take_min(&w->memsw_limit, pvl_normalize_limit(v));
        }
        return 0;
}

int pvl_read_memory(const char *root, pid_t pid, PvlMemory *ret)
{
        char dir[PVL_PATH_MAX], stat[8192];
        MemoryWalk w = {
            .limit = PVL_UNLIMITED, .memsw_limit = PVL_UNLIMITED, .swap_max = PVL_UNLIMITED};
        PvlMemory m = {.swap_limit = PVL_UNLIMITED};
        uint64_t v;
        size_t mount_len;
        int r = pvl_cgroup_dir(root, pid, PVL_MEMORY, dir, sizeof(dir), &w.v2, &mount_len);
        if (r < 0)
                return r;
        r = walk_up(dir, mount_len, memory_level, &w);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        bool have_stat = pvl_read_text_at(fd, "memory.stat", stat, sizeof(stat)) >= 0;

        if (w.v2) {
                r = read_u64_at(fd, "memory.current", &m.usage);
                if (r < 0)
                        return r;
                if (read_u64_at(fd, "memory.swap.current", &v) == 0)
                        m.swap_usage = v;
                if (have_stat && pvl_keyed_value(stat, "shmem", &v) == 0)
                        m.shmem = v;
                m.limit = w.limit;
                m.swap_limit = w.swap_max;
        } else {
                r = read_u64_at(fd, "memory.usage_in_bytes", &m.usage);
                if (r < 0)
                        return r;
                /*
                 * hierarchical_memory_limit already is the minimum over every
                 * ancestor, including those a cgroup namespace hides.
                 */
                if (have_stat && pvl_keyed_value(stat, "hierarchical_memory_limit", &v) == 0)
                        take_min(&w.limit, pvl_normalize_limit(v));
                if (have_stat && pvl_keyed_value(stat, "hierarchical_memsw_limit", &v) == 0)
                        take_min(&w.memsw_limit, pvl_normalize_limit(v));
                if (have_stat && pvl_keyed_value(stat, "total_shmem", &v) == 0)
                        m.shmem = v;
                m.limit = w.limit;
                /* v1 memsw counts memory + swap: the swap share is the difference. */
                if (w.memsw_limit != PVL_UNLIMITED)
                        m.swap_limit = w.memsw_limit > w.limit ? w.memsw_limit - w.limit : 0;
                if (read_u64_at(fd, "memory.memsw.usage_in_bytes", &v) == 0 && v > m.usage)
                        m.swap_usage = v - m.usage;
        }
        *ret = m;
        return 0;
}
