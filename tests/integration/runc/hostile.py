# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile image against procview-oci-hook, as an attacker would build it:
shared by the runc test (the docs' config.json entry) and the podman test
(the build's hooks.d entry). Each variant is one image; each container must
show its own views or the kernel's files, never the host's, and the marker
that a library preloaded into the hook would write must never appear.

The hook runs as root on the host's root file system, in the container's
mount namespace, before pivot_root. What the image controls: its
environment (runc up to 1.2 hands it to a hook entry without "env"), its
files (reached from the hook through /proc/self/cwd, the rootfs), and
symlinks anywhere in it."""

import os
import re
import subprocess

# The library an image ships: its constructor appends a line to a host path
# (compiled in), which exists on the host only, never in a container.
PRELOAD_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void run_as_whoever_loads_me(void)
{
        char comm[64] = "";
        int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                ssize_t n = read(fd, comm, sizeof(comm) - 1);
                comm[n > 0 ? n : 0] = 0;
                close(fd);
        }
        fd = open(MARKER, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
                dprintf(fd, "uid=%d comm=%s", (int)getuid(), comm);
                close(fd);
        }
}
"""

# name: (environment, {path in the image: symlink target or None for x.so})
VARIANTS = {
    "preload": (["LD_PRELOAD=/proc/self/cwd/x.so"], {"x.so": None}),
    "root-env": (["PROCVIEW_ROOT=/proc/self/cwd/x"],
                 {"x/proc/meminfo": "@SECRET@", "x/sys/devices/system/cpu": "@HOSTDIR@",
                  "x/sys/devices/system/node": "@HOSTDIR@"}),
    "link-proc": ([], {"proc": "@HOSTDIR@"}),
    "link-meminfo": ([], {"proc/meminfo": "@SECRET@"}),
    "link-sys": ([], {"sys": "@HOSTDIR@"}),
    "link-cpu": ([], {"sys/devices/system/cpu": "@HOSTDIR@"}),
    "link-node": ([], {"sys/devices/system/node": "@HOSTDIR@"}),
}


class Host:
    """What a successful attack would reach or leave on the host: a secret
    file, a directory with a file of a unique name, the marker's path."""

    def __init__(self, tmp):
        self.dir = tmp
        os.makedirs(tmp, exist_ok=True)
        self.token = "pvhostile%d" % os.getpid()
        self.secret = os.path.join(tmp, "secret")
        with open(self.secret, "w") as f:
            f.write("MemTotal: 1 kB %s\n" % self.token)
        self.hostdir = os.path.join(tmp, "hostdir")
        os.makedirs(self.hostdir, exist_ok=True)
        open(os.path.join(self.hostdir, self.token + "-file"), "w").close()
        self.marker = os.path.join(tmp, "marker")
        self.so = os.path.join(tmp, "x.so")
        src = os.path.join(tmp, "x.c")
        with open(src, "w") as f:
            f.write(PRELOAD_C)
        subprocess.run(["cc", "-shared", "-fPIC", "-o", self.so, src,
                        '-DMARKER="%s"' % self.marker], check=True)

    def populate(self, rootfs, variant):
        """Adds the variant's files to rootfs; returns its environment."""
        env, files = VARIANTS[variant]
        for rel, target in files.items():
            path = os.path.join(rootfs, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.lexists(path) and os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)
            if target is None:
                subprocess.run(["cp", self.so, path], check=True)
            else:
                os.symlink(target.replace("@SECRET@", self.secret)
                           .replace("@HOSTDIR@", self.hostdir), path)
        return list(env)

    def marker_text(self):
        try:
            with open(self.marker) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def host_mounts(self):
        """The host's mount points under this directory or of procview's type."""
        with open("/proc/self/mountinfo") as f:
            out = set()
            for line in f:
                pre, _, post = line.partition(" - ")
                mp = pre.split()[4]
                if mp.startswith(self.dir) or post.split()[0] == "fuse.procview":
                    out.add(mp)
            return out


def check_container(check, host, variant, read, expect_view_kb):
    """The checks of one running container. read(path) gives a file's text
    in the container (None when it cannot be read), read("ls:DIR") a
    directory's names. expect_view_kb: the MemTotal the view must show where
    the hook must have bound it (the variants whose rootfs keeps proc and
    sys where runtimes mount them), else None."""
    meminfo = read("/proc/meminfo") or ""
    check(host.token not in meminfo, "%s: /proc/meminfo is not the host file" % variant)
    m = re.search(r"^MemTotal:\s+(\d+) kB$", meminfo, re.M)
    if expect_view_kb is not None:
        check(m is not None and int(m.group(1)) == expect_view_kb,
              "%s: /proc/meminfo is procview's view (MemTotal %s kB, want %d)"
              % (variant, m.group(1) if m else "?", expect_view_kb))
    for d in ["/sys/devices/system/cpu", "/sys/devices/system/node", "/proc", "/sys"]:
        names = read("ls:" + d) or ""
        check(host.token not in names, "%s: %s lists nothing of the host's directory" % (variant, d))
    mi = read("/proc/self/mountinfo") or ""
    check(host.dir not in mi, "%s: no mount in the container names the host's directory" % variant)
    check(host.marker_text() is None,
          "%s: no code of the image ran in the hook (marker: %r)" % (variant, host.marker_text()))
