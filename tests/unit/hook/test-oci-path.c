/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hook's opens inside a rootfs: a tree in /tmp whose "proc" is a
 * symlink to a host directory, as a hostile image could ship it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-line.h"
#include "oci-path.h"

static char base[] = "/tmp/pv-oci-path-XXXXXX";
static char rootfs[128], host[128];
static int rootfd = -1;

static void put(const char *path)
{
        FILE *f = fopen(path, "w");
        ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
        fputs("x\n", f);
        fclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void setup(void)
{
        char p[PATH_MAX];

        ck_assert_ptr_nonnull(mkdtemp(base));
        snprintf(host, sizeof(host), "%s/host", base);
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", base);
        ck_assert_int_eq(mkdir(host, 0755), 0);
        ck_assert_int_eq(mkdir(rootfs, 0755), 0);
        snprintf(p, sizeof(p), "%s/meminfo", host);
        put(p);
        /* rootfs/proc -> the host directory, absolute. */
        snprintf(p, sizeof(p), "%s/proc", rootfs);
        ck_assert_int_eq(symlink(host, p), 0);
        snprintf(p, sizeof(p), "%s/real", rootfs);
        ck_assert_int_eq(mkdir(p, 0755), 0);
        snprintf(p, sizeof(p), "%s/real/meminfo", rootfs);
        put(p);
        snprintf(p, sizeof(p), "%s/real/link", rootfs);
        ck_assert_int_eq(symlink("/etc/passwd", p), 0);
        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(rootfd, 0);
}

static void teardown(void)
{
        close(rootfd);
        nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* True when fd is the file at path (not following a final symlink). */
static bool same_file(int fd, const char *path)
{
        struct stat a, b;
        return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
}

typedef int (*OpenFn)(int, const char *, int *);

/* What both functions must do with a plain path, a final symlink and a bad path. */
static void check_common(OpenFn fn)
{
        char p[PATH_MAX];
        struct stat st;
        int fd = -1;

        ck_assert_int_eq(fn(rootfd, "real/meminfo", &fd), 0);
        snprintf(p, sizeof(p), "%s/real/meminfo", rootfs);
        ck_assert(same_file(fd, p));
        close(fd);

        /* A final symlink is opened itself: the caller's type check refuses it. */
        fd = -1;
        ck_assert_int_eq(fn(rootfd, "real/link", &fd), 0);
        ck_assert_int_eq(fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), 0);
        ck_assert(S_ISLNK(st.st_mode));
        close(fd);

        fd = 12345;
        ck_assert_int_eq(fn(rootfd, "real/missing", &fd), -ENOENT);
        ck_assert_int_eq(fd, 12345);

        /* The host file is never reached through rootfs/proc -> host. */
        int r = fn(rootfd, "proc/meminfo", &fd);
        ck_assert_int_lt(r, 0);
        ck_assert_int_eq(fd, 12345);
}

START_TEST(test_open_in_root)
{
        check_common(pv_oci_open_in_root);
}
END_TEST

START_TEST(test_open_beneath)
{
        int fd = 12345;

        check_common(pv_oci_open_beneath);
        ck_assert_int_eq(pv_oci_open_beneath(rootfd, "proc/meminfo", &fd), -ENOTDIR);
        ck_assert_int_eq(pv_oci_open_beneath(rootfd, "real/../real/meminfo", &fd), -EXDEV);
        ck_assert_int_eq(pv_oci_open_beneath(rootfd, "../rootfs/real/meminfo", &fd), -EXDEV);
        ck_assert_int_eq(fd, 12345);
        ck_assert_int_eq(pv_oci_open_beneath(rootfd, "/real//meminfo", &fd), 0);
        close(fd);
}
END_TEST

/*
 * A bind source: the tree stands in for the views' root. Nothing may be
 * resolved on the way out of it: no symlink (a final one included), no
 * ".." above it, no other mount.
 */
START_TEST(test_open_view)
{
        char p[PATH_MAX];
        int fd = 12345;

        ck_assert_int_eq(pv_oci_open_view(rootfd, "real/meminfo", &fd), 0);
        snprintf(p, sizeof(p), "%s/real/meminfo", rootfs);
        ck_assert(same_file(fd, p));
        close(fd);

        fd = 12345;
        ck_assert_int_lt(pv_oci_open_view(rootfd, "proc/meminfo", &fd), 0);
        ck_assert_int_eq(pv_oci_open_view(rootfd, "real/link", &fd), -ELOOP);
        ck_assert_int_lt(pv_oci_open_view(rootfd, "../rootfs/real/meminfo", &fd), 0);
        ck_assert_int_lt(pv_oci_open_view(rootfd, "/etc/passwd", &fd), 0);
        ck_assert_int_eq(pv_oci_open_view(rootfd, "real/missing", &fd), -ENOENT);
        /* /proc of the tree's file system: another mount, refused */
        int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(top, 0);
        ck_assert_int_lt(pv_oci_open_view(top, "proc/self", &fd), 0);
        close(top);
        ck_assert_int_eq(fd, 12345);
}
END_TEST

/* The mount point of the mount with ID id in /proc/self/mountinfo, into buf; false if none. */
static bool mount_point_of(uint64_t id, char *buf, size_t size)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t cap = 0;
        bool found = false;

        ck_assert_ptr_nonnull(f);
        while (!found && getline(&line, &cap, f) > 0) {
                PvMountLine m;
                if (pv_mount_line_split(line, &m) == 0 && strtoull(m.id, NULL, 10) == id) {
                        snprintf(buf, size, "%s", m.mount_point);
                        found = true;
                }
        }
        free(line);
        fclose(f);
        return found;
}

