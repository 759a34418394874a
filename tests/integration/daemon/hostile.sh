#!/bin/bash
# What a container can do to procviewd: thousands of threads, odd cgroup names, deep
# nesting, many requests; and host files longer than one kernel seq buffer, read by
# many threads at once. Every view stays whole and the log stays quiet.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
[ -r /proc/slabinfo ] || skip "no /proc/slabinfo"
trap 'cleanup; cleanup_extra' EXIT

FIX=$(mktemp -d /tmp/pvt-hostile-XXXXXX)
cleanup_extra() {
	local d
	# deepest first; the reader was killed by cleanup
	for pid in $(cat "$CG_ROOT/memory/$ODD/cgroup.procs" 2>/dev/null); do kill -9 "$pid"; done
	sleep 0.2
	for c in $V1_CONTROLLERS; do rmdir "$CG_ROOT/$c/$ODD" 2>/dev/null; done
	if [ -n "$DEEP" ]; then
		for d in $(find "$CG_ROOT/memory/$DEEP" -depth -type d 2>/dev/null); do rmdir "$d" 2>/dev/null; done
	fi
	rm -rf "$FIX"
}

# The host's files, except that "cpuinfo" is /proc/slabinfo: a real seq_file with one
# record per cache (~25 KiB), whose numbers change between two reads. A root-cgroup
# reader gets the host file as is, so it must get all of it, and never a text torn
# between two snapshots.
mkdir -p "$FIX/proc"
for f in meminfo stat diskstats uptime loadavg swaps pressure; do
	ln -s "/proc/$f" "$FIX/proc/$f"
done
ln -s /proc/slabinfo "$FIX/proc/cpuinfo"

A=pvt-hostile-$$
ODD="pvt-odd x:y,z é-$$"
DEEP=""
cg_create "$A"
# made here: common.sh's helpers split names at spaces
for c in $V1_CONTROLLERS; do mkdir "$CG_ROOT/$c/$ODD"; done
cat "$CG_ROOT/cpuset/cpuset.cpus" > "$CG_ROOT/cpuset/$ODD/cpuset.cpus"
cat "$CG_ROOT/cpuset/cpuset.mems" > "$CG_ROOT/cpuset/$ODD/cpuset.mems"
echo $((96 << 20)) > "$CG_ROOT/memory/$ODD/memory.limit_in_bytes"
start_daemon --host-proc "$FIX/proc"
log_lines_start=$(wc -l < "$MNT.log")

# --- a records file longer than a page: whole, and never torn under concurrent reads
want=$(wc -l < /proc/slabinfo)
got=$(in_root_cg cat "$MNT/proc/cpuinfo" | wc -l)
if [ "$got" -ge $((want - 5)) ] && [ "$got" -le $((want + 5)) ]; then
	pass "a host records file of $want lines is served whole ($got)"
else
	fail "host records file: $got lines, /proc/slabinfo has $want"
fi
torn=$(in_root_cg /usr/bin/python3 -c '
import sys, threading, time
path, want = sys.argv[1], int(sys.argv[2])
bad = []
def reader():
    end = time.time() + 2
    while time.time() < end and not bad:
        with open(path) as f:
            text = f.read()
        lines = text.split("\n")
        if lines[-1] != "" or abs(len(lines) - 1 - want) > 5:
            bad.append("%d lines" % (len(lines) - 1)); return
        names = set()
        for l in lines[2:-1]:
            t = l.split()
            if len(t) != 16 or t[6] != ":" or t[0] in names:
                bad.append(repr(l)); return
            names.add(t[0])
ts = [threading.Thread(target=reader) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(bad[0] if bad else "whole")' "$MNT/proc/cpuinfo" "$want" 2>&1)
[ "$torn" = whole ] && pass "8 threads reading it for 2 s never got a torn text" || fail "concurrent reads: $torn"

# --- thousands of threads: loadavg counts all of them (a task list is many seq buffers)
in_cg "$A" /usr/bin/python3 -c '
import threading, time, sys
ev = threading.Event()
ts = [threading.Thread(target=ev.wait) for _ in range(3000)]
[t.start() for t in ts]
sys.stdout.write("ready\n"); sys.stdout.flush()
time.sleep(60)' > "$FIX/threads.out" &
for _ in $(seq 200); do grep -q ready "$FIX/threads.out" 2>/dev/null && break; sleep 0.1; done
ntasks=$(wc -l < "$CG_ROOT/pids/$A/tasks")
total=$(in_cg "$A" cat "$MNT/proc/loadavg" | awk '{ split($4, a, "/"); print a[2] }')
# the reader (cat and its sh) adds a few
if [ "$ntasks" -ge 3000 ] && [ "$total" -ge "$ntasks" ] && [ "$total" -le $((ntasks + 4)) ]; then
	pass "loadavg counts all $total threads"
else
	fail "loadavg counts $total threads, the cgroup has $ntasks"
fi
cg_kill_all "$A"

# --- a cgroup name with spaces, ':' and ',' and non-ASCII
mt=$(sh -c 'for c in '"$V1_CONTROLLERS"'; do echo $$ > "$1/$c/$2/cgroup.procs" || exit 99; done
	exec cat "$3/proc/meminfo"' sh "$CG_ROOT" "$ODD" "$MNT" | meminfo_kb MemTotal)
[ "$mt" = $((96 * 1024)) ] && pass "odd cgroup name: MemTotal is its 96 MiB limit" || fail "odd cgroup name: MemTotal '$mt'"

# --- a container nested 60 levels deep (memory only) sees the limit set at the top
DEEP=pvt-deep-$$
p="$CG_ROOT/memory/$DEEP"
mkdir "$p"
echo $((80 << 20)) > "$p/memory.limit_in_bytes"
for i in $(seq 60); do p="$p/d$i"; mkdir "$p"; done
mt=$(sh -c 'echo $$ > "$1/cgroup.procs" && exec cat "$2/proc/meminfo"' sh "$p" "$MNT" | meminfo_kb MemTotal)
[ "$mt" = $((80 * 1024)) ] && pass "60 levels deep: MemTotal is the top's 80 MiB" || fail "60 levels deep: MemTotal '$mt'"

# --- many requests, some failing, log nothing per request at the default level
for i in $(seq 100); do
	in_cg "$A" cat "$MNT/proc/stat" "$MNT/proc/pressure/cpu" "$MNT/sys/devices/system/cpu/cpu999/online" \
		> /dev/null 2>&1
	cat "$MNT/proc/nosuchfile" > /dev/null 2>&1
done
log_lines_end=$(wc -l < "$MNT.log")
[ "$log_lines_end" = "$log_lines_start" ] && pass "300 requests logged nothing" ||
	fail "requests logged $((log_lines_end - log_lines_start)) lines: $(tail -3 "$MNT.log")"

kill -0 "$DAEMON_PID" 2>/dev/null && pass "daemon alive" || fail "daemon died"
stop_daemon && pass "SIGTERM: clean exit" || fail "SIGTERM: exit status $?"
finish
