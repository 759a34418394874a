#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Odd but legal ways of reading the views, against procviewd on this host:

- getdents64 after lseek to every offset, to offsets past the end and to
  huge ones returns what tmpfs (a kernel file system with the same offset
  scheme: an offset counts entries) returns for a directory of the same
  entries: the entries from that index on, never garbage, never an error;
  a listing resumed from each d_off misses and repeats nothing.
- cp, cat through a pipe, python's shutil.copyfile, os.sendfile and
  os.splice copy the whole content (compared with a plain read); wc -c and
  tail agree with the plain read, so what st_size says misleads no tool.
"""

import ctypes
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

# Linux 6.5 (2cb1e08985e3) made FUSE splice FOPEN_DIRECT_IO files from the
# page cache, bounded by i_size, so with procfs's st_size of 0 these copies
# get 0 bytes until the kernel splices such files through read (see
# procviewd(8), FILES). Reported, not failed, when exactly that happens.
KERNEL_SPLICE = ("shutil.copyfile", "os.sendfile", "os.splice")


def kernel_at_least(major, minor):
    release = os.uname().release.split(".")
    try:
        return (int(release[0]), int(release[1].split("-")[0])) >= (major, minor)
    except (IndexError, ValueError):
        return False


# Only those kernels: on an older one a 0-byte copy is procviewd's fault.
SPLICES_FROM_CACHE = kernel_at_least(6, 5)
BUILD = os.environ["PV_BUILD_ROOT"]
PROCVIEWD = os.path.join(BUILD, "src", "daemon", "procviewd")
FAILED = []
SYS_getdents64 = 217  # x86_64
libc = ctypes.CDLL(None, use_errno=True)


def check(ok, what="", zero_copy=False):
    if not ok and zero_copy and SPLICES_FROM_CACHE and what.startswith(KERNEL_SPLICE):
        print("KNOWN (kernel splices direct-I/O FUSE files from the page cache): " + what)
        return
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        FAILED.append(what)


def getdents_from(path, off, bufsize=4096):
    """[(d_off, name)] read with getdents64 after lseek(off)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.lseek(fd, off, os.SEEK_SET)
        out = []
        buf = ctypes.create_string_buffer(bufsize)
        while True:
            n = libc.syscall(SYS_getdents64, fd, buf, bufsize)
            if n < 0:
                raise OSError(ctypes.get_errno(), "getdents64")
            if n == 0:
                return out
            pos = 0
            while pos < n:
                _, d_off, reclen, _ = struct.unpack_from("<QqHB", buf.raw, pos)
                name = buf.raw[pos + 19:pos + reclen].split(b"\0", 1)[0].decode()
                out.append((d_off, name))
                pos += reclen
    finally:
        os.close(fd)


def test_readdir(mnt, tmp):
    for rel in ["", "proc", "sys/devices/system/cpu"]:
        d = os.path.join(mnt, rel)
        full = getdents_from(d, 0)
        names = [n for _, n in full]
        check(names[:2] == [".", ".."] and len(names) > 2,
              "/%s lists . and .. first, then %d entries" % (rel, len(names) - 2))
        check(len(set(names)) == len(names), "/%s lists no entry twice" % rel)
        check([o for o, _ in full] == sorted(set(o for o, _ in full)),
              "/%s: d_off grows strictly" % rel)
        bad = []
        for off in list(range(0, len(names) + 4)) + [1000, 1 << 31, (1 << 62) + 3]:
            try:
                got = [n for _, n in getdents_from(d, off)]
            except OSError as e:
                bad.append("%d: %s" % (off, e))
                continue
            if got != names[off:]:
                bad.append("%d: %s" % (off, got))
        check(not bad, "/%s: getdents after lseek to any offset gives the entries from it on, "
              "past the end none, never an error %s" % (rel, bad))
        # resumed from every d_off the kernel handed out, with room for one entry per call
        resumed, off = [], 0
        for _ in range(len(names) + 2):
            part = getdents_from(d, off, bufsize=64)[:1]
            if not part:
                break
            resumed.append(part[0][1])
            off = part[0][0]
        check(resumed == names, "/%s: a listing resumed at each d_off misses and repeats "
              "nothing" % rel)
        try:
            fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.lseek(fd, -1, os.SEEK_SET)
                check(False, "/%s: lseek to -1 is refused" % rel)
            except OSError as e:
                check(e.errno == 22, "/%s: lseek to -1 is EINVAL, as on tmpfs" % rel)
            finally:
                os.close(fd)
        except OSError as e:
            check(False, "/%s: open: %s" % (rel, e))


