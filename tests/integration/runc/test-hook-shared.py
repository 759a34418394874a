#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procview-oci-hook on a rootfs whose proc and sys are shared mounts (as a
config that binds host paths with "rshared" or sets rootfsPropagation
"shared" gives): a bind mount there would propagate to the peers in other
namespaces, the host's included, so the hook must refuse; on private mounts
it mounts as usual. The views come from a real procviewd, the only source
the hook binds from. No runc needed: the hook runs in a new mount namespace
that keeps the propagation (unshare -m --propagation unchanged)."""

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


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return SKIP
    hook = os.path.join(os.environ["PV_BUILD_ROOT"], "src", "hook", "procview-oci-hook")
    if not os.access(hook, os.X_OK):
        print("SKIP: procview-oci-hook is not built (json-glib missing)")
        return SKIP

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

        sh("mount", "--make-rprivate", share)
        err, ns_mounts = run_hook(hook, fake, bundle)
        sys.stdout.write(err)
        check(targets <= mountpoints(ns_mounts), "private: every view is mounted in the hook's namespace")
        with open("/proc/self/mountinfo") as f:
            check(not (targets & mountpoints(f.read())), "private: nothing on the host")
    finally:
        subprocess.run(["umount", "-R", "-l", share], stderr=subprocess.DEVNULL)
        daemon.terminate()
        daemon.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("FAILED: hook-shared" if FAILED else "PASS: hook-shared")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
