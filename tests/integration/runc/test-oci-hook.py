#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procview-oci-hook under runc: exactly what the hook mounts from
procviewd's mount and where, that it binds from nothing else (a plain
directory of look-alike files is refused), and that a container starts
whatever state the views are in."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, Failure

MARK = "procview-test-marker"


def fake_views(root):
    """A plain directory shaped like the views: the hook must not bind it."""
    os.makedirs(os.path.join(root, "proc"))
    os.makedirs(os.path.join(root, "sys/devices/system/cpu"))
    for f in pvrunc.PROC_FILES:
        with open(os.path.join(root, "proc", f), "w") as fp:
            fp.write("%s %s\n" % (MARK, f))
    with open(os.path.join(root, "sys/devices/system/cpu/online"), "w") as fp:
        fp.write("%s online\n" % MARK)


def fstype_at(mountinfo, path):
    """The fs type of the topmost mount at path in mountinfo, or None."""
    found = [m for m in pvrunc.mounts_at(path, mountinfo)]
    return found[-1][2] if found else None


def host_mounts_mention(path):
    with open("/proc/self/mountinfo") as f:
        return [l for l in f if path in l]


def test(h):
    if not os.access(h.hook, os.X_OK):
        pvrunc.skip("procview-oci-hook is not built (json-glib missing)")
    h.start_daemon()
    fake = os.path.join(h.tmp, "fake")
    fake_views(fake)

    # 1. Views present: every allowed file and the sysfs cpu directory are
    #    procviewd's, nothing else is, and they are read-only.
    b = h.make_bundle("hooked", views="hook")
    r = h.start("hooked", b)
    check(r.returncode == 0, "container with the hook starts (%s)" % r.stderr.strip())
    mi = h.read("hooked", "/proc/self/mountinfo")
    for f in pvrunc.PROC_FILES:
        check(fstype_at(mi, "/proc/" + f) == "fuse.procview", "/proc/%s is the view" % f)
    check(pvrunc.meminfo_kb(h.read("hooked", "/proc/meminfo"), "MemTotal") * 1024
          == pvrunc.MEM_LIMIT, "/proc/meminfo shows the container's limit")
    check(fstype_at(mi, "/sys/devices/system/cpu") == "fuse.procview",
          "/sys/devices/system/cpu is the view")
    check(h.read("hooked", "/sys/devices/system/cpu/online").strip() == "1",
          "/sys/devices/system/cpu/online is the container's cpuset")
    check(fstype_at(mi, "/proc/vmstat") is None,
          "/proc/vmstat (not allowed by runc) is left alone")
    check("nr_free_pages" in h.read("hooked", "/proc/vmstat"), "/proc/vmstat is the kernel's")
    w = h.exec("hooked", "sh", "-c", "echo x > /proc/meminfo", check_rc=False)
    check(w.returncode != 0, "the mounted /proc/meminfo is not writable")
    line = [l for l in mi.splitlines() if l.split()[4] == "/proc/meminfo"]
    check(len(line) == 1 and "ro" in line[0].split()[5].split(","),
          "/proc/meminfo is a read-only mount in the container")
    check(not host_mounts_mention(os.path.join(b, "rootfs")),
          "no mount leaked into the host's mount namespace")

    # 1b. A plain directory of look-alike files is not procview's mount: the
    #     hook binds nothing from it.
    b = h.make_bundle("plain", views="hook",
                      hook_args=["procview-oci-hook", "--root=" + fake])
    r = h.start("plain", b)
    check(r.returncode == 0, "plain tree: the container starts")
    check(MARK not in h.read("plain", "/proc/meminfo")
          and "MemTotal:" in h.read("plain", "/proc/meminfo"),
          "plain tree: /proc/meminfo is the kernel's, not the directory's file")
    check(MARK not in h.read("plain", "/sys/devices/system/cpu/online"),
          "plain tree: /sys/devices/system/cpu is the kernel's")

    # 2. Per-container opt-out through the annotation.
    b = h.make_bundle("optout", views="hook")
    cfgp = os.path.join(b, "config.json")
    cfg = json.load(open(cfgp))
    cfg["annotations"] = {"io.procview.disable": "true"}
    json.dump(cfg, open(cfgp, "w"))
    r = h.start("optout", b)
    check(r.returncode == 0, "opted-out container starts")
    check("MemTotal:" in h.read("optout", "/proc/meminfo"),
          "io.procview.disable=true leaves /proc/meminfo alone")

    # 3. No views at all (procviewd not running): the container still starts
    #    with the kernel's files, and the hook says why.
    empty = os.path.join(h.tmp, "empty")
    os.makedirs(empty)
    for name, root in [("noviews", empty), ("nodir", os.path.join(h.tmp, "missing"))]:
        b = h.make_bundle(name, views="hook",
                          hook_args=["procview-oci-hook", "--root=" + root])
        r = h.start(name, b)
        check(r.returncode == 0, "%s: container starts without views" % name)
        check(pvrunc.meminfo_kb(h.read(name, "/proc/meminfo"), "MemTotal") * 1024
              != pvrunc.MEM_LIMIT, "%s: /proc/meminfo is the kernel's" % name)

    # 4. Garbage arguments must not break the start either.
    b = h.make_bundle("badargs", views="hook",
                      hook_args=["procview-oci-hook", "--no-such-option"])
    r = h.start("badargs", b)
    check(r.returncode == 0, "a bad hook command line does not fail the start")

    # 5. Configured for a stage that runs in the runtime's (host's) mount
    #    namespace: the hook must refuse rather than mount over host paths.
    b = h.make_bundle("wrongstage", views=None)
    cfg = json.load(open(os.path.join(b, "config.json")))
    cfg["hooks"] = {"createRuntime": [pvrunc.docs_hook_entry(
        h.hook, ["procview-oci-hook", "--root=" + h.mnt])]}
    json.dump(cfg, open(os.path.join(b, "config.json"), "w"))
    r = h.start("wrongstage", b)
    check(r.returncode == 0, "createRuntime stage: container starts")
    check(pvrunc.meminfo_kb(h.read("wrongstage", "/proc/meminfo"), "MemTotal") * 1024
          != pvrunc.MEM_LIMIT, "createRuntime stage: /proc/meminfo is the kernel's")
    check(not host_mounts_mention(b), "createRuntime stage: nothing mounted on the host")


if __name__ == "__main__":
    pvrunc.main(test, "oci-hook")
