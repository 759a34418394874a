# SPDX-License-Identifier: LGPL-2.1-or-later
"""Harness for the runc end-to-end tests: a procviewd on a private mount
point, a rootfs made of the host's /usr (read-only bind), and runc containers
with memory, cpuset and CPU quota limits in their own uniquely named cgroups.
Everything created is removed at exit, on failure and on SIGTERM."""

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77
PROC_FILES = ["cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg"]
V1_CONTROLLERS = ["cpu", "cpuacct", "cpuset", "memory", "blkio", "pids"]
MEM_LIMIT = 256 * 1024 * 1024


def log(msg):
    print(msg, flush=True)


def skip(msg):
    log("SKIP: " + msg)
    sys.exit(SKIP)


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)
    log("ok: " + msg)


def meminfo_kb(text, key):
    m = re.search(r"^%s:\s+(\d+) kB$" % re.escape(key), text, re.M)
    if not m:
        raise Failure("no %s in meminfo:\n%s" % (key, text))
    return int(m.group(1))


def cpulist(text):
    cpus = set()
    for part in text.strip().split(","):
        if not part:
            continue
        a, _, b = part.partition("-")
        cpus.update(range(int(a), int(b or a) + 1))
    return cpus


def root_disk():
    """(name, major, minor) of the whole disk holding the file system of /."""
    st = os.stat("/")
    dev = "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev))
    for name in os.listdir("/sys/block"):
        with open("/sys/block/%s/dev" % name) as f:
            if f.read().strip() == dev:
                return name, os.major(st.st_dev), os.minor(st.st_dev)
    return None