def plain_read(path):
    with open(path, "rb") as f:
        return f.read()


def same_render(a, b):
    """Two reads of a view a moment apart: the same lines (counters may move on)."""
    def shape(t):
        return [(len(l.split()), l.split()[:1] if not l[:1].isdigit() else b"#")
                for l in t.splitlines()]
    return len(a) > 0 and shape(a) == shape(b)


def test_copies(mnt, tmp):
    for rel in ["proc/meminfo", "proc/stat", "proc/cpuinfo", "proc/uptime",
                "sys/devices/system/cpu/online"]:
        src = os.path.join(mnt, rel)
        want = plain_read(src)
        dst = os.path.join(tmp, "copy")
        subprocess.run(["cp", src, dst], check=True)
        check(same_render(plain_read(dst), want), "cp %s copies the content" % rel)
        got = subprocess.run("cat '%s' | cat" % src, shell=True, check=True,
                             capture_output=True).stdout
        check(same_render(got, want), "cat %s through a pipe copies the content" % rel)
        os.unlink(dst)
        shutil.copyfile(src, dst)
        check(same_render(plain_read(dst), want), zero_copy=len(plain_read(dst)) == 0,
              what="shutil.copyfile %s copies the content (%d bytes of %d)"
              % (rel, len(plain_read(dst)), len(want)))
        with open(src, "rb") as fi, open(dst, "wb") as fo:
            n = 0
            while True:
                k = os.sendfile(fo.fileno(), fi.fileno(), None, 1 << 20)
                if k == 0:
                    break
                n += k
        check(same_render(plain_read(dst), want), "os.sendfile %s: %d bytes" % (rel, n), n == 0)
        r, w = os.pipe()
        with open(src, "rb") as fi:
            k = os.splice(fi.fileno(), w, 1 << 16)
        os.close(w)
        got = os.read(r, 1 << 16) if k else b""
        os.close(r)
        check(same_render(got, want) or len(want) > (1 << 16),
              "os.splice %s into a pipe: %d bytes" % (rel, k), k == 0)
        wc = subprocess.run("wc -c < '%s'" % src, shell=True, capture_output=True,
                            text=True).stdout.strip()
        check(abs(int(wc or -1) - len(want)) <= 64, "wc -c %s says %s (a read gives %d)"
              % (rel, wc, len(want)))
        tail = subprocess.run(["tail", "-n", "1", src], capture_output=True).stdout
        check(same_render(tail, want.splitlines(True)[-1]),
              "tail -n 1 %s gives the last line" % rel)


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        sys.exit(77)
    if not os.path.exists("/dev/fuse"):
        print("SKIP: no /dev/fuse")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="pvt-odd-")
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    log = open(os.path.join(tmp, "log"), "w")
    d = subprocess.Popen([PROCVIEWD, "-f", mnt], stderr=log)
    try:
        for _ in range(300):
            if os.path.exists(os.path.join(mnt, "proc/meminfo")):
                break
            time.sleep(0.1)
        test_readdir(mnt, tmp)
        test_copies(mnt, tmp)
    finally:
        d.terminate()
        d.wait()
        subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILED:
        print("some checks failed")
        sys.exit(1)
    print("all checks passed")


main()
