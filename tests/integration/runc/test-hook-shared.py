#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procview-oci-hook on a rootfs whose proc and sys are shared mounts (as a
config that binds host paths with "rshared" or sets rootfsPropagation
"shared" gives): a bind mount there would propagate to the peers in other
namespaces, the host's included, so the hook must refuse; on private mounts
it mounts as usual. The views come from a real procviewd, the only source
the hook binds from. No runc needed: the hook runs in a new mount namespace
that keeps the propagation (unshare -m --propagation unchanged).

The hook finds a target's mount by the ID statx() reports since Linux 5.8;
before that by the ID in /proc/self/fdinfo. oci-bind-view drives the hook's
bind down that second way on this kernel: it too must refuse the shared
mounts and bind on the private ones."""

import errno
import json
import os
import shutil
import subprocess
import sys
import time

SKIP = 77
PROC_FILES = ["cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg"]
FAILED = []


def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg)
    if not cond:
        FAILED.append(msg)


def sh(*cmd):
    subprocess.run(cmd, check=True)


def mountpoints(text):
    return {l.split()[4] for l in text.splitlines() if len(l.split()) > 4}


def run_hook(hook, fake, bundle):
    """Runs the hook in a new mount namespace; returns (stderr, that namespace's mountinfo)."""
    state = json.dumps({"ociVersion": "1.0.2", "id": "shared", "status": "creating",
                        "pid": os.getpid(), "bundle": bundle})
    script = '"$0" --root="$1" < "$2" && cat /proc/self/mountinfo'
    state_file = os.path.join(bundle, "state.json")
    with open(state_file, "w") as f:
        f.write(state)
    r = subprocess.run(["unshare", "-m", "--propagation", "unchanged", "sh", "-c", script,
                        hook, fake, state_file], capture_output=True, text=True, timeout=60)
    return r.stderr, r.stdout


def run_bind(helper, fake, rootfs, rel, way):
    """Binds rel with oci-bind-view in a new mount namespace; returns (result, that
    namespace's mountinfo): result is 0 or -errno, None when the helper said nothing."""
    script = '"$0" "$@"; cat /proc/self/mountinfo'
    r = subprocess.run(["unshare", "-m", "--propagation", "unchanged", "sh", "-c", script,
                        helper, fake, rootfs, rel, way], capture_output=True, text=True, timeout=60)
    sys.stdout.write(r.stderr)
    results = [l.split()[1] for l in r.stderr.splitlines() if l.startswith("result ")]
    return (int(results[0]) if results else None), r.stdout


def check_binds(helper, fake, rootfs, shared):
    """Both ways of finding the target's mount, on proc/meminfo and the sysfs CPU directory."""
    label = "shared" if shared else "private"
    for rel in ["proc/meminfo", "sys/devices/system/cpu"]:
        target = os.path.join(rootfs, rel)
        for way in ["any", "fdinfo"]:
            result, ns_mounts = run_bind(helper, fake, rootfs, rel, way)
            with open("/proc/self/mountinfo") as f:
                host = mountpoints(f.read())
            what = "%s, mount ID by %s: %s" % (label, "statx" if way == "any" else way, rel)
            if shared:
                check(result == -errno.EBUSY, "%s refused with EBUSY (result %s)" % (what, result))
                check(target not in mountpoints(ns_mounts), what + " not mounted")
            else:
                check(result == 0, "%s bound (result %s)" % (what, result))
                check(target in mountpoints(ns_mounts), what + " mounted in the namespace")
            check(target not in host, what + " not on the host")


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return SKIP
    hook = os.path.join(os.environ["PV_BUILD_ROOT"], "src", "hook", "procview-oci-hook")
    if not os.access(hook, os.X_OK):
        print("SKIP: procview-oci-hook is not built (json-glib missing)")
        return SKIP
    helper = os.path.join(os.environ["PV_BUILD_ROOT"], "tests", "integration", "runc",
                          "oci-bind-view")

    tmp = "/tmp/pv-hook-shared-%d" % os.getpid()
    fake = os.path.join(tmp, "fake")
    share = os.path.join(tmp, "share")
    rootfs = os.path.join(share, "rootfs")
    bundle = os.path.join(tmp, "bundle")
    for d in [fake, os.path.join(rootfs, "proc"), os.path.join(rootfs, "sys"), bundle]:
        os.makedirs(d)
    daemon = subprocess.Popen([os.path.join(os.environ["PV_BUILD_ROOT"], "src", "daemon",
                                            "procviewd"), "--foreground", fake])
    for _ in range(300):
        try:
            with open(os.path.join(fake, "proc", "meminfo")) as f:
                if f.read(9) == "MemTotal:":
                    break
        except OSError:
            pass
        time.sleep(0.05)
    else:
        daemon.kill()
        print("FAIL: procviewd did not mount %s" % fake)
        return 1
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump({"ociVersion": "1.0.2", "root": {"path": rootfs}}, f)
    targets = {os.path.join(rootfs, "proc", f) for f in PROC_FILES}
    targets.add(os.path.join(rootfs, "sys/devices/system/cpu"))
    try:
        sh("mount", "--bind", share, share)
        sh("mount", "--make-shared", share)
        sh("mount", "-t", "proc", "proc", os.path.join(rootfs, "proc"))
        sh("mount", "-t", "sysfs", "sysfs", os.path.join(rootfs, "sys"))

        err, ns_mounts = run_hook(hook, fake, bundle)
        sys.stdout.write(err)
        with open("/proc/self/mountinfo") as f:
            host = mountpoints(f.read())
        check(not (targets & host), "shared: no bind mount propagated to the host's namespace")
        check(not (targets & mountpoints(ns_mounts)), "shared: nothing mounted in the hook's namespace")
        check("shared mount" in err, "shared: the hook says why")
        check_binds(helper, fake, rootfs, True)

        sh("mount", "--make-rprivate", share)
        err, ns_mounts = run_hook(hook, fake, bundle)
        sys.stdout.write(err)
        check(targets <= mountpoints(ns_mounts), "private: every view is mounted in the hook's namespace")
        with open("/proc/self/mountinfo") as f:
            check(not (targets & mountpoints(f.read())), "private: nothing on the host")
        check_binds(helper, fake, rootfs, False)
    finally:
        subprocess.run(["umount", "-R", "-l", share], stderr=subprocess.DEVNULL)
        daemon.terminate()
        daemon.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("FAILED: hook-shared" if FAILED else "PASS: hook-shared")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
