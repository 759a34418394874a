#!/bin/bash
# A container that makes pid namespaces in a loop, each with readers whose
# parent is outside it (as readers that joined by setns are): before Linux
# 6.11 only a scan of /proc finds their init. procviewd runs with
# --debug-pidns-no-ioctl, so this host takes that path whatever its kernel.
# Another container's reader measures its read latency without the flood,
# then under it: its p99 must stay within 3x. The flooding container's
# readers are all answered, and a reader that joined a namespace from outside
# is given its init's container once the flood is over (within the 10 s
# after which a namespace whose scan ran out of budget is looked at again).
# Arguments: PV-PIDNS-FLOOD.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
FLOOD=${1:?usage: pidns-flood.sh PV-PIDNS-FLOOD}
command -v unshare > /dev/null && command -v nsenter > /dev/null || skip "no unshare or nsenter"
trap cleanup EXIT

V=pvt-pidns-victim-$$
A=pvt-pidns-attack-$$
cg_create "$V"
cg_create "$A"
cg_set memory "$V/memory.limit_in_bytes" $((256 << 20))
# the flood's own processes may not starve the victim of CPU: a container's quota
cg_set cpu "$A/cpu.cfs_period_us" 100000
cg_set cpu "$A/cpu.cfs_quota_us" 20000
start_daemon --debug-pidns-no-ioctl

# The processes a scan has to look at: 3000 sleepers in the flooding container.
in_cg "$A" sh -c 'i=0; while [ $i -lt 3000 ]; do sleep 600 & i=$((i + 1)); done; echo started' \
	> "$MNT.sleepers" &
for _ in $(seq 300); do grep -q started "$MNT.sleepers" 2>/dev/null && break; sleep 0.1; done
echo "$(ls -d /proc/[0-9]* | wc -l) processes on the host"

# victim: an agent as the init of its container's pid namespace, one read per 10 ms
victim() { in_cg "$V" unshare --pid --fork --mount-proc "$FLOOD" measure "$MNT/proc/meminfo" 500 10; }
mt=$(in_cg "$V" unshare --pid --fork --mount-proc cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$mt" = $((256 * 1024)) ] && pass "the victim sees its 256 MiB" || fail "victim MemTotal '$mt'"

base=$(victim)
echo "without the flood: $base"
in_cg "$A" "$FLOOD" attack "$MNT/proc/meminfo" 8 8 12 > "$MNT.attack" &
attacker=$!
sleep 1
under=$(victim)
echo "under the flood:   $under"
wait "$attacker"
echo "flood: $(cat "$MNT.attack")"

p99() { echo "$1" | sed -n 's/.*p99_us \([0-9]*\).*/\1/p'; }
b=$(p99 "$base")
u=$(p99 "$under")
echo "RATIO victim p99 under the flood / without: $u / $b us = $(awk -v u="$u" -v b="$b" 'BEGIN { printf "%.2f", u / b }')"
if [ -n "$b" ] && [ -n "$u" ] && [ "$u" -le $((3 * b)) ]; then
	pass "the victim's p99 under the flood is within 3x of its p99 without"
else
	fail "the victim's p99 under the flood ($u us) is over 3x its p99 without ($b us)"
fi
echo "$base $under" | grep -q "errors 0 .*errors 0 " && pass "the victim's reads all succeeded" ||
	fail "the victim's reads failed: $base / $under"
grep -q "namespaces [1-9].* errors 0$" "$MNT.attack" && pass "every flooding reader was answered" ||
	fail "flood: $(cat "$MNT.attack")"

# A reader that joined a namespace from outside gets the container of its init
# (in the victim's cgroups) once the scans have their budget back.
in_cg "$V" unshare --pid --fork --mount-proc sleep "9$$" &
init=
for _ in $(seq 100); do
	init=$(pgrep -x -f "sleep 9$$")
	[ -n "$init" ] && break
	sleep 0.1
done
[ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$init/status")" = 1 ] || fail "no init ($init)"
# a scan refused or out of budget is tried again later (10 s for one out of budget)
for _ in $(seq 12); do
	sleep 1
	mt=$(in_cg "$A" nsenter -t "$init" -p -- cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$mt" = $((256 * 1024)) ] && break
done
[ "$mt" = $((256 * 1024)) ] && pass "a reader that joined by setns gets its init's container" ||
	fail "a reader that joined by setns: MemTotal '$mt', want $((256 * 1024))"
rm -f "$MNT.sleepers" "$MNT.attack"

kill -0 "$DAEMON_PID" 2>/dev/null && pass "daemon alive" || fail "daemon died"
stop_daemon && pass "SIGTERM: clean exit" || fail "SIGTERM: exit status $?"
finish
