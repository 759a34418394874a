/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mountinfo parsers of pvparse: the in-place split, fdinfo's mnt_id,
 * PvMountEntry, the OCI hook's lookups by device and by mount ID, and the
 * cgroup mounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mount-line.h"
#include "mountinfo.h"
#include "parse-mountinfo.h"
#include "pv-check.h"

/* Lines as the kernel writes them (fs/proc_namespace.c show_mountinfo). */
#define LINE_ROOT "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
#define LINE_PROCVIEW                                                                              \
        "612 22 0:58 / /var/lib/procview ro,nosuid,nodev,relatime shared:301 - fuse.procview "     \
        "procview ro,user_id=0,group_id=0,default_permissions,allow_other\n"
#define LINE_ESCAPED                                                                               \
        "700 22 0:60 /sub\\134dir /tmp/a\\040b\\011c\\012d rw - tmpfs my\\040src "                 \
        "rw,size=1024k\n"

START_TEST(test_parse_procview)
{
        g_auto(PvMountEntry) e = {0};

        ck_assert_int_eq(pv_mountinfo_parse_line(LINE_PROCVIEW, &e), 0);
        ck_assert_uint_eq(e.mount_id, 612);
        ck_assert_uint_eq(e.parent_id, 22);
        ck_assert_uint_eq(e.major, 0);
        ck_assert_uint_eq(e.minor, 58);
        ck_assert_str_eq(e.root, "/");
        ck_assert_str_eq(e.mount_point, "/var/lib/procview");
        ck_assert_str_eq(e.mount_options, "ro,nosuid,nodev,relatime");
        ck_assert_str_eq(e.fs_type, PV_MOUNT_FSTYPE);
        ck_assert_str_eq(e.source, "procview");
        ck_assert_str_eq(e.super_options,
                         "ro,user_id=0,group_id=0,default_permissions,allow_other");
}
END_TEST

START_TEST(test_parse_escapes)
{
        g_auto(PvMountEntry) e = {0};

        ck_assert_int_eq(pv_mountinfo_parse_line(LINE_ESCAPED, &e), 0);
        ck_assert_str_eq(e.root, "/sub\\dir");
        ck_assert_str_eq(e.mount_point, "/tmp/a b\tc\nd");
        ck_assert_str_eq(e.source, "my src");
        ck_assert_str_eq(e.fs_type, "tmpfs");
        ck_assert_uint_eq(e.major, 0);
        ck_assert_uint_eq(e.minor, 60);
}
END_TEST

START_TEST(test_parse_optional_fields_and_no_newline)
{
        g_auto(PvMountEntry) e = {0};

        /* No optional field at all, and several of them. */
        ck_assert_int_eq(pv_mountinfo_parse_line("5 4 8:1 / /boot rw - vfat /dev/sda1 rw", &e), 0);
        ck_assert_str_eq(e.mount_point, "/boot");
        ck_assert_uint_eq(e.major, 8);
        pv_mount_entry_clear(&e);
        ck_assert_int_eq(pv_mountinfo_parse_line("6 4 259:3 / /x rw shared:2 master:1 "
                                                 "propagate_from:1 unbindable - xfs /dev/x rw\n",
                                                 &e),
                         0);
        ck_assert_uint_eq(e.major, 259);
        ck_assert_str_eq(e.fs_type, "xfs");
        ck_assert_str_eq(e.super_options, "rw");
}
END_TEST

START_TEST(test_parse_bad_untouched)
{
        PvMountEntry e = {.mount_id = 99};
        const char *bad[] = {
            "",
            "\n",
            "22 1 0:21 / / rw shared:1 ext4 /dev/vda1 rw",   /* no separator */
            "22 1 0:21 / / rw - ext4 /dev/vda1",             /* superoptions missing */
            "22 1 0:21 / / rw - ext4 /dev/vda1 rw extra",    /* one field too many */
            "x 1 0:21 / / rw - ext4 /dev/vda1 rw",           /* id not a number */
            "22 1 021 / / rw - ext4 /dev/vda1 rw",           /* no major:minor */
            "22 1 0:21x / / rw - ext4 /dev/vda1 rw",         /* minor not a number */
            "22 1 0:21 / / rw - ext4",                       /* too short */
            "22 1 0:99999999999 / / rw - ext4 /dev/vda1 rw", /* minor out of range */
        };

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                ck_assert_msg(pv_mountinfo_parse_line(bad[i], &e) == -EINVAL, "accepted: %s",
                              bad[i]);
                ck_assert_uint_eq(e.mount_id, 99);
                ck_assert_ptr_null(e.mount_point);
        }
}
END_TEST

