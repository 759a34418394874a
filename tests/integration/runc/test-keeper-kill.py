#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procviewd's keeper killed with SIGKILL, no service manager to keep its
fds: the worker dies with it and the mount is dead (ENOTCONN or
ECONNABORTED, while the root's cached attributes may still answer stat).
Asserted: a container started meanwhile through procview-oci-hook starts
with nothing bound and reads the kernel's /proc/meminfo; a new procviewd on the same mount point
detaches the dead mount itself, mounts afresh and serves; new containers
(config mounts and hook) see their own views. A container that had the dead
mount bound keeps failing until restarted, as documented."""

import errno
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, children, cpulist, meminfo_kb, log, mounts_at, Failure


def read(h, cname, path):
    """path as read in the container; bounded, as the views may hang."""
    return h.exec(cname, "cat", path, timeout=20).stdout


# A closed FUSE connection: ENOTCONN, or ECONNABORTED where the kernel
# reports aborted connections so (FUSE_ABORT_ERROR).
DEAD_ERRNOS = (errno.ENOTCONN, errno.ECONNABORTED)


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return False
    return s[s.rindex(")") + 2] != "Z"


def errno_of(fn):
    try:
        fn()
    except OSError as e:
        return e.errno
    return 0


def read_file(path):
    with open(path) as f:
        return f.read()


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise Failure("%s: not within %.0f s" % (what, timeout))


def dump(path, prefix):
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                log(prefix + line.rstrip("\n"))


def test(h, logs):
    hook = os.access(h.hook, os.X_OK)
    cpus = sorted(pvrunc.host_cpus())
    host_total = meminfo_kb(read_file("/proc/meminfo"), "MemTotal")
    meminfo = os.path.join(h.mnt, "proc", "meminfo")

    h.start_daemon(stderr=open(logs[0], "w"))
    keeper = h.daemon.pid
    kids = children(keeper)
    check(len(kids) == 1, "the keeper %d has one worker %s" % (keeper, kids))
    worker = kids[0]
    b = h.make_bundle("before", mem=300 << 20, cpus=str(cpus[0]))
    r = h.start("before", b)
    check(r.returncode == 0, "container 'before' starts (%s)" % r.stderr.strip())
    check(meminfo_kb(read(h, "before", "/proc/meminfo"), "MemTotal") == 300 << 10,
          "'before' sees its 300 MiB")
    mount0 = mounts_at(h.mnt)
    check(len(mount0) == 1, "one mount at %s: %s" % (h.mnt, mount0))

    # Kill the keeper: nothing holds the connection any more.
    os.kill(keeper, signal.SIGKILL)
    h.daemon.wait()
    h.daemon = None
    wait_for(lambda: not alive(worker), 5, "the worker %d dies with its keeper" % worker)
    check(True, "the worker %d died with its keeper" % worker)
    check(mounts_at(h.mnt) == mount0, "the dead mount stays at the mount point")
    e = errno_of(lambda: os.statvfs(h.mnt))
    check(e in DEAD_ERRNOS, "statfs of the dead mount fails (%s)"
          % (os.strerror(e) if e else "it succeeded"))
    e = errno_of(lambda: read_file(meminfo))
    check(e in DEAD_ERRNOS, "reading the dead mount's meminfo fails (%s)"
          % (os.strerror(e) if e else "it succeeded"))
    r = h.exec("before", "cat", "/proc/meminfo", check_rc=False, timeout=20)
    check(r.returncode != 0 and any(os.strerror(e) in r.stderr for e in DEAD_ERRNOS),
          "'before' keeps the dead mount until restarted (%s)" % r.stderr.strip())

    # The hook meanwhile: nothing bound, the kernel's files.
    if hook:
        b = h.make_bundle("hook-dead", views="hook", mem=200 << 20, cpus=str(cpus[0]))
        t0 = time.monotonic()
        r = h.start("hook-dead", b)
        took = time.monotonic() - t0
        check(r.returncode == 0, "with the mount dead, a container with the hook starts "
              "in %.1f s (%s)" % (took, r.stderr.strip()))
        mi = read(h, "hook-dead", "/proc/self/mountinfo")
        bound = [p for p in ["/proc/meminfo", "/proc/cpuinfo", "/proc/stat",
                             "/sys/devices/system/cpu"] if mounts_at(p, mi)]
        check(not bound, "the hook bound nothing on the dead mount (bound: %s)" % bound)
        total = meminfo_kb(read(h, "hook-dead", "/proc/meminfo"), "MemTotal")
        check(total == host_total, "'hook-dead' reads the kernel's /proc/meminfo "
              "(MemTotal %d kB = host's %d kB)" % (total, host_total))
    else:
        log("procview-oci-hook is not built (json-glib missing): hook part not run")

    # A new procviewd on the same mount point, which the test does not clean.
    h.start_daemon(stderr=open(logs[1], "w"))
    mount1 = mounts_at(h.mnt)
    # The device number names the FUSE connection (a mount ID freed by the
    # detach may be given to the new mount).
    check(len(mount1) == 1 and mount1[0][1] != mount0[0][1],
          "the new procviewd detached the dead mount and mounted a new connection: %s, was %s"
          % (mount1, mount0))
    check(errno_of(lambda: os.statvfs(h.mnt)) == 0, "statfs of the new mount succeeds")
    kids = children(h.daemon.pid)
    check(len(kids) == 1, "the new keeper has a worker %s" % kids)

    b = h.make_bundle("after", mem=200 << 20, cpus=str(cpus[-1]))
    r = h.start("after", b)
    check(r.returncode == 0, "container 'after' starts (%s)" % r.stderr.strip())
    total = meminfo_kb(read(h, "after", "/proc/meminfo"), "MemTotal")
    check(total == 200 << 10, "'after' sees MemTotal %d kB = its 200 MiB limit" % total)
    online = cpulist(read(h, "after", "/sys/devices/system/cpu/online"))
    check(online == {cpus[-1]}, "'after' sees its cpuset %s" % sorted(online))
    inside = mounts_at("/proc/meminfo", read(h, "after", "/proc/self/mountinfo"))
    check(len(inside) == 1 and inside[0][1] == mount1[0][1],
          "'after' has the new connection %s bound" % mount1[0][1])
    if hook:
        b = h.make_bundle("hook-after", views="hook", mem=400 << 20, cpus=str(cpus[0]))
        r = h.start("hook-after", b)
        check(r.returncode == 0, "container 'hook-after' starts (%s)" % r.stderr.strip())
        total = meminfo_kb(read(h, "hook-after", "/proc/meminfo"), "MemTotal")
        check(total == 400 << 10, "through the hook, 'hook-after' sees MemTotal %d kB "
              "= its 400 MiB limit" % total)
    r = h.exec("before", "cat", "/proc/meminfo", check_rc=False, timeout=20)
    check(r.returncode != 0, "'before' still has the dead mount, as documented")


def run(h):
    logs = [os.path.join(h.tmp, "procviewd-1.log"), os.path.join(h.tmp, "procviewd-2.log")]
    try:
        test(h, logs)
    finally:
        dump(logs[0], "procviewd (killed keeper): ")
        h.stop_daemon()
        dump(logs[1], "procviewd (new keeper): ")


if __name__ == "__main__":
    pvrunc.main(run, "keeper-kill")
