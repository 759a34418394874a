# Shared by libprocview's integration tests on a cgroup v1 or hybrid host.
# Sourced; expects PV_BUILD_ROOT and TEST_NAME. Creates only cgroups named
# pvlib-$TEST_NAME-$$ and removes them on exit.

set -u
LIB_BUILD="${PV_BUILD_ROOT:?}/src/lib"
HELPERS="$PV_BUILD_ROOT/tests/integration/lib"
PRELOAD="$LIB_BUILD/libprocview-preload.so"
CG_ROOT=/sys/fs/cgroup
CONTROLLERS="cpuset cpu cpuacct memory pids"
CG="pvlib-${TEST_NAME:?}-$$"
FAILED=0
CG_MADE=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }

# expect DESCRIPTION EXPECTED ACTUAL
expect() {
	if [ "$2" = "$3" ]; then pass "$1 = '$3'"; else fail "$1: expected '$2', got '$3'"; fi
}

require_v1() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	local c
	for c in $CONTROLLERS; do
		[ -w "$CG_ROOT/$c" ] || skip "no writable cgroup v1 $c hierarchy (cgroup v2 runs in the VM harness)"
	done
	case "$(cat "$CG_ROOT/cpuset/cpuset.effective_cpus" 2>/dev/null || cat "$CG_ROOT/cpuset/cpuset.cpus")" in
	*0*1* | 0-*) ;;
	*) skip "CPUs 0 and 1 are not both available" ;;
	esac
	[ -e "$PRELOAD" ] || { echo "FAIL: $PRELOAD not built"; exit 1; }
}

cleanup() {
	local c pid i
	for pid in $(cat "$CG_ROOT/memory/$CG/cgroup.procs" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null
	done
	for c in $CONTROLLERS; do
		[ -d "$CG_ROOT/$c/$CG" ] || continue
		for i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$CG_ROOT/$c/$CG" 2>/dev/null && break
			sleep 0.2
		done
	done
}

cg_create() {
	local c
	trap cleanup EXIT
	for c in $CONTROLLERS; do
		mkdir "$CG_ROOT/$c/$CG" || { echo "FAIL: cannot create $CG_ROOT/$c/$CG"; exit 1; }
	done
	cat "$CG_ROOT/cpuset/cpuset.mems" > "$CG_ROOT/cpuset/$CG/cpuset.mems"
}

# cg_config CPUS QUOTA_US MEMORY_BYTES ("-1" for no quota / memory limit)
cg_config() {
	echo "$1" > "$CG_ROOT/cpuset/$CG/cpuset.cpus"
	echo 100000 > "$CG_ROOT/cpu/$CG/cpu.cfs_period_us"
	echo "$2" > "$CG_ROOT/cpu/$CG/cpu.cfs_quota_us"
	echo "$3" > "$CG_ROOT/memory/$CG/memory.limit_in_bytes"
}

# in_cg CMD...: runs CMD inside the test cgroup (every controller).
in_cg() {
	sh -c 'for c in '"$CONTROLLERS"'; do echo $$ > '"$CG_ROOT"'/$c/'"$CG"'/cgroup.procs || exit 99; done; exec "$@"' sh "$@"
}

finish() {
	if [ "$FAILED" = 0 ]; then echo "PASS: $TEST_NAME"; else echo "FAILED: $TEST_NAME"; fi
	exit "$FAILED"
}
