#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The DaemonSet's procviewd, with Docker standing in for the kubelet.

The image is built from init/kubernetes/Containerfile on a Debian 12 base
made here with mmdebstrap (pvimage.py); its procviewd is this tree's, with
every library, nsenter and fusermount3. The daemon container runs the
command of init/kubernetes/procview-daemonset.yaml with the pod's settings as
Docker has them: the host's pid namespace, privileged (or, where this host's
own bounding set lacks a capability, every capability it has, unconfined),
a private cgroup namespace on cgroup v2 hosts, the manifest's memory limit.
Two changes only: /proc/1 becomes this test's process (the host's namespaces
as seen from here: this machine's pid 1 may be out of reach) and
/var/lib/procview a temporary mount point.

Workloads, each with a reader loop: a Docker container (256 MiB, the -v
list), a runc container (300 MiB, config.json binds) with a second loop in a
user and mount namespace made inside it (its copies of the binds are
locked), a podman container (224 MiB) whose views the OCI hook bound from
hooks.d, and an LXC container (192 MiB) whose views its mount hook bound.
Asserted:
a) the daemon container removed with docker rm -f: the views fail; a new
   daemon container (starting while the mount is dead) mounts, and every
   loop reads its own MemTotal again within 2 s of the new mount, never a
   wrong value, no workload restarted; a workload started afterwards gets
   the views;
b) surge: a new daemon container starts while the old one runs and takes
   over; the old one stays up, holding nothing, until docker stop, then
   exits 0; no read of any loop fails or shows a wrong value meanwhile.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runc"))
import pvrunc  # noqa: E402
from pvrunc import check, log, meminfo_kb, skip, wait_for, Failure  # noqa: E402
from pvdocker import DockerHarness, PYTHON_DIRS, remove_cgroups  # noqa: E402
import pvimage  # noqa: E402

MiB = 1 << 20
DEFAULT_ROOT = "/var/lib/procview"
# The views bound into the Docker workload.
VIEWS = [("proc/meminfo", "/proc/meminfo"), ("proc/stat", "/proc/stat"),
         ("proc/cpuinfo", "/proc/cpuinfo"), ("proc/uptime", "/proc/uptime"),
         ("proc/loadavg", "/proc/loadavg"),
         ("sys/devices/system/cpu", "/sys/devices/system/cpu")]
# Capability numbers to the names Docker takes, for --cap-drop.
CAPS = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
        "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
        "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
        "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
        "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
        "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"]

# The reader loops: a timestamped line per read of MemTotal, or ERR.
SH_LOOP = ('while :; do if v=$(head -n1 /proc/meminfo 2>&1); then echo "$(date +%s.%N) $v"; '
           'else echo "$(date +%s.%N) ERR $v"; fi; sleep 0.02; done')
PY_LOOP = """import sys, time
# a timestamped line per read of /proc/meminfo's first line, or ERR
out = open(sys.argv[1], "a", buffering=1)
while True:
    try:
        with open("/proc/meminfo") as f:
            out.write("%.6f %s\\n" % (time.time(), f.readline().strip()))
    except OSError as e:
        out.write("%.6f ERR %s\\n" % (time.time(), e.strerror))
    time.sleep(0.02)
"""


def loop_reads(path, since=0.0, until=float("inf")):
    """[(time, MemTotal kB or None for an error)] of a loop's output."""
    out = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            try:
                t = float(fields[0])
            except (ValueError, IndexError):
                continue
            if since <= t <= until:
                ok = len(fields) >= 3 and fields[1] == "MemTotal:"
                out.append((t, int(fields[2]) if ok else None))
    return out


def daemonset_container(source):
    with open(os.path.join(source, "init", "kubernetes", "procview-daemonset.yaml")) as f:
        ds = yaml.safe_load(f)
    return ds["spec"]["template"]["spec"]["containers"][0]


def bounding_set():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapBnd:"):
                return int(line.split()[1], 16)
    return 0


