#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procviewd's keeper killed with SIGKILL, no service manager to keep its
fds: the worker dies with it and the mount is dead (ENOTCONN or
ECONNABORTED, while the root's cached attributes may still answer stat).
Asserted: a container started meanwhile through procview-oci-hook starts
with nothing bound and reads the kernel's /proc/meminfo; a new procviewd on the same mount point
detaches the dead mount itself, mounts afresh and serves; new containers
(config mounts and hook) see their own views.

A container that had the dead mount bound, with a reader loop running in
it: the new procviewd repairs its mounts (file binds and the rbind of
sys/devices/system/cpu) without restarting it, so the loop reads its own
MemTotal again within 2 s of the new mount and never a wrong value (the
host's file would show through a mount detached before its replacement
came); the daemon logs one line for the container. A second loop runs in a
user and mount namespace the container made (unshare -Urm), whose copies
of the binds are locked (no one may unmount them): they are covered by the
live view, and that loop reads its 300 MiB again as well. Then a stop
(SIGTERM, which unmounts) and a start, as a restart without systemd does:
the loop in 'before' reads again within 2 s of the new mount. With --no-repair the
container keeps failing until restarted, and the log says nothing of it."""

import errno
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, children, cpulist, meminfo_kb, log, mounts_at, wait_for, Failure


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


def dump(path, prefix):
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                log(prefix + line.rstrip("\n"))


# The reader loop in the container: a timestamped line per read of MemTotal, or ERR.
LOOP = ('while :; do if v=$(head -n1 /proc/meminfo 2>&1); then echo "$(date +%s.%N) $v"; '
        'else echo "$(date +%s.%N) ERR $v"; fi; sleep 0.02; done')


def loop_lines(path, since):
    """The loop's reads at or after since: (time, MemTotal kB or None for an error)."""
    out = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2:
                continue
            try:
                t = float(fields[0])
            except ValueError:
                continue
            if t < since:
                continue
            if fields[1] == "MemTotal:" and len(fields) >= 3:
                out.append((t, int(fields[2])))
            else:
                out.append((t, None))
    return out


def test(h, logs, repair):
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
    loop_out = os.path.join(h.tmp, "before-loop.out")
    h.spawn("before", "sh", "-c", LOOP, out=open(loop_out, "w"))
    nested_out = os.path.join(h.tmp, "before-nested.out")
    # mapping root into a user namespace takes CAP_SETFCAP (Linux 5.12), which runc
    # does not give by default
    nested = subprocess.Popen(["runc", "--root", h.state, "exec", "--cap", "CAP_SETUID",
                               "--cap", "CAP_SETGID", "--cap", "CAP_SETFCAP", "before",
                               "unshare", "-Urm", "sh", "-c", LOOP],
                              stdin=subprocess.DEVNULL, stdout=open(nested_out, "w"),
                              stderr=subprocess.STDOUT)
    h.children.append(nested)

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
    t_start = time.time()
    h.start_daemon(*([] if repair else ["--no-repair"]), stderr=open(logs[1], "w"))
    t_mount = time.time()
    mount1 = mounts_at(h.mnt)
    # The device number names the FUSE connection (a mount ID freed by the
    # detach may be given to the new mount).
    check(len(mount1) == 1 and mount1[0][1] != mount0[0][1],
          "the new procviewd detached the dead mount and mounted a new connection: %s, was %s"
          % (mount1, mount0))
    check(errno_of(lambda: os.statvfs(h.mnt)) == 0, "statfs of the new mount succeeds")
    # the repairer, a child too, ends once it has repaired
    wait_for(lambda: len(children(h.daemon.pid)) == 1, 10, "the repairer ends")
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
    time.sleep(3)
    reads = loop_lines(loop_out, t_start)
    good = [t for t, v in reads if v is not None]
    wrong = [(t, v) for t, v in reads if v is not None and v != 300 << 10]
    check(not wrong, "the reader loop in 'before' read no wrong MemTotal (%s)" % wrong[:3])
    repaired = [l for l in read_file(logs[1]).splitlines() if "repaired pid" in l]
    r = h.exec("before", "cat", "/proc/meminfo", check_rc=False, timeout=20)
    if not repair:
        check(not good and len(reads) > 20, "with --no-repair, every one of the loop's %d "
              "reads in 'before' failed" % len(reads))
        check(r.returncode != 0, "with --no-repair, 'before' still has the dead mount")
        check(not repaired, "with --no-repair, nothing was repaired: %s" % repaired)
        return
    check(good, "the reader loop in 'before' reads again after the new mount")
    check(good[0] - t_mount <= 2.0, "the reader loop in 'before' read its 300 MiB %.2f s after "
          "the new mount (at most 2 s)" % (good[0] - t_mount))
    errs = [t for t, v in reads if v is None and t > good[0]]
    check(not errs, "no failed read in the loop once repaired (%d)" % len(errs))
    check(r.returncode == 0 and meminfo_kb(r.stdout, "MemTotal") == 300 << 10,
          "'before', never restarted, reads its own 300 MiB again")
    online = cpulist(read(h, "before", "/sys/devices/system/cpu/online"))
    check(online == {cpus[0]}, "the rbind of sys/devices/system/cpu in 'before' was repaired "
          "too: online %s" % sorted(online))
    inside = mounts_at("/proc/meminfo", read(h, "before", "/proc/self/mountinfo"))
    check(inside and inside[-1][1] == mount1[0][1],
          "'before' has the new connection %s bound at /proc/meminfo: %s"
          % (mount1[0][1], inside))
    nested = loop_lines(nested_out, t_start)
    with open(nested_out) as f:
        log("the nested loop's first lines: %r" % f.read(400))
    good = [t for t, v in nested if v is not None]
    check(good and good[0] - t_mount <= 2.0 and all(v in (None, 300 << 10) for _, v in nested),
          "the loop in the container's own user namespace read its 300 MiB again, "
          "%.2f s after the new mount, and no wrong value" % ((good or [0])[0] - t_mount))
    errs = [t for t, v in nested if v is None and good and t > good[0]]
    check(not errs, "no failed read in the nested loop once repaired (%d)" % len(errs))
    covered = [l for l in repaired if "/proc/meminfo (locked, covered)" in l]
    check(len(repaired) == 2 and len(covered) == 1,
          "one log line for the container, one for its nested namespace, whose locked "
          "mounts were covered: %s" % repaired)

    # A stop (SIGTERM: the keeper unmounts) and a start, as `service procview restart`
    # does: the running containers' binds die with the connection and come back.
    check(h.stop_daemon() == 0, "procviewd stopped with SIGTERM")
    wait_for(lambda: h.exec("before", "cat", "/proc/meminfo", check_rc=False,
                            timeout=20).returncode != 0, 10, "'before' loses its views")
    check(True, "after the stop, 'before' reads nothing")
    t_start = time.time()
    h.start_daemon(stderr=open(logs[2], "w"))
    t_mount = time.time()
    time.sleep(2.5)
    reads = loop_lines(loop_out, t_start)
    good = [t for t, v in reads if v is not None]
    check(good and good[0] - t_mount <= 2.0,
          "after a stop and a start, the loop in 'before' read its 300 MiB %.2f s after the "
          "new mount" % ((good or [0])[0] - t_mount))
    check(all(v in (None, 300 << 10) for _, v in reads), "no wrong MemTotal after the start")
    online = cpulist(read(h, "before", "/sys/devices/system/cpu/online"))
    check(online == {cpus[0]}, "'before' sees its cpuset again: %s" % sorted(online))


def run(h):
    logs = [os.path.join(h.tmp, "procviewd-%d.log" % i) for i in (1, 2, 3)]
    try:
        test(h, logs, "--no-repair" not in sys.argv[1:])
    finally:
        dump(logs[0], "procviewd (killed keeper): ")
        h.stop_daemon()
        dump(logs[1], "procviewd (new keeper): ")
        dump(logs[2], "procviewd (after a stop): ")


if __name__ == "__main__":
    pvrunc.main(run, "keeper-kill")
