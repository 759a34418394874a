#!/bin/bash
# Bounded stress: 8 threads in each of two containers open, read and close every file
# for 2 s while a third container's cgroups are removed and made anew under the same
# name, with the loadavg sampler running every second. Each container only ever sees
# its own memory limit, no read fails unexpectedly, the daemon survives, a limit written
# under load shows in the reads that open 1 ms after it (texts are shared that long),
# and SIGTERM in the middle of such a load ends it cleanly and promptly.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap cleanup EXIT

A=pvt-stress-a-$$
B=pvt-stress-b-$$
C=pvt-stress-c-$$
cg_create "$A"
cg_create "$B"
cg_set memory "$A/memory.limit_in_bytes" $((128 << 20))
cg_set memory "$B/memory.limit_in_bytes" $((192 << 20))
start_daemon --sample-interval 1

# hammer SECONDS WANT_MEMTOTAL_KB: 8 threads reading every file; prints "clean" or the first problem
hammer() {
	/usr/bin/python3 - "$MNT" "$1" "$2" <<'EOF'
import errno, os, sys, threading, time
mnt, secs, want = sys.argv[1], float(sys.argv[2]), sys.argv[3]
files = ["proc/" + f for f in ("meminfo", "cpuinfo", "stat", "diskstats", "uptime", "loadavg",
                               "swaps", "pressure/cpu", "pressure/memory", "pressure/io")]
files += ["sys/devices/system/cpu/" + f for f in ("online", "possible", "present", "offline")]
files += ["sys/devices/system/cpu/cpu%d/online" % i for i in range(os.cpu_count())]
# v1 containers have no PSI; CPUs outside the cpuset have no cpuN
expected = {errno.EOPNOTSUPP, errno.ENOENT}
bad, reads = [], [0]
def worker():
    end = time.time() + secs
    while time.time() < end and not bad:
        for f in files:
            try:
                with open(os.path.join(mnt, f), "rb") as fh:
                    text = fh.read()
            except OSError as e:
                if e.errno not in expected or not (f.startswith("proc/pressure") or "/cpu/cpu" in f):
                    bad.append("%s: %s" % (f, e)); return
                continue
            reads[0] += 1
            if f == "proc/meminfo":
                total = text.split(b"\n")[0].split()[1].decode()
                if total != want:
                    bad.append("MemTotal %s kB, want %s" % (total, want)); return
            elif not text and f != "proc/diskstats":  # no disk I/O: no lines
                bad.append(f + " empty"); return
ts = [threading.Thread(target=worker) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(bad[0] if bad else "clean %d" % reads[0])
EOF
}

# churn: for ~3 s, the cgroups of C made, read from, removed, and made anew under the same name
churn() {
	local end=$((SECONDS + 3)) n=0 c
	while [ $SECONDS -lt $end ]; do
		for c in $V1_CONTROLLERS; do mkdir "$CG_ROOT/$c/$C"; done
		cat "$CG_ROOT/cpuset/cpuset.cpus" > "$CG_ROOT/cpuset/$C/cpuset.cpus"
		cat "$CG_ROOT/cpuset/cpuset.mems" > "$CG_ROOT/cpuset/$C/cpuset.mems"
		echo $(((64 + n % 4) << 20)) > "$CG_ROOT/memory/$C/memory.limit_in_bytes"
		got=$(in_cg "$C" cat "$MNT/proc/meminfo" "$MNT/proc/stat" "$MNT/proc/loadavg" 2>&1 | meminfo_kb MemTotal)
		[ "$got" = $(((64 + n % 4) * 1024)) ] || echo "churn $n: MemTotal '$got'"
		sleep 0.05
		for c in $V1_CONTROLLERS; do rmdir "$CG_ROOT/$c/$C" 2>/dev/null; done
		n=$((n + 1))
	done
	echo "churned $n"
}

in_cg "$A" bash -c "$(declare -f hammer); MNT=$MNT; hammer 2 $((128 * 1024))" > "$MNT.a" 2>&1 &
pa=$!
in_cg "$B" bash -c "$(declare -f hammer); MNT=$MNT; hammer 2 $((192 * 1024))" > "$MNT.b" 2>&1 &
pb=$!
churn_out=$(churn)
wait $pa $pb
ra=$(cat "$MNT.a"); rb=$(cat "$MNT.b")
rm -f "$MNT.a" "$MNT.b"
case $ra in clean*) pass "container A, 8 threads: $ra reads, always its own 128 MiB" ;; *) fail "container A: $ra" ;; esac
case $rb in clean*) pass "container B, 8 threads: $rb reads, always its own 192 MiB" ;; *) fail "container B: $rb" ;; esac
case $churn_out in churned*) pass "$churn_out times a container's cgroups removed and made anew, each read right" ;;
	*) fail "churn: $churn_out" ;; esac
kill -0 "$DAEMON_PID" 2>/dev/null && pass "daemon alive after the load" || fail "daemon died under load"
mt=$(in_cg "$A" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$mt" = $((128 * 1024)) ] || fail "after the load: MemTotal '$mt'"

# --- texts shared within 1 ms (share.h): under 4 threads looping on meminfo, a limit
# written shows in the reads that open 2 ms after the write, every time
in_cg "$A" /usr/bin/python3 - "$MNT" "$CG_ROOT/memory/$A/memory.limit_in_bytes" <<'EOF' &&
import sys, threading, time
mnt, limit_file = sys.argv[1], sys.argv[2]
stop, stale = [False], []
def total():
    with open(mnt + "/proc/meminfo", "rb") as f:
        return int(f.readline().split()[1])
def loop():
    while not stop[0]:
        total()
ts = [threading.Thread(target=loop) for _ in range(4)]
[t.start() for t in ts]
for i in range(60):
    want = (100 + i % 7) << 20
    with open(limit_file, "w") as f:
        f.write(str(want))
    time.sleep(0.002)
    got = total() * 1024
    if got != want:
        stale.append((i, got, want))
stop[0] = True
[t.join() for t in ts]
with open(limit_file, "w") as f:
    f.write(str(128 << 20))
print(stale[:3])
sys.exit(1 if stale else 0)
EOF
	pass "60 limit changes under 4 looping readers, each seen 2 ms after its write" ||
	fail "a limit change was not seen 2 ms after its write"

# --- SIGTERM in the middle of a load: exits 0 within 5 s and the mount is gone
in_cg "$A" bash -c "$(declare -f hammer); MNT=$MNT; hammer 4 $((128 * 1024))" > /dev/null 2>&1 &
pl=$!
sleep 1
kill -TERM "$DAEMON_PID"
for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	fail "SIGTERM under load: still running after 5 s"
else
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=""
	[ "$rc" = 0 ] && pass "SIGTERM under load: exit 0 within 5 s" || fail "SIGTERM under load: exit status $rc"
	mountpoint -q "$MNT" && fail "still mounted after exit" || pass "unmounted"
fi
wait $pl 2>/dev/null
finish
