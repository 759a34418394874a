#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sorts perf samples of a daemon and of its reader into where the time went.

Reads `perf script -F comm,ip,sym` (recorded with call chains, -g) on stdin;
the arguments are the thread names (comm) to report, e.g. procviewd-work
pv-bench. Each sample goes to the first category whose kernel function
appears in its call chain; a sample with no kernel frame is user space.
"""
import collections
import sys

# (category, kernel functions); the first match in this order wins.
DAEMON = [
    ("/dev/fuse read: waiting for and copying in a request", ("fuse_dev_read", "fuse_dev_splice_read")),
    ("/dev/fuse write: the reply, waking the reader", ("fuse_dev_write", "fuse_dev_splice_write")),
    ("cgroup files: the kernel formatting the container's counters",
     ("kernfs_fop_read_iter", "cgroup_seqfile_show")),
    ("/proc files: the host's text and the reader's /proc/PID/cgroup",
     ("proc_reg_read_iter", "proc_single_show", "seq_read_iter")),
    ("path lookups: fstatat and openat (the renamed-cgroup check)",
     ("__do_sys_newfstatat", "vfs_fstatat", "do_sys_openat2")),
    ("system call entry, exit and scheduling; poll, futex, close", ("do_syscall_64",)),
]
READER = [
    ("open: path walk, FUSE LOOKUP/OPEN round trip", ("do_sys_openat2", "__x64_sys_openat")),
    ("read: FUSE READ round trips", ("ksys_read", "__x64_sys_read")),
    ("close: FUSE FLUSH/RELEASE", ("__x64_sys_close", "__fput", "fput_close_sync")),
    ("system call entry, exit and scheduling", ("do_syscall_64",)),
]
# libc's system call wrappers: a user-space sample there is the system call's
# own entry or return, not work of the program.
WRAPPERS = {"read", "__libc_read", "__GI___writev", "writev", "__libc_pread", "pread64",
            "__GI___fstatat64", "__poll", "__libc_open64", "__GI___open64_nocancel",
            "__libc_openat64", "__close", "__GI___close", "close", "__fstatat64"}


def classify(kernel, leaf, rules):
    for name, funcs in rules:
        if any(f in kernel for f in funcs):
            return name
    if kernel:
        return "kernel, outside system calls (interrupts, faults)"
    if leaf in WRAPPERS:
        return "system call entry and return, seen in libc's wrapper"
    return "user space (parsing, rendering, bookkeeping, libfuse)"


def main():
    wanted = sys.argv[1:]
    counts = collections.defaultdict(collections.Counter)
    comm, kernel, leaf = None, set(), None

    def flush():
        if comm in wanted:
            rules = DAEMON if comm == wanted[0] else READER
            counts[comm][classify(kernel, leaf, rules)] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            comm, kernel, leaf = None, set(), None
        elif not line[0].isspace():
            flush()
            comm, kernel, leaf = line.split()[0], set(), None
        else:
            parts = line.split()
            if len(parts) < 2:
                continue
            sym = parts[1].split("+")[0]
            if leaf is None:
                leaf = sym
            if parts[0].startswith("ffff"):
                kernel.add(sym)
    flush()
    for c in wanted:
        total = sum(counts[c].values())
        print(f"{c}: {total} samples")
        for name, n in counts[c].most_common():
            print(f"  {100.0 * n / max(total, 1):5.1f}%  {name}")


main()
