#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# proc/diskstats on cgroup v1 for a device that has just appeared: a loop
# device made anew (LOOP_CTL_ADD of an index that does not exist), so that no
# throttle rule was ever written for it. As procviewd(8) says: since Linux
# 6.10 the blkio throttle counters count a device only once a throttle rule
# was written for it in some cgroup, before that every cgroup's counters for
# it stay empty and the container gets no line for it; up to 6.9 they count
# from the device's start. After a rule far above any rate in a scratch
# cgroup, the container's direct reads and writes appear in its line, equal
# to its own blkio.throttle.io_service_bytes and io_serviced.

. "$(dirname "$0")/common.sh"
require_root_fuse_v1
[ -c /dev/loop-control ] || skip "no /dev/loop-control"
command -v losetup > /dev/null || skip "no losetup"

C=pvt-dsk-$$
S=pvt-dskrule-$$
BACKING=/dev/shm/pvt-dsk-$$
LOOP=""
IDX=""

loop_ctl() { # loop_ctl ADD|REMOVE INDEX: prints the ioctl's result
	/usr/bin/python3 -c 'import fcntl, os, sys
fd = os.open("/dev/loop-control", os.O_RDWR | os.O_CLOEXEC)
print(fcntl.ioctl(fd, {"ADD": 0x4C80, "REMOVE": 0x4C81}[sys.argv[1]], int(sys.argv[2])))' "$@"
}

teardown() {
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	[ -n "$IDX" ] && loop_ctl REMOVE "$IDX" > /dev/null 2>&1
	rm -f "$BACKING"
	cleanup
}
trap teardown EXIT

# An index no loop device has: a new gendisk and request queue, never throttled.
for i in $(seq 0 50); do
	n=$((200 + ($$ + i * 7) % 700))
	[ -e /sys/block/loop$n ] && continue
	if [ "$(loop_ctl ADD $n 2>/dev/null)" = "$n" ]; then IDX=$n; break; fi
done
[ -n "$IDX" ] || skip "no loop device could be added"
truncate -s 64M "$BACKING"
LOOP=/dev/loop$IDX
for _ in $(seq 50); do [ -b "$LOOP" ] && break; sleep 0.1; done
losetup "$LOOP" "$BACKING" || { echo "FAIL: losetup $LOOP"; exit 1; }
DEV=$(cat /sys/block/loop$IDX/dev)

cg_create "$C"
cg_create "$S"
start_daemon

# direct_io DD-ARGS...: in the container's cgroup, O_DIRECT on the loop device
direct_io() { in_cg "$C" dd "$@" bs=1M status=none; }
# blkio KEY FILE: the container's own counter for the device (0 when it has no line)
blkio() { awk -v d="$DEV" -v k="$1" '$1 == d && $2 == k { v = $3 } END { print v + 0 }' \
	"$CG_ROOT/blkio/$C/blkio.throttle.$2"; }
# the container's diskstats line for the device, its 20 fields
line() { in_cg "$C" cat "$MNT/proc/diskstats" | awk -v n="loop$IDX" '$3 == n'; }

major=$(uname -r | cut -d. -f1)
minor=$(uname -r | cut -d. -f2)
if [ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "$minor" -ge 10 ]; }; then
	lazy=1
else
	lazy=0
fi

# --- before any rule
direct_io if=/dev/zero of="$LOOP" count=8 oflag=direct
direct_io if="$LOOP" of=/dev/null count=4 iflag=direct
kw=$(blkio Write io_service_bytes)
got=$(line)
if [ $lazy = 1 ]; then
	[ "$kw" = 0 ] && pass "Linux $(uname -r), no rule yet: the kernel counted none of 8 MiB written to $LOOP" ||
		fail "no rule yet: the kernel counted $kw bytes written"
	[ -z "$got" ] && pass "no rule yet: the container's diskstats has no loop$IDX line" ||
		fail "no rule yet: the container's diskstats has '$got'"
else
	[ "$kw" = $((8 << 20)) ] && pass "Linux $(uname -r): counted from the device's start ($kw bytes)" ||
		fail "before 6.10 the kernel should count from the start: $kw bytes"
fi

# --- a rule no I/O reaches, in another cgroup, sets the device's throttling up
echo "$DEV 1099511627776" > "$CG_ROOT/blkio/$S/blkio.throttle.read_bps_device"
echo "$DEV 1099511627776" > "$CG_ROOT/blkio/$S/blkio.throttle.write_bps_device"
base_w=$(blkio Write io_service_bytes)
base_r=$(blkio Read io_service_bytes)
direct_io if=/dev/zero of="$LOOP" count=8 oflag=direct
direct_io if="$LOOP" of=/dev/null count=4 iflag=direct
kw=$(blkio Write io_service_bytes)
kr=$(blkio Read io_service_bytes)
nw=$(blkio Write io_serviced)
nr=$(blkio Read io_serviced)
[ $((kw - base_w)) = $((8 << 20)) ] && [ $((kr - base_r)) = $((4 << 20)) ] &&
	pass "after a rule in $S the kernel counts the container's 8 MiB written and 4 MiB read" ||
	fail "after a rule: the kernel counted $((kw - base_w)) bytes written, $((kr - base_r)) read"
set -- $(line)
if [ $# = 20 ] && [ "$4" = "$nr" ] && [ "$6" = $((kr / 512)) ] && [ "$8" = "$nw" ] &&
	[ "${10}" = $((kw / 512)) ]; then
	pass "diskstats loop$IDX: $4 reads, $6 sectors read, $8 writes, ${10} sectors written = the cgroup's counters"
else
	fail "diskstats loop$IDX '$*', want reads $nr, sectors read $((kr / 512)), writes $nw, sectors written $((kw / 512))"
fi
finish
