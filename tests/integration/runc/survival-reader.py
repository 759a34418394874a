# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs inside a container for test-survival.py: N reader processes loop
open/read/close over the views until a stop file appears, and log every read
as one line "START END FILE STATUS VALUE" (CLOCK_MONOTONIC seconds, which the
host shares), STATUS being ok or fail (VALUE is then the error). The host
compares the values with what the container must see.

usage: survival-reader.py OUTDIR NREADERS STOPFILE PAUSE_S MAX_S"""

import os
import re
import signal
import sys
import time
import traceback

FILES = ["/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/sys/devices/system/cpu/online"]


def cpus_text(ids):
    return ",".join(str(i) for i in sorted(ids)) or "none"


def expand(text):
    ids = set()
    for part in text.strip().split(","):
        if part:
            a, _, b = part.partition("-")
            ids.update(range(int(a), int(b or a) + 1))
    return ids


def value(path, text):
    """What the host checks, without spaces; 'bad:...' when the text has
    not the kernel's shape."""
    if not text:
        return "bad:empty"
    if path == "/proc/meminfo":
        m = re.search(r"^MemTotal:\s+(\d+) kB$", text, re.M)
        return m.group(1) if m else "bad:no-MemTotal"
    if path == "/proc/cpuinfo":
        return cpus_text(int(x) for x in re.findall(r"^processor\s*:\s*(\d+)$", text, re.M))
    if path == "/proc/stat":
        lines = [l.split() for l in text.splitlines() if l.startswith("cpu")]
        if not lines or lines[0][0] != "cpu" or any(len(l) != 11 for l in lines):
            return "bad:cpu-lines"
        return cpus_text(int(l[0][3:]) for l in lines[1:])
    return cpus_text(expand(text))


def read_all(path):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(fd)
    return b"".join(chunks).decode()


def reader(n, outdir, stop, pause, max_s):
    out = open(os.path.join(outdir, "reader-%d.log" % n), "w", buffering=1 << 16)
    signal.signal(signal.SIGTERM, lambda *_: (out.flush(), os._exit(1)))
    end = time.monotonic() + max_s
    i = n
    ready = False
    while time.monotonic() < end and not os.path.exists(stop):
        path = FILES[i % len(FILES)]
        i += 1
        t0 = time.monotonic()
        try:
            text = read_all(path)
            t1 = time.monotonic()
            status, val = "ok", value(path, text)
        except OSError as e:
            t1 = time.monotonic()
            status, val = "fail", "errno%d:%s" % (e.errno or 0, os.strerror(e.errno or 0))
        except Exception as e:   # a parse error: report it, keep reading
            t1 = time.monotonic()
            status, val = "ok", "bad:" + type(e).__name__
        out.write("%.6f %.6f %s %s %s\n" % (t0, t1, path, status, val.replace(" ", "_")))
        if not ready and i - n >= len(FILES):
            out.flush()
            open(os.path.join(outdir, "ready-%d" % n), "w").close()
            ready = True
        if pause:
            time.sleep(pause)
    out.close()


def main():
    outdir, nreaders, stop, pause, max_s = sys.argv[1:6]
    pids = []
    for n in range(int(nreaders)):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                reader(n, outdir, stop, float(pause), float(max_s))
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stderr.flush()
                os._exit(code)
        pids.append(pid)
    rc = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status:
            rc = 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
