#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procviewd's views in Docker containers, bound by the -v list of the
README's Docker section. A private dockerd (its own socket, data and exec
roots under a temporary directory, no bridge, no iptables, its own cgroup
parent), a private procviewd, and an image imported from a rootfs of the
host's binaries, all set up by pvdocker.py. Checked inside the containers:
free, top, nproc, getconf, lscpu, python's os.cpu_count and psutil
(cpu_percent under a busy loop, disk_io_counters after direct I/O too);
taskset -c 0 with the preload; docker update and docker restart;
--pid host, --privileged and a private cgroup namespace; and what a
container gets when procviewd is stopped. Everything is removed at exit, on
failure and on SIGTERM."""

import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runc"))
from pvrunc import check, cpulist, log, Failure  # noqa: E402
from pvdocker import DockerHarness, PYTHON_DIRS  # noqa: E402

DEFAULT_ROOT = "/var/lib/procview"
MiB = 1024 * 1024
PYTHON_CHECK = """import os, psutil
print(os.cpu_count(), psutil.cpu_count(), psutil.virtual_memory().total)"""


def readme_volumes(source_root):
    """[(path under the view root, destination)] of the -v lines in the
    README's Docker section: the list users copy is the list tested."""
    with open(os.path.join(source_root, "README.md")) as f:
        text = f.read()
    m = re.search(r"^## Docker\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        raise Failure("README.md has no '## Docker' section")
    vols = re.findall(r"-v %s/(\S+):(/\S+):ro\b" % re.escape(DEFAULT_ROOT), m.group(1))
    if not vols:
        raise Failure("the README's Docker section has no -v list")
    return vols


def meminfo_total(free_k):
    """The Mem: total of 'free -k', in bytes."""
    m = re.search(r"^Mem:\s+(\d+)", free_k, re.M)
    if not m:
        raise Failure("no Mem: line in free's output:\n" + free_k)
    return int(m.group(1)) * 1024


def near(value, want):
    return abs(value - want) <= MiB


def check_views(h, cname, mem, cpus, label):
    """free, top, nproc, getconf, lscpu and the sysfs CPU list in cname show
    a memory limit of mem bytes and the cpuset cpus."""
    total = meminfo_total(h.exec(cname, "free", "-k"))
    check(near(total, mem), "%s: free shows %d MiB total" % (label, total // MiB))
    top = h.exec(cname, "top", "-bn1")
    m = re.search(r"^(KiB|MiB|GiB) Mem\s*:\s*([\d.]+) total", top, re.M)
    if not m:
        raise Failure("no Mem line in top's output:\n" + top)
    top_total = float(m.group(2)) * {"KiB": 1024, "MiB": MiB, "GiB": 1024 * MiB}[m.group(1)]
    check(near(top_total, mem), "%s: top shows %s %s Mem total" % (label, m.group(2),
                                                                 m.group(1)))
    n = h.exec(cname, "nproc").strip()
    check(n == str(len(cpus)), "%s: nproc shows %s" % (label, n))
    n = h.exec(cname, "getconf", "_NPROCESSORS_ONLN").strip()
    check(n == str(len(cpus)), "%s: getconf _NPROCESSORS_ONLN shows %s" % (label, n))
    online = h.exec(cname, "cat", "/sys/devices/system/cpu/online").strip()
    check(cpulist(online) == cpus, "%s: sys/devices/system/cpu/online is %s" % (label, online))
    py = h.exec(cname, "/usr/bin/python3", "-c", PYTHON_CHECK).split()
    check(py[:2] == [str(len(cpus))] * 2 and near(int(py[2]), mem),
          "%s: python's os.cpu_count, psutil.cpu_count and virtual_memory are %s"
          % (label, " ".join(py)))
    lscpu = h.exec(cname, "lscpu")
    m = re.search(r"^On-line CPU\(s\) list:\s*(\S+)$", lscpu, re.M)
    check(m and cpulist(m.group(1)) == cpus,
          "%s: lscpu's on-line CPU list is %s" % (label, m.group(1) if m else lscpu))


def check_cpu_percent(h, cname):
    """psutil.cpu_percent while a busy loop runs: the container's one CPU,
    half of it by its quota (--cpus 0.5), not the host's CPUs."""
    h.docker("exec", "-d", cname, "sh", "-c", "echo $$ >/tmp/busy.pid; while :; do :; done")
    time.sleep(1)
    pct = float(h.exec(cname, "/usr/bin/python3", "-c",
                       "import psutil; print(psutil.cpu_percent(interval=3))").strip())
    h.exec(cname, "sh", "-c", "kill $(cat /tmp/busy.pid)")
    check(15 <= pct <= 75, "psutil.cpu_percent with a busy loop under --cpus 0.5 is %.1f%% "
          "(about half of the container's one CPU)" % pct)


DISK_IO_CHECK = """import mmap, os, psutil
def written():
    c = psutil.disk_io_counters()  # None while the view lists no device
    return c.write_bytes if c else 0
before = written()
fd = os.open("/tmp/pv-dio", os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o600)
buf = mmap.mmap(-1, 1 << 20)
for _ in range(8):
    os.write(fd, buf)
os.fsync(fd)
os.close(fd)
os.unlink("/tmp/pv-dio")
print(before, written() - before)"""


def activate_blkio_counting(path):
    """On cgroup v1 with Linux 6.10+, a device's blkio.throttle counters count
    only once a throttle rule was written for it (procviewd(8), diskstats):
    write one far above any speed in a scratch cgroup, then remove it."""
    root = "/sys/fs/cgroup/blkio"
    if not os.path.isfile(os.path.join(root, "blkio.throttle.write_bps_device")):
        return
    st = os.stat(path)
    dev = "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev))
    # a partition's rule goes to its disk
    sysdev = os.path.realpath("/sys/dev/block/" + dev)
    if os.path.exists(os.path.join(sysdev, "partition")):
        with open(os.path.join(os.path.dirname(sysdev), "dev")) as f:
            dev = f.read().strip()
    scratch = os.path.join(root, "pv-docker-activate-%d" % os.getpid())
    os.mkdir(scratch)
    try:
        with open(os.path.join(scratch, "blkio.throttle.write_bps_device"), "w") as f:
            f.write("%s %d\n" % (dev, 1 << 40))
    finally:
        os.rmdir(scratch)


def check_disk_io(h, cname):
    """psutil.disk_io_counters counts the container's own writes: small before,
    8 MiB more after 8 MiB of direct I/O (the host's counters are far larger).
    The container itself has no throttle rule."""
    activate_blkio_counting(h.tmp)
    before, delta = map(int, h.exec(cname, "/usr/bin/python3", "-c", DISK_IO_CHECK).split())
    check(before < 64 * MiB and 8 * MiB <= delta < 64 * MiB,
          "psutil.disk_io_counters: %d MiB written before, %.1f MiB more after 8 MiB of "
          "direct I/O" % (before // MiB, delta / MiB))


def check_preload(h, limits, vols):
    """CPU 0 is outside the cpuset {1}: taskset -c 0 fails, unless the preload
    maps the logical CPU 0 to the container's first CPU."""
    lib = os.path.join(h.build, "src", "lib", "libprocview-preload.so")
    plain = h.docker("run", "--rm", *limits, *h.volume_args(vols), h.image,
                     "taskset", "-c", "0", "sleep", "0", check_rc=False)
    pre = h.docker("run", "--rm", *limits, *h.volume_args(vols),
                   "-v", "%s:/usr/lib/libprocview-preload.so:ro" % lib,
                   "-e", "LD_PRELOAD=/usr/lib/libprocview-preload.so", h.image,
                   "taskset", "-c", "0", "sleep", "0", check_rc=False)
    check(plain.returncode != 0, "without the preload taskset -c 0 fails in cpuset {1} (%d)"
          % plain.returncode)
    check(pre.returncode == 0, "with LD_PRELOAD of the preload taskset -c 0 works (%d: %s)"
          % (pre.returncode, pre.stderr.strip()[-200:]))


def uptime(h, cname):
    return float(h.exec(cname, "cat", "/proc/uptime").split()[0])


# A reader loop in the container: counts reads of /proc/meminfo whose first
# line is the container's 256 MiB, and the others, until /tmp/stop appears.
READER_LOOP = """ok=0; bad=0
while [ ! -e /tmp/stop ]; do
        if read -r l </proc/meminfo && [ "$(echo $l)" = "MemTotal: 262144 kB" ]; then
                ok=$((ok + 1))
        else
                bad=$((bad + 1))
        fi
done
echo "$ok $bad" >/tmp/result
exec sleep 3600"""


def worker_pid(h):
    with open("/proc/%d/task/%d/children" % (h.daemon.pid, h.daemon.pid)) as f:
        kids = f.read().split()
    return int(kids[0]) if kids else None


def kill_storm(h, limits, vols):
    """kill -9 of procviewd's worker, 10 times, under a reader in a container."""
    h.docker("run", "-d", "--name", "pvr", *limits, *h.volume_args(vols), h.image,
             "sh", "-c", READER_LOOP)
    time.sleep(1)
    kills = 0
    for _ in range(10):
        w = worker_pid(h)
        if not w:
            break
        os.kill(w, signal.SIGKILL)
        kills += 1
        deadline = time.time() + 10
        while time.time() < deadline and worker_pid(h) in (None, w):
            time.sleep(0.05)
        time.sleep(0.4)
    check(kills == 10 and worker_pid(h) is not None,
          "the worker was killed %d times and replaced each time" % kills)
    h.exec("pvr", "sh", "-c", ": >/tmp/stop")
    result = ""
    for _ in range(100):
        r = h.docker("exec", "pvr", "cat", "/tmp/result", check_rc=False)
        if r.returncode == 0 and r.stdout.strip():
            result = r.stdout.split()
            break
        time.sleep(0.1)
    check(len(result) == 2 and int(result[0]) > 100 and int(result[1]) == 0,
          "a reader in the container across 10 kill -9 of the worker: %s good reads, %s bad"
          % tuple(result or ["?", "?"]))
    h.docker("rm", "-f", "pvr", check_rc=False)


def test(h):
    vols = readme_volumes(h.source)
    check(len(vols) == 8, "the README binds %d views: %s" % (len(vols),
                                                          " ".join(d for _, d in vols)))
    h.start_procviewd()
    h.start_dockerd()
    h.import_image()
    limits = ["--network", "none", "-m", "256m", "--cpuset-cpus", "1", "--cpus", "0.5",
              "-e", "TERM=dumb"]
    python = []
    for d in PYTHON_DIRS:
        python += ["-v", "%s:%s:ro" % (d, d)]
    h.docker("run", "-d", "--name", "pv", *limits, *h.volume_args(vols), *python, h.image,
             "sleep", "3600")
    t0 = time.time()
    check_views(h, "pv", 256 * MiB, {1}, "docker run")
    check_cpu_percent(h, "pv")
    check_disk_io(h, "pv")
    check_preload(h, limits, vols)

    # docker update writes the container's cgroup; the views follow at once.
    h.docker("update", "-m", "512m", "--cpuset-cpus", "0-1", "pv")
    check_views(h, "pv", 512 * MiB, {0, 1}, "docker update")

    # docker restart starts a new init in the same container: uptime restarts.
    time.sleep(max(0, 8 - (time.time() - t0)))
    before = uptime(h, "pv")
    check(before >= 7, "uptime before the restart is %.1f s" % before)
    h.docker("restart", "-t", "0", "pv")
    after = uptime(h, "pv")
    check(after < 5, "uptime after docker restart is %.1f s" % after)
    check_views(h, "pv", 512 * MiB, {0, 1}, "after docker restart")

    # The reader's cgroup is the container's in both: the same views.
    for opt in ("--pid=host", "--privileged", "--cgroupns=private"):
        r = h.docker("run", "--rm", opt, *limits, *h.volume_args(vols), h.image,
                     "sh", "-c", "free -k; nproc; cat /sys/devices/system/cpu/online",
                     check_rc=False)
        if opt == "--privileged" and "unable to apply caps" in r.stderr:
            # A host that is itself confined cannot give every capability.
            log("not checked: docker run %s (%s)" % (opt, r.stderr.strip()[-120:]))
            continue
        if r.returncode != 0:
            raise Failure("docker run %s exited %d: %s" % (opt, r.returncode, r.stderr))
        lines = r.stdout.split("\n")
        total = meminfo_total(r.stdout)
        check(near(total, 256 * MiB) and lines[-3:-1] == ["1", "1"],
              "docker run %s: free shows %d MiB, nproc and cpu/online %s"
              % (opt, total // MiB, lines[-3:-1]))

    kill_storm(h, limits, vols)

    # procviewd stopped: the mount point is an empty directory.
    h.stop_procviewd()
    check(os.listdir(h.mnt) == [], "with procviewd stopped the mount point is empty")
    r = h.docker("exec", "pv", "cat", "/proc/meminfo", check_rc=False)
    check(r.returncode != 0, "a running container's view fails: %s" % r.stderr.strip())
    mounts = []
    for path, dst in vols:
        mounts += ["--mount", "type=bind,src=%s/%s,dst=%s,readonly" % (h.mnt, path, dst)]
    r = h.docker("run", "--rm", *limits, *mounts, h.image, "true", check_rc=False)
    check(r.returncode != 0 and "does not exist" in r.stderr,
          "docker run --mount refuses a missing source: %s" % r.stderr.strip()[-200:])
    check(os.listdir(h.mnt) == [], "docker run --mount left the mount point empty")
    r = h.docker("run", "--rm", *limits, *h.volume_args(vols), h.image, "true",
                 check_rc=False)
    check(r.returncode != 0, "docker run -v refuses to start: %s" % r.stderr.strip()[-300:])
    # -v creates a missing source as a directory; runc then cannot bind
    # a directory over a /proc file.
    check(os.path.isdir(os.path.join(h.mnt, "proc", "meminfo")),
          "docker run -v left directories in the empty mount point")
    r = h.docker("run", "--rm", *limits, h.image, "cat", "/proc/uptime")
    check(r.returncode == 0, "without the -v list the container starts (kernel's files)")

    # procviewd mounts over what -v left; containers started after it, and
    # the running one once restarted, see the views again.
    h.start_procviewd()
    r = h.docker("run", "--rm", *limits, *h.volume_args(vols), h.image, "free", "-k")
    check(near(meminfo_total(r.stdout), 256 * MiB),
          "procviewd started again: docker run -v shows 256 MiB")
    h.docker("restart", "-t", "0", "pv")
    total = meminfo_total(h.exec("pv", "free", "-k"))
    check(near(total, 512 * MiB), "the running container, restarted, shows %d MiB"
          % (total // MiB))


def main():
    h = DockerHarness()
    start = time.time()
    try:
        test(h)
    except (Failure, subprocess.TimeoutExpired) as e:
        log("FAIL: %s" % e)
        h.cleanup()
        sys.exit(1)
    except BaseException:
        h.cleanup()
        raise
    h.cleanup()
    log("PASS (%.0f s)" % (time.time() - start))


if __name__ == "__main__":
    main()
