#!/bin/bash
# The descriptors of dead readers and dead inits go when they die
# (procviewd(8), LIMITS), not at the sampler's next pass: with passes 60 s
# apart, 30 containers (each a cgroup with a memory limit and a pid namespace
# of its own) have readers that keep reading, threads of one process and a
# loop of cat; each namespace's init is then killed with them, their cgroups
# removed, and within 2 s of that the worker holds about as many descriptors
# as before the first read. A reader thread that exits while its process lives is
# forgotten too.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
command -v unshare >/dev/null || skip "unshare missing"
FLOOD=${1:?usage: dead-readers.sh PV-FLOOD}
trap cleanup EXIT

N=30
start_daemon --sample-interval 60 --scan-max 0
WORKER=$(pgrep -P "$DAEMON_PID" | head -n1)
[ -n "$WORKER" ] || { fail "no worker"; finish; }
fds() { ls "/proc/$WORKER/fd" 2>/dev/null | wc -l; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

base=pvt-dead-$$
for i in $(seq $N); do
	cg_create "$base-$i"
	cg_set memory "$base-$i/memory.limit_in_bytes" $((100 << 20))
done
# a read first, so that the daemon's own lazily opened files count in before
cat "$MNT/proc/meminfo" >/dev/null
before=$(fds)
inits=""
for i in $(seq $N); do
	in_cg "$base-$i" unshare --pid --fork sh -c '
		"$1" churn "$2" 3 120 >/dev/null 2>&1 &
		(while :; do cat "$2" >/dev/null; sleep 0.05; done) &
		exec sleep 120' sh "$FLOOD" "$MNT/proc/meminfo" &
	inits="$inits $!"
done
# every namespace's readers have read
sleep 2
total=$(in_cg "$base-1" unshare --pid --fork cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$total" = $((100 << 10)) ] && pass "a container's reader reads its MemTotal" ||
	fail "a container's reader read MemTotal $total"
held=$(fds)
[ "$held" -ge $((before + 3 * N)) ] && pass "the readers of $N namespaces hold descriptors ($before -> $held)" ||
	fail "the readers of $N namespaces hold too few descriptors ($before -> $held)"

pids=""
for i in $(seq $N); do
	pids="$pids $(cat "$CG_ROOT/memory/$base-$i/cgroup.procs")"
done
# shellcheck disable=SC2086
kill -9 $pids
start=$(now_ms)
for i in $(seq $N); do
	for _ in $(seq 100); do
		[ -z "$(cat "$CG_ROOT/memory/$base-$i/cgroup.procs")" ] && break
		sleep 0.01
	done
done
# shellcheck disable=SC2086
wait $inits 2>/dev/null
dead=$(($(now_ms) - start))
at_death=$(fds)
for i in $(seq $N); do
	for c in $V1_CONTROLLERS; do
		rmdir "$CG_ROOT/$c/$base-$i"
	done
done
removed=$(($(now_ms) - start))
# the 2 s run from the last rmdir: removing 150 v1 cgroups can itself take
# seconds on a busy host
gone=$(now_ms)
after=$(fds)
while [ "$after" -gt $((before + 3)) ] && [ $(($(now_ms) - gone)) -lt 2000 ]; do
	sleep 0.05
	after=$(fds)
done
ms=$(($(now_ms) - start))
echo "worker descriptors: $before before the reads, $held while $N namespaces read, $after ${ms} ms after their inits were killed ($at_death when all had died at $dead ms, their cgroups removed at $removed ms)"
[ "$after" -le $((before + 3)) ] &&
	pass "the dead readers' and inits' descriptors went within $ms ms ($held -> $after, $before before), passes being 60 s apart" ||
	fail "the dead readers' and inits' descriptors stayed: $held -> $after after 2 s ($before before)"

# a reader thread of a host process exits while its process lives on
cat "$MNT/proc/meminfo" >/dev/null
before=$(fds)
"$FLOOD" churn "$MNT/proc/meminfo" 8 1 >/dev/null &
flood=$!
sleep 0.5
during=$(fds)
wait "$flood"
start=$(now_ms)
after=$during
while [ $(($(now_ms) - start)) -lt 2000 ]; do
	after=$(fds)
	[ "$after" -le $((before + 1)) ] && break
	sleep 0.05
done
echo "worker descriptors: $before before 8 reader threads, $during while they read, $after $(($(now_ms) - start)) ms after they exited"
[ "$after" -le $((before + 1)) ] && pass "exited reader threads' descriptors went ($during -> $after)" ||
	fail "exited reader threads' descriptors stayed ($during -> $after, $before before)"
kill -0 "$DAEMON_PID" && pass "daemon alive" || fail "daemon died"
finish
