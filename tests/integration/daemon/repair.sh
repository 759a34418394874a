#!/bin/bash
# The repair of running containers' mounts, across mount namespaces of the host:
# - a namespace with one bind of a view of procviewd A's mount point, and one that
#   also holds 3000 other mounts: both repaired by A's next procviewd, one log line
#   each, and the binds read again;
# - a namespace with a bind of another procviewd's mount point (B), killed too:
#   left dead, as it is no connection A's mount point ever had;
# - 200 namespaces that exit while the repair runs: no error, nothing left;
# - the history of A's mount point then names its live connection only, and no
#   repairer runs again.
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
command -v unshare >/dev/null || skip "no unshare"
T=$(mktemp -d /tmp/pvt-repair-XXXXXX)
NS_PIDS=""
B_PID=""
MNT2=""
trap 'kill -9 $NS_PIDS 2>/dev/null; [ -n "$B_PID" ] && kill -9 $B_PID 2>/dev/null;
      [ -n "$MNT2" ] && { umount -l "$MNT2"; rmdir "$MNT2"; rm -f "$MNT2.log"; };
      cleanup; rm -rf "$T"' EXIT

# ns NAME SCRIPT: a process in its own mount namespace that runs SCRIPT (with $T
# and the mount points as $1 $2), writes "ready" to $T/NAME.ready and sleeps
ns() {
	unshare -m --propagation private sh -c "$2
echo ready > $T/$1.ready; exec sleep 600" sh "$MNT" "${MNT2:-}" &
	NS_PIDS="$NS_PIDS $!"
	eval "PID_$1=$!"
}
wait_ready() {
	for _ in $(seq 600); do [ -e "$T/$1.ready" ] && return 0; sleep 0.1; done
	fail "namespace $1 did not come up"; finish
}
reads() { head -c1 "$1" >/dev/null 2>&1; }

start_daemon
A_PID=$DAEMON_PID
MNT2=$(mktemp -d /tmp/pvt-mnt-XXXXXX)
"$PROCVIEWD" -f "$MNT2" 2>"$MNT2.log" &
B_PID=$!
for _ in $(seq 300); do reads "$MNT2/proc/meminfo" && break; sleep 0.1; done
reads "$MNT2/proc/meminfo" || { fail "the second procviewd did not mount"; finish; }

touch "$T/one" "$T/many" "$T/other"
mkdir "$T/m"
ns one 'mount --bind "$1/proc/meminfo" '"$T/one"
ns many 'i=0; while [ $i -lt 3000 ]; do mkdir -p '"$T"'/m/$i && mount -t tmpfs -o size=4k none '"$T"'/m/$i || exit 1; i=$((i + 1)); done
mount --bind "$1/proc/meminfo" '"$T/many"
ns other 'mount --bind "$2/proc/meminfo" '"$T/other"
for n in one many other; do wait_ready $n; done
mounts=$(wc -l < "/proc/$PID_many/mountinfo")
[ "$mounts" -gt 3000 ] && pass "namespace 'many' holds $mounts mounts" || fail "namespace 'many' holds $mounts mounts"
# the short-lived: each binds a view, then waits to be killed during the repair
for i in $(seq 200); do ns "x$i" 'mount --bind "$1/proc/meminfo" '"$T/one"; done
for i in $(seq 200); do wait_ready "x$i"; done
for n in one many; do
	reads "/proc/$(eval echo \$PID_$n)/root$T/$n" || fail "namespace '$n' does not read its bind before the kill"
done

kill -9 "$A_PID" "$B_PID"
wait "$A_PID" "$B_PID" 2>/dev/null
DAEMON_PID=""
B_PID=""
for _ in $(seq 50); do reads "$MNT/proc/meminfo" || break; sleep 0.1; done
for n in one many other; do
	if reads "/proc/$(eval echo \$PID_$n)/root$T/$n"; then fail "namespace '$n' still reads after kill -9"
	else pass "namespace '$n' reads nothing after kill -9"; fi
done

# procviewd A again, on the same mount point; the short-lived exit meanwhile
LOG1=$MNT.log
"$PROCVIEWD" -f "$MNT" 2>"$MNT.2.log" &
DAEMON_PID=$!
(for i in $(seq 200); do eval kill -9 \$PID_x$i; sleep 0.002; done) 2>/dev/null &
for _ in $(seq 300); do reads "$MNT/proc/meminfo" && break; sleep 0.02; done
start=$SECONDS
for _ in $(seq 100); do
	reads "/proc/$PID_one/root$T/one" && reads "/proc/$PID_many/root$T/many" && break
	sleep 0.1
done
reads "/proc/$PID_one/root$T/one" && pass "namespace 'one' reads its bind again" ||
	fail "namespace 'one' was not repaired within 10 s"
reads "/proc/$PID_many/root$T/many" && pass "namespace 'many', with its 3000 mounts, reads its bind again" ||
	fail "namespace 'many' was not repaired within 10 s"
for _ in $(seq 150); do grep -q "repair of $MNT" "$MNT.2.log" && break; sleep 0.1; done
if reads "/proc/$PID_other/root$T/other"; then fail "another procviewd's dead mount was touched"
else pass "the dead bind of another procviewd's mount point is left dead"; fi
grep -q "repaired pid $PID_one " "$MNT.2.log" && pass "a log line for namespace 'one'" || fail "no log line for 'one'"
grep -q "repaired pid $PID_many " "$MNT.2.log" && pass "a log line for namespace 'many'" || fail "no log line for 'many'"
grep "repair of $MNT" "$MNT.2.log"
if grep -E "warning|error" "$MNT.2.log" | grep -v "a dead procview mount, detaching it"; then
	fail "the repair warned (namespaces exited during it)"
else pass "no warning while 200 namespaces exited during the repair"; fi
sleep 0.5
hist=$(grep -l "on $MNT\$" /run/procview/connections-* 2>/dev/null | head -n1)
live=$(awk -v m="$MNT" '$5 == m { print $3 }' /proc/self/mountinfo | tail -n1)
if [ -n "$hist" ] && [ "$(grep -v '^#' "$hist")" = "$live" ]; then
	pass "the history of $MNT names the live connection $live only"
else fail "the history of $MNT: $(cat "$hist" 2>/dev/null), live $live"; fi
sleep 1
if pgrep -x procviewd-fix >/dev/null; then fail "a repairer still runs"; else pass "no repairer runs"; fi
rm -f "$hist" "$MNT.2.log"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
MNT_LOG=$LOG1
finish