def docs_hook_entry(path, args=None):
    """The createContainer hook entry that init/README.md tells runc users to
    put in config.json, with the hook at path (and args, if given, instead
    of the documented ones): the tests run what the docs say."""
    src = os.environ.get("PV_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "../../.."))
    with open(os.path.join(src, "init", "README.md")) as f:
        text = f.read()
    m = re.search(r'^```json\n("hooks": .*?)\n```', text, re.M | re.S)
    if not m:
        raise Failure("init/README.md has no config.json hook example")
    entry = json.loads("{" + m.group(1) + "}")["hooks"]["createContainer"][0]
    entry["path"] = path
    if args is not None:
        entry["args"] = list(args)
    return entry


def host_cpus():
    with open("/sys/devices/system/cpu/online") as f:
        return cpulist(f.read())


def mounts_at(path, mountinfo=None):
    """[(mount ID, major:minor, fstype)] of the mounts stacked at path, in
    this process's mountinfo or the given mountinfo text."""
    if mountinfo is None:
        with open("/proc/self/mountinfo") as f:
            mountinfo = f.read()
    out = []
    for line in mountinfo.splitlines():
        pre, _, post = line.partition(" - ")
        fields = pre.split()
        if fields[4] == path:
            out.append((fields[0], fields[2], post.split()[0]))
    return out


def wait_for(cond, timeout, what, step=0.02):
    """Returns cond()'s first true value within timeout seconds, polled every
    step; raises Failure naming what otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise Failure("%s: not within %.0f s" % (what, timeout))


def children(pid):
    """The children of pid's main thread, where procviewd's keeper forks its worker."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Harness:
    def __init__(self, name):
        self.name = name
        self.tag = "pv-runc-%s-%d" % (name, os.getpid())
        self.tmp = "/tmp/" + self.tag
        self.build = os.environ.get("PV_BUILD_ROOT")
        self.daemon = None
        self.mnt = os.path.join(self.tmp, "procview-mnt")
        self.state = os.path.join(self.tmp, "runc-state")
        self.containers = []
        self.cgroups = []
        self.children = []
        self._check_prereqs()
        os.makedirs(self.tmp)
        atexit.register(self.cleanup)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        signal.signal(signal.SIGINT, lambda *_: sys.exit(1))

    def _check_prereqs(self):
        if os.geteuid() != 0:
            skip("needs root")
        if not self.build:
            skip("PV_BUILD_ROOT is not set (run through meson test)")
        if not shutil.which("runc"):
            skip("runc is not installed")
        if not os.path.exists("/dev/fuse"):
            skip("no /dev/fuse")
        self.procviewd = os.path.join(self.build, "src", "daemon", "procviewd")
        self.hook = os.path.join(self.build, "src", "hook", "procview-oci-hook")

    def need_daemon(self):
        if not os.access(self.procviewd, os.X_OK):
            skip("procviewd is not built (%s)" % self.procviewd)

    # procviewd ------------------------------------------------------------
    def start_daemon(self, *args, binary=None, stderr=None):
        """Starts procviewd (binary: another path to run it from; stderr: a
        file object for its log) and waits until its mount answers."""
        self.need_daemon()
        os.makedirs(self.mnt, exist_ok=True)
        self.daemon = subprocess.Popen([binary or self.procviewd, "--foreground", *args,
                                        self.mnt], stderr=stderr)
        deadline = time.time() + 15
        while time.time() < deadline:
            # A read, not a stat: a dead mount left at the mount point still
            # answers stat from cached attributes.
            err = self._read_error(os.path.join(self.mnt, "proc", "meminfo"))
            if not err:
                return
            if self.daemon.poll() is not None:
                raise Failure("procviewd exited with %d before mounting" % self.daemon.returncode)
            time.sleep(0.05)
        raise Failure("procviewd did not serve %s within 15 s (proc/meminfo: %s)"
                      % (self.mnt, err))

    @staticmethod
    def _read_error(path):
        """None when path reads, else why not. In a child: a mount whose
        server does not answer would block this process."""
        try:
            r = subprocess.run(["head", "-c1", path], capture_output=True, timeout=2)
        except subprocess.TimeoutExpired:
            return "no answer within 2 s"
        if r.returncode == 0 and r.stdout:
            return None
        return r.stderr.decode(errors="replace").strip() or "empty"

    def stop_daemon(self, sig=signal.SIGTERM):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(sig)
            try:
                self.daemon.wait(10)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        rc = self.daemon.returncode if self.daemon else None
        self.daemon = None
        return rc

    def _mounted(self, path):
        with open("/proc/self/mountinfo") as f:
            return any(line.split()[4] == path for line in f)

    # containers -----------------------------------------------------------
    def make_bundle(self, cname, args=("sleep", "3600"), cpus="1", mem=MEM_LIMIT,
                    quota=50000, period=100000, views="mounts", extra_mounts=(),
                    hook_args=None, env=(), throttle_dev=None, rw_mounts=()):
        """views: "mounts" (config.json bind mounts), "hook" (procview-oci-hook
        as createContainer hook) or None."""
        bundle = os.path.join(self.tmp, cname)
        rootfs = os.path.join(bundle, "rootfs")
        for d in ["usr", "etc", "proc", "sys", "dev", "tmp", "run", "root", "opt", "var/tmp"]:
            os.makedirs(os.path.join(rootfs, d), exist_ok=True)
        # Debian is usr-merged: the top-level directories are symlinks.
        for link, target in [("bin", "usr/bin"), ("sbin", "usr/sbin"),
                             ("lib", "usr/lib"), ("lib64", "usr/lib64")]:
            os.symlink(target, os.path.join(rootfs, link))
        for f in ["passwd", "group", "nsswitch.conf", "ld.so.cache", "ld.so.conf",
                  "localtime", "hosts"]:
            if os.path.exists("/etc/" + f):
                shutil.copy("/etc/" + f, os.path.join(rootfs, "etc", f))
        if os.path.isdir("/etc/ld.so.conf.d"):
            shutil.copytree("/etc/ld.so.conf.d", os.path.join(rootfs, "etc/ld.so.conf.d"))

        subprocess.run(["runc", "spec"], cwd=bundle, check=True)
        with open(os.path.join(bundle, "config.json")) as f:
            cfg = json.load(f)
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = list(args)
        cfg["process"]["env"] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
                                 "TERM=xterm", "LANG=C", *env]
        cfg["root"] = {"path": "rootfs", "readonly": True}
        cfg["hostname"] = cname
        cfg["mounts"].append({"destination": "/usr", "type": "bind", "source": "/usr",
                              "options": ["rbind", "ro", "nosuid", "nodev"]})
        cfg["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                              "options": ["nosuid", "nodev", "mode=1777"]})
        for src, dst in extra_mounts:
            cfg["mounts"].append({"destination": dst, "type": "bind", "source": src,
                                  "options": ["rbind", "ro"]})
        for src, dst in rw_mounts:
            cfg["mounts"].append({"destination": dst, "type": "bind", "source": src,
                                  "options": ["rbind", "rw"]})
        if views == "mounts":
            for f in PROC_FILES:
                cfg["mounts"].append({"destination": "/proc/" + f, "type": "bind",
                                      "source": os.path.join(self.mnt, "proc", f),
                                      "options": ["bind", "ro"]})
            cfg["mounts"].append({"destination": "/sys/devices/system/cpu", "type": "bind",
                                  "source": os.path.join(self.mnt, "sys/devices/system/cpu"),
                                  "options": ["rbind", "ro"]})
        elif views == "hook":
            entry = docs_hook_entry(self.hook,
                                    hook_args or ["procview-oci-hook", "--root=" + self.mnt])
            entry["timeout"] = 30
            cfg["hooks"] = {"createContainer": [entry]}
        # The host's network: node-exporter listens there for the scraper.
        lin = cfg["linux"]
        lin["namespaces"] = [ns for ns in lin["namespaces"] if ns["type"] != "network"]
        cgpath = "/%s-%s" % (self.tag, cname)
        lin["cgroupsPath"] = cgpath
        self.cgroups.append(cgpath)
        res = lin.setdefault("resources", {})
        if mem:
            res["memory"] = {"limit": mem}
        res["cpu"] = {"quota": quota, "period": period, "cpus": cpus, "mems": "0"}
        if throttle_dev:
            # cgroup v1 (kernel >= 5.0) counts I/O only on devices that carry a
            # throttle rule in the cgroup: a rule far above any real rate.
            major, minor = throttle_dev
            res["blockIO"] = {"throttleWriteBpsDevice": [
                {"major": major, "minor": minor, "rate": 10 << 30}]}
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        return bundle

    def runc(self, *args, **kw):
        return subprocess.run(["runc", "--root", self.state, *args], **kw)

    def start(self, cname, bundle):
        """Starts the container detached; returns the runc result."""
        self.containers.append(cname)
        # The container inherits runc's stdio: a pipe would stay open for its
        # whole life, so errors go to a file.
        errpath = os.path.join(self.tmp, cname + ".runc-stderr")
        with open(errpath, "w+") as err:
            r = self.runc("run", "-d", "--bundle", bundle, cname, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=err, timeout=120)
            err.seek(0)
            r.stderr = err.read()
        self.started_at = time.time()
        return r

    def exec(self, cname, *cmd, env=(), check_rc=True, timeout=120):
        envargs = []
        for e in env:
            envargs += ["--env", e]
        r = self.runc("exec", *envargs, cname, *cmd, stdin=subprocess.DEVNULL,
                      capture_output=True, text=True, timeout=timeout)
        if check_rc and r.returncode != 0:
            raise Failure("%s exited %d\nstdout:\n%s\nstderr:\n%s"
                          % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
        return r

    def spawn(self, cname, *cmd, out=None):
        """Starts cmd in the container without waiting (runc exec); returns
        the Popen, which the cleanup kills if it still runs."""
        p = subprocess.Popen(["runc", "--root", self.state, "exec", cname, *cmd],
                             stdin=subprocess.DEVNULL, stdout=out or subprocess.DEVNULL,
                             stderr=subprocess.STDOUT if out else subprocess.DEVNULL)
        self.children.append(p)
        return p

    def read(self, cname, path):
        return self.exec(cname, "cat", path).stdout

    def container_cgroup(self, cname):
        return "/%s-%s" % (self.tag, cname)

    # cleanup --------------------------------------------------------------
    def cleanup(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait()
        for c in self.containers:
            self.runc("kill", c, "KILL", capture_output=True)
            self.runc("delete", "-f", c, capture_output=True)
        # runc removes its cgroups on delete; remove what a failed start left.
        for cg in self.cgroups:
            for ctrl in V1_CONTROLLERS + ["systemd", "unified", "freezer", "devices"]:
                d = "/sys/fs/cgroup/%s%s" % (ctrl, cg)
                for _ in range(50):
                    if not os.path.isdir(d):
                        break
                    try:
                        os.rmdir(d)
                    except OSError:
                        time.sleep(0.1)
        self.stop_daemon()
        if self._mounted(self.mnt):
            subprocess.run(["fusermount3", "-u", "-z", self.mnt], capture_output=True)
        if not self._mounted(self.mnt):
            shutil.rmtree(self.tmp, ignore_errors=True)


def main(fn, name):
    """Runs fn(harness); exit 0 on success, 1 on Failure (77 raised as SystemExit)."""
    h = Harness(name)
    try:
        fn(h)
    except (Failure, subprocess.TimeoutExpired) as e:
        log("FAIL: %s" % e)
        sys.exit(1)
    log("PASS")
