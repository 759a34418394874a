#!/bin/bash
# The descriptors of a removed cgroup go when it is removed (procviewd(8),
# LIMITS), not at the sampler's next pass: with passes 60 s apart, 20
# containers are read (each a cgroup and pid namespace of its own), their
# cgroups removed once their processes exited, and within 2 s the worker holds
# fewer descriptors than while it had them; a container made anew under one
# of the names is then read right.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
command -v unshare >/dev/null || skip "unshare missing"
trap cleanup EXIT

N=20
start_daemon --sample-interval 60 --scan-max 0
WORKER=$(pgrep -P "$DAEMON_PID" | head -n1)
[ -n "$WORKER" ] || { fail "no worker"; finish; }
fds() { ls "/proc/$WORKER/fd" 2>/dev/null | wc -l; }

base=pvt-removal-$$
for i in $(seq $N); do
	cg_create "$base-$i"
	cg_set memory "$base-$i/memory.limit_in_bytes" $((100 << 20))
done
before=$(fds)
bad=0
for i in $(seq $N); do
	total=$(in_cg "$base-$i" unshare --pid --fork cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$total" = $((100 << 10)) ] || bad=$((bad + 1))
done
[ "$bad" = 0 ] && pass "$N containers read their MemTotal" || fail "$bad of $N reads were wrong"
held=$(fds)
for i in $(seq $N); do
	for c in $V1_CONTROLLERS; do
		rmdir "$CG_ROOT/$c/$base-$i"
	done
done
start=$(date +%s%N)
after=$held
while [ $(($(date +%s%N) - start)) -lt 2000000000 ]; do
	after=$(fds)
	[ "$after" -le $((held - N)) ] && break
	sleep 0.05
done
ms=$((($(date +%s%N) - start) / 1000000))
echo "worker descriptors: $before before the reads, $held with $N containers read, $after ${ms} ms after their removal"
[ "$after" -le $((held - N)) ] &&
	pass "the removed containers' descriptors went within $ms ms ($held -> $after), passes being 60 s apart" ||
	fail "the removed containers' descriptors stayed: $held -> $after after 2 s"

cg_create "$base-1"
cg_set memory "$base-1/memory.limit_in_bytes" $((150 << 20))
total=$(in_cg "$base-1" unshare --pid --fork cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$total" = $((150 << 10)) ] && pass "a container made anew under a removed one's name reads its own limit" ||
	fail "a container made anew under a removed one's name read MemTotal $total"
kill -0 "$DAEMON_PID" && pass "daemon alive" || fail "daemon died"
finish
