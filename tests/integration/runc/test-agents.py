#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The agents people run inside containers, reading procviewd's views in a
runc container (256 MiB, one-CPU cpuset, CPU quota): procps free, top,
vmstat, uptime; sysstat iostat, mpstat; htop driven under tmux; psutil;
prometheus-node-exporter scraped over HTTP. Each must run without a parse
error and report the container's numbers."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, Failure

C = "agents"
MIB = pvrunc.MEM_LIMIT // (1024 * 1024)


def quiet(h, *cmd):
    """Runs cmd in the container; it must exit 0 with nothing on stderr."""
    r = h.exec(C, *cmd)
    check(r.stderr.strip() == "", "%s: no error output" % " ".join(cmd))
    return r.stdout


def test_procps(h, cpu):
    out = quiet(h, "free", "-k")
    mem = [l.split() for l in out.splitlines() if l.startswith("Mem:")][0]
    check(int(mem[1]) == pvrunc.MEM_LIMIT // 1024, "free: total %s kB = limit" % mem[1])

    out = quiet(h, "top", "-bn1", "-1")
    m = re.search(r"^MiB Mem :\s+([\d.]+) total", out, re.M)
    check(m and float(m.group(1)) == MIB, "top: MiB Mem total %s = %d" % (m and m.group(1), MIB))
    ids = {int(x) for x in re.findall(r"^%Cpu(\d+)\s*:", out, re.M)}
    check(ids == {cpu}, "top -1: per-CPU lines %s = cpuset" % sorted(ids))

    out = quiet(h, "vmstat", "-s")
    m = re.search(r"^\s*(\d+) K total memory$", out, re.M)
    check(m and int(m.group(1)) == pvrunc.MEM_LIMIT // 1024, "vmstat -s: total memory = limit")
    out = quiet(h, "vmstat", "1", "2")
    check(len(out.splitlines()) == 4, "vmstat 1 2: two samples")

    out = quiet(h, "uptime")
    m = re.search(r"up\s+(\d+) min", out)
    check(m and int(m.group(1)) <= 2, "uptime: '%s' is the container's" % out.strip())


def test_sysstat(h, cpu, disk):
    out = quiet(h, "mpstat", "-P", "ALL")
    check("(1 CPU)" in out.splitlines()[0], "mpstat: header says 1 CPU")
    cols = {l.split()[1] for l in out.splitlines()[3:] if len(l.split()) > 2}
    check(cols == {"all", str(cpu)}, "mpstat -P ALL: CPUs %s = all + cpuset" % sorted(cols))

    out = quiet(h, "iostat")
    check("(1 CPU)" in out.splitlines()[0], "iostat: header says 1 CPU")
    # sysstat 12.6 reads /sys/block/<dev>/stat, not /proc/diskstats, so its
    # per-device numbers stay the host's (see init/README.md); only the CPU
    # side of iostat is the container's.
    cols = out.split("avg-cpu:")[1].splitlines()
    check(len(cols) >= 2 and len(cols[1].split()) == 6, "iostat: avg-cpu line parsed")


def test_htop(h, cpu):
    if not shutil.which("tmux"):
        raise Failure("tmux is missing")
    session = h.tag
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40",
                    "runc --root %s exec --env TERM=xterm %s htop" % (h.state, C)], check=True)
    try:
        screen = ""
        deadline = time.time() + 15
        while time.time() < deadline:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
            if "Mem[" in screen and "%]" in screen:
                break
            time.sleep(0.3)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    log_screen = "\n".join(l for l in screen.splitlines() if "[" in l)
    pvrunc.log(log_screen)
    mem = re.search(r"Mem\[[^\]]*?([\d.]+)([KMG])/([\d.]+)([KMG])\]", screen)
    check(mem and float(mem.group(3)) == MIB and mem.group(4) == "M",
          "htop: memory bar total %s%s = %d M" % (mem and mem.group(3), mem and mem.group(4), MIB))
    # CPU meters: label "CPU" or a number. With host CPU ids, htop shows one
    # meter per id up to the highest and marks the ids outside the view
    # "offline": the meters in use must be exactly the cpuset.
    meters = re.findall(r"(?:^|\s)(CPU|\d+)\[([^\]]*)\]", screen, re.M)
    online = [m for m in meters if "offline" not in m[1]]
    check(len(online) == 1, "htop: %d CPU meter(s) in use = the cpuset's 1" % len(online))
    check(len(meters) == cpu + 1, "htop: CPU ids 0..%d shown, the others offline" % cpu)


PSUTIL = r"""
import psutil, time
vm = psutil.virtual_memory()
print(vm.total, vm.available, psutil.cpu_count(), len(psutil.cpu_times(percpu=True)),
      psutil.boot_time())
"""


