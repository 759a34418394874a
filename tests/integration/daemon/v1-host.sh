#!/bin/bash
# procviewd on this host's cgroup v1 hierarchies, with real FUSE and real cgroups:
# every view shows the reading container, not the host and not another cgroup.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap cleanup EXIT

A=pvt-a-$$
B=pvt-b-$$
cg_create "$A"
cg_create "$B"
cg_set memory "$A/memory.limit_in_bytes" $((256 << 20))
ncpu=$(nproc --all)
last=$((ncpu - 1))
cg_set cpuset "$A/cpuset.cpus" "$last"
start_daemon

# --- meminfo
mi=$(in_cg "$A" cat "$MNT/proc/meminfo")
total=$(echo "$mi" | meminfo_kb MemTotal)
[ "$total" = $((256 * 1024)) ] && pass "MemTotal is the 256 MiB limit" || fail "MemTotal $total kB, want $((256 * 1024))"
avail=$(echo "$mi" | meminfo_kb MemAvailable)
[ "$avail" -le "$total" ] && pass "MemAvailable <= MemTotal" || fail "MemAvailable $avail > MemTotal $total"
host_keys=$(awk -F: '{print $1}' /proc/meminfo | tr '\n' ' ')
view_keys=$(echo "$mi" | awk -F: '{print $1}' | tr '\n' ' ')
[ "$host_keys" = "$view_keys" ] && pass "meminfo keeps every host key in order" || fail "meminfo keys differ: $view_keys"

free_before=$(in_cg "$A" cat "$MNT/proc/meminfo" | meminfo_kb MemFree)
in_cg "$A" /usr/bin/python3 -c '
import time, sys
b = bytearray(b"\x01") * (64 << 20)
sys.stdout.write("ready\n"); sys.stdout.flush()
time.sleep(30)' > "$MNT.hog" &
hog=$!
for _ in $(seq 100); do grep -q ready "$MNT.hog" 2>/dev/null && break; sleep 0.1; done
free_after=$(in_cg "$A" cat "$MNT/proc/meminfo" | meminfo_kb MemFree)
drop=$(( (free_before - free_after) / 1024 ))
if [ "$drop" -ge 56 ] && [ "$drop" -le 80 ]; then
	pass "allocating 64 MiB lowered MemFree by $drop MiB"
else
	fail "allocating 64 MiB lowered MemFree by $drop MiB (before $free_before kB, after $free_after kB)"
fi
kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null; rm -f "$MNT.hog"

# --- vmstat: the host's keys in order; page faults are the container's own
vm_keys=$(in_cg "$A" cat "$MNT/proc/vmstat" | awk '{print $1}' | tr '\n' ' ')
[ "$vm_keys" = "$(awk '{print $1}' /proc/vmstat | tr '\n' ' ')" ] && pass "vmstat keeps every host key in order" || fail "vmstat keys differ: $vm_keys"
vmstat_of() { in_cg "$1" cat "$MNT/proc/vmstat" | awk -v k="$2" '$1 == k { print $2 }'; }
fa0=$(vmstat_of "$A" pgfault)
fb0=$(vmstat_of "$B" pgfault)
# 64 MiB of new anonymous memory touched page by page, without THP: one fault per 4 KiB page
in_cg "$A" /usr/bin/python3 -c '
import mmap
m = mmap.mmap(-1, 64 << 20)
m.madvise(mmap.MADV_NOHUGEPAGE)
for i in range(0, 64 << 20, mmap.PAGESIZE):
    m[i] = 1'
fa1=$(vmstat_of "$A" pgfault)
fb1=$(vmstat_of "$B" pgfault)
pages=$(( (64 << 20) / $(getconf PAGESIZE) ))
[ $((fa1 - fa0)) -ge "$pages" ] && pass "touching 64 MiB grew the container's pgfault by $((fa1 - fa0))" || fail "pgfault grew by $((fa1 - fa0)), want >= $pages"
[ $((fb1 - fb0)) -lt "$pages" ] && pass "another cgroup's pgfault grew by only $((fb1 - fb0))" || fail "cgroup $B's pgfault grew by $((fb1 - fb0))"
[ "$fa1" -lt "$(awk '$1 == "pgfault" { print $2 }' /proc/vmstat)" ] && pass "the container's pgfault is below the host's" || fail "pgfault $fa1 is the host's"
hp=$(awk '$1 == "pgfault" { print $2 }' /proc/vmstat)
hv=$(in_root_cg cat "$MNT/proc/vmstat" | awk '$1 == "pgfault" { print $2 }')
[ "$hv" -ge "$hp" ] && pass "a root-cgroup reader gets the host's vmstat (pgfault $hv)" || fail "host reader pgfault $hv < host's $hp"
free_pages=$(vmstat_of "$A" nr_free_pages)
[ "$free_pages" -le $(( (256 << 20) / $(getconf PAGESIZE) )) ] && pass "nr_free_pages $free_pages fits the 256 MiB limit" || fail "nr_free_pages $free_pages above the limit"

