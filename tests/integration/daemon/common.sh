# Shared by the daemon's integration tests on this (cgroup v1 or hybrid) host.
# Sourced; expects PV_BUILD_ROOT. Creates only cgroups named pvt-*-$$ and removes them.

set -u
PROCVIEWD="${PV_BUILD_ROOT:?}/src/daemon/procviewd"
V1_CONTROLLERS="memory cpu cpuacct cpuset blkio pids"
CG_ROOT=/sys/fs/cgroup
FAILED=0
CREATED_CGROUPS=""
DAEMON_PID=""
MNT=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }

require_root_fuse_v1() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	[ -x "$PROCVIEWD" ] || { echo "FAIL: $PROCVIEWD not built"; exit 1; }
	for c in $V1_CONTROLLERS; do
		[ -w "$CG_ROOT/$c" ] || skip "no writable cgroup v1 $c hierarchy"
	done
}

# cg_create NAME: a cgroup NAME in every v1 controller; cpuset gets the parent's cpus/mems.
cg_create() {
	local name=$1 c
	for c in $V1_CONTROLLERS; do
		mkdir -p "$CG_ROOT/$c/$name"
	done
	cat "$CG_ROOT/cpuset/cpuset.cpus" > "$CG_ROOT/cpuset/$name/cpuset.cpus"
	cat "$CG_ROOT/cpuset/cpuset.mems" > "$CG_ROOT/cpuset/$name/cpuset.mems"
	CREATED_CGROUPS="$name $CREATED_CGROUPS"
}

cg_set() { echo "$3" > "$CG_ROOT/$1/$2"; }

# in_cg NAME CMD...: runs CMD inside cgroup NAME (every controller).
in_cg() {
	local name=$1
	shift
	sh -c 'for c in '"$V1_CONTROLLERS"'; do echo $$ > '"$CG_ROOT"'/$c/'"$name"'/cgroup.procs || exit 99; done; exec "$@"' sh "$@"
}

# in_root_cg CMD...: runs CMD in the root cgroup of every controller (a host reader).
in_root_cg() {
	sh -c 'for c in '"$V1_CONTROLLERS"'; do echo $$ > '"$CG_ROOT"'/$c/cgroup.procs || exit 99; done; exec "$@"' sh "$@"
}

cg_kill_all() {
	local name=$1 pid
	# a CPU quota would ration the dying processes' exits too
	echo -1 > "$CG_ROOT/cpu/$name/cpu.cfs_quota_us" 2>/dev/null
	for pid in $(cat "$CG_ROOT/memory/$name/cgroup.procs" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
}

start_daemon() {
	MNT=$(mktemp -d /tmp/pvt-mnt-XXXXXX)
	# PV_DAEMON_WRAPPER: a command the daemon runs under (memcheck.sh uses valgrind)
	# PV_DAEMON_ARGS: options it adds (memcheck.sh: --no-seccomp)
	# shellcheck disable=SC2086
	${PV_DAEMON_WRAPPER:-} "$PROCVIEWD" -f ${PV_DAEMON_ARGS:-} "$@" "$MNT" 2> "$MNT.log" &
	DAEMON_PID=$!
	# served, and the worker has said so (tests count log lines from here on)
	for _ in $(seq 300); do
		[ -e "$MNT/proc/meminfo" ] && grep -q " serving " "$MNT.log" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: procviewd did not mount"; cat "$MNT.log"; exit 1
}

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	local rc=$?
	DAEMON_PID=""
	return $rc
}

cleanup() {
	local name c
	[ -n "$DAEMON_PID" ] && { kill -TERM "$DAEMON_PID" 2>/dev/null; wait "$DAEMON_PID" 2>/dev/null; }
	[ -n "$MNT" ] && { umount -l "$MNT" 2>/dev/null; rmdir "$MNT" 2>/dev/null; rm -f "$MNT.log"; }
	for name in $CREATED_CGROUPS; do
		cg_kill_all "$name"
	done
	sleep 0.2
	for name in $CREATED_CGROUPS; do
		# thousands of killed processes take a while to go; rmdir needs them gone
		for _ in $(seq 100); do
			[ -s "$CG_ROOT/memory/$name/cgroup.procs" ] || break
			sleep 0.1
		done
		for c in $V1_CONTROLLERS; do
			rmdir "$CG_ROOT/$c/$name" 2>/dev/null
		done
	done
}

# field FILE KEY: the number after "KEY:" in a meminfo-style text on stdin
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }'; }

finish() {
	grep -q 'seccomp allow-list' "$MNT.log" 2>/dev/null && fail "the worker's filter ended a worker"
	if [ "$FAILED" = 0 ]; then echo "all checks passed"; exit 0; fi
	echo "some checks failed"; echo "--- procviewd log"; cat "$MNT.log" 2>/dev/null; exit 1
}
