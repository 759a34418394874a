# SPDX-License-Identifier: LGPL-2.1-or-later
"""Harness for the Docker end-to-end test: a private procviewd, a private
dockerd (its own socket, data and exec roots under a temporary directory, no
bridge, no iptables, its own cgroup parent) and an image imported from a
rootfs of the host's binaries. cleanup() removes everything it made."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runc"))
from pvrunc import host_cpus, skip, Failure  # noqa: E402

# Debian's docker.io, never whatever "docker" comes first on PATH.
DOCKER = "/usr/bin/docker"
DOCKERD = "/usr/sbin/dockerd"
TRUST_KEY = "/etc/docker/key.json"
# The programs the image holds, with their libraries (ldd).
PROGRAMS = ["sh", "cat", "sleep", "head", "free", "top", "nproc", "lscpu", "taskset", "getconf",
            "/usr/bin/python3"]
# Debian's python3 takes its modules from the host, bound read-only.
PYTHON_DIRS = ["/usr/lib/python3.%d" % sys.version_info[1], "/usr/lib/python3/dist-packages"]


def copy_host_file(path, rootfs):
    """Copies path (following symlinks) to the same place in rootfs, its
    directory resolved: Debian is usr-merged, /lib is usr/lib."""
    dst = os.path.join(rootfs, os.path.realpath(os.path.dirname(path)).lstrip("/"),
                       os.path.basename(path))
    if not os.path.exists(dst):
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.realpath(path), dst)


def make_rootfs(rootfs):
    for d in ["usr/bin", "usr/lib", "usr/lib64", "usr/sbin", "etc", "proc", "sys", "dev",
              "tmp", "root"]:
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    for link, target in [("bin", "usr/bin"), ("sbin", "usr/sbin"),
                         ("lib", "usr/lib"), ("lib64", "usr/lib64")]:
        os.symlink(target, os.path.join(rootfs, link))
    for f in ["passwd", "group", "nsswitch.conf", "ld.so.cache"]:
        if os.path.exists("/etc/" + f):
            shutil.copy("/etc/" + f, os.path.join(rootfs, "etc", f))
    # top needs the terminal's description even in batch mode.
    copy_host_file("/lib/terminfo/d/dumb", rootfs)
    for prog in PROGRAMS:
        path = prog if prog.startswith("/") else shutil.which(prog)
        if not path:
            skip("%s is not installed" % prog)
        copy_host_file(path, rootfs)
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for lib in re.findall(r"(/\S+) \(0x", out):
            copy_host_file(lib, rootfs)


def remove_cgroups(top):
    """Removes the cgroup top (and what is below) of every hierarchy, cgroup v2's
    included, waiting up to 5 s for each to empty."""
    for ctrl in ["."] + os.listdir("/sys/fs/cgroup"):
        base = os.path.normpath("/sys/fs/cgroup/%s%s" % (ctrl, top))
        if not os.path.isdir(base):
            continue
        for d, _, _ in sorted(os.walk(base), key=lambda w: -len(w[0])):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.1)


class DockerHarness:
    def __init__(self):
        self.tag = "pv-docker-%d" % os.getpid()
        self.tmp = "/tmp/" + self.tag
        self.build = os.environ.get("PV_BUILD_ROOT")
        self.source = os.environ.get("PV_SOURCE_ROOT", os.path.join(HERE, "..", "..", ".."))
        self.mnt = os.path.join(self.tmp, "procview-mnt")
        self.sock = os.path.join(self.tmp, "docker.sock")
        self.pidfile = os.path.join(self.tmp, "dockerd.pid")
        self.image = self.tag + ":latest"
        self.cgparent = "/" + self.tag
        self.daemon = None
        self.dockerd = None
        self.extra_images = []  # built or imported by a test (pvimage.py)
        self.env = dict(os.environ, DOCKER_HOST="unix://" + self.sock,
                        DOCKER_CONFIG=os.path.join(self.tmp, "cli"))
        if os.geteuid() != 0:
            skip("needs root")
        if not self.build:
            skip("PV_BUILD_ROOT is not set (run through meson test)")
        self.procviewd = os.path.join(self.build, "src", "daemon", "procviewd")
        for prog in (DOCKER, DOCKERD):
            if not os.access(prog, os.X_OK):
                skip("%s is missing (Debian's docker.io)" % prog)
        if not os.path.isdir(os.path.join(PYTHON_DIRS[1], "psutil")):
            skip("python3-psutil is not installed")
        if not os.path.exists("/dev/fuse"):
            skip("no /dev/fuse")
        if not {0, 1} <= host_cpus():
            skip("needs host CPUs 0 and 1")
        os.makedirs(self.tmp)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        signal.signal(signal.SIGINT, lambda *_: sys.exit(1))

    # procviewd ------------------------------------------------------------
    def start_procviewd(self):
        os.makedirs(self.mnt, exist_ok=True)
        self.daemon = subprocess.Popen([self.procviewd, "--foreground", self.mnt])
        deadline = time.time() + 15
        while time.time() < deadline:
            r = subprocess.run(["head", "-c1", os.path.join(self.mnt, "proc/meminfo")],
                               capture_output=True, timeout=5)
            if r.returncode == 0 and r.stdout:
                return
            if self.daemon.poll() is not None:
                raise Failure("procviewd exited with %d" % self.daemon.returncode)
            time.sleep(0.05)
        raise Failure("procviewd did not serve %s within 15 s" % self.mnt)

    def stop_procviewd(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(10)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.daemon = None

    # dockerd --------------------------------------------------------------
    def start_dockerd(self):
        # dockerd 20.10 writes its identity key there, whatever its roots.
        self.new_key = not os.path.exists(TRUST_KEY)
        conf = os.path.join(self.tmp, "daemon.json")
        with open(conf, "w") as f:
            json.dump({}, f)
        self.dockerd_log = open(os.path.join(self.tmp, "dockerd.log"), "w")
        self.dockerd = subprocess.Popen(
            [DOCKERD, "-H", "unix://" + self.sock, "--config-file", conf,
             "--data-root", os.path.join(self.tmp, "data"),
             "--exec-root", os.path.join(self.tmp, "exec"),
             "--pidfile", self.pidfile,
             "--iptables=false", "--ip-masq=false", "--bridge=none",
             "--exec-opt", "native.cgroupdriver=cgroupfs",
             "--cgroup-parent", self.cgparent, "--storage-driver", "vfs"],
            stdin=subprocess.DEVNULL, stdout=self.dockerd_log, stderr=subprocess.STDOUT,
            env=self.env)
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.docker("version", check_rc=False).returncode == 0:
                return
            if self.dockerd.poll() is not None:
                break
            time.sleep(0.5)
        with open(os.path.join(self.tmp, "dockerd.log")) as f:
            raise Failure("dockerd did not start:\n" + f.read()[-3000:])

    def docker(self, *args, check_rc=True, timeout=180, stdin=subprocess.DEVNULL):
        r = subprocess.run([DOCKER, *args], stdin=stdin, capture_output=True, text=True,
                           timeout=timeout, env=self.env)
        if check_rc and r.returncode != 0:
            raise Failure("docker %s exited %d:\n%s%s"
                          % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def import_image(self):
        rootfs = os.path.join(self.tmp, "rootfs")
        make_rootfs(rootfs)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        r = subprocess.run([DOCKER, "import", "-", self.image], stdin=tar.stdout,
                           capture_output=True, text=True, env=self.env, timeout=180)
        tar.stdout.close()
        tar.wait()
        if r.returncode != 0:
            raise Failure("docker import failed: " + r.stderr)

    def volume_args(self, vols):
        args = []
        for path, dst in vols:
            args += ["-v", "%s/%s:%s:ro" % (self.mnt, path, dst)]
        return args

    def exec(self, cname, *cmd):
        return self.docker("exec", cname, *cmd).stdout

    # cleanup --------------------------------------------------------------
    def cleanup(self):
        if self.dockerd:
            ids = self.docker("ps", "-aq", check_rc=False, timeout=30).stdout.split()
            if ids:
                self.docker("rm", "-f", *ids, check_rc=False, timeout=60)
            self.docker("rmi", "-f", self.image, *self.extra_images, check_rc=False, timeout=120)
            self.dockerd.terminate()
            try:
                self.dockerd.wait(30)
            except subprocess.TimeoutExpired:
                self.dockerd.kill()
                self.dockerd.wait()
            self.dockerd_log.close()
            if self.new_key:
                try:
                    os.unlink(TRUST_KEY)
                except FileNotFoundError:
                    pass
        # The containerd that dockerd started, if dockerd had to be killed.
        ctr_pid = os.path.join(self.tmp, "exec", "containerd", "containerd.pid")
        try:
            with open(ctr_pid) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        self.stop_procviewd()
        # What dockerd left mounted under the temporary directory (its
        # storage, its netns files), innermost first.
        with open("/proc/self/mountinfo") as f:
            points = [line.split()[4] for line in f]
        for p in sorted((p for p in points if p.startswith(self.tmp + "/")), reverse=True):
            subprocess.run(["umount", "-l", p], capture_output=True)
        remove_cgroups(self.cgparent)
        shutil.rmtree(self.tmp, ignore_errors=True)
