#!/bin/bash
# A few tenants cannot exhaust everyone's open files (procviewd(8), LIMITS):
# five tenant containers (each its own cgroup and pid namespace) try to hold
# as many handles of proc/meminfo as they can; a sixth container can still
# open files and read its meminfo right (MemTotal = its limit), and all of
# them together hold no more than the daemon's pool. With a pool of four
# tenants' allowances handed out first come, first served, four such tenants
# left the sixth nothing but EMFILE.
# Usage: tenant-fair.sh PV-FLOOD
# PV_LIMITS_DIVISOR (default 4): the caps are divided by it for speed
# (--debug-limits-divisor); 1 runs at the real 65536 per tenant.
. "$(dirname "$0")/common.sh"
FLOOD=${1:?usage: tenant-fair.sh PV-FLOOD}
require_root_fuse_v1
command -v unshare >/dev/null || skip "unshare missing"
trap cleanup EXIT

DIV=${PV_LIMITS_DIVISOR:-4}
PER=$((65536 / DIV))
POOL=$((4 * PER))
TENANTS=5
victim=pvt-fvictim-$$
cg_create "$victim"
cg_set memory "$victim/memory.limit_in_bytes" $((200 << 20))
for i in $(seq $TENANTS); do
	cg_create "pvt-fair$i-$$"
done
if [ "$DIV" = 1 ]; then start_daemon; else start_daemon --debug-limits-divisor="$DIV"; fi
out=$(mktemp -d /tmp/pvt-fair-XXXXXX)

floods=()
for i in $(seq $TENANTS); do
	in_cg "pvt-fair$i-$$" unshare --pid --fork "$FLOOD" hold "$MNT/proc/meminfo" "$PER" 30 \
		> "$out/t$i" &
	floods+=($!)
done
end=$((SECONDS + 120))
while [ $SECONDS -lt $end ] && [ "$(cat "$out"/t* 2>/dev/null | grep -c '^held')" -lt $TENANTS ]; do
	sleep 0.5
done
held=$(cat "$out"/t* 2>/dev/null | awk '$1 == "held" { n += $2 } END { print n + 0 }')
each=$(cat "$out"/t* 2>/dev/null | awk '$1 == "held" { printf "%s ", $2 }')
echo "$TENANTS tenants hold $held handles ($each), the pool is $POOL, a tenant's cap $PER"
[ "$held" -le $POOL ] && pass "$TENANTS greedy tenants hold $held handles, within the pool of $POOL" ||
	fail "$TENANTS greedy tenants hold $held handles, past the pool of $POOL"
for i in $(seq $TENANTS); do
	n=$(awk '$1 == "held" { print $2 }' "$out/t$i")
	[ "${n:-0}" -gt 0 ] || fail "tenant $i got no handle"
done

# the sixth container: opens and reads right, and can hold some handles too
bad=0
for n in $(seq 20); do
	total=$(in_cg "$victim" unshare --pid --fork cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$total" = $((200 << 10)) ] || bad=$((bad + 1))
done
[ "$bad" = 0 ] && pass "a sixth container's 20 opens and reads were right while $TENANTS tenants held all they could" ||
	fail "$bad of a sixth container's 20 reads were wrong or refused while $TENANTS tenants held all they could"
want=$((PER / 16))
got=$(in_cg "$victim" unshare --pid --fork "$FLOOD" hold "$MNT/proc/meminfo" "$want" 0 |
	awk '$1 == "held" { print $2 }')
echo "the sixth container held ${got:-0} of $want handles"
[ "${got:-0}" = "$want" ] && pass "the sixth container held $want handles at once" ||
	fail "the sixth container held ${got:-0} of $want handles"

wait "${floods[@]}"
ok=$(cat "$out"/t* | grep -c "read after hold: ok")
[ "$ok" = $TENANTS ] && pass "every tenant's held handles still read" ||
	fail "only $ok of $TENANTS tenants read their held handles"
kill -0 "$DAEMON_PID" && pass "daemon alive" || fail "daemon died"
rm -rf "$out"
finish
