#!/bin/bash
# Per-container load averages follow the container's own runnable tasks; the quota CPU
# view trims the cpuset; stat never goes backwards when the cpuset changes.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap cleanup EXIT

BUSY=pvt-busy-$$
IDLE=pvt-idle-$$
cg_create "$BUSY"
cg_create "$IDLE"
start_daemon --sample-interval=1

# --- loadavg: two busy loops in one container, nothing in the other
la() { in_cg "$1" cat "$MNT/proc/loadavg"; }
la "$BUSY" >/dev/null
la "$IDLE" >/dev/null
loops=""
for _ in 1 2; do
	in_cg "$BUSY" sh -c 'while :; do :; done' &
	loops="$loops $!"
done
sleep 8
busy=$(la "$BUSY")
idle=$(la "$IDLE")
echo "busy container: $busy"
echo "idle container: $idle"
# 2 runnable tasks for ~8 s from 0: one or two 5-second ticks of the kernel's fold, 0.16 or 0.31
awk -v l="${busy%% *}" 'BEGIN { exit !(l >= 0.1 && l <= 0.45) }' && pass "the busy container's 1-minute load rose to ${busy%% *}" || fail "busy load ${busy%% *}, want 0.16 or 0.31"
awk -v l="${idle%% *}" 'BEGIN { exit !(l <= 0.1) }' && pass "the idle container's load stays ${idle%% *}" || fail "idle container load ${idle%% *}"
running=$(echo "$busy" | awk '{ split($4, a, "/"); print a[1] }')
[ "$running" -ge 1 ] && pass "running tasks counted ($running)" || fail "running tasks $running"
procs=$(in_cg "$BUSY" cat "$MNT/proc/stat" | awk '$1 == "procs_running" { print $2 }')
[ "$procs" -ge 1 ] && [ "$procs" -le 4 ] && pass "stat procs_running is the container's ($procs)" || fail "procs_running $procs"
cg_kill_all "$BUSY"
wait $loops 2>/dev/null

# --- stat never goes backwards while the cpuset shrinks and grows
if [ "$(nproc --all)" -ge 2 ]; then
	in_cg "$BUSY" /usr/bin/python3 -c 'import time
while time.process_time() < 0.5: pass'
	prev=0
	ok=1
	for cpus in 0-1 1 0 0-1 1; do
		cg_set cpuset "$BUSY/cpuset.cpus" "$cpus"
		in_cg "$BUSY" /usr/bin/python3 -c 'import time
while time.process_time() < 0.2: pass'
		tot=$(in_cg "$BUSY" cat "$MNT/proc/stat" | awk '$1 == "cpu" { print $2 + $4 + $5 }')
		echo "cpuset $cpus: aggregate user+system+idle $tot"
		[ "$tot" -ge "$prev" ] || ok=0
		prev=$tot
	done
	[ $ok = 1 ] && pass "the aggregate cpu line never went backwards across cpuset changes" || fail "stat went backwards"
fi
stop_daemon

# --- --cpu-view=quota: a 0.5-CPU quota on a 2-CPU cpuset shows one CPU
cg_set cpuset "$BUSY/cpuset.cpus" "$(cat $CG_ROOT/cpuset/cpuset.cpus)"
cg_set cpu "$BUSY/cpu.cfs_period_us" 100000
cg_set cpu "$BUSY/cpu.cfs_quota_us" 50000
start_daemon --cpu-view=quota
first=$(cut -d, -f1 "$CG_ROOT/cpuset/cpuset.cpus" | cut -d- -f1)
online=$(in_cg "$BUSY" cat "$MNT/sys/devices/system/cpu/online")
[ "$online" = "$first" ] && pass "quota view: online is $online" || fail "quota view online '$online', want $first"
n=$(in_cg "$BUSY" grep -c '^processor' "$MNT/proc/cpuinfo")
[ "$n" = 1 ] && pass "quota view: one processor in cpuinfo" || fail "quota view: $n processors"
full=$(in_cg "$IDLE" cat "$MNT/sys/devices/system/cpu/online")
[ "$full" = "$(cat $CG_ROOT/cpuset/cpuset.cpus)" ] && pass "no quota: the whole cpuset ($full)" || fail "no-quota container sees '$full'"
finish
