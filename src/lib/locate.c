/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Locating the caller's cgroup: /proc/PID/cgroup lines, mountinfo entries,
 * the mount that holds the cgroup, and a cgroup namespace root hidden below it.
 */
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "parse-proc.h"
#include "fileio.h"
#include "mount-line.h"
#include "io.h"

/* How deep a hidden cgroup-namespace root is searched for (see pv_lib_mount_relative()). */
#define PV_LIB_MAX_SEARCH_DEPTH 8

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

/* Copies path, without its leading slashes, to buf of size len. Returns 0 or -ENAMETOOLONG. */
static int copy_relative(const char *path, char *buf, size_t len)
{
        while (*path == '/')
                path++;
        if (strlen(path) + 1 > len)
                return -ENAMETOOLONG;
        memcpy(buf, path, strlen(path) + 1);
        return 0;
}

int pv_lib_mount_relative(const char *mount_root, const char *cg_path, char *buf, size_t len,
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
                if (copy_relative(c, buf, len) < 0)
                        return -ENAMETOOLONG;
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
        if (copy_relative(c, buf, len) < 0)
                return -ENAMETOOLONG;
        *ret_depth = 0;
        return 0;
}

/* True when the membership file (v1 "tasks", v2 "cgroup.threads") at dirfd lists tid. */
static bool lists_tid(int dirfd, const char *file, pid_t tid)
{
        _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
        PvLibLineReader r;
        char *line;

        if (fd < 0)
                return false;
        pv_lib_line_reader_init(&r, fd);
        while ((line = pv_lib_line_reader_next(&r))) {
                pid_t v;
                if (pv_parse_first_pid(line, &v) == 0 && v == tid)
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
                        int r = pv_lib_append(path, len, pos, "/");
                        if (r < 0)
                                return r;
                        return pv_lib_append(path, len, pos, rel);
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
                        if (pv_lib_append(path, len, pos, "/") < 0 ||
                            pv_lib_append(path, len, pos, d->d_name) < 0) {
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

/* Opens root/file for reading. Returns the fd or -errno. */
static int open_below(const char *root, const char *file)
{
        char path[PV_LIB_PATH_MAX];
        size_t pos = 0;

        if (pv_lib_append(path, sizeof(path), &pos, root) < 0 ||
            pv_lib_append(path, sizeof(path), &pos, file) < 0)
                return -ENAMETOOLONG;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/*
 * Phase 1: the cgroup path of pid (0: the calling thread) for ctrl, from
 * /proc/PID/cgroup, into want; *ret_v2 when only the unified line names it.
 */
static int read_membership(const char *root, pid_t pid, PvController ctrl, char *want, size_t len,
                           bool *ret_v2)
{
        char file[64];
        bool have_v1 = false, have_v2 = false;
        size_t pos = 0;
        PvLibLineReader r;
        char *line;

        /* The calling thread's own file: v1 lets threads of a process sit in different cgroups. */
        if (pv_lib_append(file, sizeof(file), &pos, pid ? "/proc/" : "/proc/thread-self/cgroup") <
                0 ||
            (pid && (pv_lib_append_uint(file, sizeof(file), &pos, (unsigned long)pid) < 0 ||
                     pv_lib_append(file, sizeof(file), &pos, "/cgroup") < 0)))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = open_below(root, file);
        if (fd < 0)
                return fd;
        pv_lib_line_reader_init(&r, fd);
        while ((line = pv_lib_line_reader_next(&r))) {
                const char *p;
                int m = pv_cgroup_line_match(line, pv_controller_v1_name(ctrl), &p);
                if (m == 1 || (m == 2 && !have_v1)) {
                        size_t n = strlen(p);
                        if (n >= len)
                                continue;
                        memcpy(want, p, n + 1);
                        have_v1 = have_v1 || m == 1;
                        have_v2 = have_v2 || m == 2;
                }
        }
        if (!have_v1 && !have_v2)
                return -ENOENT;
        *ret_v2 = !have_v1;
        return 0;
}

/* A mount of the hierarchy whose root lies above the reader's cgroup namespace root. */
typedef struct HiddenMount {
        bool found;
        unsigned depth;
        char mount_point[PV_LIB_PATH_MAX];
} HiddenMount;

/*
 * Phase 2: the directory of the cgroup want under a visible mount of its
 * hierarchy, from mountinfo, into path (of PV_LIB_PATH_MAX bytes), the
 * mount's root being its first *ret_mount_len bytes. -ENOENT when no mount
 * shows it; the first mount above the namespace root then goes to *hidden.
 */
static int find_in_mounts(const char *root, PvController ctrl, bool v2, const char *want,
                          char *path, size_t *ret_mount_len, HiddenMount *hidden)
{
        char rel[PV_LIB_PATH_MAX];
        size_t pos = 0;
        PvLibLineReader r;
        char *line;

        _cleanup_close_ int fd = open_below(root, "/proc/self/mountinfo");
        if (fd < 0)
                return fd;
        pv_lib_line_reader_init(&r, fd);
        while ((line = pv_lib_line_reader_next(&r))) {
                PvMountLine mnt;
                unsigned depth;
                if (pv_mount_line_split(line, &mnt) < 0)
                        continue;
                if (v2 ? strcmp(mnt.fs_type, "cgroup2") != 0
                       : strcmp(mnt.fs_type, "cgroup") != 0 ||
                             !pv_mount_opt_has(mnt.super_options, pv_controller_v1_name(ctrl)))
                        continue;
                int k = pv_lib_mount_relative(mnt.root, want, rel, sizeof(rel), &depth);
                if (k < 0)
                        continue;
                if (k == 1) {
                        size_t n = strlen(mnt.mount_point);
                        if (!hidden->found && n < sizeof(hidden->mount_point)) {
                                memcpy(hidden->mount_point, mnt.mount_point, n + 1);
                                hidden->depth = depth;
                                hidden->found = true;
                        }
                        continue;
                }
                pos = 0;
                if (pv_lib_append(path, PV_LIB_PATH_MAX, &pos, root) < 0 ||
                    pv_lib_append(path, PV_LIB_PATH_MAX, &pos, mnt.mount_point) < 0)
                        continue;
                size_t mount_len = pos;
                if ((*rel && (pv_lib_append(path, PV_LIB_PATH_MAX, &pos, "/") < 0 ||
                              pv_lib_append(path, PV_LIB_PATH_MAX, &pos, rel) < 0)))
                        continue;
                struct stat st;
                if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
                        *ret_mount_len = mount_len;
                        return 0;
                }
        }
        return -ENOENT;
}

/*
 * Phase 3: a cgroup namespace entered without remounting cgroupfs: the
 * paths read are relative to a namespace root whose name we cannot see.
 * Finds it as the directory, hidden->depth levels below the mount, whose
 * cgroup lists the calling thread (or pid), and the cgroup below it.
 */
static int search_hidden(const char *root, pid_t pid, bool v2, const char *want,
                         const HiddenMount *hidden, char *path, size_t *ret_mount_len)
{
        char rel[PV_LIB_PATH_MAX];
        size_t pos = 0;
        const char *w = want;

        while (*w == '/')
                w++;
        memcpy(rel, w, strlen(w) + 1);
        if (pv_lib_append(path, PV_LIB_PATH_MAX, &pos, root) < 0 ||
            pv_lib_append(path, PV_LIB_PATH_MAX, &pos, hidden->mount_point) < 0)
                return -ENAMETOOLONG;
        size_t mount_len = pos;
        _cleanup_close_ int mfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (mfd < 0)
                return -ENOENT;
        pid_t tid = pid ? pid : (pid_t)syscall(SYS_gettid);
        int r = search_below(mfd, hidden->depth, rel, v2 ? "cgroup.threads" : "tasks", tid, path,
                             PV_LIB_PATH_MAX, &pos);
        if (r < 0)
                return r;
        *ret_mount_len = mount_len;
        return 0;
}

int pv_lib_cgroup_dir(const char *root, pid_t pid, PvController ctrl, char *buf, size_t len,
                      bool *ret_v2, size_t *ret_mount_len)
{
        char path[PV_LIB_PATH_MAX], want[PV_LIB_PATH_MAX];
        HiddenMount hidden = {.found = false};
        size_t mount_len = 0;
        bool v2 = false;

        if (!pv_controller_v1_name(ctrl))
                return -EINVAL;
        int r = read_membership(root, pid, ctrl, want, sizeof(want), &v2);
        if (r < 0)
                return r;
        r = find_in_mounts(root, ctrl, v2, want, path, &mount_len, &hidden);
        if (r == -ENOENT && hidden.found && hidden.depth <= PV_LIB_MAX_SEARCH_DEPTH)
                r = search_hidden(root, pid, v2, want, &hidden, path, &mount_len);
        if (r < 0)
                return r;
        if (strlen(path) + 1 > len)
                return -ENAMETOOLONG;
        memcpy(buf, path, strlen(path) + 1);
        *ret_v2 = v2;
        if (ret_mount_len)
                *ret_mount_len = mount_len;
        return 0;
}
