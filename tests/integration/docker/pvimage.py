# SPDX-License-Identifier: LGPL-2.1-or-later
"""The DaemonSet's image, built as a user would: init/kubernetes/Containerfile
on a Debian 12 base. No registry is reachable here, so the base is made from
Debian's packages with mmdebstrap and imported into the harness's dockerd."""

import os
import re
import subprocess
import time

from pvrunc import skip, Failure

MIRROR = "http://deb.debian.org/debian"
# The archive this machine reaches may be a snapshot, whose Release files
# have expired: the same options as the host's apt, kept in the image for
# the Containerfile's apt-get.
APT_OPTS = ['Acquire::Check-Valid-Until "false"', 'Acquire::Check-Date "false"']


def project_version(source):
    with open(os.path.join(source, "meson.build")) as f:
        m = re.search(r"version\s*:\s*'([^']+)'", f.read())
    if not m:
        raise Failure("no project version in meson.build")
    return m.group(1)


def build_daemon_image(h, tag):
    """Builds the image as tag in h's dockerd; h.cleanup() removes it and the
    base. Returns what each step took, for the log."""
    if not os.access("/usr/bin/mmdebstrap", os.X_OK):
        skip("mmdebstrap is not installed")
    took = {}
    base = "pv-debian-%d:bookworm" % os.getpid()
    h.extra_images += [tag, base]
    tar = os.path.join(h.tmp, "debian-base.tar")
    t = time.monotonic()
    args = ["mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar"]
    for o in APT_OPTS:
        args.append("--aptopt=" + o)
    args += ["bookworm", tar, "deb %s bookworm main" % MIRROR,
             "deb %s bookworm-updates main" % MIRROR,
             "deb http://deb.debian.org/debian-security bookworm-security main"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise Failure("mmdebstrap exited %d:\n%s" % (r.returncode, r.stderr[-3000:]))
    took["mmdebstrap"] = time.monotonic() - t
    t = time.monotonic()
    with open(tar, "rb") as f:
        h.docker("import", "-", base, stdin=f, timeout=300)
    os.unlink(tar)
    took["import"] = time.monotonic() - t
    t = time.monotonic()
    r = h.docker("build", "--network=host", "-f",
                 os.path.join(h.source, "init", "kubernetes", "Containerfile"),
                 "--build-arg", "DEBIAN=" + base,
                 "--build-arg", "VERSION=" + project_version(h.source),
                 "-t", tag, h.source, check_rc=False, timeout=1200)
    if r.returncode != 0:
        raise Failure("docker build exited %d:\n%s" % (r.returncode, (r.stdout + r.stderr)[-3000:]))
    took["build"] = time.monotonic() - t
    return ", ".join("%s %.0f s" % kv for kv in took.items())