START_TEST(test_parse_backslash_not_an_escape)
{
        g_auto(PvMountEntry) e = {0};

        /* Only a backslash with three octal digits is an escape. */
        ck_assert_int_eq(pv_mountinfo_parse_line("7 4 0:5 / /a\\9b\\04 rw - tmpfs t rw", &e), 0);
        ck_assert_str_eq(e.mount_point, "/a\\9b\\04");
}
END_TEST

START_TEST(test_find_topmost)
{
        /* Three mounts stacked on /var/lib/procview, listed out of stacking order. */
        const char *text =
            LINE_ROOT "40 31 0:50 / /var/lib/procview rw - fuse.procview procview rw\n"
                      "31 22 0:40 / /var/lib/procview rw - tmpfs tmpfs rw\n"
                      "41 40 0:51 / /var/lib/procview/proc rw - tmpfs tmpfs rw\n"
                      "50 40 0:52 / /var/lib/procview rw - fuse.other other rw\n"
                      "60 22 0:53 / /var/lib/procview2 rw - fuse.procview procview rw\n";
        g_auto(PvMountEntry) e = {0};
        PvMountEntry keep = {.mount_id = 7};

        ck_assert_int_eq(pv_mountinfo_find(text, "/var/lib/procview", &e), 0);
        ck_assert_uint_eq(e.mount_id, 50);
        ck_assert_str_eq(e.fs_type, "fuse.other");
        pv_mount_entry_clear(&e);

        ck_assert_int_eq(pv_mountinfo_find(text, "/", &e), 0);
        ck_assert_uint_eq(e.mount_id, 22);
        pv_mount_entry_clear(&e);

        ck_assert_int_eq(pv_mountinfo_find(text, "/var/lib", &keep), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_find(text, "/var/lib/procview/", &keep), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_find("", "/", &keep), -ENOENT);
        ck_assert_uint_eq(keep.mount_id, 7);
}
END_TEST

START_TEST(test_find_escaped_and_malformed)
{
        const char *text = "garbage line\n" LINE_ESCAPED LINE_PROCVIEW;
        g_auto(PvMountEntry) e = {0};

        ck_assert_int_eq(pv_mountinfo_find(text, "/tmp/a b\tc\nd", &e), 0);
        ck_assert_uint_eq(e.mount_id, 700);
        pv_mount_entry_clear(&e);
        ck_assert_int_eq(pv_mountinfo_find(text, "/tmp/a\\040b\\011c\\012d", &e), -ENOENT);
        /* A last line without its newline counts. */
        ck_assert_int_eq(pv_mountinfo_find("1 0 0:1 / /z rw - tmpfs t rw", "/z", &e), 0);
        ck_assert_uint_eq(e.mount_id, 1);
}
END_TEST

/* The in-place split libprocview and the preload use, without allocating. */
START_TEST(test_split_in_place)
{
        char line[] = "35 31 0:32 /../.. /sys/fs/cgroup/my\\040mem rw,relatime shared:5 master:1 - "
                      "cgroup cgroup rw,memory\n";
        PvMountLine m;
        ck_assert_int_eq(pv_mount_line_split(line, &m), 0);
        ck_assert_str_eq(m.root, "/../..");
        ck_assert_str_eq(m.mount_point, "/sys/fs/cgroup/my mem");
        ck_assert_str_eq(m.fs_type, "cgroup");
        ck_assert_str_eq(m.super_options, "rw,memory");
        ck_assert(pv_mount_opt_has(m.super_options, "memory"));
        ck_assert(!pv_mount_opt_has(m.super_options, "mem"));
        ck_assert(pv_mount_opt_has("rw,cpu,cpuacct", "cpu"));
        ck_assert(!pv_mount_opt_has("rw,cpuset", "cpu"));
        char bad[] = "35 31 0:32 / /x rw";
        ck_assert_int_eq(pv_mount_line_split(bad, &m), -EINVAL);
        char extra[] = "35 31 0:32 / /x rw - cgroup cgroup rw extra";
        ck_assert_int_eq(pv_mount_line_split(extra, &m), -EINVAL);
}
END_TEST