class DaemonSet:
    """The daemon containers, run as the DaemonSet's pod spec says."""

    def __init__(self, h, image, mnt):
        self.h, self.image, self.mnt = h, image, mnt
        c = daemonset_container(h.source)
        cmd = c["command"]
        if cmd[-1] != DEFAULT_ROOT:
            raise Failure("the DaemonSet's command does not end with %s: %s" % (DEFAULT_ROOT, cmd))
        me = "/proc/%d/" % os.getpid()
        self.cmd = [a.replace("/proc/1/", me) for a in cmd[:-1]] + [mnt]
        self.mem = c["resources"]["limits"]["memory"].replace("Mi", "m")
        self.privilege = ["--privileged"]
        missing = [CAPS[i] for i in range(len(CAPS)) if not bounding_set() >> i & 1]
        if missing:
            # --privileged asks for every capability, which this host cannot give
            log("this host's bounding set lacks %s: every other capability, unconfined,"
                " stands in for --privileged" % ", ".join(missing))
            self.privilege = ["--cap-add", "ALL", *sum([["--cap-drop", m] for m in missing], []),
                              "--security-opt", "seccomp=unconfined",
                              "--security-opt", "apparmor=unconfined",
                              "--security-opt", "systempaths=unconfined",
                              "--device", "/dev/fuse"]

    def start(self, name):
        self.h.docker("run", "-d", "--name", name, "--pid=host", *self.privilege,
                      "--memory", self.mem, self.image, *self.cmd)

    def logs(self, name):
        r = self.h.docker("logs", name, check_rc=False)
        return r.stdout + r.stderr

    def state(self, name):
        return self.h.docker("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}",
                             name).stdout.split()


def read_error(path):
    return pvrunc.Harness._read_error(path)


def mount_dev(mnt):
    with open("/proc/self/mountinfo") as f:
        devs = [line.split()[2] for line in f
                if line.split()[4] == mnt and " - fuse.procview " in line]
    return devs[-1] if devs else None


def check_loops(loops, since, until, what, mount_at=None):
    """No read of any loop in [since, until] shows another MemTotal; with
    mount_at, each reads again within 2 s of it and never fails after;
    without, none fails at all."""
    for path, want in loops:
        name = os.path.basename(path)
        reads = loop_reads(path, since, until)
        wrong = [(t, v) for t, v in reads if v is not None and v != want]
        check(reads and not wrong, "%s: %s: %d reads, none of another MemTotal than %d kB %s"
              % (what, name, len(reads), want, wrong[:3]))
        if mount_at is None:
            failed = [t for t, v in reads if v is None]
            check(not failed, "%s: %s: no read failed (%d did, first at %s)"
                  % (what, name, len(failed), failed[:1]))
            continue
        good = [t for t, v in reads if v == want and t >= mount_at]
        late = [t for t, v in reads if v is None and good and t > good[0]]
        check(good and good[0] - mount_at <= 2.0,
              "%s: %s reads its %d kB again %.2f s after the new mount"
              % (what, name, want, (good[0] - mount_at) if good else -1))
        check(not late, "%s: %s: no read fails after that (%d did)" % (what, name, len(late)))


