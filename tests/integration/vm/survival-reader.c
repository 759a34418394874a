/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * pv-survival-reader: a reader of a procviewd mount that counts what a
 * container would notice while the daemon's worker is killed under it.
 *
 *   pv-survival-reader loop MOUNT MEMTOTAL-KB ONLINE STOP-FILE
 *     Until STOP-FILE exists: open, read to EOF and close MOUNT/proc/meminfo
 *     and MOUNT/sys/devices/system/cpu/online. A failed call is a failed
 *     read; a MemTotal other than MEMTOTAL-KB or an online list other than
 *     ONLINE is a wrong value.
 *
 *   pv-survival-reader hold MOUNT MEMTOTAL-KB ONLINE READY-FILE GO-FILE STOP-FILE
 *     Opens both files once and keeps them open. Checks them with pread()
 *     at offset 0 and 100, creates READY-FILE, waits for GO-FILE (the caller
 *     kills the worker that issued the handles meanwhile), then checks the
 *     same handles again, offset 100 first: the new worker has never seen
 *     these handles, and offset 100 is a slice of a render it must rebuild
 *     from the inode and the reader. Then repeats the checks every 50 ms
 *     until STOP-FILE exists and closes the handles.
 *
 * Both modes print one summary line, "pv-survival MODE pid=... key=value...",
 * and a line for each of the first failures, with the CLOCK_BOOTTIME time
 * (the guest's /proc/uptime) so that the caller can place it among its kills.
 * Timing under an emulated CPU says nothing about the daemon's speed; the
 * longest call is reported to catch a reader left hanging, not to measure.
 * Exit status: 0 when nothing failed and nothing was wrong, 1 otherwise,
 * 2 on bad usage.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The guest's meminfo is ~1.5 KiB; a larger buffer also proves read-to-EOF. */
#define BUF_SIZE (256 * 1024)
#define MAX_REPORTED 20
#define HOLD_OFFSET 100

typedef struct {
        unsigned long cycles;
        unsigned long calls;
        unsigned long failed;
        unsigned long wrong;
        unsigned long reported;
        long long max_call_us;
        double max_call_at;
        const char *max_call_what;
        long long max_cycle_us;
} Stats;

static Stats stats;
static char buf[BUF_SIZE];
static char buf2[BUF_SIZE];

static long long now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void report(const char *kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Counts a failure of KIND ("failed" or "wrong") and prints the first ones. */
static void report(const char *kind, const char *fmt, ...)
{
        va_list ap;

        if (strcmp(kind, "failed") == 0)
                stats.failed++;
        else
                stats.wrong++;
        if (stats.reported++ >= MAX_REPORTED)
                return;
        printf("pv-survival %s pid=%d at=%.3f: ", kind, (int)getpid(), now_us() / 1e6);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

/* Accounts one system call that took from START until now. */
static void timed(long long start, const char *what)
{
        long long d = now_us() - start;

        stats.calls++;
        if (d > stats.max_call_us) {
                stats.max_call_us = d;
                stats.max_call_at = start / 1e6;
                stats.max_call_what = what;
        }
}

/* MemTotal of meminfo TEXT in kB, or -1 when the line is missing. */
static long long memtotal_kb(const char *text)
{
        const char *p = strstr(text, "MemTotal:");
        long long v;

        if (p == NULL || (p != text && p[-1] != '\n'))
                return -1;
        if (sscanf(p, "MemTotal: %lld kB", &v) != 1)
                return -1;
        return v;
}

/* Checks meminfo or online TEXT (read from offset 0); reports and returns false on a mismatch. */
static bool check_text(const char *path, const char *text, size_t len, long long want_kb,
                       const char *want_online)
{
        if (strstr(path, "meminfo") != NULL) {
                long long got = memtotal_kb(text);
                if (got != want_kb) {
                        report("wrong", "%s: MemTotal %lld kB, want %lld (%zu bytes)", path, got,
                               want_kb, len);
                        return false;
                }
                return true;
        }
        if (len != strlen(want_online) + 1 || strncmp(text, want_online, len - 1) != 0 ||
            text[len - 1] != '\n') {
                report("wrong", "%s: '%.*s', want '%s\\n'", path, (int)len, text, want_online);
                return false;
        }
        return true;
}

/* open + read to EOF + close of PATH; returns false when something failed or was wrong. */
static bool read_whole(const char *path, long long want_kb, const char *want_online)
{
        size_t len = 0;
        long long t, t0 = now_us();
        ssize_t n;
        int fd;

        t = now_us();
        fd = open(path, O_RDONLY | O_CLOEXEC);
        timed(t, "open");
        if (fd < 0) {
                report("failed", "open %s: %s", path, strerror(errno));
                return false;
        }
        for (;;) {
                t = now_us();
                n = read(fd, buf + len, sizeof(buf) - 1 - len);
                timed(t, "read");
                if (n < 0) {
                        report("failed", "read %s at %zu: %s", path, len, strerror(errno));
                        close(fd);
                        return false;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len == sizeof(buf) - 1) {
                        report("wrong", "read %s: more than %zu bytes", path, len);
                        close(fd);
                        return false;
                }
        }
        buf[len] = '\0';
        t = now_us();
        if (close(fd) < 0) {
                timed(t, "close");
                report("failed", "close %s: %s", path, strerror(errno));
                return false;
        }
        timed(t, "close");
        if (now_us() - t0 > stats.max_cycle_us)
                stats.max_cycle_us = now_us() - t0;
        return check_text(path, buf, len, want_kb, want_online);
}

/* pread of FD at OFF into OUT (NUL-terminated); returns the length or -1 (reported). */
static ssize_t timed_pread(int fd, const char *path, char *out, off_t off)
{
        long long t = now_us();
        ssize_t n = pread(fd, out, BUF_SIZE - 1, off);

        timed(t, off == 0 ? "pread@0" : "pread@100");
        if (n < 0) {
                report("failed", "pread %s at %lld: %s", path, (long long)off, strerror(errno));
                return -1;
        }
        out[n] = '\0';
        return n;
}

/* Digits and the spaces that pad them map to one character: two renders of
 * meminfo then compare equal byte for byte (the kernel's fixed-width "%8lu kB"
 * fields keep every key at the same offset whatever the values). */
static bool same_layout(const char *a, const char *b, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                bool fa = (a[i] >= '0' && a[i] <= '9') || a[i] == ' ';
                bool fb = (b[i] >= '0' && b[i] <= '9') || b[i] == ' ';
                if (fa != fb || (!fa && a[i] != b[i]))
                        return false;
        }
        return true;
}

/*
 * One round on the held meminfo handle MFD and online handle OFD: pread at
 * 100, at 0, at 100 again. The slice at 100 must be the tail of a whole
 * render (same length, same layout), whichever worker rendered it.
 */
static bool hold_round(int mfd, int ofd, const char *mpath, const char *opath, long long want_kb,
                       const char *want_online, const char *when)
{
        ssize_t tail1, whole, tail2, on;
        bool ok = true;

        tail1 = timed_pread(mfd, mpath, buf2, HOLD_OFFSET);
        whole = timed_pread(mfd, mpath, buf, 0);
        if (tail1 < 0 || whole < 0)
                return false;
        if (!check_text(mpath, buf, (size_t)whole, want_kb, want_online))
                ok = false;
        if (whole <= HOLD_OFFSET || tail1 != whole - HOLD_OFFSET ||
            !same_layout(buf2, buf + HOLD_OFFSET, (size_t)tail1)) {
                report("wrong",
                       "%s: pread %s at %d gave %zd bytes '%.40s...', whole file %zd bytes", when,
                       mpath, HOLD_OFFSET, tail1, buf2, whole);
                ok = false;
        }
        tail2 = timed_pread(mfd, mpath, buf2, HOLD_OFFSET);
        if (tail2 < 0)
                return false;
        if (tail2 != whole - HOLD_OFFSET || !same_layout(buf2, buf + HOLD_OFFSET, (size_t)tail2)) {
                report("wrong", "%s: second pread %s at %d gave %zd bytes, whole file %zd", when,
                       mpath, HOLD_OFFSET, tail2, whole);
                ok = false;
        }

        /* online is shorter than 100 bytes: offset 100 is end of file */
        on = timed_pread(ofd, opath, buf2, HOLD_OFFSET);
        if (on < 0)
                return false;
        if (on != 0) {
                report("wrong", "%s: pread %s at %d past the end gave %zd bytes", when, opath,
                       HOLD_OFFSET, on);
                ok = false;
        }
        on = timed_pread(ofd, opath, buf2, 0);
        if (on < 0)
                return false;
        if (!check_text(opath, buf2, (size_t)on, want_kb, want_online))
                ok = false;
        return ok;
}

static bool exists(const char *path)
{
        return access(path, F_OK) == 0;
}

static int touch(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0) {
                fprintf(stderr, "pv-survival-reader: %s: %s\n", path, strerror(errno));
                return -1;
        }
        close(fd);
        return 0;
}

static void summary(const char *mode, const char *extra)
{
        printf("pv-survival %s pid=%d cycles=%lu calls=%lu failed=%lu wrong=%lu max_call_us=%lld "
               "max_call=%s max_call_at=%.3f max_cycle_us=%lld%s\n",
               mode, (int)getpid(), stats.cycles, stats.calls, stats.failed, stats.wrong,
               stats.max_call_us, stats.max_call_what ? stats.max_call_what : "-",
               stats.max_call_at, stats.max_cycle_us, extra);
        fflush(stdout);
}

static int run_loop(const char *mount, long long want_kb, const char *want_online, const char *stop)
{
        char mpath[4096], opath[4096];

        snprintf(mpath, sizeof(mpath), "%s/proc/meminfo", mount);
        snprintf(opath, sizeof(opath), "%s/sys/devices/system/cpu/online", mount);
        while (!exists(stop)) {
                read_whole(mpath, want_kb, want_online);
                read_whole(opath, want_kb, want_online);
                stats.cycles++;
        }
        summary("loop", "");
        return stats.failed == 0 && stats.wrong == 0 && stats.cycles > 0 ? 0 : 1;
}

static int run_hold(const char *mount, long long want_kb, const char *want_online,
                    const char *ready, const char *go, const char *stop)
{
        char mpath[4096], opath[4096], extra[128];
        bool before, after;
        long long t;
        int mfd, ofd, rc;

        snprintf(mpath, sizeof(mpath), "%s/proc/meminfo", mount);
        snprintf(opath, sizeof(opath), "%s/sys/devices/system/cpu/online", mount);
        mfd = open(mpath, O_RDONLY | O_CLOEXEC);
        ofd = open(opath, O_RDONLY | O_CLOEXEC);
        if (mfd < 0 || ofd < 0) {
                report("failed", "open: %s", strerror(errno));
                summary("hold", " before=0 after=0");
                return 1;
        }
        /* offset 0 first: the handle gets its render from the current worker */
        t = now_us();
        if (pread(mfd, buf, BUF_SIZE - 1, 0) < 0)
                report("failed", "first pread %s: %s", mpath, strerror(errno));
        timed(t, "pread@0");
        before = hold_round(mfd, ofd, mpath, opath, want_kb, want_online, "before the kill");
        stats.cycles++;
        if (touch(ready) < 0)
                return 1;
        while (!exists(go))
                usleep(20000);
        after = hold_round(mfd, ofd, mpath, opath, want_kb, want_online, "after the kill");
        stats.cycles++;
        printf("pv-survival hold-takeover pid=%d before=%d after=%d\n", (int)getpid(), before,
               after);
        fflush(stdout);

        while (!exists(stop)) {
                hold_round(mfd, ofd, mpath, opath, want_kb, want_online, "during the storm");
                stats.cycles++;
                usleep(50000);
        }
        /* release of handles issued by a worker that is long dead */
        t = now_us();
        rc = close(mfd);
        timed(t, "close");
        if (rc < 0)
                report("failed", "close %s: %s", mpath, strerror(errno));
        t = now_us();
        rc = close(ofd);
        timed(t, "close");
        if (rc < 0)
                report("failed", "close %s: %s", opath, strerror(errno));
        snprintf(extra, sizeof(extra), " before=%d after=%d", before, after);
        summary("hold", extra);
        return stats.failed == 0 && stats.wrong == 0 && before && after ? 0 : 1;
}

static long long parse_kb(const char *s)
{
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v <= 0)
                return -1;
        return v;
}

int main(int argc, char **argv)
{
        long long kb;

        if (argc == 6 && strcmp(argv[1], "loop") == 0 && (kb = parse_kb(argv[3])) > 0)
                return run_loop(argv[2], kb, argv[4], argv[5]);
        if (argc == 8 && strcmp(argv[1], "hold") == 0 && (kb = parse_kb(argv[3])) > 0)
                return run_hold(argv[2], kb, argv[4], argv[5], argv[6], argv[7]);
        fprintf(stderr,
                "usage: %s loop MOUNT MEMTOTAL-KB ONLINE STOP-FILE\n"
                "       %s hold MOUNT MEMTOTAL-KB ONLINE READY-FILE GO-FILE STOP-FILE\n",
                argv[0], argv[0]);
        return 2;
}