/* The mount ID of an fd from its fdinfo, the hook's way where statx() lacks STATX_MNT_ID. */
START_TEST(test_fdinfo_mnt_id)
{
        uint64_t id = 7;

        ck_assert_int_eq(
            pv_fdinfo_mnt_id("pos:\t0\nflags:\t012100000\nmnt_id:\t1234\nino:\t5\n", &id), 0);
        ck_assert_uint_eq(id, 1234);
        /* the last line without its newline, no other line */
        ck_assert_int_eq(pv_fdinfo_mnt_id("mnt_id:\t29", &id), 0);
        ck_assert_uint_eq(id, 29);
        /* a fanotify mark carries the key further in; only a line's start counts */
        id = 7;
        ck_assert_int_eq(
            pv_fdinfo_mnt_id("pos:\t0\nflags:\t02\nfanotify mnt_id:3f mflags:0\n", &id), -ENOENT);
        ck_assert_int_eq(pv_fdinfo_mnt_id(" mnt_id:\t12\n", &id), -ENOENT);
        /* before Linux 3.15: no mnt_id line */
        ck_assert_int_eq(pv_fdinfo_mnt_id("pos:\t0\nflags:\t02\n", &id), -ENOENT);
        ck_assert_int_eq(pv_fdinfo_mnt_id("", &id), -ENOENT);
        ck_assert_int_eq(pv_fdinfo_mnt_id("mnt_id_x:\t12\n", &id), -ENOENT);
        ck_assert_int_eq(pv_fdinfo_mnt_id("mnt_id:\t-1\n", &id), -EINVAL);
        ck_assert_int_eq(pv_fdinfo_mnt_id("mnt_id:\n", &id), -EINVAL);
        ck_assert_int_eq(pv_fdinfo_mnt_id("mnt_id:\t12 13\n", &id), -EINVAL);
        ck_assert_int_eq(pv_fdinfo_mnt_id("mnt_id:\t99999999999999999999999\n", &id), -EINVAL);
        ck_assert_uint_eq(id, 7);
}
END_TEST

START_TEST(test_mountinfo_dev_is)
{
        const char *mi = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                         "40 22 0:44 / /var/lib/procview ro,nosuid - fuse.procview procview ro\n"
                         "41 22 0:45 / /tmp/fake rw - fuse.other x rw\n"
                         "42 22 0:46 / /tmp/tricky rw - - fuse.procview rw\n"
                         "43 22 0:44 /proc/meminfo /c/proc/meminfo ro master:3 - fuse.procview "
                         "procview ro";

        ck_assert_int_eq(pv_mountinfo_dev_is(mi, 0, 44, "fuse.procview"), 1);
        ck_assert_int_eq(pv_mountinfo_dev_is(mi, 0, 45, "fuse.procview"), 0);
        /* the type is the field right after the separator, not a later one */
        ck_assert_int_eq(pv_mountinfo_dev_is(mi, 0, 46, "fuse.procview"), 0);
        ck_assert_int_eq(pv_mountinfo_dev_is(mi, 8, 1, "ext4"), 1);
        ck_assert_int_eq(pv_mountinfo_dev_is(mi, 0, 4, "fuse.procview"), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_dev_is(mi, 4, 44, "fuse.procview"), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_dev_is("", 0, 44, "fuse.procview"), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_dev_is("garbage\n\n1 2\n", 0, 44, "x"), -ENOENT);
        /* a line cut short is skipped, as any malformed line */
        ck_assert_int_eq(
            pv_mountinfo_dev_is("40 22 0:44 / /v ro - fuse.procview\n", 0, 44, "fuse.procview"),
            -ENOENT);
        ck_assert_int_eq(
            pv_mountinfo_dev_is("40 22 0:44 / /v ro - fuse.procview\n" LINE_ROOT, 0, 21, "ext4"),
            1);
        /* a line of another type does not hide a later one of the type asked for */
        ck_assert_int_eq(pv_mountinfo_dev_is("41 22 0:44 / /a rw - fuse.other x rw\n"
                                             "40 22 0:44 / /v ro - fuse.procview procview ro",
                                             0, 44, "fuse.procview"),
                         1);
}
END_TEST

