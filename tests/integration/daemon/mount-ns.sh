#!/bin/bash
# --mount-ns: a procviewd started in a private mount namespace (as in a pod)
# enters the host's and mounts there. The host's mount point serves, and it
# stays served after that procviewd's own namespace is gone. A second one,
# also in a private namespace, takes over; the first stops its worker but
# waits (a container's main process whose exit would restart it), holding no
# fd of the connection: SIGTERM then ends it with 0 and the mount stays,
# served by the second. SIGHUP there is ignored with a warning. After the
# second is killed with SIGKILL the mount is dead (nothing else held the
# connection), and a third, started the same way, replaces it. A file that
# is not a mount namespace is refused with exit 1 and one line.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
command -v unshare >/dev/null || skip "no unshare (util-linux)"
A_PID=""
B_PID=""
C_PID=""
trap 'kill $A_PID $B_PID $C_PID 2>/dev/null; cleanup; rm -f "$MNT".?.log' EXIT

MNT=$(mktemp -d /tmp/pvt-mnt-XXXXXX)
HOST_NS=/proc/$$/ns/mnt
mount_dev() { awk -v m="$MNT" '$5 == m && / - fuse\.procview / { print $3 }' /proc/self/mountinfo | tail -n1; }
serves() { head -c1 "$MNT/proc/meminfo" >/dev/null 2>&1; }
# in_pod LOG ARGS...: procviewd in a mount namespace of its own, its mounts private
in_pod() {
	local log=$1
	shift
	unshare -m --propagation private "$PROCVIEWD" -f --mount-ns="$HOST_NS" "$@" "$MNT" 2>"$log" &
}
wait_for() { # wait_for SECONDS CMD...
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}

in_pod "$MNT.a.log"
A_PID=$!
if wait_for 15 serves; then pass "a procviewd in its own mount namespace serves the host's $MNT"
else fail "the host's $MNT is not served"; cat "$MNT.a.log"; finish; fi
D0=$(mount_dev)
[ -n "$D0" ] && pass "the host's mountinfo holds the mount ($D0)" || fail "no mount on the host"
# the keeper's namespace is the host's now, so its first namespace (unshare's) is gone
[ "$(readlink /proc/$A_PID/ns/mnt)" = "$(readlink /proc/$$/ns/mnt)" ] &&
	pass "the keeper lives in the host's mount namespace" || fail "the keeper is elsewhere"

in_pod "$MNT.b.log"
B_PID=$!
wait_for 15 grep -q "waits for SIGTERM" "$MNT.a.log" &&
	pass "the first procviewd handed over and says it waits" || fail "no hand-over: $(cat "$MNT.a.log")"
grep -q "took over $MNT" "$MNT.b.log" && pass "the second took over" || fail "the second did not take over"
sleep 1
kill -0 "$A_PID" 2>/dev/null && pass "the first keeps running after the hand-over" ||
	fail "the first exited after the hand-over"
[ "$(pgrep -P "$A_PID" | wc -l)" = 0 ] && pass "the first has no worker left" ||
	fail "the first still has children: $(pgrep -P "$A_PID")"
held=$(ls -l /proc/$A_PID/fd 2>/dev/null | grep -c /dev/fuse)
[ "$held" = 0 ] && pass "the first holds no /dev/fuse fd" || fail "the first holds $held /dev/fuse fds"
kill -HUP "$B_PID"
wait_for 5 grep -q "SIGHUP ignored" "$MNT.b.log" && pass "SIGHUP is ignored with a warning" ||
	fail "no warning for SIGHUP"
kill -TERM "$A_PID"
wait "$A_PID"
rc=$?
A_PID=""
[ "$rc" = 0 ] && pass "SIGTERM ends the first with 0" || fail "the first exited $rc"
serves && [ -n "$D0" ] && [ "$(mount_dev)" = "$D0" ] && pass "the mount stays, the same connection ($D0), served" ||
	fail "the mount is $(mount_dev), was $D0; serves: $(serves && echo yes || echo no)"
kill -0 "$B_PID" 2>/dev/null && pass "the second serves on after SIGHUP" || fail "the second exited"

kill -KILL "$B_PID"
wait "$B_PID" 2>/dev/null
B_PID=""
wait_for 5 sh -c "! head -c1 '$MNT/proc/meminfo' >/dev/null 2>&1" &&
	pass "the keeper killed, the mount is dead" || fail "the mount still answers"
in_pod "$MNT.c.log"
C_PID=$!
if wait_for 15 serves; then pass "a third procviewd replaced the dead mount"
else fail "the third does not serve: $(cat "$MNT.c.log")"; fi
# (the dead connection's device number, free once detached, may come back)
grep -q "keeper mounted $MNT" "$MNT.c.log" && [ -n "$(mount_dev)" ] &&
	pass "with a new connection of its own ($(mount_dev))" || fail "it did not mount anew"
grep -q "a dead procview mount, detaching it" "$MNT.c.log" && pass "it detached the dead mount" ||
	fail "it did not say it detached the dead mount"
kill -TERM "$C_PID"
wait "$C_PID"
C_PID=""
[ -z "$(mount_dev)" ] && pass "SIGTERM (never handed over) unmounts" || fail "still mounted: $(mount_dev)"

out=$("$PROCVIEWD" -f --mount-ns=/proc/self/ns/net "$MNT" 2>&1)
rc=$?
[ "$rc" = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "not a mount namespace" &&
	pass "a net namespace file is refused: $out" || fail "exit $rc: $out"
cat "$MNT".?.log > "$MNT.log"
finish
