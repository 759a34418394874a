#!/bin/bash
# The sysvinit script: start mounts and answers, status says so, reload and force-reload
# replace the worker under the same keeper and mount while readers keep reading without an
# error, restart keeps serving, stop unmounts, status then says stopped (LSB: 0 running,
# 3 stopped). A stale pid file whose pid now runs another program, even one called
# procviewd: status says dead with a pid file (LSB 1), start starts the daemon, and
# neither stop nor start signals that program.
set -u
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }
command -v start-stop-daemon >/dev/null || { echo "FAIL: start-stop-daemon missing"; exit 1; }
SCRIPT="$PV_BUILD_ROOT/init/procview.init"
export DAEMON="$PV_BUILD_ROOT/src/daemon/procviewd"
export MOUNTPOINT=$(mktemp -d /tmp/pvt-sysv-XXXXXX)
export PIDFILE="$MOUNTPOINT.pid"
failed=0
fail() { echo "FAIL: $*"; failed=1; }
pass() { echo "ok: $*"; }
READS=$(mktemp -d /tmp/pvt-sysv-reads-XXXXXX)
reader=
foreign=
trap '[ -n "$reader" ] && kill $reader 2>/dev/null; [ -n "$foreign" ] && kill $foreign 2>/dev/null; exec 3<&-; sh "$SCRIPT" stop >/dev/null 2>&1; umount -l "$MOUNTPOINT" 2>/dev/null; rmdir "$MOUNTPOINT"; rm -f "$PIDFILE"; rm -rf "$READS"' EXIT

# The keeper's children (its worker) and the mount's ID in mountinfo.
workers() { cat "/proc/$1/task/$1/children" 2>/dev/null | tr -s ' ' '\n' | grep . ; }
mount_id() { awk -v m="$MOUNTPOINT" '$5 == m { print $1 }' /proc/self/mountinfo; }

# Reads proc/meminfo until $READS/stop appears; counts good and failed reads.
read_loop() {
	local ok=0 bad=0
	while [ ! -e "$READS/stop" ]; do
		if grep -q '^MemTotal:' "$MOUNTPOINT/proc/meminfo" 2>>"$READS/errors"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "$ok $bad" >"$READS/counts"
}

# One reload through the script's command $1: the keeper and the mount stay, the worker
# is a new process, no read fails, and a handle opened before it still reads.
check_reload() {
	local cmd=$1 keeper w1 w2 id1 id2 ok bad
	keeper=$(cat "$PIDFILE" 2>/dev/null)
	w1=$(workers "$keeper")
	id1=$(mount_id)
	[ -n "$w1" ] && [ "$(cat "/proc/$w1/comm" 2>/dev/null)" = procviewd-work ] &&
		pass "$cmd: the keeper $keeper runs one worker ($w1)" ||
		fail "$cmd: the keeper $keeper has no single procviewd-work child (children: $w1)"
	rm -f "$READS/stop" "$READS/counts" "$READS/errors"
	exec 3<"$MOUNTPOINT/proc/meminfo"
	read_loop &
	reader=$!
	sleep 0.5
	sh "$SCRIPT" "$cmd" && pass "$cmd exits 0" || fail "$cmd failed"
	sleep 0.5
	touch "$READS/stop"
	wait $reader
	reader=
	w2=$(workers "$keeper")
	id2=$(mount_id)
	[ "$(cat "$PIDFILE" 2>/dev/null)" = "$keeper" ] && kill -0 "$keeper" 2>/dev/null &&
		pass "$cmd: the keeper $keeper stays" || fail "$cmd: the keeper $keeper is gone"
	[ -n "$w2" ] && [ "$w2" != "$w1" ] && ! kill -0 "$w1" 2>/dev/null &&
		pass "$cmd: a new worker $w2 replaced $w1" || fail "$cmd: worker before $w1, after '$w2'"
	[ -n "$id1" ] && [ "$id1" = "$id2" ] &&
		pass "$cmd: the same mount (ID $id1)" || fail "$cmd: mount ID $id1 became '$id2'"
	read -r ok bad <"$READS/counts"
	[ "$ok" -gt 0 ] && [ "$bad" = 0 ] &&
		pass "$cmd: $ok reads of proc/meminfo across it, none failed" ||
		fail "$cmd: $bad of $((ok + bad)) reads failed: $(sort -u "$READS/errors" | head -3)"
	grep -q '^MemTotal:' <&3 && pass "$cmd: a handle opened before it still reads" ||
		fail "$cmd: a handle opened before it fails"
	exec 3<&-
}

