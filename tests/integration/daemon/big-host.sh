#!/bin/bash
# A 512-CPU host (fixture files served as the host's): a cpuinfo of over 512 KiB and a
# 512-line stat go through FUSE whole, for host readers and container readers.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap 'cleanup; rm -rf "$FIX"' EXIT

FIX=$(mktemp -d /tmp/pvt-big-XXXXXX)
mkdir -p "$FIX/proc" "$FIX/cpu"
cp /proc/meminfo /proc/diskstats /proc/swaps /proc/uptime /proc/loadavg "$FIX/proc/"
block=$(awk 'BEGIN { RS = ""; } NR == 1 { print; exit }' /proc/cpuinfo)
for i in $(seq 0 511); do
	printf '%s\n\n' "$block" | sed "s/^processor\t: .*/processor\t: $i/"
done > "$FIX/proc/cpuinfo"
{
	echo "cpu  5120 0 5120 512000 0 0 0 0 0 0"
	for i in $(seq 0 511); do echo "cpu$i 10 0 10 1000 0 0 0 0 0 0"; done
	grep -v '^cpu' /proc/stat
} > "$FIX/proc/stat"
echo "0-511" > "$FIX/cpu/online"
echo "0-511" > "$FIX/cpu/possible"
echo "0-511" > "$FIX/cpu/present"
echo "" > "$FIX/cpu/offline"
size=$(stat -c %s "$FIX/proc/cpuinfo")
# far beyond any fixed buffer or single FUSE read (128 KiB)
[ "$size" -gt $((512 << 10)) ] || { echo "FAIL: fixture cpuinfo only $size bytes"; exit 1; }

A=pvt-big-$$
cg_create "$A"
last=$(( $(nproc --all) - 1 ))
cg_set cpuset "$A/cpuset.cpus" "$last"
start_daemon --host-proc "$FIX/proc" --sys-cpu-dir "$FIX/cpu"

in_root_cg cat "$MNT/proc/cpuinfo" > "$FIX/got"
cmp -s "$FIX/got" "$FIX/proc/cpuinfo" && pass "host reader gets the whole $size-byte cpuinfo" || fail "host cpuinfo differs ($(stat -c %s "$FIX/got") bytes)"
in_root_cg cat "$MNT/proc/stat" | cmp -s - "$FIX/proc/stat" && pass "host reader gets the 512-CPU stat" || fail "host stat differs"
# a reader that reads with a tiny buffer still gets everything
in_root_cg dd if="$MNT/proc/cpuinfo" bs=1000 status=none | cmp -s - "$FIX/proc/cpuinfo" && pass "1000-byte reads reassemble cpuinfo" || fail "small reads differ"
procs=$(in_cg "$A" cat "$MNT/proc/cpuinfo" | grep -c '^processor')
[ "$procs" = 1 ] && pass "container reader sees 1 of 512 CPUs" || fail "container sees $procs processors"
n=$(in_cg "$A" cat "$MNT/proc/stat" | grep -c '^cpu[0-9]')
[ "$n" = 1 ] && pass "container stat has 1 cpu line" || fail "container stat has $n cpu lines"
finish