/* A container's file and directory binds of two dead connections beside a live one. */
START_TEST(test_mountinfo_select)
{
        const char *text = LINE_ROOT
            "800 22 0:70 /proc/meminfo /proc/meminfo ro - fuse.procview procview ro\n"
            "801 22 0:71 /sys/devices/system/cpu /sys/devices/system/cpu ro - fuse.procview "
            "procview ro\n"
            "802 22 0:72 /proc/stat /proc/stat ro - fuse.procview procview ro\n"
            "803 22 0:70 /proc/a\\040b /x\\040y ro - fuse.procview procview ro\n"
            "804 22 0:70 /proc/meminfo /other ro - fuse.sshfs procview ro\n"
            "garbage line\n"
            "805 22 0:73 / /mnt ro - fuse.procview procview ro";
        uint64_t devs[] = {70, 71, 99};
        g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(pv_mount_entry_free);

        /* 0:70 twice, 0:71; not 0:72 nor 0:73; not the sshfs line of 0:70 */
        ck_assert_uint_eq(pv_mountinfo_select(text, "fuse.procview", devs, 3, got), 3);
        ck_assert_uint_eq(got->len, 3);
        PvMountEntry *a = got->pdata[0], *b = got->pdata[1], *c = got->pdata[2];
        ck_assert_uint_eq(a->mount_id, 800);
        ck_assert_str_eq(a->root, "/proc/meminfo");
        ck_assert_str_eq(a->mount_point, "/proc/meminfo");
        ck_assert_uint_eq(b->mount_id, 801);
        ck_assert_uint_eq(pv_mount_devno(b), 71);
        ck_assert_str_eq(c->root, "/proc/a b");
        ck_assert_str_eq(c->mount_point, "/x y");
        /* majors count */
        devs[0] = (uint64_t)1 << 32 | 70;
        ck_assert_uint_eq(pv_mountinfo_select(text, "fuse.procview", devs, 1, got), 0);
        ck_assert_uint_eq(got->len, 3);
}
END_TEST

START_TEST(test_mountinfo_shared)
{
        const char *mi = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                         "40 22 0:5 / /c/rootfs/proc rw,nosuid - proc proc rw\n"
                         "41 22 0:21 / /c/rootfs/sys ro,nosuid shared:7 master:3 - sysfs sysfs ro\n"
                         "42 22 0:21 / /c/rootfs/x rw master:3 - sysfs shared:9 rw\n"
                         "143 22 0:5 / /c/rootfs/y rw - proc proc rw";

        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 22), 1);
        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 40), 0);
        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 41), 1);
        /* "shared:" after the separator is a source or option, not a tag. */
        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 42), 0);
        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 143), 0);
        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 14), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_is_shared(mi, 4), -ENOENT);
        ck_assert_int_eq(pv_mountinfo_is_shared("", 1), -ENOENT);
        /* only the first field names the mount: no prefix of it, no other field */
        ck_assert_int_eq(pv_mountinfo_is_shared("40x 22 0:5 / /p rw shared:2 - proc p rw", 40),
                         -ENOENT);
        ck_assert_int_eq(pv_mountinfo_is_shared("7 40 0:5 / /p rw shared:2 - proc p rw", 40),
                         -ENOENT);
        /* a tag is an optional field: not the mount point, not a bare "shared:" */
        ck_assert_int_eq(pv_mountinfo_is_shared("40 22 0:5 / shared:5 rw - proc p rw", 40), 0);
        ck_assert_int_eq(pv_mountinfo_is_shared("40 22 0:5 / /p rw shared: - proc p rw", 40), 0);
        /* cut short: the optional fields written so far count */
        ck_assert_int_eq(pv_mountinfo_is_shared("40 22 0:5 / /p rw shared:3", 40), 1);
        ck_assert_int_eq(pv_mountinfo_is_shared("40 22 0:5 / /p rw\n", 40), 0);
        ck_assert_int_eq(pv_mountinfo_is_shared("40", 40), -ENOENT);
}
END_TEST

