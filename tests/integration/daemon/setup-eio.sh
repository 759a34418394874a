#!/bin/bash
# A worker that served, then a host file gone, or the cgroup hierarchies: the
# workers the keeper starts after it cannot set up. Readers get EIO within the
# bound procviewd(8) gives (the second failed start, at most 1 s after the
# first), never an endless wait; once the file is back a worker starts and
# reads succeed again.
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
[ -x "$PROCVIEWD" ] || { echo "FAIL: $PROCVIEWD not built"; exit 1; }

FIX=$(mktemp -d /tmp/pvt-setup-eio-XXXXXX)
NS_PID=""
trap 'cleanup; [ -n "$NS_PID" ] && kill -TERM "$NS_PID"; rm -rf "$FIX"' EXIT
# the host's files, through links the test can take away
mkdir -p "$FIX/proc"
for f in meminfo cpuinfo stat diskstats uptime loadavg swaps vmstat pressure; do
	ln -s "/proc/$f" "$FIX/proc/$f"
done
start_daemon --host-proc "$FIX/proc"
head -c1 "$MNT/proc/meminfo" >/dev/null && pass "a worker serves" || fail "no worker serves"

worker_pid() { cat "/proc/$DAEMON_PID/task/$DAEMON_PID/children" 2>/dev/null | awk '{ print $1 }'; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# --- a worker that served dies; the next ones cannot open meminfo
rm "$FIX/proc/meminfo"
W=$(worker_pid)
[ -n "$W" ] || { fail "no worker process"; finish; }
start=$(date +%s%N)
kill -9 "$W"
out=$(timeout 20 head -c1 "$MNT/proc/meminfo" 2>&1 >/dev/null)
rc=$?
ms=$(ms_since "$start")
[ "$rc" != 124 ] && pass "a reader is not left waiting ($ms ms)" || fail "a reader waited 20 s"
grep -q 'Input/output error' <<<"$out" && pass "it gets EIO: $out" || fail "no EIO (rc $rc): $out"
# the bound: two failed starts, 0.1 s apart (1 s at most), and their set-ups
[ "$ms" -lt 3000 ] && pass "within 3 s of the worker's death ($ms ms)" ||
	fail "EIO came $ms ms after the worker's death"
start=$(date +%s%N)
out=$(timeout 20 cat "$MNT/proc/stat" 2>&1 >/dev/null)
ms=$(ms_since "$start")
grep -q 'Input/output error' <<<"$out" && [ "$ms" -lt 1000 ] &&
	pass "later readers get EIO at once ($ms ms)" || fail "a later reader: $out after $ms ms"
grep -q 'could not start: every read gets EIO until one serves' "$MNT.log" &&
	pass "the keeper says readers get EIO" || fail "the keeper did not say so"
grep -q -- "--host-proc=$FIX/proc: $FIX/proc/meminfo: No such file" "$MNT.log" &&
	pass "the workers name the missing file" || fail "no worker named $FIX/proc/meminfo"
kill -0 "$DAEMON_PID" && pass "the keeper keeps running" || fail "the keeper exited"

# --- the file back: a worker starts (after the back-off, 5 s at most) and serves
ln -s /proc/meminfo "$FIX/proc/meminfo"
start=$(date +%s%N)
ok=""
for _ in $(seq 150); do
	if grep -q '^MemTotal:' "$MNT/proc/meminfo" 2>/dev/null; then ok=1; break; fi
	sleep 0.1
done
ms=$(ms_since "$start")
[ -n "$ok" ] && pass "reads succeed again once a worker starts ($ms ms)" ||
	fail "no read succeeded in 15 s after the file came back"
grep -q 'a worker serves again' "$MNT.log" && pass "the keeper says a worker serves again" ||
	fail "the keeper did not say a worker serves again"
stop_daemon && pass "procviewd stops cleanly" || fail "procviewd exited non-zero on SIGTERM"

# --- the cgroup hierarchies gone: a daemon in a mount namespace of its own, private, in
# which the test detaches /sys/fs/cgroup once it served; readers enter that namespace
NS_MNT=$(mktemp -d /tmp/pvt-setup-eio-ns-XXXXXX)
unshare -m --propagation private "$PROCVIEWD" -f "$NS_MNT" 2>"$NS_MNT.log" &
NS_PID=$!
in_ns() { nsenter -t "$NS_PID" -m "$@"; }
for _ in $(seq 300); do
	grep -q " serving " "$NS_MNT.log" && break
	kill -0 "$NS_PID" 2>/dev/null || break
	sleep 0.1
done
if in_ns head -c1 "$NS_MNT/proc/meminfo" >/dev/null; then
	pass "a daemon in a mount namespace serves"
	in_ns umount -l /sys/fs/cgroup
	W=$(cat "/proc/$NS_PID/task/$NS_PID/children" | awk '{ print $1 }')
	start=$(date +%s%N)
	kill -9 "$W"
	out=$(timeout 20 nsenter -t "$NS_PID" -m head -c1 "$NS_MNT/proc/meminfo" 2>&1 >/dev/null)
	rc=$?
	ms=$(ms_since "$start")
	grep -q 'Input/output error' <<<"$out" && [ "$ms" -lt 3000 ] &&
		pass "no cgroup hierarchy: a reader gets EIO in $ms ms" ||
		fail "no cgroup hierarchy: rc $rc after $ms ms: $out"
	grep -q 'no cgroup hierarchy is mounted' "$NS_MNT.log" &&
		pass "the workers say no cgroup hierarchy is mounted" ||
		fail "the workers did not say no cgroup hierarchy is mounted"
else
	fail "the daemon in a mount namespace did not serve"
fi
kill -TERM "$NS_PID"
wait "$NS_PID" && pass "it stops cleanly" || fail "it exited non-zero on SIGTERM"
NS_PID=""
[ "$FAILED" = 0 ] || cat "$NS_MNT.log"
rm -f "$NS_MNT.log"
rmdir "$NS_MNT"
finish