def test_psutil(h, t0):
    out = quiet(h, "/usr/bin/python3", "-c", PSUTIL).split()
    total, avail, ncpu, npercpu, boot = int(out[0]), int(out[1]), int(out[2]), int(out[3]), \
        float(out[4])
    check(total == pvrunc.MEM_LIMIT, "psutil: virtual_memory().total %d = limit" % total)
    check(avail <= total, "psutil: available <= total")
    check(ncpu == 1, "psutil: cpu_count() %d = cpuset" % ncpu)
    check(npercpu == 1, "psutil: cpu_times(percpu=True) has %d entry" % npercpu)
    check(abs(boot - t0) <= 5, "psutil: boot_time() %.0f = the container's start %.0f" % (boot, t0))


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        return r.read().decode()


def test_node_exporter(h, cpu, disk):
    exe = "/usr/bin/prometheus-node-exporter"
    if not os.path.exists(exe):
        raise Failure("prometheus-node-exporter is missing")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Default --path.procfs/--path.sysfs: it reads the container's /proc.
    log = open(os.path.join(h.tmp, "node-exporter.log"), "w+")
    p = subprocess.Popen(["runc", "--root", h.state, "exec", C, exe,
                          "--web.listen-address=127.0.0.1:%d" % port,
                          "--collector.disable-defaults", "--collector.meminfo",
                          "--collector.cpu", "--collector.loadavg", "--collector.diskstats"],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    h.children.append(p)
    text = None
    deadline = time.time() + 20
    while time.time() < deadline and text is None:
        try:
            text = scrape(port)
        except OSError:
            time.sleep(0.2)
    if text is None:
        log.seek(0)
        raise Failure("node-exporter did not answer:\n" + log.read())
    ok = dict(re.findall(r'^node_scrape_collector_success\{collector="(\w+)"\} (\S+)$', text,
                         re.M))
    if any(v != "1" for v in ok.values()):
        log.seek(0)
        pvrunc.log(log.read()[-2000:])
    for c in ["meminfo", "cpu", "loadavg", "diskstats"]:
        check(ok.get(c) == "1", "node-exporter: collector %s succeeded" % c)
    m = re.search(r"^node_memory_MemTotal_bytes (\S+)$", text, re.M)
    check(m and float(m.group(1)) == pvrunc.MEM_LIMIT, "node-exporter: MemTotal_bytes = limit")
    # node-exporter 1.5 (procfs 0.8) keeps per-CPU stats in a slice indexed
    # by CPU id, so ids below the cpuset appear as all-zero series: the ids
    # that count anything must be exactly the cpuset.
    series = re.findall(r'^node_cpu_seconds_total\{cpu="(\d+)",mode="\w+"\} (\S+)$', text, re.M)
    busy = {c for c, v in series if float(v) > 0}
    check(busy == {str(cpu)}, "node-exporter: CPUs with time %s = cpuset" % sorted(busy))
    check(re.search(r"^node_load1 ", text, re.M), "node-exporter: node_load1 present")
    if disk:
        devs = set(re.findall(r'^node_disk_written_bytes_total\{device="(\w+)"\}', text, re.M))
        check(devs == {disk[0]}, "node-exporter: disks %s = the container's" % sorted(devs))


def test(h):
    if len(pvrunc.host_cpus()) < 2:
        pvrunc.skip("needs at least 2 host CPUs for a cpuset smaller than the host")
    h.start_daemon()
    cpu = max(pvrunc.host_cpus())
    disk = pvrunc.root_disk()
    data = os.path.join(h.tmp, "data")
    os.makedirs(data)
    b = h.make_bundle(C, cpus=str(cpu), throttle_dev=disk[1:] if disk else None,
                      rw_mounts=[(data, "/data")])
    t0 = time.time()
    r = h.start(C, b)
    check(r.returncode == 0, "container starts (%s)" % r.stderr.strip())
    if disk:
        h.exec(C, "dd", "if=/dev/zero", "of=/data/f", "bs=1M", "count=8", "oflag=direct",
               "status=none")

    failures = []
    for name, fn in [("procps", lambda: test_procps(h, cpu)),
                     ("sysstat", lambda: test_sysstat(h, cpu, disk)),
                     ("htop", lambda: test_htop(h, cpu)),
                     ("psutil", lambda: test_psutil(h, t0)),
                     ("node-exporter", lambda: test_node_exporter(h, cpu, disk))]:
        try:
            fn()
        except (Failure, subprocess.SubprocessError, IndexError, ValueError) as e:
            pvrunc.log("FAIL (%s): %r" % (name, e))
            failures.append(name)
    if failures:
        raise Failure("agents failing: " + ", ".join(failures))


if __name__ == "__main__":
    pvrunc.main(test, "agents")
