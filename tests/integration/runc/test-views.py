#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procviewd's views inside a runc container with memory, cpuset and CPU
quota limits, mounted either by config.json bind mounts ("mounts") or by
procview-oci-hook as createContainer hook ("hook"). Every view must show the
container: MemTotal = the limit, CPUs = the cpuset, uptime and btime = the
container's start, I/O = the container's own."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, cpulist, meminfo_kb, Failure

MODE = sys.argv[1] if len(sys.argv) > 1 else "mounts"


def test(h):
    if MODE == "hook" and not os.access(h.hook, os.X_OK):
        pvrunc.skip("procview-oci-hook is not built (json-glib missing)")
    if len(pvrunc.host_cpus()) < 2:
        pvrunc.skip("needs at least 2 host CPUs for a cpuset smaller than the host")
    h.start_daemon()
    cpu = max(pvrunc.host_cpus())   # a cpuset that is not "0" nor the host's
    disk = pvrunc.root_disk()
    data = os.path.join(h.tmp, "data")
    os.makedirs(data)
    b = h.make_bundle("views", views=MODE, cpus=str(cpu),
                      throttle_dev=disk[1:] if disk else None, rw_mounts=[(data, "/data")])
    t0 = time.time()
    r = h.start("views", b)
    check(r.returncode == 0, "container starts (%s)" % r.stderr.strip())

    mi = h.read("views", "/proc/meminfo")
    total = meminfo_kb(mi, "MemTotal")
    check(total == pvrunc.MEM_LIMIT // 1024, "MemTotal %d kB = the 256 MiB limit" % total)
    check(meminfo_kb(mi, "MemAvailable") <= total, "MemAvailable <= MemTotal")
    check(meminfo_kb(mi, "MemFree") <= total, "MemFree <= MemTotal")

    # The FUSE request carries the reading thread's id: a reader that is
    # not its process's main thread must get the same view.
    thr = h.exec("views", "/usr/bin/python3", "-c",
                 "import threading\n"
                 "def rd():\n"
                 "    global out\n"
                 "    out = open('/proc/meminfo').read()\n"
                 "t = threading.Thread(target=rd); t.start(); t.join()\n"
                 "print(out, end='')", check_rc=False)
    check(thr.returncode == 0 and meminfo_kb(thr.stdout, "MemTotal") == total,
          "a non-main thread reads the same view (%s)" % thr.stderr.strip()[-200:])

    ci = h.read("views", "/proc/cpuinfo")
    procs = {int(x) for x in re.findall(r"^processor\s*:\s*(\d+)$", ci, re.M)}
    check(procs == {cpu}, "cpuinfo processors %s = cpuset {%d}" % (sorted(procs), cpu))

    st = h.read("views", "/proc/stat")
    cpulines = [l.split() for l in st.splitlines() if l.startswith("cpu")]
    check(cpulines[0][0] == "cpu" and len(cpulines[0]) == 11, "stat 'cpu' line has 10 numbers")
    ids = {int(l[0][3:]) for l in cpulines[1:]}
    check(ids == {cpu}, "stat cpuN lines %s = cpuset" % sorted(ids))
    check(all(len(l) == 11 for l in cpulines), "every stat cpu line has 10 numbers")
    btime = int(re.search(r"^btime (\d+)$", st, re.M).group(1))
    check(abs(btime - t0) <= 5, "btime %d is the container's start (%d)" % (btime, t0))

    up = float(h.read("views", "/proc/uptime").split()[0])
    with open("/proc/uptime") as f:
        host_up = float(f.read().split()[0])
    check(0 <= up <= time.time() - t0 + 5, "uptime %.2f s counts from the container's start" % up)
    if host_up > time.time() - t0 + 10:
        check(up + 5 < host_up, "uptime %.2f s is not the host's %.0f s" % (up, host_up))

    la = h.read("views", "/proc/loadavg").split()
    check(len(la) == 5 and re.fullmatch(r"\d+/\d+", la[3]), "loadavg has the kernel's format")
    nrun, ntasks = map(int, la[3].split("/"))
    check(1 <= ntasks <= 10, "loadavg counts the container's %d tasks, not the host's" % ntasks)
    # The last pid is one of the container's pid namespace, never a host pid: at
    # most the namespace's last allocated pid, which the kernel shows inside it.
    ns_last = int(h.read("views", "/proc/sys/kernel/ns_last_pid"))
    check(1 <= int(la[4]) <= ns_last,
          "loadavg last pid %s is a pid of the container's namespace (<= %d)" % (la[4], ns_last))

    sw = h.read("views", "/proc/swaps").splitlines()
    check(sw and sw[0].split()[:5] == ["Filename", "Type", "Size", "Used", "Priority"],
          "swaps has the kernel's header")

    online = h.read("views", "/sys/devices/system/cpu/online")
    check(cpulist(online) == {cpu}, "sysfs online '%s' = cpuset" % online.strip())
    ls = h.exec("views", "ls", "/sys/devices/system/cpu").stdout.split()
    dirs = {int(x[3:]) for x in ls if re.fullmatch(r"cpu\d+", x)}
    check(dirs == {cpu}, "sysfs cpuN directories %s = cpuset" % sorted(dirs))

    ds = h.read("views", "/proc/diskstats")
    check(all(len(l.split()) == 20 for l in ds.splitlines()),
          "every diskstats line has 20 fields")
    if disk:
        # 8 MiB of direct writes = 16384 sectors of 512 bytes, on the disk
        # that carries the throttle rule.
        h.exec("views", "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=8",
               "oflag=direct", "status=none")
        h.exec("views", "sync")
        ds = h.read("views", "/proc/diskstats")
        line = [l.split() for l in ds.splitlines() if l.split()[2] == disk[0]]
        check(len(line) == 1, "diskstats has the throttled disk %s" % disk[0])
        written = int(line[0][9])
        with open("/proc/diskstats") as f:
            host_written = [int(l.split()[9]) for l in f if l.split()[2] == disk[0]][0]
        check(16384 <= written < host_written,
              "sectors written %d = the container's 8 MiB, not the host's %d"
              % (written, host_written))

    if MODE == "hook":
        # procviewd stopped: a new container still starts through the hook.
        rc = h.stop_daemon()
        check(rc == 0, "procviewd exits 0 on SIGTERM")
        b = h.make_bundle("nodaemon", views="hook")
        r = h.start("nodaemon", b)
        check(r.returncode == 0, "with procviewd stopped the container starts (%s)"
              % r.stderr.strip())
        check(meminfo_kb(h.read("nodaemon", "/proc/meminfo"), "MemTotal") > total,
              "and reads the kernel's /proc/meminfo")


if __name__ == "__main__":
    pvrunc.main(test, "views-" + MODE)
