#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procviewd's keeper/worker survival seen from running containers.

Three runc containers with different memory limits and cpusets have the
views bound by config.json mounts; four readers in each loop
open/read/close over /proc/meminfo, /proc/cpuinfo, /proc/stat and
/sys/devices/system/cpu/online and log every read. Meanwhile the host kills
the worker with SIGKILL ten times, two seconds apart, then upgrades: a
different binary is renamed over the path the keeper was started from and
the keeper gets SIGHUP.

Asserted: no read fails, every read shows its own container (with the
journal, some killed worker's requests were replayed from it), no read that
overlapped a kill took more than 500 ms, none that overlapped the upgrade
more than 100 ms; the mount (mount ID and device) is the one from before;
the keeper keeps its pid and runs the new file; there is a new worker; the
keeper has no zombie child and no more open fds than before.

Arguments are passed to procviewd (e.g. --recovery=journal)."""

import os
import re
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, children, cpulist, meminfo_kb, log, mounts_at, Failure

DAEMON_ARGS = sys.argv[1:]
MODE = "journal" if "--recovery=journal" in DAEMON_ARGS else "auto"
HERE = os.path.dirname(os.path.abspath(__file__))
READERS = 4
KILLS = 10
KILL_INTERVAL = 2.0
LOOP_S = 30.0
PAUSE_S = 0.005          # between two reads of one reader: 12 readers share 2 CPUs
KILL_LIMIT_MS = 500
UPGRADE_LIMIT_MS = 100
# A stalled read may also be one that started after the event, while the
# next worker was not serving yet: each window runs this long past the
# moment the next worker was seen.
WINDOW_TAIL_S = 1.0


def read(h, cname, path):
    """path as read in the container; bounded, as the views may hang."""
    return h.exec(cname, "cat", path, timeout=20).stdout


def mono():
    return time.monotonic()


def cpus_text(ids):
    return ",".join(str(i) for i in sorted(ids))


def proc_state(pid):
    """(state letter, ppid, comm) of pid, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), comm


def all_children(pid):
    """{child pid: (state, comm)} over every process whose parent is pid."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_state(int(d))
            if st and st[1] == pid:
                kids[int(d)] = (st[0], st[2])
    return kids


def fd_targets(pid):
    out = []
    for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
        try:
            out.append("%s -> %s" % (fd, os.readlink("/proc/%d/fd/%s" % (pid, fd))))
        except OSError:
            pass
    return out


def wait_for(cond, timeout, what):
    return pvrunc.wait_for(cond, timeout, what, step=0.005)


def one_worker(k):
    kids = children(k)
    if len(kids) != 1:
        raise Failure("keeper %d has children %s, expected one worker" % (k, kids))
    return kids[0]


class Container:
    def __init__(self, name, mib, cpus):
        self.name, self.mib, self.cpus = name, mib, cpus
        self.expect = {"/proc/meminfo": str(mib * 1024)}
        for p in ["/proc/cpuinfo", "/proc/stat", "/sys/devices/system/cpu/online"]:
            self.expect[p] = cpus_text(cpus)


def parse_reads(c, data):
    """[(container, reader, t0, t1, path, status, value)] from c's reader logs."""
    reads = []
    for n in range(READERS):
        with open(os.path.join(data, "reader-%d.log" % n)) as f:
            for line in f:
                t0, t1, path, status, val = line.split()
                reads.append((c, n, float(t0), float(t1), path, status, val))
    return reads


def worst(reads, windows):
    """Longest (ms, read) among reads overlapping any [start, end] window."""
    best = (0.0, None)
    for r in reads:
        if any(r[2] <= end and r[3] >= start for start, end in windows):
            ms = (r[3] - r[2]) * 1000
            if ms > best[0]:
                best = (ms, r)
    return best


def describe(r):
    return "%s reader %d %s %s %s (%.1f ms)" % (r[0].name, r[1], r[4], r[5], r[6],
                                                 (r[3] - r[2]) * 1000)


