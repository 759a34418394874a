#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A runc container stopped, deleted and started again under the same id and
the same cgroupsPath, with other limits: first cpuset {0} and 128 MiB, then
cpuset {1} and 256 MiB. The views are bound by config.json mounts.

Modelled: a reader whose open file outlives the container it was opened
in. A process dies with its container's pid namespace and cannot stay in a
cgroup that is removed, so the reader that keeps its fds is a process of
the host's pid namespace (whose own cgroups name its container), as an
agent put into a container's cgroups is: it opens the views while in the
first container's cgroups, is moved back to where it came from before the
container stops, and into the new container's cgroups after it starts;
then it reads again on the same fds (pread at 0, and lseek + read). A second
set of its fds, never read since the first container, is handed over a unix
socket to a process in the new container, which reads them. A new reader in
the new container opens the views as well.

Asserted: every one of them sees the new container's MemTotal, cpuinfo
processors, stat cpuN lines and sys/devices/system/cpu/online, never the
old container's nor the host's; between the two containers the held fds read
EIO (their cgroup is gone and the holder is in none of the same name)."""

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, cpulist, meminfo_kb, Failure

HERE = os.path.dirname(os.path.abspath(__file__))
CG = "/sys/fs/cgroup"
MiB = 1 << 20


def seen(path, text):
    """What a view shows: MemTotal in kB, or the set of CPUs."""
    if path.endswith("meminfo"):
        return meminfo_kb(text, "MemTotal")
    if path.endswith("cpuinfo"):
        return {int(x) for x in re.findall(r"^processor\s*:\s*(\d+)$", text, re.M)}
    if path.endswith("stat"):
        lines = [l.split() for l in text.splitlines() if l.startswith("cpu")]
        if lines[0][0] != "cpu" or any(len(l) != 11 for l in lines):
            raise Failure("stat cpu lines not as the kernel's:\n%s" % text)
        return {int(l[0][3:]) for l in lines[1:]}
    return cpulist(text)


def expect(mib, cpus):
    want = {p: cpus for p in ["proc/cpuinfo", "proc/stat", "sys/devices/system/cpu/online"]}
    want["proc/meminfo"] = mib * 1024
    return want


def check_views(got, want, who):
    for p, w in want.items():
        texts = got[p] if isinstance(got[p], list) else [got[p]]
        for t in texts:
            if t.startswith("errno"):
                raise Failure("%s: %s read %s" % (who, p, t))
            v = seen(p, t)
            check(v == w, "%s: %s shows %s (the new container's: %s)" % (who, p, v, w))


def own_cgroups():
    """{hierarchy directory under /sys/fs/cgroup: path} of this process."""
    out = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            d = "unified" if ctrls == "" else ctrls.replace("name=", "")
            if os.path.isdir(os.path.join(CG, d)):
                out[d] = path
    return out


def move(pid, dirs):
    for d in dirs:
        with open(os.path.join(d, "cgroup.procs"), "w") as f:
            f.write(str(pid))


def container_dirs(h, cname):
    """The cgroup directories of the container, in every hierarchy runc made one."""
    cgpath = h.container_cgroup(cname).lstrip("/")
    return [os.path.join(CG, d, cgpath) for d in sorted(os.listdir(CG))
            if os.path.isdir(os.path.join(CG, d, cgpath))]


def ask(holder, cmd):
    holder.stdin.write(cmd + "\n")
    holder.stdin.flush()
    line = holder.stdout.readline()
    if not line:
        raise Failure("the holder exited answering %r" % cmd)
    return json.loads(line)


def stop(h, cname):
    h.runc("kill", cname, "KILL", capture_output=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        st = h.runc("state", cname, capture_output=True, text=True)
        if st.returncode != 0 or json.loads(st.stdout)["status"] == "stopped":
            break
        time.sleep(0.05)
    r = h.runc("delete", cname, capture_output=True, text=True)
    check(r.returncode == 0, "runc delete %s (%s)" % (cname, r.stderr.strip()))


def test(h):
    if not {0, 1} <= pvrunc.host_cpus():
        pvrunc.skip("needs host CPUs 0 and 1")
    h.start_daemon()
    data = os.path.join(h.tmp, "data")
    os.makedirs(data)
    shutil.copy(os.path.join(HERE, "restart-holder.py"), os.path.join(data, "holder.py"))
    old, new = expect(128, {0}), expect(256, {1})

    b1 = h.make_bundle("restart", cpus="0", mem=128 * MiB, rw_mounts=[(data, "/data")])
    r = h.start("restart", b1)
    check(r.returncode == 0, "the first container starts (%s)" % r.stderr.strip())
    dirs1 = container_dirs(h, "restart")
    check(any(d.startswith(CG + "/memory/") for d in dirs1), "runc made its cgroups %s" % dirs1)
    home = [os.path.join(CG, d, p.lstrip("/")) for d, p in own_cgroups().items()]

    holder = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "restart-holder.py"),
                               "hold", h.mnt], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, preexec_fn=lambda: move(os.getpid(), dirs1))
    h.children.append(holder)
    first = json.loads(holder.stdout.readline())
    check_views(first, old, "the holder in the first container")

    # Out of the cgroups, which runc removes with the container.
    move(holder.pid, home)
    stop(h, "restart")
    check(not any(os.path.exists(d) for d in dirs1), "the first container's cgroups are gone")
    gap = ask(holder, "read")
    check(all(v == "errno %d" % errno.EIO for v in gap.values()),
          "with no container the held fds read EIO, not the host's views: %s"
          % {p: v if isinstance(v, str) else "text" for p, v in gap.items()})

    b2 = h.make_bundle("restart2", cpus="1", mem=256 * MiB, rw_mounts=[(data, "/data")])
    cfgpath = os.path.join(b2, "config.json")
    with open(cfgpath) as f:
        cfg = json.load(f)
    cfg["linux"]["cgroupsPath"] = h.container_cgroup("restart")
    with open(cfgpath, "w") as f:
        json.dump(cfg, f, indent=1)
    r = h.start("restart", b2)
    check(r.returncode == 0, "the second container starts under the same id and cgroupsPath (%s)"
          % r.stderr.strip())
    dirs2 = container_dirs(h, "restart")
    check(dirs2 == dirs1, "its cgroups have the same paths")

    fresh = {p: h.read("restart", "/" + p) for p in new}
    check_views(fresh, new, "a new reader in the second container")

    move(holder.pid, dirs2)
    check_views(ask(holder, "read"), new, "the holder's fds, re-read in the second container")

    sock = os.path.join(data, "sock")
    holder.stdin.write("send %s\n" % sock)
    holder.stdin.flush()
    deadline = time.time() + 10
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.02)
    r = h.exec("restart", "/usr/bin/python3", "/data/holder.py", "recv", "/data/sock",
               check_rc=False)
    check(r.returncode == 0, "a process of the second container receives the fds (%s)"
          % r.stderr.strip()[-300:])
    check_views(json.loads(r.stdout), new, "fds opened in the first container, read in the second")
    check(holder.stdout.readline().strip() == "{}", "the holder handed them over")

    move(holder.pid, home)
    holder.stdin.close()
    check(holder.wait(10) == 0, "the holder exits 0")


if __name__ == "__main__":
    pvrunc.main(test, "restart")