# --- a reader's non-main thread gets its container's view too (FUSE passes the thread id)
tmt=$(in_cg "$A" /usr/bin/python3 -c '
import threading, sys
out = []
def rd():
    with open(sys.argv[1] + "/proc/meminfo") as f:
        out.append(f.readline())
ts = [threading.Thread(target=rd) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len(set(out)), out[0].split()[1] if out else "none")' "$MNT" 2>&1)
[ "$tmt" = "1 $((256 * 1024))" ] && pass "reads from threads see the container" || fail "reads from threads: '$tmt'"

# --- the CPU view: cpuinfo, stat, sysfs agree on the cpuset
procs=$(in_cg "$A" cat "$MNT/proc/cpuinfo" | awk -F': ' '/^processor/ {print $2}' | tr '\n' ' ')
[ "$procs" = "$last " ] && pass "cpuinfo shows only CPU $last" || fail "cpuinfo processors: '$procs'"
statcpus=$(in_cg "$A" cat "$MNT/proc/stat" | awk '/^cpu[0-9]/ {print $1}' | tr '\n' ' ')
[ "$statcpus" = "cpu$last " ] && pass "stat shows only cpu$last" || fail "stat cpu lines: '$statcpus'"
online=$(in_cg "$A" cat "$MNT/sys/devices/system/cpu/online")
[ "$online" = "$last" ] && pass "sysfs online is $last" || fail "sysfs online '$online'"
for f in possible present; do
	v=$(in_cg "$A" cat "$MNT/sys/devices/system/cpu/$f")
	[ "$v" = "$last" ] || fail "sysfs $f '$v'"
done
dirs=$(in_cg "$A" ls "$MNT/sys/devices/system/cpu" | grep '^cpu[0-9]' | tr '\n' ' ')
[ "$dirs" = "cpu$last " ] && pass "sysfs lists only cpu$last" || fail "sysfs cpu dirs: '$dirs'"
in_cg "$A" cat "$MNT/sys/devices/system/cpu/cpu$last/online" | grep -qx 1 || fail "cpu$last/online not 1"
if [ "$last" != 0 ]; then
	in_cg "$A" test -e "$MNT/sys/devices/system/cpu/cpu0" && fail "cpu0 visible outside the cpuset" || pass "cpu0 hidden"
fi
awk '/^cpu/ { if (NF != 11) exit 1 }' <(in_cg "$A" cat "$MNT/proc/stat") && pass "every cpu line has 10 numbers" || fail "cpu line without 10 numbers"
in_cg "$A" grep -q '^btime ' "$MNT/proc/stat" || fail "stat has no btime"

# --- stat grows when the container burns CPU, not when another cgroup does
busy() { in_cg "$1" cat "$MNT/proc/stat" | awk '$1 == "cpu" { print $2 + $4 }'; }
# burns exactly 1 s of CPU time, however loaded the machine is
burn() { in_cg "$1" /usr/bin/python3 -c 'import time
while time.process_time() < 1.0: pass'; }
a0=$(busy "$A")
burn "$B"
a1=$(busy "$A")
[ $((a1 - a0)) -le 10 ] && pass "another cgroup's CPU use leaves stat alone (+$((a1 - a0)))" || fail "stat grew by $((a1 - a0)) ticks from another cgroup's work"
u1=$(cat "$CG_ROOT/cpuacct/$A/cpuacct.usage")
burn "$A"
u2=$(cat "$CG_ROOT/cpuacct/$A/cpuacct.usage")
a2=$(busy "$A")
want=$(( (u2 - u1) / 10000000 ))
# the readers (sh, cat) of a1 and a2 run in the cgroup too: allow them a little
if [ $((a2 - a1)) -ge 90 ] && [ $((a2 - a1)) -ge $((want - 2)) ] && [ $((a2 - a1)) -le $((want + 25)) ]; then
	pass "burning 1 s of CPU grew stat by $((a2 - a1)) ticks (cpuacct: $want)"
else
	fail "stat grew by $((a2 - a1)) ticks after 1 s of CPU (cpuacct.usage grew by $want ticks)"
fi

# --- diskstats: direct writes with a throttle rule (on Linux 6.10+ v1 counts a device only once a rule was set for it)
dir=$(mktemp -d /var/tmp/pvt-io-XXXXXX)
dev=$(stat -c '%Hd:%Ld' "$dir")
name=$(awk -v mj="${dev%:*}" -v mn="${dev#*:}" '$1 == mj && $2 == mn { print $3 }' /proc/diskstats)
if [ -z "$name" ]; then
	fail "cannot find the block device of $dir ($dev) in /proc/diskstats"
else
	cg_set blkio "$A/blkio.throttle.write_bps_device" "$dev 10737418240"
	cg_set blkio "$B/blkio.throttle.write_bps_device" "$dev 10737418240"
	out0=$(vmstat_of "$A" pgpgout)
	in_cg "$A" dd if=/dev/zero of="$dir/f" bs=1M count=8 oflag=direct status=none
	out1=$(vmstat_of "$A" pgpgout)
	[ $((out1 - out0)) -ge 8192 ] && pass "vmstat pgpgout grew by $((out1 - out0)) KiB after 8 MiB written" || fail "pgpgout grew by $((out1 - out0)) KiB, want >= 8192"
	sect=$(in_cg "$A" cat "$MNT/proc/diskstats" | awk -v n="$name" '$3 == n { print $10 }')
	[ -n "$sect" ] && [ "$sect" -ge 16384 ] && pass "diskstats shows $sect sectors written on $name" || fail "diskstats sectors written on $name: '$sect'"
	nf=$(in_cg "$A" cat "$MNT/proc/diskstats" | awk -v n="$name" '$3 == n { print NF }')
	[ "$nf" = 20 ] && pass "diskstats lines have 20 fields" || fail "diskstats line has $nf fields"
	other=$(in_cg "$B" cat "$MNT/proc/diskstats" | awk -v n="$name" '$3 == n { print $10 }')
	[ -z "$other" ] || [ "$other" = 0 ] && pass "another cgroup does not see those writes" || fail "cgroup $B sees $other sectors"
fi
rm -rf "$dir"

# --- uptime, loadavg, swaps
read -r up idle < <(in_cg "$A" cat "$MNT/proc/uptime")
hostup=$(cut -d' ' -f1 /proc/uptime)
awk -v u="$up" -v h="$hostup" 'BEGIN { exit !(u >= 0 && u <= h) }' && pass "uptime $up <= host $hostup" || fail "uptime '$up' vs host $hostup"
la=$(in_cg "$A" cat "$MNT/proc/loadavg")
echo "$la" | grep -Eq '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+$' && pass "loadavg '$la'" || fail "loadavg malformed: '$la'"
tasks=$(echo "$la" | awk '{split($4, a, "/"); print a[2]}')
[ "$tasks" -le 10 ] && pass "loadavg counts the container's tasks ($tasks)" || fail "loadavg counts $tasks tasks"
in_cg "$A" head -1 "$MNT/proc/swaps" | grep -q '^Filename' && pass "swaps has its header" || fail "swaps header"

# --- host readers see the host's files
hm=$(in_root_cg cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$hm" = "$(meminfo_kb MemTotal < /proc/meminfo)" ] && pass "a root-cgroup reader sees the host MemTotal" || fail "host reader MemTotal $hm"
[ "$(in_root_cg cat "$MNT/proc/cpuinfo" | grep -c ^processor)" = "$(grep -c ^processor /proc/cpuinfo)" ] || fail "host reader cpuinfo differs"
[ "$(in_root_cg cat "$MNT/sys/devices/system/cpu/online")" = "$(cat /sys/devices/system/cpu/online)" ] || fail "host reader online differs"

# --- pressure: a container only on v1 hierarchies has none (never the host's)
if in_cg "$A" cat "$MNT/proc/pressure/cpu" >/dev/null 2>&1; then
	fail "a v1 container read proc/pressure/cpu"
else
	in_cg "$A" cat "$MNT/proc/pressure/cpu" 2>&1 | grep -q "not supported" && pass "a v1 container's pressure files fail with EOPNOTSUPP" || fail "pressure error is not EOPNOTSUPP"
fi
if [ -r /proc/pressure/cpu ]; then
	in_root_cg head -1 "$MNT/proc/pressure/cpu" | grep -q '^some avg10=' && pass "a root-cgroup reader sees the host's pressure" || fail "host pressure view"
fi

# --- read-only: writes, creates, chmod are refused
( echo x > "$MNT/proc/meminfo" ) 2>/dev/null && fail "write to meminfo succeeded" || pass "write refused"
touch "$MNT/proc/new" 2>/dev/null && fail "create succeeded" || pass "create refused"
chmod 666 "$MNT/proc/meminfo" 2>/dev/null && fail "chmod succeeded" || pass "chmod refused"
mkdir "$MNT/x" 2>/dev/null && fail "mkdir succeeded" || pass "mkdir refused"

# --- a re-read at offset 0 of an open handle re-renders (procps rewinds)
in_cg "$A" /usr/bin/python3 - "$MNT" <<'EOF' && pass "rewind re-renders" || fail "rewind does not re-render"
import os, sys
fd = os.open(sys.argv[1] + "/proc/stat", os.O_RDONLY)
a = os.pread(fd, 1 << 20, 0)
x = 0
for i in range(3000000): x += i
b = os.pread(fd, 1 << 20, 0)
sys.exit(0 if a != b else 1)
EOF

# --- a container restarted under the same cgroup name: the new cgroup, not EIO or old numbers
R=pvt-again-$$
cg_create "$R"
cg_set memory "$R/memory.limit_in_bytes" $((64 << 20))
first=$(in_cg "$R" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
for c in $V1_CONTROLLERS; do rmdir "$CG_ROOT/$c/$R"; done
CREATED_CGROUPS=${CREATED_CGROUPS/$R /}
cg_create "$R"
cg_set memory "$R/memory.limit_in_bytes" $((96 << 20))
second=$(in_cg "$R" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
cpus=$(in_cg "$R" cat "$MNT/sys/devices/system/cpu/online")
if [ "$first" = $((64 * 1024)) ] && [ "$second" = $((96 * 1024)) ] && [ -n "$cpus" ]; then
	pass "a cgroup made anew under the same name is read afresh ($first kB, then $second kB)"
else
	fail "cgroup made anew: MemTotal $first then '$second', online '$cpus'"
fi

# --- a vanished cgroup: EIO and one log line, never the host's numbers
V=pvt-gone-$$
cg_create "$V"
cg_set memory "$V/memory.limit_in_bytes" $((128 << 20))
in_cg "$V" /usr/bin/python3 - "$MNT" "$CG_ROOT" "$V" "$V1_CONTROLLERS" <<'EOF' && pass "a vanished cgroup gives EIO" || fail "a vanished cgroup did not give EIO"
import errno, os, sys
mnt, root, name, ctrls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
fd = os.open(mnt + "/proc/meminfo", os.O_RDONLY)
first = os.pread(fd, 1 << 16, 0)
assert b"MemTotal:         131072 kB" in first, first[:80]
for c in ctrls:  # leave, then remove the cgroup the handle was opened for
    with open(f"{root}/{c}/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
for c in ctrls:
    os.rmdir(f"{root}/{c}/{name}")
# a text rendered within the last millisecond may be shared (procviewd(8),
# PERFORMANCE): wait past that window, or the read races the removal
import time
time.sleep(0.01)
for attempt in range(2):
    try:
        data = os.pread(fd, 1 << 16, 0)
        print("read after rmdir returned", data[:60])
        sys.exit(1)
    except OSError as e:
        if e.errno != errno.EIO:
            print("unexpected", e)
            sys.exit(1)
EOF
n=$(grep -c "cannot compute proc/meminfo" "$MNT.log")
[ "$n" = 1 ] && pass "one log line for the failing container" || fail "$n log lines for the failing container"

# --- a second procviewd on the same mount point takes over; the first exits 0
"$PROCVIEWD" -f "$MNT" 2>"$MNT.second.log" &
second=$!
for _ in $(seq 200); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
wait "$DAEMON_PID"; rc=$?
DAEMON_PID=$second
[ $rc = 0 ] && grep -q "took over" "$MNT.second.log" && pass "a second daemon on the same mount point took over" ||
	fail "second daemon: the first exited $rc; $(cat "$MNT.second.log")"
rm -f "$MNT.second.log"
in_cg "$A" grep -q "^MemTotal: *$((256 * 1024)) kB" "$MNT/proc/meminfo" && pass "the second daemon serves" || fail "the views are gone"

# --- SIGTERM unmounts and exits 0
stop_daemon && pass "SIGTERM: exit 0" || fail "SIGTERM: exit status $?"
grep -q " $MNT " /proc/mounts && fail "still mounted after SIGTERM" || pass "unmounted after SIGTERM"
finish