sh "$SCRIPT" start && pass "start exits 0" || fail "start failed"
grep -q '^MemTotal:' "$MOUNTPOINT/proc/meminfo" && pass "the views answer after start" || fail "no views after start"
sh "$SCRIPT" status >/dev/null; rc=$?
[ $rc = 0 ] && pass "status: running (0)" || fail "status after start: $rc"
check_reload reload
check_reload force-reload
# restart: a new daemon takes over, no read fails, the mount stays
pid1=$(cat "$PIDFILE" 2>/dev/null)
id1=$(mount_id)
rm -f "$READS/stop" "$READS/counts" "$READS/errors"
read_loop &
reader=$!
sleep 0.5
sh "$SCRIPT" restart && grep -q '^MemTotal:' "$MOUNTPOINT/proc/meminfo" && [ "$(cat "$PIDFILE")" != "$pid1" ] &&
	! kill -0 "$pid1" 2>/dev/null && pass "restart: a new daemon serves, the old one is gone" || fail "restart"
sleep 0.5
touch "$READS/stop"
wait $reader
reader=
read -r ok bad <"$READS/counts"
[ "$ok" -gt 0 ] && [ "$bad" = 0 ] && pass "restart: $ok reads across it, none failed" ||
	fail "restart: $bad of $((ok + bad)) reads failed: $(sort -u "$READS/errors" | head -3)"
[ "$(mount_id)" = "$id1" ] && pass "restart: the same mount (ID $id1)" || fail "restart: mount ID $id1 became '$(mount_id)'"
[ ! -e "$PIDFILE.new" ] && pass "restart: no pid file left over" || fail "restart: $PIDFILE.new left"
sh "$SCRIPT" stop && pass "stop exits 0" || fail "stop failed"
grep -q " $MOUNTPOINT " /proc/mounts && fail "still mounted after stop" || pass "unmounted after stop"
sh "$SCRIPT" status >/dev/null; rc=$?
[ $rc = 3 ] && pass "status: stopped (3)" || fail "status after stop: $rc"

# The pid file of a daemon that died, its pid since reused: a sleep whose comm is
# procviewd, as the keeper's is, so only its executable tells them apart.
cp /usr/bin/sleep "$READS/procviewd"
"$READS/procviewd" 600 &
foreign=$!
for _ in $(seq 50); do
	[ "$(readlink "/proc/$foreign/exe")" = "$READS/procviewd" ] && break
	sleep 0.1
done
[ "$(cat "/proc/$foreign/comm")" = procviewd ] || fail "the foreign process is not called procviewd"
foreign_alive() { kill -0 "$foreign" 2>/dev/null && ! grep -q '^State:.*[TZ]' "/proc/$foreign/status"; }
echo "$foreign" >"$PIDFILE"
sh "$SCRIPT" status; rc=$?
[ $rc = 1 ] && pass "status with a stale pid file: dead, pid file exists (1)" ||
	fail "status with a stale pid file naming $foreign: $rc"
sh "$SCRIPT" stop >/dev/null
foreign_alive && pass "stop with a stale pid file leaves pid $foreign alone" ||
	fail "stop with a stale pid file signalled pid $foreign"
echo "$foreign" >"$PIDFILE"
sh "$SCRIPT" start && pass "start with a stale pid file exits 0" || fail "start with a stale pid file failed"
grep -q '^MemTotal:' "$MOUNTPOINT/proc/meminfo" 2>/dev/null &&
	pass "start with a stale pid file mounts the views" || fail "start believed pid $foreign was the daemon"
pid=$(cat "$PIDFILE" 2>/dev/null)
[ -n "$pid" ] && [ "$pid" != "$foreign" ] && [ "$(readlink "/proc/$pid/exe")" = "$DAEMON" ] &&
	pass "the pid file names the new daemon ($pid)" || fail "the pid file names '$pid'"
sh "$SCRIPT" status >/dev/null; rc=$?
[ $rc = 0 ] && pass "status: running (0)" || fail "status after start over a stale pid file: $rc"
sh "$SCRIPT" stop >/dev/null
grep -q " $MOUNTPOINT " /proc/mounts && fail "still mounted after stop" || pass "unmounted after stop"
foreign_alive && pass "neither start nor stop signalled pid $foreign" || fail "pid $foreign was signalled"
kill "$foreign"
foreign=
exit $failed