def test(h, logpath):
    h.need_daemon()
    cpus = sorted(pvrunc.host_cpus())
    # Different limits and, where the host has CPUs enough, different cpusets.
    conts = [Container("c200", 200, {cpus[0]}), Container("c300", 300, {cpus[-1]}),
             Container("c400", 400, set(cpus))]

    # The keeper runs from a copy: the upgrade renames another file over it.
    bindir = os.path.join(h.tmp, "bin")
    os.makedirs(bindir)
    binary = os.path.join(bindir, "procviewd")
    shutil.copy2(h.procviewd, binary)
    logf = open(logpath, "w")
    h.start_daemon(*DAEMON_ARGS, binary=binary, stderr=logf)
    k = h.daemon.pid

    expect_mode = "journal" if MODE == "journal" else "resend"
    rel = os.uname().release.split(".")
    if MODE == "auto" and (int(rel[0]), int(rel[1].split("-")[0])) < (6, 9):
        expect_mode = "journal"
    seen = wait_for(lambda: [l for l in open(logpath) if "recovery: " in l], 5,
                    "procviewd logs its recovery mode")
    check("recovery: %s" % expect_mode in seen[0],
          "the worker serves with recovery %s: %s" % (expect_mode, seen[0].strip()))

    for c in conts:
        c.data = os.path.join(h.tmp, c.name + "-data")
        os.makedirs(c.data)
        shutil.copy(os.path.join(HERE, "survival-reader.py"), os.path.join(c.data, "reader.py"))
        b = h.make_bundle(c.name, cpus=cpus_text(c.cpus), mem=c.mib << 20,
                          quota=100000 * len(c.cpus), period=100000,
                          rw_mounts=[(c.data, "/data")])
        r = h.start(c.name, b)
        check(r.returncode == 0, "container %s starts (%s)" % (c.name, r.stderr.strip()))
        total = meminfo_kb(read(h, c.name, "/proc/meminfo"), "MemTotal")
        check(total == c.mib * 1024, "%s: MemTotal %d kB = its %d MiB limit"
              % (c.name, total, c.mib))
        online = cpulist(read(h, c.name, "/sys/devices/system/cpu/online"))
        check(online == c.cpus, "%s: online CPUs %s = its cpuset" % (c.name, sorted(online)))

    mount0 = mounts_at(h.mnt)
    check(len(mount0) == 1 and mount0[0][2].startswith("fuse"),
          "one FUSE mount at the mount point: %s" % mount0)
    for c in conts:
        inside = mounts_at("/proc/meminfo", read(h, c.name, "/proc/self/mountinfo"))
        check(len(inside) == 1 and inside[0][1] == mount0[0][1],
              "%s: /proc/meminfo is on the daemon's connection %s" % (c.name, mount0[0][1]))
    worker0 = one_worker(k)
    st = proc_state(worker0)
    check(st and st[2] == "procviewd-work", "the keeper's child %d is the worker (comm %s)"
          % (worker0, st and st[2]))
    fds0 = fd_targets(k)
    exe0 = os.stat("/proc/%d/exe" % k)
    check(exe0.st_ino == os.stat(binary).st_ino, "the keeper runs %s" % binary)

    # Readers.
    for c in conts:
        c.out = open(os.path.join(h.tmp, c.name + "-reader.out"), "w+")
        c.proc = h.spawn(c.name, "/usr/bin/python3", "/data/reader.py", "/data", str(READERS),
                         "/data/stop", str(PAUSE_S), "150", out=c.out)
    for c in conts:
        wait_for(lambda: all(os.path.exists(os.path.join(c.data, "ready-%d" % n))
                             for n in range(READERS)) or c.proc.poll() is not None, 30,
                 "%s: readers start" % c.name)
        if c.proc.poll() is not None:
            c.out.seek(0)
            raise Failure("%s: readers exited %d:\n%s" % (c.name, c.proc.returncode, c.out.read()))
    t_begin = mono()
    log("%d readers in each of %d containers are reading" % (READERS, len(conts)))
    time.sleep(2)

    # Kills.
    kills = []
    for i in range(KILLS):
        w = one_worker(k)
        t = mono()
        os.kill(w, signal.SIGKILL)
        nw = wait_for(lambda: [x for x in children(k) if x != w], 5,
                      "a new worker after kill %d of worker %d" % (i + 1, w))[0]
        t_new = mono()
        kills.append((w, t, t_new, nw))
        time.sleep(max(0.0, t + KILL_INTERVAL - mono()))
    workers = [w for w, _, _, _ in kills] + [kills[-1][3]]
    check(len(set(workers)) == KILLS + 1, "each of %d kills got a new worker" % KILLS)
    check(h.daemon.poll() is None, "the keeper survives the kills")
    fds_kills = fd_targets(k)
    time.sleep(1)

    # Upgrade: a different file renamed over the keeper's path, then SIGHUP.
    new = binary + ".new"
    shutil.copy2(h.procviewd, new)
    with open(new, "ab") as f:
        f.write(b"upgrade-marker")
    os.rename(new, binary)
    ino_new = os.stat(binary).st_ino
    check(ino_new != exe0.st_ino, "the upgrade file is another inode")
    old_w = one_worker(k)
    t_hup = mono()
    os.kill(k, signal.SIGHUP)

    def upgraded():
        try:
            if os.stat("/proc/%d/exe" % k).st_ino != ino_new:
                return False
        except OSError:
            return False
        kids = children(k)
        return len(kids) == 1 and kids[0] != old_w and proc_state(old_w) is None

    try:
        wait_for(upgraded, 15, "keeper runs the new file, one new worker, old worker gone")
    except Failure as e:
        raise Failure("%s (keeper children %s, old worker %d: %s)"
                      % (e, all_children(k), old_w, proc_state(old_w)))
    t_done = mono()
    log("upgrade done %.0f ms after SIGHUP" % ((t_done - t_hup) * 1000))
    new_w = one_worker(k)

    time.sleep(max(t_begin + LOOP_S - mono(), t_done + 3 - mono(), 0))
    for c in conts:
        open(os.path.join(c.data, "stop"), "w").close()
    for c in conts:
        try:
            rc = c.proc.wait(30)
        except Exception:
            rc = None
        c.out.seek(0)
        check(rc == 0, "%s: the readers finish (exit %s)%s"
              % (c.name, rc, "" if rc == 0 else ":\n" + c.out.read()))

    # The process and mount state after it all.
    check(h.daemon.poll() is None and proc_state(k) and proc_state(k)[0] != "Z",
          "the keeper pid %d is unchanged and alive" % k)
    check(os.readlink("/proc/%d/exe" % k) == binary and
          os.stat("/proc/%d/exe" % k).st_ino == ino_new,
          "/proc/KEEPER/exe names the new file %s (inode %d)" % (binary, ino_new))
    check(new_w not in workers and new_w != old_w, "a new worker %d after the upgrade" % new_w)
    kids = all_children(k)
    check(not [p for p, (s, _) in kids.items() if s == "Z"],
          "no zombie among the keeper's children %s" % kids)
    check(list(kids) == [new_w], "the keeper's only child is the worker %d" % new_w)
    mount1 = mounts_at(h.mnt)
    check(mount1 == mount0, "the same mount before and after: %s" % mount1)
    for c in conts:
        inside = mounts_at("/proc/meminfo", read(h, c.name, "/proc/self/mountinfo"))
        check(len(inside) == 1 and inside[0][1] == mount0[0][1],
              "%s: /proc/meminfo is still on the connection %s" % (c.name, mount0[0][1]))
    fds1 = fd_targets(k)
    check(len(fds_kills) <= len(fds0),
          "the keeper's open fds do not grow across the kills (%d, then %d)%s"
          % (len(fds0), len(fds_kills),
             "" if len(fds_kills) <= len(fds0) else ":\n%s\nthen\n%s"
             % ("\n".join(fds0), "\n".join(fds_kills))))
    check(len(fds1) <= len(fds0),
          "the keeper's open fds do not grow across the upgrade (%d, then %d)%s"
          % (len(fds0), len(fds1),
             "" if len(fds1) <= len(fds0) else ":\n%s\nthen\n%s"
             % ("\n".join(fds0), "\n".join(fds1))))

    # Every read.
    reads = []
    for c in conts:
        reads += parse_reads(c, c.data)
    log("%d reads in %.0f s" % (len(reads), mono() - t_begin))
    failed = [r for r in reads if r[5] != "ok"]
    wrong = [r for r in reads if r[5] == "ok" and r[6] != r[0].expect[r[4]]]
    check(not failed, "no read failed (%d failed%s)"
          % (len(failed), "".join("\n  %s at %.3f" % (describe(r), r[2] - t_begin)
                                  for r in failed[:20])))
    check(not wrong, "every read shows its own container (%d wrong%s)"
          % (len(wrong), "".join("\n  %s, expected %s" % (describe(r), r[0].expect[r[4]])
                                 for r in wrong[:20])))
    for c in conts:
        for n in range(READERS):
            mine = [r for r in reads if r[0] is c and r[1] == n]
            check(any(r[2] > t_done + WINDOW_TAIL_S for r in mine) and
                  all(any(r[2] > t_new + WINDOW_TAIL_S and r[3] < t + KILL_INTERVAL
                          for r in mine) for _, t, t_new, _ in kills),
                  "%s reader %d read between every two kills and after the upgrade"
                  % (c.name, n))

    for i, (w, t, t_new, nw) in enumerate(kills):
        ms, r = worst(reads, [(t, t_new + WINDOW_TAIL_S)])
        log("kill %d: worker %d -> %d seen after %.1f ms, worst read %.1f ms%s"
            % (i + 1, w, nw, (t_new - t) * 1000, ms,
               " (%s, from %+.1f ms of the kill)" % (describe(r), (r[2] - t) * 1000)
               if r else ""))
    kill_windows = [(t, t_new + WINDOW_TAIL_S) for _, t, t_new, _ in kills]
    up_window = [(t_hup, t_done + WINDOW_TAIL_S)]
    kill_ms, kill_r = worst(reads, kill_windows)
    up_ms, up_r = worst(reads, up_window)
    calm = [r for r in reads if not any(r[2] <= e and r[3] >= s
                                        for s, e in kill_windows + up_window)]
    calm_ms, calm_r = worst(calm, [(0, float("inf"))])
    if up_r:
        log("upgrade: worst read %s ran from %+.1f to %+.1f ms of SIGHUP; done at %+.1f ms"
            % (describe(up_r), (up_r[2] - t_hup) * 1000, (up_r[3] - t_hup) * 1000,
               (t_done - t_hup) * 1000))
    log("worst read across kills: %d ms" % round(kill_ms))
    log("worst read across upgrade: %d ms" % round(up_ms))
    log("worst read away from the events: %d ms" % round(calm_ms))
    check(kill_ms <= KILL_LIMIT_MS, "no read overlapping a kill took more than %d ms%s"
          % (KILL_LIMIT_MS, " (%s)" % describe(kill_r) if kill_r else ""))
    check(up_ms <= UPGRADE_LIMIT_MS, "no read overlapping the upgrade took more than %d ms%s"
          % (UPGRADE_LIMIT_MS, " (%s)" % describe(up_r) if up_r else ""))
    if expect_mode == "journal":
        # Twelve looping readers keep the worker busy: some of the ten kills catch
        # requests it had read, which only the journal's replay can have answered.
        replayed = [int(m.group(1)) for m in
                    (re.search(r"replayed (\d+) requests of a dead worker", l)
                     for l in open(logpath)) if m]
        check(sum(replayed) >= 1, "the journal replayed %d requests over %d takeovers"
              % (sum(replayed), len(replayed)))


def run(h):
    logpath = os.path.join(h.tmp, "procviewd.log")
    try:
        test(h, logpath)
    finally:
        if os.path.exists(logpath):
            with open(logpath) as f:
                for line in f:
                    log("procviewd: " + line.rstrip("\n"))


if __name__ == "__main__":
    pvrunc.main(run, "survival-" + MODE)
