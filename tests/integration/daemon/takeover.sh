#!/bin/bash
# A procviewd started on a mount point that a live procviewd serves takes the
# connection over (takeover.h): under a reader in a 256 MiB container, the old
# keeper exits 0 without unmounting, the mount (ID and device) stays, no read
# fails or shows another MemTotal, and none that overlapped the take-over took
# over 100 ms. The new keeper's control socket works: a third procviewd takes
# over from it. A taker that goes away before it serves leaves the keeper
# serving, its worker never stopped; a second taker meanwhile is refused. The control socket refuses a process that is not root of the
# host's pid namespace: uid 65534 cannot connect (0600), root in a new pid
# namespace gets "busy" and no fd.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
V=pvt-takeover-$$
cg_create "$V"
cg_set memory "$V/memory.limit_in_bytes" $((256 << 20))
B_PID=""
C_PID=""
D_PID=""
trap 'kill $B_PID $C_PID $D_PID 2>/dev/null; cleanup; rm -f "$MNT".*.log "$MNT.reads"' EXIT

start_daemon
A_PID=$DAEMON_PID
mount_of() { awk -v m="$MNT" '$5 == m { print $1, $3 }' /proc/self/mountinfo; }
M0=$(mount_of)
HASH=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:16])' "$(realpath "$MNT")")
SOCK=/run/procview/control-$HASH
[ -S "$SOCK" ] && pass "the keeper listens on $SOCK" || fail "no control socket $SOCK"
[ "$(stat -c %a "$SOCK" 2>/dev/null)" = 600 ] && pass "the control socket is 0600" ||
	fail "the control socket's mode is $(stat -c %a "$SOCK" 2>/dev/null)"

# the reader: open+read+close of meminfo in a loop; a line per read: start end ok|error MemTotal
in_cg "$V" python3 - "$MNT/proc/meminfo" "$MNT.reads" <<'PY' &
import sys, time, os
path, out = sys.argv[1], sys.argv[2]
with open(out, "w") as log:
    while not os.path.exists(out + ".stop"):
        t = time.monotonic()
        try:
            with open(path, "rb") as f:
                total = f.read().split(b"\n")[0].split()[1].decode()
            res = "ok " + total
        except OSError as e:
            res = "error " + e.strerror.replace(" ", "_")
        log.write("%.6f %.6f %s\n" % (t, time.monotonic(), res))
        time.sleep(0.002)
PY
READER=$!
sleep 1
T0=$(python3 -c 'import time; print(time.monotonic())')
"$PROCVIEWD" -f "$MNT" 2>"$MNT.b.log" &
B_PID=$!
for _ in $(seq 200); do kill -0 "$A_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$A_PID" 2>/dev/null; then fail "the old keeper did not exit within 20 s"
else
	wait "$A_PID"; rc=$?
	[ "$rc" = 0 ] && pass "the old keeper exited 0" || fail "the old keeper exited $rc"
fi
T1=$(python3 -c 'import time; print(time.monotonic())')
DAEMON_PID=$B_PID
sleep 1
touch "$MNT.reads.stop"
wait "$READER"
kill -0 "$B_PID" && pass "the new keeper serves on" || fail "the new keeper exited"
[ "$(mount_of)" = "$M0" ] && pass "the same mount (ID, device): $M0" || fail "the mount is $(mount_of), was $M0"
grep -q "took over $MNT" "$MNT.b.log" && pass "the new keeper says it took over" || fail "no take-over logged"
grep -q "serves $MNT: this keeper leaves it mounted and exits" "$MNT.log" &&
	pass "the old keeper says it handed over" || fail "the old keeper did not say it handed over"
python3 - "$MNT.reads" "$T0" "$T1" <<'PY'
import sys
path, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
reads = [l.split() for l in open(path)]
bad = [r for r in reads if r[2] != "ok"]
wrong = [r for r in reads if r[2] == "ok" and r[3] != str(256 << 10)]
during = [float(r[1]) - float(r[0]) for r in reads if float(r[1]) >= t0 and float(r[0]) <= t1]
worst = max(during) * 1000 if during else -1
print("%d reads, %d during the take-over, worst of those %.1f ms" % (len(reads), len(during), worst))
ok = True
for cond, what in [(len(during) > 20, "reads overlapped the take-over"),
                   (not bad, "no read failed (%s)" % bad[:3]),
                   (not wrong, "every read showed the container's 256 MiB (%s)" % wrong[:3]),
                   (worst <= 100, "no read overlapping the take-over took over 100 ms")]:
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond
sys.exit(0 if ok else 1)
PY
[ $? = 0 ] || FAILED=1
[ -S "$SOCK" ] && pass "the new keeper's control socket is there" || fail "the control socket is gone"

