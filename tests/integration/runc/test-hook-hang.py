#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procview-oci-hook against a hung procviewd: a FUSE server that reads
every lookup and never answers. The hook must give up after --timeout and
exit 0 with its standard output and error closed, as runc waits for both
(a helper left blocked on the mount must not hold them), so the container
start goes on. No runc needed: the hook runs in a new mount namespace
(unshare -m), as in the createContainer stage."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return SKIP
    build = os.environ["PV_BUILD_ROOT"]
    hook = os.path.join(build, "src", "hook", "procview-oci-hook")
    hang = os.path.join(build, "tests", "integration", "runc", "hang-fuse")
    if not os.access(hook, os.X_OK):
        print("SKIP: procview-oci-hook is not built (json-glib missing)")
        return SKIP
    if not os.path.exists("/dev/fuse"):
        print("SKIP: no /dev/fuse")
        return SKIP

    tmp = "/tmp/pv-hook-hang-%d" % os.getpid()
    mnt = os.path.join(tmp, "views")
    bundle = os.path.join(tmp, "bundle")
    os.makedirs(mnt)
    os.makedirs(os.path.join(bundle, "rootfs", "proc"))
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump({"ociVersion": "1.0.2", "root": {"path": "rootfs"}}, f)
    state = json.dumps({"ociVersion": "1.0.2", "id": "hang", "status": "creating",
                        "pid": os.getpid(), "bundle": bundle})
    server = subprocess.Popen([hang, mnt])
    failed = False
    try:
        for _ in range(100):
            with open("/proc/self/mountinfo") as f:
                if any(l.split()[4] == mnt for l in f):
                    break
            time.sleep(0.05)
        else:
            print("FAIL: hang-fuse did not mount")
            return 1
        start = time.monotonic()
        try:
            # communicate() returns only once stdout and stderr reach EOF,
            # like runc's wait for a hook.
            r = subprocess.run(["unshare", "-m", hook, "--root=" + mnt, "--timeout=1"],
                               input=state.encode(), capture_output=True, timeout=20)
        except subprocess.TimeoutExpired:
            print("FAIL: the hook (or a helper holding its output) still runs after 20 s")
            return 1
        took = time.monotonic() - start
        err = r.stderr.decode(errors="replace")
        sys.stdout.write(err)
        if r.returncode == 0:
            print("ok: the hook exits 0")
        else:
            print("FAIL: the hook exited %d" % r.returncode)
            failed = True
        if took < 10:
            print("ok: the hook returned after %.1f s with --timeout=1" % took)
        else:
            print("FAIL: the hook took %.1f s with --timeout=1" % took)
            failed = True
        if "did not answer" in err:
            print("ok: the hook says the views did not answer")
        else:
            print("FAIL: no timeout message on stderr")
            failed = True
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
        subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    print("FAILED: hook-hang" if failed else "PASS: hook-hang")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
