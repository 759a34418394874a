#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""procviewd's NUMA node view inside runc containers with a cpuset of one CPU
and a 256 MiB limit: sys/devices/system/node bound by config.json ("mounts")
and by procview-oci-hook ("hook"). The container sees only its memory nodes
(cpuset.mems), each node's CPUs among its cpuset and MemTotal = its limit
shared among its nodes; numactl --hardware and lscpu, which read those files,
say the same."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pvrunc
from pvrunc import check, cpulist, Failure

NODE_DIR = "/sys/devices/system/node"


def node_kb(text, node, key):
    m = re.search(r"^Node %d %s:\s+(\d+) kB$" % (node, re.escape(key)), text, re.M)
    if not m:
        raise Failure("no Node %d %s in:\n%s" % (node, key, text))
    return int(m.group(1))


def check_container(h, cname, cpu, mems):
    online = h.read(cname, NODE_DIR + "/online")
    check(cpulist(online) == mems, "node/online '%s' = cpuset.mems %s" % (online.strip(),
                                                                          sorted(mems)))
    ls = h.exec(cname, "ls", NODE_DIR).stdout.split()
    dirs = {int(x[4:]) for x in ls if re.fullmatch(r"node\d+", x)}
    check(dirs == mems, "nodeN directories %s = cpuset.mems" % sorted(dirs))
    with open(NODE_DIR + "/node0/cpulist") as f:
        host_node0 = cpulist(f.read())
    want0 = host_node0 & {cpu}
    got0 = cpulist(h.read(cname, NODE_DIR + "/node0/cpulist"))
    check(got0 == want0, "node0/cpulist %s = the host node0's CPUs in the cpuset %s"
          % (sorted(got0), sorted(want0)))
    has_cpu = cpulist(h.read(cname, NODE_DIR + "/has_cpu"))
    check(has_cpu == ({0} if want0 else set()), "has_cpu %s" % sorted(has_cpu))

    mi = h.read(cname, NODE_DIR + "/node0/meminfo")
    total = node_kb(mi, 0, "MemTotal")
    with open(NODE_DIR + "/node0/meminfo") as f:
        host_total = node_kb(f.read(), 0, "MemTotal")
    want = min(pvrunc.MEM_LIMIT // 1024, host_total)
    check(total == want, "node0 MemTotal %d kB = the 256 MiB limit (%d kB)" % (total, want))
    used, free = node_kb(mi, 0, "MemUsed"), node_kb(mi, 0, "MemFree")
    check(0 < used <= total and free == total - used,
          "node0 MemUsed %d kB is the container's, MemFree %d kB the rest" % (used, free))

    hw = h.exec(cname, "numactl", "--hardware").stdout
    m = re.search(r"^node 0 cpus:(.*)$", hw, re.M)
    check(m is not None and {int(x) for x in m.group(1).split()} == want0,
          "numactl --hardware: node 0 cpus = %s\n%s" % (sorted(want0), hw))
    m = re.search(r"^node 0 size: (\d+) MB$", hw, re.M)
    check(m is not None and int(m.group(1)) == total // 1024,
          "numactl --hardware: node 0 size %s MB = the limit" % (m and m.group(1)))
    m = re.search(r"^node 0 free: (\d+) MB$", hw, re.M)
    check(m is not None and int(m.group(1)) == free // 1024,
          "numactl --hardware: node 0 free %s MB = MemFree" % (m and m.group(1)))
    check(not re.search(r"^node 1 ", hw, re.M), "numactl --hardware shows no other node")

    lc = h.exec(cname, "lscpu").stdout
    m = re.search(r"^NUMA node0 CPU\(s\):\s*(.*)$", lc, re.M)
    check(m is not None and cpulist(m.group(1)) == want0,
          "lscpu: NUMA node0 CPU(s) '%s' = the cpuset" % (m and m.group(1)))
    m = re.search(r"^NUMA node\(s\):\s*(\d+)$", lc, re.M)
    check(m is not None and int(m.group(1)) == len(mems), "lscpu: NUMA node(s) %s"
          % (m and m.group(1)))


def test(h):
    if not os.path.isdir(NODE_DIR + "/node0"):
        pvrunc.skip("the host has no NUMA node directory (a kernel without CONFIG_NUMA)")
    for tool in ("numactl", "lscpu"):
        if not os.path.exists("/usr/bin/" + tool):
            pvrunc.skip("%s is not installed" % tool)
    h.start_daemon()
    cpu = max(pvrunc.host_cpus())   # a cpuset that is not "0" where the host has more
    node_view = os.path.join(h.mnt, NODE_DIR[1:])
    b = h.make_bundle("numa", cpus=str(cpu), extra_mounts=[(node_view, NODE_DIR)])
    r = h.start("numa", b)
    check(r.returncode == 0, "container starts (%s)" % r.stderr.strip())
    check_container(h, "numa", cpu, {0})

    if os.access(h.hook, os.X_OK):
        b = h.make_bundle("numa-hook", cpus=str(cpu), views="hook")
        r = h.start("numa-hook", b)
        check(r.returncode == 0, "container with the hook starts (%s)" % r.stderr.strip())
        check_container(h, "numa-hook", cpu, {0})

    # the host's root cgroups read the host's own node files
    for f in ("online", "node0/cpulist", "node0/cpumap"):
        with open(os.path.join(NODE_DIR, f)) as a, open(os.path.join(node_view, f)) as b:
            check(a.read() == b.read(), "a host reader gets the host's node/%s" % f)


if __name__ == "__main__":
    pvrunc.main(test, "numa")
