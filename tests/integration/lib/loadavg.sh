#!/bin/bash
# getloadavg() under the preload reads procviewd's view of the reader's own
# container, not the host's /proc/loadavg.
TEST_NAME=loadavg
. "$(dirname "$0")/common.sh"
require_v1
PROCVIEWD="$PV_BUILD_ROOT/src/daemon/procviewd"
[ -x "$PROCVIEWD" ] || skip "procviewd is not built"
[ -c /dev/fuse ] || skip "no /dev/fuse"
cg_create
cg_config 0-1 -1 -1

MNT=$(mktemp -d /tmp/pvlib-mnt-XXXXXX)
"$PROCVIEWD" -f "$MNT" 2> "$MNT.log" &
DPID=$!
BUSY=""
stop() {
	[ -n "$BUSY" ] && kill $BUSY 2>/dev/null
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	rmdir "$MNT" 2>/dev/null
	rm -f "$MNT.log"
	cleanup
}
trap stop EXIT
for _ in $(seq 100); do
	[ -e "$MNT/proc/meminfo" ] && break
	sleep 0.1
done
[ -e "$MNT/proc/meminfo" ] || { cat "$MNT.log"; echo "FAIL: procviewd did not mount"; exit 1; }

# Load on the host outside the container, so the two views differ.
for _ in 1 2; do (while :; do :; done) & BUSY="$BUSY $!"; done
sleep 11

py='
import os, sys
mnt = sys.argv[1]
def view():
    with open(mnt + "/proc/loadavg") as f:
        return tuple(round(float(x), 2) for x in f.read().split()[:3])
before = view()
got = tuple(round(x, 2) for x in os.getloadavg())
after = view()
with open("/proc/loadavg") as f:
    host = tuple(round(float(x), 2) for x in f.read().split()[:3])
print("view", before, "getloadavg", got, "host", host)
sys.exit(0 if got in (before, after) and got != host else 1)
'
ok=0
for _ in 1 2 3; do
	if in_cg env LD_PRELOAD="$PRELOAD" PROCVIEW_ROOT="$MNT" /usr/bin/python3 -c "$py" "$MNT"; then
		ok=1
		break
	fi
	sleep 1
done
[ "$ok" = 1 ] && pass "os.getloadavg() is the container's view" ||
	fail "os.getloadavg() did not match procviewd's view of the container"
info=$(in_cg env LD_PRELOAD="$PRELOAD" PROCVIEW_ROOT="$MNT" "$HELPERS/sysinfo-check")
# The view depends on the reader: read it from inside the container too.
view=$(in_cg cat "$MNT/proc/loadavg" | awk '{printf "loads %s %s %s", $1, $2, $3}')
echo "  sysinfo: $(echo "$info" | grep ^loads), view: $view"
a=$(echo "$info" | awk '/^loads/ {print $2}')
b=$(echo "$view" | awk '{print $2}')
awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; exit !(d < 0.02 && d > -0.02) }' &&
	pass "sysinfo() loads follow the view" || fail "sysinfo() loads $a vs view $b"
finish
