#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile image (hostile.py) against procview-oci-hook as users install
it: "runc" runs plain runc with the createContainer entry of init/README.md
verbatim, "podman" runs podman --runtime runc with the build's hooks.d
entry, "lxc" runs LXC 5.0 with the build's mount hook and the image's ENV as
lxc-oci would write it (lxc.environment). Neither passes --root, so the hook takes its view root from the
settings file or the build's default, where this test serves the views
(or finds a live procviewd already serving them).

Each variant fails the test if the image's library ran in the hook (its
marker appears on the host), if anything of the host shows in the
container, or if a mount reaches the host. The control at the start runs the
same preloading image with an entry that has no "env": on runc before 1.2
the marker then appears, which shows the test sees the attack it guards
against."""

import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile
import pvrunc
from pvrunc import check, Failure, log

MEM_KB = pvrunc.MEM_LIMIT // 1024


def hook_root():
    """The view root the hook uses without --root, as it computes it."""
    root = None
    try:
        with open("/etc/default/procview") as f:
            for line in f:
                line = line.strip()
                if line.startswith("MOUNTPOINT="):
                    v = line[len("MOUNTPOINT="):].strip().strip("'\"")
                    root = v if v.startswith("/") else None
    except FileNotFoundError:
        pass
    return root or os.environ.get("PV_MOUNTPOINT", "/var/lib/procview")


def serve_default_root(h):
    """Makes sure a live procviewd serves the hook's default root: uses one
    already there, else starts the test's own."""
    root = hook_root()
    state = pvrunc.mounts_at(root)
    if state and state[-1][2] == "fuse.procview" and not h._read_error(
            os.path.join(root, "proc", "meminfo")):
        log("using the procviewd that serves %s" % root)
        return root
    if state:
        raise Failure("%s holds a mount that is not a live procview mount (%s): "
                      "free it to run this test" % (root, state[-1][2]))
    h.mnt = root
    h.start_daemon()
    return root


def reader(run):
    """read(path) for hostile.check_container: run(argv) runs a command in
    the container and returns its CompletedProcess. head, not busybox cat:
    that copies with sendfile(2), which copies nothing of a view on Linux
    6.5 and later (procviewd(8), FILES)."""
    def read(path):
        cmd = (["/bin/ls", "-a", path[3:]] if path.startswith("ls:")
               else ["/bin/head", "-n", "100000", path])
        x = run(cmd)
        return x.stdout if x.returncode == 0 else None
    return read


def runc_case(h, host, variant, entry=None, cname=None):
    """Starts the variant under runc (as container cname, default the
    variant's name); returns read(path) or None when runc refused to start
    it."""
    cname = cname or variant
    b = h.make_bundle(cname, views=None)
    rootfs = os.path.join(b, "rootfs")
    env = host.populate(rootfs, variant)
    cfgp = os.path.join(b, "config.json")
    with open(cfgp) as f:
        cfg = json.load(f)
    cfg["process"]["env"] += env
    cfg["hooks"] = {"createContainer": [entry or pvrunc.docs_hook_entry(h.hook)]}
    with open(cfgp, "w") as f:
        json.dump(cfg, f)
    r = h.start(cname, b)
    if r.returncode != 0:
        log("%s: runc refused the container: %s" % (cname, r.stderr.strip()[-300:]))
        return None

    return reader(lambda cmd: h.exec(cname, *cmd, check_rc=False))


