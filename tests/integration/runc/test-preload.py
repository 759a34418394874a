#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libprocview-preload.so in a runc container that has NO views mounted:
nproc, getconf _NPROCESSORS_ONLN and sysinfo() (what busybox free calls)
must agree with what procviewd's views say for the same container, read
inside the container from procviewd's mount point."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, cpulist, meminfo_kb

C = "preload"
# Debian's busybox is static, so LD_PRELOAD cannot reach it; this calls the
# same sysinfo(2) wrapper busybox free uses, from a dynamic program.
SYSINFO = r"""
import ctypes
class SI(ctypes.Structure):
    _fields_ = [("uptime", ctypes.c_long), ("loads", ctypes.c_ulong * 3),
                ("totalram", ctypes.c_ulong), ("freeram", ctypes.c_ulong),
                ("sharedram", ctypes.c_ulong), ("bufferram", ctypes.c_ulong),
                ("totalswap", ctypes.c_ulong), ("freeswap", ctypes.c_ulong),
                ("procs", ctypes.c_ushort), ("pad", ctypes.c_ushort),
                ("totalhigh", ctypes.c_ulong), ("freehigh", ctypes.c_ulong),
                ("mem_unit", ctypes.c_uint), ("_f", ctypes.c_char * 8)]
si = SI()
assert ctypes.CDLL(None, use_errno=True).sysinfo(ctypes.byref(si)) == 0
print(si.totalram * si.mem_unit)
"""


def test(h):
    so = os.path.join(h.build, "src", "lib", "libprocview-preload.so")
    if not os.path.exists(so):
        pvrunc.skip("%s is not built" % so)
    if len(pvrunc.host_cpus()) < 2:
        pvrunc.skip("needs at least 2 host CPUs for a cpuset smaller than the host")
    h.start_daemon()
    cpu = max(pvrunc.host_cpus())
    # The whole mount point at /run/procview: read there, the views answer
    # for this container without covering its /proc.
    b = h.make_bundle(C, views=None, cpus=str(cpu),
                      extra_mounts=[(os.path.dirname(so), "/opt/procview"),
                                    (h.mnt, "/run/procview")])
    r = h.start(C, b)
    check(r.returncode == 0, "container starts (%s)" % r.stderr.strip())
    online = cpulist(h.read(C, "/run/procview/sys/devices/system/cpu/online"))
    total_kb = meminfo_kb(h.read(C, "/run/procview/proc/meminfo"), "MemTotal")
    check(total_kb == pvrunc.MEM_LIMIT // 1024, "the view says MemTotal = limit")

    plain = int(h.exec(C, "getconf", "_NPROCESSORS_ONLN").stdout)
    check(plain == len(pvrunc.host_cpus()), "without the preload getconf sees the host (%d)" % plain)

    env = ["LD_PRELOAD=/opt/procview/libprocview-preload.so"]
    for cmd in (["nproc"], ["getconf", "_NPROCESSORS_ONLN"]):
        r = h.exec(C, *cmd, env=env)
        check(int(r.stdout) == len(online) and not r.stderr.strip(),
              "%s with the preload = %d CPU(s) of the view" % (" ".join(cmd), len(online)))
    r = h.exec(C, "/usr/bin/python3", "-c", SYSINFO, env=env)
    check(int(r.stdout) == total_kb * 1024,
          "sysinfo().totalram with the preload = MemTotal of the view (%s)" % r.stdout.strip())


if __name__ == "__main__":
    pvrunc.main(test, "preload")