# a third keeper takes over from the second: its socket works
"$PROCVIEWD" -f "$MNT" 2>"$MNT.c.log" &
C_PID=$!
for _ in $(seq 200); do kill -0 "$B_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$B_PID" 2>/dev/null && fail "the second keeper did not hand over" || pass "a third keeper took over from the second"
B_PID=""
DAEMON_PID=$C_PID
grep -q '^MemTotal:' "$MNT/proc/meminfo" && pass "the third keeper serves" || fail "the third keeper does not serve"

# who may ask
client='import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect: " + e.strerror); sys.exit(0)
try:
    s.send(b"takeover")
    msg, anc, flags, addr = s.recvmsg(64, socket.CMSG_SPACE(64))
except (ConnectionResetError, BrokenPipeError):  # refused before it read the request
    msg, anc = b"busy", []
print("%s fds=%d" % (msg.decode(), sum(len(d) // 4 for _, _, d in anc)))'
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c "$client" "$SOCK" 2>&1)
[ "$out" = "connect: Permission denied" ] && pass "uid 65534 cannot connect: $out" || fail "uid 65534: $out"
out=$(unshare --pid --fork --mount-proc /usr/bin/python3 -c "$client" "$SOCK" 2>&1)
[ "$out" = "busy fds=0" ] && pass "root of another pid namespace gets: $out" || fail "another pid namespace: $out"
grep -q "refused pid" "$MNT.c.log" && pass "the keeper logs the refusal" || fail "no refusal logged"
kill -0 "$C_PID" && grep -q '^MemTotal:' "$MNT/proc/meminfo" && pass "the keeper serves on" || fail "the keeper stopped serving"

# a taker that goes away before it serves: it gets the connection, a second one is
# refused meanwhile, the keeper keeps serving throughout and after
/usr/bin/python3 - "$SOCK" "$MNT/proc/meminfo" <<'PY' || fail "a taker that went away"
import socket, sys, time
failed = []
def say(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failed.append(what)
def ask():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    try:
        s.send(b"takeover")
        msg, anc, _, _ = s.recvmsg(512, socket.CMSG_SPACE(4 * 32))
    except (ConnectionResetError, BrokenPipeError):
        msg, anc = b"busy", []
    return s, msg.decode(), sum(len(d) // 4 for _, _, d in anc)
def reads():
    with open(sys.argv[2]) as f:
        return f.readline().startswith("MemTotal:")
first, msg, n = ask()
say(msg.startswith("fuse state") and n >= 2, "a taker gets the connection: %r, %d fds" % (msg, n))
second, msg2, n2 = ask()
say(msg2 == "busy" and n2 == 0, "a second taker meanwhile is refused: %r, %d fds" % (msg2, n2))
good = sum(reads() for _ in range(50))
say(good == 50, "%d of 50 reads while handing over" % good)
first.close()
time.sleep(0.5)
good = sum(reads() for _ in range(50))
say(good == 50, "%d of 50 reads after the taker went away" % good)
sys.exit(1 if failed else 0)
PY
grep -q "went away before it served: serving on" "$MNT.c.log" && pass "the keeper says it serves on" ||
	fail "the keeper did not say it serves on"
kill -0 "$C_PID" && pass "the keeper still runs" || fail "the keeper exited"
sleep 1.5
grep -q "worker [0-9]* stopped" "$MNT.c.log" && fail "the keeper's worker stopped" ||
	pass "its worker was never stopped"
# and it can still be taken over
"$PROCVIEWD" -f "$MNT" 2>"$MNT.d.log" &
D_PID=$!
for _ in $(seq 200); do kill -0 "$C_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$C_PID" 2>/dev/null && fail "the keeper could not be taken over after a failed take-over" ||
	pass "after the failed take-over, a procviewd took over from the keeper"
C_PID=""
DAEMON_PID=$D_PID
grep -q '^MemTotal:' "$MNT/proc/meminfo" && pass "and serves" || fail "and does not serve"
[ "$FAILED" = 0 ] || { echo "--- second keeper"; cat "$MNT.b.log"; echo "--- third keeper"; cat "$MNT.c.log"; }
finish