class Podman:
    """podman with its own storage, runc and the build's hooks.d entry."""

    def __init__(self, h):
        self.h = h
        self.dir = os.path.join(h.tmp, "podman")
        os.makedirs(self.dir)
        self.base = ["podman", "--root", os.path.join(self.dir, "storage"),
                     "--runroot", os.path.join(self.dir, "run"), "--storage-driver", "vfs",
                     "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                     "--events-backend", "file",
                     "--hooks-dir", os.path.join(h.build, "init", "hooks.d")]
        self.names = []

    def run(self, *args, check_rc=True, timeout=180):
        r = subprocess.run(self.base + list(args), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
        if check_rc and r.returncode != 0:
            raise Failure("podman %s: %d\n%s" % (" ".join(args), r.returncode, r.stderr))
        return r

    def image(self, name, rootfs, env):
        tar = os.path.join(self.dir, name + ".tar")
        subprocess.run(["tar", "-C", rootfs, "-cf", tar, "."], check=True)
        changes = []
        for e in env:
            changes += ["--change", "ENV " + e]
        self.run("import", *changes, tar, "localhost/pv-hostile-" + name)
        return "localhost/pv-hostile-" + name

    def cleanup(self):
        for n in self.names:
            self.run("rm", "-f", "-t", "0", n, check_rc=False)
        self.run("rmi", "-a", "-f", check_rc=False)
        subprocess.run(["umount", "-R", "-l", self.dir], stderr=subprocess.DEVNULL)


def busybox_rootfs(path):
    """A minimal image: busybox (static) and its applets."""
    bb = shutil.which("busybox") or "/bin/busybox"
    os.makedirs(os.path.join(path, "bin"))
    for d in ["proc", "sys", "tmp", "etc", "var/tmp"]:
        os.makedirs(os.path.join(path, d), exist_ok=True)
    shutil.copy(bb, os.path.join(path, "bin", "busybox"))
    for applet in ["sh", "head", "ls", "sleep"]:
        os.symlink("busybox", os.path.join(path, "bin", applet))


def podman_case(h, pm, host, variant):
    rootfs = os.path.join(h.tmp, "img-" + variant)
    busybox_rootfs(rootfs)
    env = host.populate(rootfs, variant)
    image = pm.image(variant, rootfs, env)
    name = "pv-hostile-%s-%d" % (variant, os.getpid())
    pm.names.append(name)
    r = pm.run("run", "-d", "--name", name, "--network", "none", "--memory", "256m",
               "--cpuset-cpus", "0", "--ulimit", "nofile=20000:20000",
               "--ulimit", "nproc=32768:32768", image, "/bin/sleep", "3600", check_rc=False)
    if r.returncode != 0:
        log("%s: podman refused the container: %s" % (variant, r.stderr.strip()[-300:]))
        return None

    return reader(lambda cmd: pm.run("exec", name, *cmd, check_rc=False))


class Lxc:
    """LXC 5.0 with its own lxcpath and the build's mount hook, as
    init/README.md says to use it (no --root)."""

    def __init__(self, h):
        self.h = h
        self.path = os.path.join(h.tmp, "lxc")
        os.makedirs(self.path)
        self.names = []

    def start(self, name, rootfs, env, auto="proc:mixed sys:ro"):
        d = os.path.join(self.path, name)
        os.makedirs(d)
        lines = ["lxc.uts.name = " + name,
                 "lxc.rootfs.path = dir:" + rootfs,
                 "lxc.net.0.type = empty",
                 "lxc.mount.auto = " + auto,
                 "lxc.hook.mount = " + os.path.join(self.h.build, "init",
                                                    "procview-lxc-mount-hook"),
                 "lxc.cgroup.memory.limit_in_bytes = %d" % pvrunc.MEM_LIMIT,
                 "lxc.cgroup.cpuset.cpus = 0",
                 "lxc.init.cmd = /bin/sleep 3600",
                 "lxc.console.path = none", "lxc.tty.max = 0", "lxc.pty.max = 0"]
        # what lxc-oci makes of an image's ENV
        lines += ["lxc.environment = " + e for e in env]
        with open(os.path.join(d, "config"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.names.append(name)
        r = subprocess.run(["lxc-start", "-P", self.path, "-n", name, "-d", "-l", "DEBUG",
                            "-o", os.path.join(d, "log")], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
        return r

    def attach(self, name, cmd):
        return subprocess.run(["lxc-attach", "-P", self.path, "-n", name, "--", *cmd],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)

    def log(self, name):
        with open(os.path.join(self.path, name, "log"), errors="replace") as f:
            return f.read()

    def cleanup(self):
        for n in self.names:
            subprocess.run(["lxc-stop", "-P", self.path, "-n", n, "-k"],
                           capture_output=True, timeout=60)


def lxc_case(h, lx, host, variant):
    rootfs = os.path.join(h.tmp, "lxcroot-" + variant)
    busybox_rootfs(rootfs)
    env = host.populate(rootfs, variant)
    # The hook runs with the host's / as working directory: an image reaches
    # its own files through the rootfs's host path instead.
    env = [e.replace("/proc/self/cwd", rootfs) for e in env if not e.startswith("LD_")]
    if variant == "preload":
        # a loader variable that loads nothing: LXC hands it to the hook,
        # which must say so (a real library would have run in LXC's shell
        # before the hook: init/README.md, LXC)
        env.append("LD_LIBRARY_PATH=" + os.path.join(rootfs, "nolib"))
    name = "pvh-%s-%d" % (variant, os.getpid())
    r = lx.start(name, rootfs, env)
    if r.returncode != 0:
        log("%s: lxc-start refused the container: %s" % (variant, r.stderr.strip()[-300:]))
        return None
    if variant == "preload":
        check("started with LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH set" in lx.log(name),
              "lxc: lxc.environment reaches the mount hook, which says so")

    return reader(lambda cmd: lx.attach(name, cmd))


# The variants whose proc and sys stay where runtimes mount them: the hook
# must have bound the view there.
BOUND = {"preload", "root-env", "link-meminfo", "link-cpu", "link-node"}


def test(h, mode):
    if not os.access(h.hook, os.X_OK):
        pvrunc.skip("procview-oci-hook is not built (json-glib missing)")
    for tool in {"podman": ["podman"], "lxc": ["lxc-start", "lxc-attach"]}.get(mode, []):
        if not shutil.which(tool):
            raise Failure("%s is not installed (scripts/setup.sh installs it)" % tool)
    host = hostile.Host(os.path.join("/var/tmp", h.tag))
    pm = lx = None
    try:
        root = serve_default_root(h)
        mounts_before = host.host_mounts()

        if mode == "runc":
            # The control: the entry without "env" passes the container's
            # environment to the hook on runc before 1.2.
            read = runc_case(h, host, "preload", entry={"path": h.hook,
                                                         "args": ["procview-oci-hook"]})
            check(read is not None, "control: the container starts")
            ver = subprocess.run(["runc", "--version"], capture_output=True, text=True).stdout
            if "version 1.1." in ver or "version 1.0." in ver:
                check(host.marker_text() is not None and "comm=procview-oci-ho" in
                      host.marker_text(), "control: without \"env\", runc 1.1 ran the image's "
                      "library in the hook (%r): the attack is real" % host.marker_text())
            os.unlink(host.marker) if host.marker_text() is not None else None
            h.runc("delete", "-f", "preload", capture_output=True)
            h.containers.remove("preload")
            shutil.rmtree(os.path.join(h.tmp, "preload"))
            # Without "env" the hook still takes nothing from the
            # environment it is given: its root is not $PROCVIEW_ROOT.
            noenv = {"path": h.hook, "args": ["procview-oci-hook"]}
            read = runc_case(h, host, "root-env", entry=noenv, cname="root-env-noenv")
            check(read is not None, "root-env, entry without env: the container starts")
            hostile.check_container(check, host, "root-env, entry without env", read, MEM_KB)
            pm = lx = None
        elif mode == "podman":
            pm, lx = Podman(h), None
        else:
            pm, lx = None, Lxc(h)

        bound_any = 0
        for variant in hostile.VARIANTS:
            if mode == "runc":
                read = runc_case(h, host, variant)
            elif mode == "podman":
                read = podman_case(h, pm, host, variant)
            else:
                read = lxc_case(h, lx, host, variant)
            check(host.marker_text() is None, "%s: no code of the image ran in the hook" % variant)
            if read is None:
                check(variant not in BOUND,
                      "%s: only an image that moves proc or sys may be refused" % variant)
                continue
            hostile.check_container(check, host, variant, read,
                                    MEM_KB if variant in BOUND else None)
            bound_any += variant in BOUND
        check(bound_any == len(BOUND), "every variant with proc and sys in place got the views")
        if mode == "lxc":
            # No procfs of the container's own: the image's proc/meminfo,
            # a symlink to a host file, is what the hook finds there.
            rootfs = os.path.join(h.tmp, "lxcroot-noproc")
            busybox_rootfs(rootfs)
            host.populate(rootfs, "link-meminfo")
            name = "pvh-noproc-%d" % os.getpid()
            r = lx.start(name, rootfs, [], auto="sys:ro")
            check(r.returncode == 0, "lxc without a procfs: the container starts")
            check("leads out of the rootfs" in lx.log(name),
                  "lxc without a procfs: the hook refuses the image's symlink to a host file")
            mi = reader(lambda cmd: lx.attach(name, cmd))("/proc/self/mountinfo")
            check(host.dir not in (mi or ""), "lxc without a procfs: no mount names the host file")
        check(host.host_mounts() == mounts_before,
              "no mount reached the host (%s)" % sorted(host.host_mounts() - mounts_before))
        log("views root: %s" % root)
    finally:
        if mode == "podman" and pm is not None:
            pm.cleanup()
        if mode == "lxc" and lx is not None:
            lx.cleanup()
        shutil.rmtree(host.dir, ignore_errors=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "runc"
    pvrunc.main(lambda h: test(h, mode), "hostile-" + mode)
