#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The rules of the source tree (CONTRIBUTING.md, "Where things live"), checked:

1. every #include "..." of a file under src/ names a header of a folder that
   file's folder may include (the table ALLOWED below, which CONTRIBUTING.md
   draws), and every such header exists;
2. no two source files call each other (read from the symbols of the objects
   the build made: a file that calls a function of another, which calls one
   of the first, is a circle);
3. every name a library or program exports starts with pv_, Pv or PV_ (the
   preload's interposed libc functions aside);
4. every C file of the tree (src, tests, bench) is under 450 lines;
5. no file of the daemon, the hook or src/common but log.c writes a message
   to stderr by hand (src/lib, libc only, has no logger), and no
   file defines FUSE_USE_VERSION (meson.build does, once).

Usage: check-layout.py SOURCE-ROOT [BUILD-DIR]; without BUILD-DIR, 2 and 3
are skipped. Prints each breach and exits 1 if there was one.
"""
import os
import re
import subprocess
import sys

# folder -> folders its files may include (itself always)
ALLOWED = {
    "parse": [],
    "common": ["parse"],
    "views": ["parse"],
    "cgroup": ["parse", "common", "views"],
    "lib": ["parse", "common", "lib/include"],
    "lib/include": [],
    "hook": ["parse", "common"],
    "daemon": ["daemon/keeper", "daemon/serve", "daemon/registry", "daemon/gather",
               "parse", "common", "cgroup", "views"],
    # the top of src/daemon other than main.c: options.h, launch.h, journal.[ch]
    "daemon/top": ["parse", "common"],
    "daemon/keeper": ["daemon/top", "parse", "common"],
    "daemon/registry": ["daemon/top", "parse", "common", "cgroup", "views"],
    "daemon/gather": ["daemon/registry", "daemon/top", "parse", "common", "cgroup", "views"],
    "daemon/serve": ["daemon/gather", "daemon/registry", "daemon/top", "parse", "common",
                     "cgroup", "views"],
}
# The interposed libc functions of the preload (src/lib/preload.c)
LIBC_NAMES = {"get_nprocs", "get_nprocs_conf", "getloadavg", "pthread_attr_setaffinity_np",
              "pthread_setaffinity_np", "sched_setaffinity", "sysconf", "sysinfo"}

breaches = []


def breach(msg):
    breaches.append(msg)
    print("FAIL: " + msg)


def folder_of(src, rel):
    """The folder (an ALLOWED key) of the file rel, a path under src/."""
    d = os.path.dirname(rel)
    if d == "daemon":
        return "daemon" if os.path.basename(rel) == "main.c" else "daemon/top"
    if d.startswith("daemon/"):
        return "daemon/" + d.split("/")[1]
    if d.startswith("lib/include"):
        return "lib/include"
    return d.split("/")[0]


def resolve(src, rel, name):
    """The folder of the header that #include "name" in src/rel finds, or None."""
    here = os.path.dirname(rel)
    cands = [os.path.join(here, name)]
    if rel.startswith("daemon/"):
        cands.append(os.path.join("daemon", name))
    if rel.startswith("lib/"):
        cands.append(os.path.join("lib/include", name))
    cands += [name, os.path.join("common", name), os.path.join("parse", name)]
    for c in cands:
        c = os.path.normpath(c)
        if os.path.isfile(os.path.join(src, c)):
            return folder_of(src, c), c
    return None, None


def check_includes(root):
    src = os.path.join(root, "src")
    for dirpath, _, files in os.walk(src):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            mine = folder_of(src, rel)
            may = [mine] + ALLOWED.get(mine, [])
            if mine not in ALLOWED:
                breach(f"src/{rel}: its folder is not in the layout (CONTRIBUTING.md)")
                continue
            text = open(os.path.join(dirpath, f), encoding="utf-8").read()
            for m in re.finditer(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
                theirs, path = resolve(src, rel, m.group(1))
                if theirs is None:
                    breach(f'src/{rel}: #include "{m.group(1)}" names no header of src/')
                elif theirs not in may:
                    breach(f'src/{rel} ({mine}) includes src/{path} ({theirs}): not allowed')
            # src/lib is libc only: procview-cpus prints its own usage errors
            if (rel != "common/log.c" and not rel.startswith("lib/") and re.search(r'fprintf\s*\(\s*stderr\s*,\s*"procview', text)):
                breach(f"src/{rel}: writes a message to stderr by hand (use log.h)")
            if re.search(r"^\s*#\s*define\s+FUSE_USE_VERSION", text, re.M):
                breach(f"src/{rel}: defines FUSE_USE_VERSION (meson.build's fuse_dep does)")


def check_lengths(root):
    for top in ("src", "tests", "bench"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    path = os.path.join(dirpath, f)
                    n = sum(1 for _ in open(path, encoding="utf-8"))
                    if n >= 450:
                        breach(f"{os.path.relpath(path, root)}: {n} lines, not under 450")


def nm(path, *args):
    out = subprocess.run(["nm", *args, path], capture_output=True, text=True)
    return out.stdout.splitlines()


def check_objects(build):
    objects = []
    for dirpath, _, files in os.walk(os.path.join(build, "src")):
        objects += [os.path.join(dirpath, f) for f in files if f.endswith(".c.o")]
    if not objects:
        breach(f"{build}: no objects under src/ (build first)")
        return
    # one target's objects at a time: a file's calls are to files of its own target
    by_target = {}
    for o in objects:
        by_target.setdefault(os.path.dirname(o), []).append(o)
    for target, objs in sorted(by_target.items()):
        defs, uses = {}, {}
        for o in objs:
            d, u = set(), set()
            for line in nm(o):
                p = line.split()
                if len(p) == 3 and p[1] in "TDBR":
                    d.add(p[2])
                elif len(p) == 2 and p[0] == "U":
                    u.add(p[1])
            defs[o], uses[o] = d, u
        owner = {s: o for o, d in defs.items() for s in d}
        calls = {o: {owner[s] for s in u if s in owner and owner[s] != o} for o, u in uses.items()}
        seen = set()
        for a, bs in calls.items():
            for b in bs:
                if a in calls.get(b, ()) and (b, a) not in seen:
                    seen.add((a, b))
                    name = lambda o: os.path.basename(o)[:-2].split("_", 1)[-1]
                    breach(f"{os.path.basename(target)}: {name(a)} and {name(b)} call each other")
    for dirpath, _, files in os.walk(os.path.join(build, "src")):
        for f in files:
            path = os.path.join(dirpath, f)
            # the static libraries hold every program's code but its main();
            # programs are not read: a sanitized one holds the sanitizer's
            # runtime (malloc, read, ...)
            if f.endswith(".a"):
                lines = nm(path, "-g", "--defined-only")
            elif f.endswith(".so"):
                lines = nm(path, "-D", "--defined-only")
            else:
                continue
            for line in lines:
                p = line.split()
                if len(p) != 3 or p[1] not in "TDBR":
                    continue
                s = p[2]
                if (s.startswith(("pv_", "Pv", "PV_", "_")) or s == "main" or s in LIBC_NAMES
                        or "@" in s):
                    continue
                breach(f"{os.path.relpath(path, build)} exports {s}: not pv_, Pv or PV_")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    check_includes(sys.argv[1])
    check_lengths(sys.argv[1])
    if len(sys.argv) == 3:
        check_objects(sys.argv[2])
    if breaches:
        print(f"{len(breaches)} breach(es) of the layout (CONTRIBUTING.md)")
        sys.exit(1)
    print("the layout holds")


main()
