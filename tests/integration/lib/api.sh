#!/bin/bash
# The libprocview API on real v1 cgroups: in the cgroup, inside a cgroup
# namespace (unshare -C, cgroupfs not remounted), and while the cgroup changes.
TEST_NAME=api
. "$(dirname "$0")/common.sh"
require_v1
cg_create
CHECK="$HELPERS/api-check"

cg_config 1 -1 268435456
in_cg "$CHECK" --cpuset 1 --count 1 --quota none --memory 268435456 &&
	pass "api in the cgroup" || fail "api in the cgroup"
if unshare -C true 2>/dev/null; then
	expect "unshare -C sees a namespaced /proc/self/cgroup" "3:cpuset:/" \
		"$(in_cg unshare -C grep -E '^[0-9]+:cpuset:' /proc/self/cgroup | sed 's/^[0-9]*/3/')"
	in_cg unshare -C "$CHECK" --cpuset 1 --count 1 --quota none --memory 268435456 &&
		pass "api inside a cgroup namespace" || fail "api inside a cgroup namespace"
else
	fail "unshare -C is not available"
fi
PROCVIEW_CPUS=5 in_cg "$CHECK" --count 5 && pass "PROCVIEW_CPUS overrides the count" ||
	fail "PROCVIEW_CPUS override"

# Changes while the process runs: each group is checked after the driver's change.
cg_config 1 -1 268435456
coproc CHK { in_cg "$CHECK" --cpuset 1 --count 1 --quota none \
	--next --cpuset 0-1 --count 2 --quota 150000/100000 \
	--next --cpuset 0 --count 1 --quota 150000/100000 --memory 134217728 2>&1; }
chk_pid=$CHK_PID
# Own copies of the pipe: bash unsets CHK once the coprocess has exited, which
# it may do before its last lines are read.
exec {chk_out}<&"${CHK[0]}" {chk_in}>&"${CHK[1]}"
step() {
	local line
	while read -r -t 30 line <&"$chk_out"; do
		echo "  $line"
		case "$line" in ready*) return 0 ;; esac
	done
	return 1
}
step || fail "api-check did not reach step 1"
cg_config 0-1 150000 -1
echo go >&"$chk_in"
step || fail "api-check did not reach step 2"
cg_config 0 150000 134217728
echo go >&"$chk_in"
while read -r -t 30 line <&"$chk_out"; do echo "  $line"; done
wait "$chk_pid" && pass "api follows cpuset, quota and memory changes at run time" ||
	fail "api after run-time changes"

cg_config 0-1 150000 -1
out=$(in_cg "$LIB_BUILD/procview-cpus")
expect "procview-cpus" "cpuset: 0-1
count: 2
quota: 1.50 CPUs (150000/100000 us)" "$out"
expect "procview-cpus --count" 2 "$(in_cg "$LIB_BUILD/procview-cpus" --count)"
"$LIB_BUILD/procview-cpus" --bogus 2>/dev/null
expect "procview-cpus with a bad option exits" 2 "$?"

finish
