#!/bin/bash
# Readers that joined a container's pid namespace by setns (nsenter, runc
# exec), on the path of kernels before 6.11 (--debug-pidns-no-ioctl: only a
# scan of /proc finds their init), among 2,000 other processes:
# - the first such reader of a new namespace reads its init's container
#   (MemTotal = its 256 MiB limit) on its first read, from the container's
#   cgroup and from the root cgroups alike;
# - eight readers in the root cgroups that join a new namespace at once each
#   get the container's MemTotal or EIO while its init is being looked for,
#   never the host's (a reader whose init is not known yet is not served the
#   host's files just because it sits in the root cgroups);
# - the scans run in the worker's own thread at nice 19, never in a serving
#   thread.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
command -v unshare > /dev/null && command -v nsenter > /dev/null || skip "no unshare or nsenter"
trap cleanup EXIT

V=pvt-setns-$$
B=pvt-setns-busy-$$
cg_create "$V"
cg_create "$B"
cg_set memory "$V/memory.limit_in_bytes" $((256 << 20))
WANT=$((256 * 1024))
HOST=$(meminfo_kb MemTotal < /proc/meminfo)
start_daemon --debug-pidns-no-ioctl --scan-max=0

in_cg "$B" sh -c 'i=0; while [ $i -lt 2000 ]; do sleep 600 & i=$((i + 1)); done; echo started' \
	> "$MNT.sleepers" &
for _ in $(seq 300); do grep -q started "$MNT.sleepers" 2>/dev/null && break; sleep 0.1; done
echo "$(ls -d /proc/[0-9]* | wc -l) processes on the host"

# new_init TAG: the init of a new pid namespace in the container's cgroups, in INIT
new_init() {
	in_cg "$V" unshare --pid --fork --mount-proc sleep "$1" &
	INIT=
	for _ in $(seq 100); do
		INIT=$(pgrep -x -f "sleep $1")
		[ -n "$INIT" ] && break
		sleep 0.1
	done
	[ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$INIT/status" 2>/dev/null)" = 1 ] ||
		{ echo "FAIL: no init for $1"; exit 1; }
}
# setns_read CG-RUNNER...: MemTotal (kB) a reader that joined INIT's pid
# namespace reads, run by CG-RUNNER; "EIO" for an I/O error
setns_read() {
	local out
	out=$("$@" nsenter -t "$INIT" -p -- cat "$MNT/proc/meminfo" 2>&1)
	case $out in
	*"Input/output error"*) echo EIO ;;
	*) echo "$out" | meminfo_kb MemTotal ;;
	esac
}
in_v() { in_cg "$V" "$@"; }

new_init "91$$"
t0=$(date +%s%N)
got=$(setns_read in_v)
echo "the first setns read of a new namespace took $((($(date +%s%N) - t0) / 1000000)) ms"
[ "$got" = "$WANT" ] && pass "the first reader that joined a new namespace reads its container" ||
	fail "the first reader that joined a new namespace read MemTotal '$got', want $WANT"

new_init "92$$"
got=$(setns_read in_root_cg)
[ "$got" = "$WANT" ] && pass "so does the first such reader in the root cgroups" ||
	fail "the first root-cgroup reader that joined a new namespace read MemTotal '$got', want $WANT"

# eight at once, each time in a new namespace
host=0 right=0 eio=0 other=0
for round in 1 2 3; do
	new_init "9$round$round$$"
	readers=
	for i in $(seq 8); do
		setns_read in_root_cg > "$MNT.r$i" &
		readers="$readers $!"
	done
	# shellcheck disable=SC2086
	wait $readers
	for i in $(seq 8); do
		case $(cat "$MNT.r$i") in
		"$WANT") right=$((right + 1)) ;;
		"$HOST") host=$((host + 1)) ;;
		EIO) eio=$((eio + 1)) ;;
		*) other=$((other + 1)) ;;
		esac
	done
done
echo "24 root-cgroup readers in 3 new namespaces: $right the container's, $eio EIO, $host the host's, $other other"
[ "$host" = 0 ] && [ "$other" = 0 ] && [ "$right" -gt 0 ] &&
	pass "root-cgroup readers joining at once get their container's MemTotal or EIO, never the host's" ||
	fail "root-cgroup readers joining at once: $host read the host's MemTotal, $other something else, $right their container's"

WORKER=$(pgrep -P "$DAEMON_PID" | head -n1)
scanner=$(grep -lx pv-pidns-scan /proc/"$WORKER"/task/*/comm 2> /dev/null | head -n1)
nice=$([ -n "$scanner" ] && awk '{ print $19 }' "${scanner%/comm}/stat")
[ "$nice" = 19 ] && pass "the scans run in the worker's scanner thread at nice 19" ||
	fail "scanner thread: '${scanner:-none}', nice '$nice'"

pkill -f "sleep 9[0-9]*$$" 2> /dev/null
cg_kill_all "$B"
for _ in $(seq 100); do
	[ -s "$CG_ROOT/memory/$B/cgroup.procs" ] || break
	sleep 0.1
done
rm -f "$MNT.sleepers" "$MNT".r*
kill -0 "$DAEMON_PID" 2> /dev/null && pass "daemon alive" || fail "daemon died"
finish
