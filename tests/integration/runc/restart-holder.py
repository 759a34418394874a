# SPDX-License-Identifier: LGPL-2.1-or-later
"""The readers of test-restart.py.

"hold MNT": on the host, opens two sets of the views under the mount MNT
and keeps them open, obeying one command per line on stdin and answering
one JSON line on stdout:
  read          every file of the first set read again on the fd opened
                first: once by pread at offset 0, once by lseek(0) + read;
                {path: [text, text]} or {path: "errno N"}
  send SOCKET   listens on the unix socket SOCKET, hands the second set
                (never read since its open) to the first client that
                connects, and answers {} once they are sent

"recv SOCKET": in a container, connects to SOCKET, receives the fds and
preads each at offset 0; prints {path: text} or {path: "errno N"}."""

import array
import json
import os
import socket
import sys

FILES = ["proc/meminfo", "proc/cpuinfo", "proc/stat", "sys/devices/system/cpu/online"]


def pread_all(fd):
    out, off = b"", 0
    while True:
        b = os.pread(fd, 1 << 16, off)
        if not b:
            return out.decode()
        out += b
        off += len(b)


def seek_read_all(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    out = b""
    while True:
        b = os.read(fd, 1 << 16)
        if not b:
            return out.decode()
        out += b


def attempt(fn, *args):
    try:
        return fn(*args)
    except OSError as e:
        return "errno %d" % e.errno


def hold(mnt):
    held = {p: os.open(os.path.join(mnt, p), os.O_RDONLY | os.O_CLOEXEC) for p in FILES}
    passed = {p: os.open(os.path.join(mnt, p), os.O_RDONLY | os.O_CLOEXEC) for p in FILES}
    print(json.dumps({p: pread_all(fd) for p, fd in held.items()}), flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "read":
            out = {}
            for p, fd in held.items():
                a = attempt(pread_all, fd)
                out[p] = a if a.startswith("errno") else [a, attempt(seek_read_all, fd)]
            print(json.dumps(out), flush=True)
        elif cmd == "send":
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind(arg)
            srv.listen(1)
            conn, _ = srv.accept()
            names = "\n".join(passed).encode()
            socket.send_fds(conn, [names], list(passed.values()))
            conn.close()
            srv.close()
            print("{}", flush=True)


def recv(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    names, fds, _, _ = socket.recv_fds(s, 4096, len(FILES))
    print(json.dumps({p: attempt(pread_all, fd)
                      for p, fd in zip(names.decode().split("\n"), fds)}))


if __name__ == "__main__":
    {"hold": hold, "recv": recv}[sys.argv[1]](sys.argv[2])
