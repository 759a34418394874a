#!/bin/bash
# The daemon's memory is bounded whatever readers do (procviewd(8), LIMITS):
#   1. 200 threads of an unprivileged reader in a container (its own cgroups and
#      pid namespace) open, read and close proc/meminfo for 30 s: the worker's
#      RSS stays <= 64 MiB;
#   2. one container holds 200,000 handles: past the cap of 65536 its opens fail
#      with EMFILE, its handles still read, and the worker's RSS stays <= 128 MiB;
# while another container's reads stay correct (MemTotal = its limit), with
# their p99 latency reported.
# Usage: memory.sh PV-FLOOD
. "$(dirname "$0")/common.sh"
FLOOD=${1:?usage: memory.sh PV-FLOOD}
require_root_fuse_v1
command -v setpriv >/dev/null || skip "setpriv missing"
command -v unshare >/dev/null || skip "unshare missing"
trap cleanup EXIT

flooder=pvt-flood-$$
victim=pvt-victim-$$
cg_create "$flooder"
cg_create "$victim"
cg_set memory "$flooder/memory.limit_in_bytes" $((512 << 20))
cg_set memory "$victim/memory.limit_in_bytes" $((200 << 20))
start_daemon
worker=$(tr -d ' ' < "/proc/$DAEMON_PID/task/$DAEMON_PID/children")
[ -n "$worker" ] || { fail "no worker"; finish; }

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

# watch_rss SECONDS: the worker's highest RSS (kB) sampled every 0.5 s
watch_rss() {
	local end=$((SECONDS + $1)) max=0 r
	while [ $SECONDS -lt $end ]; do
		r=$(rss_kb "$worker")
		[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
		sleep 0.5
	done
	echo "$max"
}

# The other container: reads meminfo in a loop, checks MemTotal, reports p99.
checker_out=$(mktemp /tmp/pvt-checker-XXXXXX)
start_checker() {
	in_cg "$victim" python3 -c '
import sys, time
path, want, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
lat, bad, end = [], 0, time.time() + secs
while time.time() < end:
    t = time.time()
    try:
        with open(path) as f:
            text = f.read()
        total = int(text.split("MemTotal:")[1].split()[0])
        if total != want:
            bad += 1
    except Exception as e:
        bad += 1
    lat.append(time.time() - t)
    time.sleep(0.002)
lat.sort()
print("reads %d bad %d p50 %.2f ms p99 %.2f ms max %.2f ms" % (len(lat), bad,
      lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000, lat[-1] * 1000))
' "$MNT/proc/meminfo" $((200 << 10)) "$1" > "$checker_out" &
	CHECKER=$!
}
check_checker() {
	wait "$CHECKER"
	local line
	line=$(cat "$checker_out")
	echo "other container during $1: $line"
	case "$line" in
	"reads "*" bad 0 "*) pass "the other container's reads stayed right during $1" ;;
	*) fail "the other container's reads during $1: $line" ;;
	esac
}

# 1. churn
start_checker 32
in_cg "$flooder" unshare --pid --fork setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$FLOOD" churn "$MNT/proc/meminfo" 200 30 > "$MNT.churn" &
flood=$!
max=$(watch_rss 31)
wait "$flood"
echo "churn: $(cat "$MNT.churn"); worker RSS peak $((max / 1024)) MiB"
opens=$(awk '{ print $2 }' "$MNT.churn")
errors=$(awk '{ print $4 }' "$MNT.churn")
[ "${opens:-0}" -gt 1000 ] && pass "200 unprivileged threads churned $opens opens" ||
	fail "the churn made only ${opens:-0} opens"
# its releases keep up with its opens: it never reaches the cap on open files
[ "$errors" = 0 ] && pass "no open of the churn was refused" ||
	fail "$errors opens of the churn failed: $(cat "$MNT.churn")"
[ "$max" -le $((64 << 10)) ] && pass "worker RSS stayed <= 64 MiB under the churn ($((max / 1024)) MiB)" ||
	fail "worker RSS reached $((max / 1024)) MiB under the churn"
check_checker "the churn"

# 2. held handles
start_checker 25
in_cg "$flooder" "$FLOOD" hold "$MNT/proc/meminfo" 200000 8 > "$MNT.hold" &
flood=$!
max=$(watch_rss 22)
wait "$flood"
echo "hold: $(tr '\n' ' ' < "$MNT.hold"); worker RSS peak $((max / 1024)) MiB"
held=$(awk '$1 == "held" { print $2 }' "$MNT.hold")
err=$(awk '$1 == "held" { print $6 }' "$MNT.hold")
[ "$held" = 65536 ] && [ "$err" = 24 ] &&
	pass "one container holds 65536 handles, then its opens fail with EMFILE" ||
	fail "held $held handles, last errno $err (want 65536, EMFILE=24)"
grep -q "read after hold: ok" "$MNT.hold" && pass "the held handles still read" ||
	fail "a held handle failed to read"
[ "$max" -le $((128 << 10)) ] && pass "worker RSS stayed <= 128 MiB with the handles held ($((max / 1024)) MiB)" ||
	fail "worker RSS reached $((max / 1024)) MiB with the handles held"
check_checker "the held handles"
kill -0 "$DAEMON_PID" && pass "daemon alive" || fail "daemon died"
rm -f "$MNT.churn" "$MNT.hold" "$checker_out"
finish
