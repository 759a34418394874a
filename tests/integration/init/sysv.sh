#!/bin/bash
# The sysvinit script: start mounts and answers, status says so, restart keeps serving,
# stop unmounts, status then says stopped (LSB: 0 running, 3 stopped).
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
trap 'sh "$SCRIPT" stop >/dev/null 2>&1; umount -l "$MOUNTPOINT" 2>/dev/null; rmdir "$MOUNTPOINT"; rm -f "$PIDFILE"' EXIT

sh "$SCRIPT" start && pass "start exits 0" || fail "start failed"
grep -q '^MemTotal:' "$MOUNTPOINT/proc/meminfo" && pass "the views answer after start" || fail "no views after start"
sh "$SCRIPT" status >/dev/null; rc=$?
[ $rc = 0 ] && pass "status: running (0)" || fail "status after start: $rc"
pid1=$(cat "$PIDFILE" 2>/dev/null)
sh "$SCRIPT" restart && grep -q '^MemTotal:' "$MOUNTPOINT/proc/meminfo" && [ "$(cat "$PIDFILE")" != "$pid1" ] &&
	pass "restart: a new daemon serves" || fail "restart"
sh "$SCRIPT" stop && pass "stop exits 0" || fail "stop failed"
grep -q " $MOUNTPOINT " /proc/mounts && fail "still mounted after stop" || pass "unmounted after stop"
sh "$SCRIPT" status >/dev/null; rc=$?
[ $rc = 3 ] && pass "status: stopped (3)" || fail "status after stop: $rc"
exit $failed
