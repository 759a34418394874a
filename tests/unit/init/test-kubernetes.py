#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Kubernetes manifests in init/kubernetes against the daemon's file table.

Usage: test-kubernetes.py LIST-FILES MANIFEST-DIR MOUNTPOINT VERSION

LIST-FILES prints the table (tests/unit/init/list-files.c). Checks, for every
pod spec of every manifest (a Pod, or a DaemonSet's template):
- a hostPath below the mount point names a row of the table, a File a file
  row and a Directory a directory row;
- its volumeMount puts it where the row belongs (proc/meminfo at
  /proc/meminfo), read-only, and a /proc file only where runc accepts one;
- the example pod binds every file runc accepts and the CPU and node
  directories;
- the DaemonSet mounts in the node's mount namespace (--mount-ns, hostPID),
  holds no hostPath on the mount point, probes the node's mount, and rolls
  out with maxSurge 1 and maxUnavailable 0;
- the DaemonSet runs procview:VERSION (meson.build's project version), and
  the Containerfile's version and the tag it tells to build say the same.
There is no cluster here: this checks the manifests, not a kubelet.
"""
import os
import re
import subprocess
import sys

import yaml

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


def table(list_files):
    rows = {}
    out = subprocess.run([list_files], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        path, kind, runc = line.split()
        rows[path] = (kind, runc == "1")
    return rows


def pod_specs(doc):
    if doc.get("kind") == "Pod":
        yield doc["metadata"]["name"], doc["spec"]
    elif doc.get("kind") in ("DaemonSet", "Deployment", "StatefulSet"):
        yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def check_views(name, spec, rows, mountpoint):
    """The view volumes of one pod spec; returns the rows it binds."""
    bound = set()
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {}
    for c in spec.get("containers", []):
        for m in c.get("volumeMounts", []):
            mounts.setdefault(m["name"], []).append(m)
    for vname, v in volumes.items():
        hp = v.get("hostPath")
        if not hp or not hp["path"].startswith(mountpoint + "/"):
            continue
        rel = hp["path"][len(mountpoint) + 1:]
        row = rows.get(rel)
        check(row is not None, "%s: hostPath %s is a file procviewd serves" % (name, hp["path"]))
        if row is None:
            continue
        want = {"file": "File", "dir": "Directory"}[row[0]]
        check(hp.get("type") == want, "%s: %s has type %s (so the pod waits for procviewd)"
              % (name, rel, want))
        for m in mounts.get(vname, []):
            check(m["mountPath"] == "/" + rel, "%s: %s is mounted at /%s (got %s)"
                  % (name, rel, rel, m["mountPath"]))
            check(m.get("readOnly") is True, "%s: %s is mounted read-only" % (name, rel))
            if rel.startswith("proc/"):
                check(row[1], "%s: runc accepts a mount over /%s" % (name, rel))
        check(vname in mounts, "%s: volume %s is mounted" % (name, vname))
        bound.add(rel)
    return bound


def check_daemonset(name, ds, mountpoint, version):
    spec = ds["spec"]["template"]["spec"]
    c = spec["containers"][0]
    check(c.get("image") == "procview:" + version, "%s: the image is procview:%s (got %s)"
          % (name, version, c.get("image")))
    cmd = c.get("command", [])
    check("--mount-ns=/proc/1/ns/mnt" in cmd and spec.get("hostPID") is True,
          "%s: procviewd mounts in the node's mount namespace (--mount-ns=/proc/1/ns/mnt, "
          "hostPID)" % name)
    check("--cgroup=/proc/1/ns/cgroup" in cmd, "%s: procviewd runs in the node's cgroup "
          "namespace" % name)
    paths = [v.get("hostPath", {}).get("path", "") for v in spec.get("volumes", [])]
    check(not [p for p in paths if p == mountpoint or p.startswith(mountpoint + "/")],
          "%s: no hostPath on the mount point (the kubelet would stat a dead mount there)"
          % name)
    check(c.get("securityContext", {}).get("privileged") is True, "%s: privileged (FUSE mount, "
          "setns)" % name)
    check(cmd and cmd[-1] == mountpoint, "%s: procviewd is told the mount point" % name)
    for probe in ("livenessProbe", "readinessProbe"):
        pcmd = c.get(probe, {}).get("exec", {}).get("command", [])
        check("/proc/1/root%s/proc/meminfo" % mountpoint in pcmd,
              "%s: the %s reads the node's mount through init's root" % (name, probe))
    strategy = ds["spec"].get("updateStrategy", {})
    check(strategy.get("type") == "RollingUpdate" and
          strategy.get("rollingUpdate") == {"maxSurge": 1, "maxUnavailable": 0},
          "%s: rolls out with maxSurge 1, maxUnavailable 0 (the new pod takes over)" % name)
    check(ds["spec"].get("minReadySeconds", 0) >= 5, "%s: minReadySeconds leaves the take-over "
          "time before the old pod is deleted" % name)


def check_containerfile(path, version):
    with open(path) as f:
        text = f.read()
    arg = re.findall(r"^ARG VERSION=(\S+)$", text, re.M)
    check(arg == [version], "Containerfile: its VERSION is %s (got %s)" % (version, arg))
    tags = set(re.findall(r"\bprocview:([\w.-]*\w)", text))
    check(tags == {version}, "Containerfile: the image it tells to build is procview:%s "
          "(got %s)" % (version, sorted(tags)))


def main():
    list_files, mdir, mountpoint, version = sys.argv[1:5]
    check_containerfile(os.path.join(mdir, "Containerfile"), version)
    rows = table(list_files)
    check("proc/meminfo" in rows and rows["proc/meminfo"][0] == "file", "the table lists proc/meminfo")
    runc_files = {p for p, (k, r) in rows.items() if r}
    seen_pod = seen_ds = False
    for fn in sorted(os.listdir(mdir)):
        if not fn.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(mdir, fn)) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        check(bool(docs), "%s parses as YAML" % fn)
        for doc in docs:
            for name, spec in pod_specs(doc):
                bound = check_views("%s/%s" % (fn, name), spec, rows, mountpoint)
                if doc["kind"] == "Pod":
                    seen_pod = True
                    want = runc_files | {"sys/devices/system/cpu", "sys/devices/system/node"}
                    check(bound == want, "%s: the example binds every file runc accepts and the "
                          "CPU and node directories (missing: %s, extra: %s)"
                          % (fn, sorted(want - bound), sorted(bound - want)))
                if doc["kind"] == "DaemonSet":
                    seen_ds = True
                    check_daemonset("%s/%s" % (fn, name), doc, mountpoint, version)
    check(seen_pod and seen_ds, "a Pod example and a DaemonSet were found")
    print("%d failure(s)" % failures)
    return 1 if failures else 0


sys.exit(main())