class Podman:
    """A private podman (its own storage and run roots) whose hooks.d holds
    the shipped entry (init/procview-hook.json.in) with this build's hook."""

    def __init__(self, h, mnt):
        self.h = h
        self.tmp = os.path.join(h.tmp, "podman")
        self.cgparent = "/pv-podman-%d" % os.getpid()
        # where podman puts conmon with cgroupfs: ours to remove if it was not there
        self.conmon = not os.path.isdir("/sys/fs/cgroup/memory/libpod_parent") and \
            not os.path.isdir("/sys/fs/cgroup/libpod_parent")
        hooks = os.path.join(self.tmp, "hooks.d")
        os.makedirs(hooks)
        with open(os.path.join(h.source, "init", "procview-hook.json.in")) as f:
            entry = json.loads(f.read().replace("@HOOK_PATH@", os.path.join(
                h.build, "src", "hook", "procview-oci-hook")))
        entry["hook"]["args"].append("--root=" + mnt)
        with open(os.path.join(hooks, "procview.json"), "w") as f:
            json.dump(entry, f)
        self.base = ["podman", "--root", os.path.join(self.tmp, "root"),
                     "--runroot", os.path.join(self.tmp, "run"), "--storage-driver", "vfs",
                     "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                     "--hooks-dir", hooks]

    def __call__(self, *args, timeout=180, stdin=subprocess.DEVNULL):
        r = subprocess.run(self.base + list(args), stdin=stdin, capture_output=True,
                           text=True, timeout=timeout)
        if r.returncode != 0:
            raise Failure("podman %s exited %d: %s" % (args[0], r.returncode, r.stderr[-2000:]))
        return r

    def run(self, name, mem, outdir, python):
        rootfs = os.path.join(self.h.tmp, "rootfs")
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        self("import", "-", "pv-workload:latest", stdin=tar.stdout)
        tar.wait()
        # podman's default rlimits (nofile 1048576, nproc 32768) need
        # CAP_SYS_RESOURCE, which a confined host may lack: lower ones
        self("run", "-d", "--name", name, "--network", "none", "--cgroup-parent", self.cgparent,
             "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", "-m", mem, *python,
             "-v", "%s:/out" % outdir, "pv-workload:latest",
             "/usr/bin/python3", "/out/loop.py", "/out/" + name)

    def cleanup(self):
        if os.path.isdir(self.tmp):
            subprocess.run(self.base + ["rm", "-f", "-a", "-t", "0"], capture_output=True,
                           timeout=120)
        remove_cgroups(self.cgparent)
        if self.conmon:
            remove_cgroups("/libpod_parent")


class Lxc:
    """A privileged LXC container (lxc-start) on the image's rootfs, its
    views bound by the shipped mount hook."""

    def __init__(self, h, mnt):
        self.h, self.mnt = h, mnt
        self.path = os.path.join(h.tmp, "lxc")
        self.names = []
        # where lxc-stop moves its monitor: ours to remove if it was not there
        self.pivot = not os.path.isdir("/sys/fs/cgroup/memory/lxc.pivot") and \
            not os.path.isdir("/sys/fs/cgroup/lxc.pivot")

    def start(self, name, mem, outdir):
        d = os.path.join(self.path, name)
        os.makedirs(d)
        v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
        conf = ["lxc.uts.name = " + name,
                "lxc.rootfs.path = dir:" + os.path.join(self.h.tmp, "rootfs"),
                "lxc.mount.auto = proc:mixed sys:ro",
                "lxc.net.0.type = empty", "lxc.tty.max = 0", "lxc.pty.max = 0",
                "lxc.autodev = 1", "lxc.apparmor.profile = unconfined",
                ("lxc.cgroup2.memory.max = " if v2 else "lxc.cgroup.memory.limit_in_bytes = ")
                + mem,
                "lxc.hook.mount = %s --root=%s" % (os.path.join(
                    self.h.build, "init", "procview-lxc-mount-hook"), self.mnt),
                "lxc.mount.entry = %s out none bind,create=dir 0 0" % outdir]
        for p in PYTHON_DIRS:
            conf.append("lxc.mount.entry = %s %s none bind,ro,create=dir 0 0" % (p, p[1:]))
        conf.append("lxc.init.cmd = /usr/bin/python3 /out/loop.py /out/" + name)
        with open(os.path.join(d, "config"), "w") as f:
            f.write("\n".join(conf) + "\n")
        self.names.append(name)
        r = subprocess.run(["lxc-start", "-n", name, "-P", self.path, "-d",
                            "-o", os.path.join(d, "log")], capture_output=True, text=True,
                           timeout=120)
        if r.returncode != 0:
            with open(os.path.join(d, "log")) as f:
                raise Failure("lxc-start exited %d: %s" % (r.returncode, f.read()[-2000:]))

    def init_pid(self, name):
        return subprocess.run(["lxc-info", "-n", name, "-P", self.path, "-pH"],
                              capture_output=True, text=True).stdout.strip()

    def cleanup(self):
        for n in self.names:
            subprocess.run(["lxc-stop", "-k", "-n", n, "-P", self.path], capture_output=True,
                           timeout=60)
            for top in ("lxc.payload." + n, "lxc.monitor." + n):
                remove_cgroups("/" + top)
        if self.names and self.pivot:
            remove_cgroups("/lxc.pivot")


def test(h, r, podman, lxc):
    mnt = r.mnt
    h.mnt = mnt
    os.makedirs(mnt, exist_ok=True)
    outdir = os.path.join(h.tmp, "out")
    os.makedirs(outdir)
    cpus = sorted(pvrunc.host_cpus())
    h.start_dockerd()
    tag = "procview-daemonset-%d:test" % os.getpid()
    took = pvimage.build_daemon_image(h, tag)
    log("the DaemonSet's image built: %s" % took)
    version = pvimage.project_version(h.source)
    out = h.docker("run", "--rm", tag, "procviewd", "--version").stdout.strip()
    check(out == "procviewd " + version, "the image's procviewd is this tree's (%s)" % out)
    res = h.docker("run", "--rm", tag, "sh", "-c",
                   "nsenter --version && fusermount3 --version && ldd /usr/sbin/procviewd",
                   check_rc=False)
    check(res.returncode == 0 and "not found" not in res.stdout,
          "the image has nsenter, fusermount3 and every library of procviewd (%s)"
          % (res.stdout + res.stderr).strip().replace("\n", "; ")[:300])
    size = int(h.docker("image", "inspect", "-f", "{{.Size}}", tag).stdout)
    log("the image is %.0f MB" % (size / 1e6))
    h.import_image()
    ds = DaemonSet(h, tag, mnt)
    log("daemon container: %s" % " ".join(ds.cmd))

    ds.start("pvd1")
    wait_for(lambda: read_error(os.path.join(mnt, "proc/meminfo")) is None, 30,
             "the first daemon container serves the host's %s" % mnt)
    check(mount_dev(mnt) is not None, "the host's mountinfo holds the mount at %s" % mnt)
    check("keeper mounted" in ds.logs("pvd1"), "pvd1 mounted anew")

    # the workloads and their loops
    with open(os.path.join(outdir, "loop.py"), "w") as f:
        f.write(PY_LOOP)
    python = sum([["-v", "%s:%s:ro" % (d, d)] for d in PYTHON_DIRS], [])
    h.docker("run", "-d", "--name", "w1", "--network", "none", "-m", "256m",
             "--cpuset-cpus", str(cpus[-1]), *h.volume_args(VIEWS), *python,
             "-v", "%s:/out" % outdir, h.image, "/usr/bin/python3", "/out/loop.py", "/out/w1")
    podman.run("p1", "224m", outdir, python)
    lxc.start("l1", "192M", outdir)
    b = r.make_bundle("r1", mem=300 << 20, cpus=str(cpus[0]))
    res = r.start("r1", b)
    check(res.returncode == 0, "runc container r1 starts (%s)" % res.stderr.strip())
    r.spawn("r1", "sh", "-c", SH_LOOP, out=open(os.path.join(outdir, "r1"), "w"))
    nested = subprocess.Popen(["runc", "--root", r.state, "exec", "--cap", "CAP_SETUID",
                               "--cap", "CAP_SETGID", "--cap", "CAP_SETFCAP", "r1",
                               "unshare", "-Urm", "sh", "-c", SH_LOOP],
                              stdin=subprocess.DEVNULL,
                              stdout=open(os.path.join(outdir, "r1-userns"), "w"),
                              stderr=subprocess.STDOUT)
    r.children.append(nested)
    loops = [(os.path.join(outdir, "w1"), 256 << 10), (os.path.join(outdir, "r1"), 300 << 10),
             (os.path.join(outdir, "r1-userns"), 300 << 10),
             (os.path.join(outdir, "p1"), 224 << 10), (os.path.join(outdir, "l1"), 192 << 10)]

    def workload_pids():
        return (h.docker("inspect", "-f", "{{.State.Pid}}", "w1").stdout.strip(),
                json.loads(r.runc("state", "r1", capture_output=True, text=True).stdout)["pid"],
                podman("inspect", "-f", "{{.State.Pid}}", "p1").stdout.strip(),
                lxc.init_pid("l1"))
    pids = workload_pids()
    log("workloads' init pids (docker, runc, podman, lxc): %s" % (pids,))
    time.sleep(2)
    t = time.time()
    check_loops(loops, t - 1.5, t, "with pvd1 serving")

    # a) the daemon container removed, a new one started
    h.docker("rm", "-f", "pvd1")
    wait_for(lambda: read_error(os.path.join(mnt, "proc/meminfo")) is not None, 10,
             "the mount dies with pvd1")
    time.sleep(1)
    t_dead = time.time()
    for path, _ in loops:
        reads = loop_reads(path, t_dead - 0.5, t_dead)
        check(reads and all(v is None for _, v in reads),
              "%s fails with the daemon container gone" % os.path.basename(path))
    t_start = time.time()
    ds.start("pvd2")
    wait_for(lambda: read_error(os.path.join(mnt, "proc/meminfo")) is None, 30,
             "pvd2 serves")
    t_mount = time.time()
    check(t_mount - t_start < 15, "pvd2, started on a dead mount, serves %.1f s after its start"
          % (t_mount - t_start))
    check("a dead procview mount, detaching it" in ds.logs("pvd2"),
          "pvd2 detached the dead mount on the host")
    time.sleep(3)
    check_loops(loops, t_dead - 1, time.time(), "after docker rm -f and a new daemon container",
                mount_at=t_mount)
    repaired = [line for line in ds.logs("pvd2").splitlines() if "repaired pid" in line]
    for line in repaired:
        log("  " + line)
    check(len(repaired) >= len(loops), "pvd2 logs a line per namespace repaired (%d)"
          % len(repaired))
    check(workload_pids() == pids, "no workload was restarted (the same init pids)")
    out = h.docker("run", "--rm", "-m", "200m", *h.volume_args(VIEWS), h.image,
                   "head", "-n1", "/proc/meminfo").stdout
    check(meminfo_kb(out, "MemTotal") == 200 << 10,
          "a workload started afterwards sees its 200 MiB (%s)" % out.strip())

    # b) surge: pvd3 starts while pvd2 serves, then pvd2 is stopped
    dev = mount_dev(mnt)
    t0 = time.time()
    ds.start("pvd3")
    wait_for(lambda: "waits for SIGTERM" in ds.logs("pvd2"), 30, "pvd2 hands over to pvd3")
    check("took over" in ds.logs("pvd3"), "pvd3 took the connection over")
    time.sleep(1)
    check(ds.state("pvd2")[0] == "true", "pvd2 stays up after the hand-over")
    h.docker("stop", "-t", "10", "pvd2")
    check(ds.state("pvd2") == ["false", "0"], "docker stop ends pvd2 with 0 (%s)"
          % ds.state("pvd2"))
    time.sleep(1)
    check(mount_dev(mnt) == dev, "the same connection serves the host (%s)" % dev)
    check_loops(loops, t0, time.time(), "surge: pvd3 took over, pvd2 stopped")
    out = h.docker("run", "--rm", "-m", "200m", *h.volume_args(VIEWS), h.image,
                   "head", "-n1", "/proc/meminfo").stdout
    check(meminfo_kb(out, "MemTotal") == 200 << 10,
          "after the surge a new workload sees its 200 MiB (%s)" % out.strip())
    h.docker("stop", "-t", "10", "pvd3")


def cleanup(h, podman, lxc):
    lxc.cleanup()
    podman.cleanup()
    h.cleanup()


def main():
    r = pvrunc.Harness("daemonset")
    h = DockerHarness()
    for prog in ("podman", "lxc-start"):
        if not shutil.which(prog):
            skip("%s is not installed" % prog)
    if not os.access(os.path.join(h.build, "src", "hook", "procview-oci-hook"), os.X_OK):
        skip("procview-oci-hook is not built (json-glib missing)")
    podman = Podman(h, r.mnt)
    lxc = Lxc(h, r.mnt)
    start = time.time()
    try:
        test(h, r, podman, lxc)
    except (Failure, subprocess.TimeoutExpired) as e:
        log("FAIL: %s" % e)
        for name in ("pvd1", "pvd2", "pvd3"):
            if h.dockerd:
                logs = h.docker("logs", name, check_rc=False)
                for line in (logs.stdout + logs.stderr).splitlines()[-30:]:
                    log("%s: %s" % (name, line))
        cleanup(h, podman, lxc)
        sys.exit(1)
    except BaseException:
        cleanup(h, podman, lxc)
        raise
    cleanup(h, podman, lxc)
    log("PASS (%.0f s)" % (time.time() - start))


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