/* Hierarchy discovery's fallback: the cgroup mounts of a host, v1 controllers and cgroup2. */
START_TEST(test_cgroup_mounts)
{
        char text[] = LINE_ROOT
            "25 22 0:23 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
            "\n"
            "garbage line\n"
            "30 22 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
            "31 22 0:31 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n"
            "32 22 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
            "33 22 0:33 / /other/unified rw - cgroup2 cgroup2 rw\n"
            "34 22 0:34 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset,noprefix\n"
            "35 22 0:35 / /sys/fs/cgroup/blkio rw - cgroup cgroup\n"
            "36 22 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pi";
        char unified[64] = "";
        char *v1[_PV_CTRL_MAX] = {};

        pv_mountinfo_cgroup_mounts(text, unified, sizeof(unified), v1, true);
        /* the first of each; a mount point decoded; cpu and cpuacct co-mounted */
        ck_assert_str_eq(unified, "/sys/fs/cgroup/unified");
        ck_assert_str_eq(v1[PV_CTRL_CPU], "/sys/fs/cgroup/cpu,cpuacct");
        ck_assert_str_eq(v1[PV_CTRL_CPUACCT], "/sys/fs/cgroup/cpu,cpuacct");
        ck_assert_str_eq(v1[PV_CTRL_MEMORY], "/sys/fs/cgroup/my mem");
        ck_assert_str_eq(v1[PV_CTRL_CPUSET], "/sys/fs/cgroup/cpuset");
        /* a line cut before its super options, and one cut inside them, name nothing */
        ck_assert_ptr_null(v1[PV_CTRL_IO]);
        ck_assert_ptr_null(v1[PV_CTRL_PIDS]);
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                free(v1[c]);
}
END_TEST

START_TEST(test_cgroup_mounts_kept)
{
        char *v1[_PV_CTRL_MAX] = {};
        char unified[8] = "";
        char text[] = "25 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                      "30 22 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        char again[sizeof(text)];
        memcpy(again, text, sizeof(text));

        /* v1 mounts only when asked for; a unified path cut to fit its buffer */
        pv_mountinfo_cgroup_mounts(text, unified, sizeof(unified), v1, false);
        ck_assert_str_eq(unified, "/sys/fs");
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                ck_assert_ptr_null(v1[c]);

        /* what is set already (by libcgroup) stays */
        char kept[] = "/kept";
        v1[PV_CTRL_MEMORY] = kept;
        memcpy(unified, "/u", 3);
        pv_mountinfo_cgroup_mounts(again, unified, sizeof(unified), v1, true);
        ck_assert_str_eq(unified, "/u");
        ck_assert_ptr_eq(v1[PV_CTRL_MEMORY], kept);

        /* no cgroup mount at all */
        char none[] = LINE_ROOT LINE_PROCVIEW;
        char *empty[_PV_CTRL_MAX] = {};
        char u[16] = "";
        pv_mountinfo_cgroup_mounts(none, u, sizeof(u), empty, true);
        ck_assert_str_eq(u, "");
        for (int c = 0; c < _PV_CTRL_MAX; c++)
                ck_assert_ptr_null(empty[c]);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("parse-mountinfo");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_parse_procview);
        tcase_add_test(tc, test_parse_escapes);
        tcase_add_test(tc, test_parse_optional_fields_and_no_newline);
        tcase_add_test(tc, test_parse_bad_untouched);
        tcase_add_test(tc, test_parse_backslash_not_an_escape);
        tcase_add_test(tc, test_find_topmost);
        tcase_add_test(tc, test_find_escaped_and_malformed);
        tcase_add_test(tc, test_split_in_place);
        tcase_add_test(tc, test_fdinfo_mnt_id);
        suite_add_tcase(s, tc);
        tc = tcase_create("lookup");
        tcase_add_test(tc, test_mountinfo_dev_is);
        tcase_add_test(tc, test_mountinfo_shared);
        tcase_add_test(tc, test_mountinfo_select);
        tcase_add_test(tc, test_cgroup_mounts);
        tcase_add_test(tc, test_cgroup_mounts_kept);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
