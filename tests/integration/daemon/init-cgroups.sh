#!/bin/bash
# init-cgroups.sh PV-EXITING-INIT: the readers of a pid namespace whose init's
# /proc/PID/cgroup names only the root cgroups get their container's view or
# EIO, never the host's. On cgroup v1 the kernel shows an exiting task in the
# root of every v1 hierarchy (proc_cgroup_show), so an init whose main thread
# called pthread_exit() while another thread lives reads as the host; v1 also
# lets one thread of the init sit elsewhere, and an init may be moved away.
# Only a reader that itself sits in the root cgroups gets the host's files.
# The container: a cgroup in every v1 controller with a 256 MiB memory limit,
# its init pid 1 of a new pid namespace (unshare), its readers entering that
# namespace (nsenter, as runc exec does) from the cgroup or the root ones.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
EXITING_INIT=${1:?usage: $0 PV-EXITING-INIT}
command -v unshare > /dev/null && command -v nsenter > /dev/null || skip "no unshare or nsenter"

INIT=""
UNSHARE=""
stop_init() {
	[ -n "$INIT" ] && kill -9 "$INIT" 2>/dev/null
	[ -n "$UNSHARE" ] && wait "$UNSHARE" 2>/dev/null
	INIT=""
	UNSHARE=""
}
trap 'stop_init; cleanup' EXIT

Z=pvt-zinit-$$
cg_create "$Z"
cg_set memory "$Z/memory.limit_in_bytes" $((256 << 20))
WANT=$((256 * 1024))
HOST=$(meminfo_kb MemTotal < /proc/meminfo)
start_daemon

# start_init [live]: INIT, pid 1 of a new pid namespace, in cgroup Z, with two
# threads (the main one a zombie unless "live"); THREAD, its other thread.
start_init() {
	stop_init
	# not through in_cg, a function: run in the background it would be a subshell of its own
	sh -c 'for c in '"$V1_CONTROLLERS"'; do echo $$ > '"$CG_ROOT"'/$c/'"$Z"'/cgroup.procs || exit 99; done; exec "$@"' \
		sh unshare --pid --fork --kill-child "$EXITING_INIT" "$@" > /dev/null 2>&1 &
	UNSHARE=$!
	for _ in $(seq 200); do
		INIT=$(awk '{ print $1 }' "/proc/$UNSHARE/task/$UNSHARE/children" 2>/dev/null)
		if [ -n "$INIT" ] && [ "$(ls "/proc/$INIT/task" 2>/dev/null | wc -l)" = 2 ] &&
			grep -q 'exiting-init' "/proc/$INIT/comm" 2>/dev/null; then
			[ "${1:-}" = live ] && break
			[ "$(awk '{ print $3 }' "/proc/$INIT/stat")" = Z ] && break
		fi
		sleep 0.05
	done
	THREAD=$(ls "/proc/$INIT/task" | grep -vx "$INIT")
	[ -n "$INIT" ] && [ -n "$THREAD" ] || { echo "FAIL: the init did not start"; exit 1; }
}

# ns_memtotal CG-RUNNER...: MemTotal (kB) as a reader in INIT's pid namespace
# sees it, run by CG-RUNNER (in_cg Z, in_root_cg); "EIO" for an I/O error.
ns_memtotal() {
	local out
	out=$("$@" nsenter -t "$THREAD" -p -- cat "$MNT/proc/meminfo" 2>&1)
	case $out in
	*"Input/output error"*) echo EIO ;;
	*) echo "$out" | meminfo_kb MemTotal ;;
	esac
}
in_z() { in_cg "$Z" "$@"; }

# --- an init whose main thread exited: a zombie leader, the process alive
start_init
state=$(awk '{ print $3 }' "/proc/$INIT/stat")
[ "$state" = Z ] && pass "the init's main thread is a zombie, its thread $THREAD lives" || fail "the init's main thread is in state $state, not a zombie"
if grep -q ':memory:/$' "/proc/$INIT/cgroup"; then
	pass "the kernel shows the exiting leader in the root memory cgroup (the case under test)"
else
	echo "note: this kernel shows the exiting leader's own cgroups: $(grep ':memory:' "/proc/$INIT/cgroup")"
fi
got=$(ns_memtotal in_z)
[ "$got" = "$WANT" ] && pass "a reader of its namespace gets the 256 MiB limit" || fail "a reader of its namespace got MemTotal '$got', want $WANT (host: $HOST)"
got=$(ns_memtotal in_root_cg)
[ "$got" = "$WANT" ] && pass "so does a reader of its namespace in the root cgroups" || fail "a root-cgroup reader of its namespace got MemTotal '$got', want $WANT"
got=$(in_z nsenter -t "$THREAD" -p -- /usr/bin/python3 -c '
import sys
seen = set()
for i in range(200):
    with open(sys.argv[1] + "/proc/meminfo") as f:
        seen.add(f.readline().split()[1])
print(" ".join(sorted(seen)))' "$MNT" 2>&1)
[ "$got" = "$WANT" ] && pass "200 opens from one reader all get the limit" || fail "200 opens got '$got'"

# --- v1 lets one thread sit elsewhere: the main thread in the root cgroups, the other in Z
start_init live
for c in $V1_CONTROLLERS; do echo "$INIT" > "$CG_ROOT/$c/tasks"; done
if grep -q ":memory:/$Z\$" "/proc/$INIT/task/$THREAD/cgroup" && grep -q ':memory:/$' "/proc/$INIT/cgroup"; then
	got=$(ns_memtotal in_z)
	[ "$got" = "$WANT" ] && pass "an init whose main thread left for the root cgroups: the limit of its other thread's cgroup" || fail "an init with its main thread in the root cgroups: MemTotal '$got', want $WANT (host: $HOST)"
else
	fail "could not move the init's main thread alone: $(cat "/proc/$INIT/cgroup" | tr '\n' ' ')"
fi

# --- an init moved to the root cgroups, its readers left in Z: EIO (or the container), never the host
start_init live
for c in $V1_CONTROLLERS; do echo "$INIT" > "$CG_ROOT/$c/cgroup.procs"; done
grep -q "$Z" "/proc/$INIT/task/$THREAD/cgroup" && fail "the init's thread stayed in $Z"
got=$(ns_memtotal in_z)
case $got in
EIO | "$WANT") pass "an init moved to the root cgroups: a reader in its container gets $got" ;;
*) fail "an init moved to the root cgroups: a reader in its container got MemTotal '$got' (host: $HOST)" ;;
esac
got=$(ns_memtotal in_root_cg)
[ "$got" = "$HOST" ] && pass "a reader of that namespace in the root cgroups gets the host's file" || fail "a root-cgroup reader of that namespace got MemTotal '$got', want the host's $HOST"
stop_init

# --- readers in the host's pid namespace
got=$(in_root_cg cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$got" = "$HOST" ] && pass "a host reader in the root cgroups gets the host's file" || fail "a host reader got MemTotal '$got', want $HOST"
got=$(in_z cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$got" = "$WANT" ] && pass "a host reader in Z gets the limit" || fail "a host reader in Z got MemTotal '$got', want $WANT"
finish