/* fdinfo, the fallback before Linux 5.8, names the mount statx() names, on every mount. */
START_TEST(test_fd_mount_id)
{
        static const char *const paths[] = {"/", "/proc", "/proc/self/fdinfo", "/tmp"};
        uint64_t any, fdinfo, root_id = 0, proc_id = 0;
        char where[PATH_MAX];

        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                int fd = open(paths[i], O_PATH | O_CLOEXEC);
                ck_assert_int_ge(fd, 0);
                ck_assert_int_eq(pv_oci_fd_mount_id(fd, PV_OCI_MOUNT_ID_ANY, &any), 0);
                ck_assert_int_eq(pv_oci_fd_mount_id(fd, PV_OCI_MOUNT_ID_FDINFO, &fdinfo), 0);
                ck_assert_msg(any == fdinfo, "%s: statx says mount %llu, fdinfo %llu", paths[i],
                              (unsigned long long)any, (unsigned long long)fdinfo);
                ck_assert_msg(mount_point_of(fdinfo, where, sizeof(where)),
                              "%s: mount %llu is not in mountinfo", paths[i],
                              (unsigned long long)fdinfo);
                if (i == 0)
                        root_id = fdinfo;
                if (i == 1)
                        proc_id = fdinfo;
                close(fd);
        }
        /* procfs is a mount of its own: the IDs tell mounts apart */
        ck_assert(mount_point_of(proc_id, where, sizeof(where)));
        ck_assert_str_eq(where, "/proc");
        ck_assert_uint_ne(root_id, proc_id);

        fdinfo = 77;
        ck_assert_int_lt(pv_oci_fd_mount_id(-1, PV_OCI_MOUNT_ID_FDINFO, &fdinfo), 0);
        ck_assert_int_lt(pv_oci_fd_mount_id(-1, PV_OCI_MOUNT_ID_ANY, &fdinfo), 0);
        ck_assert_uint_eq(fdinfo, 77);
}
END_TEST

static void check_root(const char *text, const char *want)
{
        char *got = pv_oci_settings_root(text);

        if (want)
                ck_assert_str_eq(got, want);
        else
                ck_assert_ptr_null(got);
        free(got);
}

START_TEST(test_settings_root)
{
        check_root("MOUNTPOINT=/srv/pv\n", "/srv/pv");
        check_root("# MOUNTPOINT=/old\nDAEMON_OPTS=-d\n  MOUNTPOINT='/a b'  \n", "/a b");
        check_root("MOUNTPOINT=\"/q\"", "/q");
        /* the last assignment wins, as in the shell */
        check_root("MOUNTPOINT=/one\nMOUNTPOINT=/two\n", "/two");
        /* nothing usable: no line, empty, relative, unbalanced quotes */
        check_root("", NULL);
        check_root("DAEMON_OPTS=\n", NULL);
        check_root("MOUNTPOINT=\n", NULL);
        check_root("MOUNTPOINT=relative/dir\n", NULL);
        check_root("MOUNTPOINT='/x\n", NULL);
        check_root("MOUNTPOINTS=/x\n", NULL);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("oci-path");
        TCase *tc = tcase_create("open");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_open_in_root);
        tcase_add_test(tc, test_open_beneath);
        tcase_add_test(tc, test_open_view);
        suite_add_tcase(s, tc);
        TCase *tm = tcase_create("mountinfo");
        tcase_add_test(tm, test_settings_root);
        tcase_add_test(tm, test_fd_mount_id);
        suite_add_tcase(s, tm);

        SRunner *sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
