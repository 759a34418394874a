#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A killed keeper under systemd: the fd store keeps the mount alive.

This test plays systemd's part of the protocol (sd_notify(3) FDSTORE=1 over
$NOTIFY_SOCKET, sd_listen_fds(3) $LISTEN_FDS/$LISTEN_FDNAMES): it receives the
fds procviewd hands over, kills the keeper (its worker dies with it), keeps
readers blocked on the mount meanwhile, then starts a new procviewd with the
stored fds. Asserted: the mount never dies (same mount ID, no reader error,
reads that were waiting complete), the new keeper serves, requests the killed
worker held are answered (with --recovery=journal: from its journal, which is
in the store too), and a clean stop empties the store and unmounts.
"""

import array
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
failed = False


def log(msg):
    print(msg, flush=True)


def check(cond, msg):
    global failed
    log(("ok: " if cond else "FAIL: ") + msg)
    if not cond:
        failed = True


def mount_id(path):
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == path:
                return fields[0]
    return None


class FdStore:
    """The fd store: NAME -> fd, from FDSTORE=1 / FDSTOREREMOVE=1 messages."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.fds = {}

    def poll(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                msg, fds, _, _ = socket.recv_fds(self.sock, 4096, 8)
            except socket.timeout:
                continue
            kv = dict(l.split("=", 1) for l in msg.decode().split("\n") if "=" in l)
            name = kv.get("FDNAME", "stored")
            if kv.get("FDSTORE") == "1":
                for fd in fds:
                    os.set_inheritable(fd, False)
                    self.fds.setdefault(name, []).append(fd)
            elif kv.get("FDSTOREREMOVE") == "1":
                for fd in self.fds.pop(name, []):
                    os.close(fd)
            else:
                for fd in fds:
                    os.close(fd)


def keeper_children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def main():
    global failed
    build = os.environ.get("PV_BUILD_ROOT")
    if os.geteuid() != 0 or not os.path.exists("/dev/fuse"):
        log("SKIP: needs root and /dev/fuse")
        return SKIP
    procviewd = os.path.join(build, "src", "daemon", "procviewd")
    tmp = tempfile.mkdtemp(prefix="pvt-fdstore-")
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    store = FdStore(os.path.join(tmp, "notify"))
    env = dict(os.environ, NOTIFY_SOCKET=os.path.join(tmp, "notify"))
    logf = open(os.path.join(tmp, "log"), "w+")
    keepers = []
    try:
        k1 = subprocess.Popen([procviewd, "-f", "--recovery=journal", mnt], env=env,
                              stderr=logf)
        keepers.append(k1)
        deadline = time.time() + 10
        while time.time() < deadline and not keeper_children(k1.pid):
            store.poll(0.1)
        store.poll(1.0)
        check("fuse" in store.fds and "state" in store.fds,
              "the keeper stored its connection and state: %s" % sorted(store.fds))
        check(any(n.startswith("journal-") for n in store.fds),
              "the worker's journal is in the store too")
        with open(os.path.join(mnt, "proc/meminfo")) as f:
            check("MemTotal:" in f.read(), "meminfo served")
        mid = mount_id(mnt)

        # readers that go on across the keeper's death
        stop = threading.Event()
        errors, reads, worst = [], [0], [0.0]

        def reader():
            while not stop.is_set():
                t = time.time()
                try:
                    with open(os.path.join(mnt, "proc/meminfo")) as f:
                        if "MemTotal:" not in f.read():
                            errors.append("no MemTotal")
                except OSError as e:
                    errors.append(str(e))
                worst[0] = max(worst[0], time.time() - t)
                reads[0] += 1

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        k1.kill()
        k1.wait()
        time.sleep(1.0)  # no keeper, no worker: readers wait, the mount lives on
        check(mount_id(mnt) == mid, "the mount outlives the killed keeper")

        fds = store.fds["fuse"][:1] + store.fds["state"][:1]
        names = ["fuse", "state"]
        for n, lst in sorted(store.fds.items()):
            if n.startswith("journal-"):
                fds += lst[:1]
                names.append(n)
        # systemd passes the fds from 3 on, in order, with LISTEN_PID the new pid
        script = "".join("exec %d<&%d; " % (3 + i, fd) for i, fd in enumerate(fds))
        script += 'LISTEN_PID=$$ LISTEN_FDS=%d LISTEN_FDNAMES=%s exec "$@"' % (
            len(fds), ":".join(names))
        k2 = subprocess.Popen(["sh", "-c", script, "sh", procviewd, "-f", "--recovery=journal",
                               mnt], env=env, stderr=logf, pass_fds=fds)
        keepers.append(k2)
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(10)
        check(not any(t.is_alive() for t in threads), "every waiting read completed")
        check(not errors, "no reader saw an error (%d reads): %s" % (reads[0], errors[:3]))
        log("longest read across the keeper's death: %.0f ms" % (worst[0] * 1000))
        check(mount_id(mnt) == mid, "same mount after the new keeper took over")
        check(keeper_children(k2.pid) != [], "the new keeper runs a worker")
        logf.flush()
        text = open(os.path.join(tmp, "log")).read()
        check("took " in text and "back from the fd store" in text, "the new keeper says so")

        k2.terminate()
        check(k2.wait(15) == 0, "the new keeper stops cleanly")
        store.poll(1.0)
        check(not store.fds, "a clean stop empties the fd store: %s" % sorted(store.fds))
        check(mount_id(mnt) is None, "and unmounts")
    finally:
        for k in keepers:
            if k.poll() is None:
                k.kill()
                k.wait()
        subprocess.run(["umount", "-l", mnt], stderr=subprocess.DEVNULL)
        logf.seek(0)
        if failed:
            log("--- procviewd log\n" + logf.read())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
