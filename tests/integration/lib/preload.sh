#!/bin/bash
# libprocview-preload on real v1 cgroups: unmodified programs see the
# container's CPU count and memory, and pin by logical index successfully.
TEST_NAME=preload
. "$(dirname "$0")/common.sh"
require_v1
cg_create

pre() { in_cg env LD_PRELOAD="$PRELOAD" "$@"; }
pycount='import os; print(os.cpu_count())'

echo "# cpuset {1}, 256 MiB, no quota"
cg_config 1 -1 268435456
if in_cg taskset -c 0 true 2>/dev/null; then
	fail "taskset -c 0 succeeded without the preload (the test cannot tell)"
else
	pass "taskset -c 0 fails without the preload"
fi
out=$(pre taskset -c 0 grep Cpus_allowed_list /proc/self/status) || fail "taskset -c 0 failed with the preload"
expect "Cpus_allowed_list after taskset -c 0 with the preload" "Cpus_allowed_list:	1" "$out"
out=$(pre taskset -c 1 grep Cpus_allowed_list /proc/self/status)
expect "a mask inside the cpuset passes unchanged" "Cpus_allowed_list:	1" "$out"
if in_cg "$HELPERS/pin-threads" > /dev/null 2>&1; then
	fail "pin-threads succeeded without the preload (the test cannot tell)"
else
	pass "pin-threads fails without the preload"
fi
expect "pin-threads with the preload" "cpus: 1" "$(pre "$HELPERS/pin-threads")"
if in_cg "$HELPERS/pin-threads" --attr > /dev/null 2>&1; then
	fail "pin-threads --attr succeeded without the preload (the test cannot tell)"
else
	pass "pin-threads --attr fails without the preload"
fi
expect "pin-threads --attr (creation attributes) with the preload" "cpus: 1" \
	"$(pre "$HELPERS/pin-threads" --attr)"
expect "getconf _NPROCESSORS_ONLN" 1 "$(pre getconf _NPROCESSORS_ONLN)"
expect "getconf _NPROCESSORS_CONF" 1 "$(pre getconf _NPROCESSORS_CONF)"
expect "python3 os.cpu_count()" 1 "$(pre /usr/bin/python3 -c "$pycount")"
info=$(pre "$HELPERS/sysinfo-check")
expect "sysinfo() totalram" "totalram 268435456" "$(echo "$info" | grep ^totalram)"
expect "sysconf(_SC_PHYS_PAGES) bytes" "phys_pages_bytes 268435456" "$(echo "$info" | grep ^phys_pages)"
expect "get_nprocs, get_nprocs_conf" "nprocs 1 1" "$(echo "$info" | grep ^nprocs)"
free=$(echo "$info" | awk '/^freeram/ {print $2}')
[ "${free:-0}" -gt 0 ] && [ "$free" -le 268435456 ] && pass "freeram $free within the limit" ||
	fail "freeram '$free' not within (0, 256 MiB]"
host_total=$(in_cg "$HELPERS/sysinfo-check" | awk '/^totalram/ {print $2}')
[ "$host_total" -gt 268435456 ] && pass "without the preload sysinfo shows the host ($host_total)" ||
	fail "host totalram $host_total"
expect "PROCVIEW_CPUS overrides" 3 "$(PROCVIEW_CPUS=3 pre getconf _NPROCESSORS_ONLN)"
expect "LD_PRELOAD survives fork+exec (sh -c getconf)" 1 "$(pre sh -c 'getconf _NPROCESSORS_ONLN')"

echo "# cpuset {0,1}, quota 1.5 CPUs: rounded up to 2"
cg_config 0-1 150000 -1
expect "getconf _NPROCESSORS_ONLN" 2 "$(pre getconf _NPROCESSORS_ONLN)"
expect "python3 os.cpu_count()" 2 "$(pre /usr/bin/python3 -c "$pycount")"
expect "pin-threads with the preload" "cpus: 0,1" "$(pre "$HELPERS/pin-threads")"
expect "pin-threads --attr with the preload" "cpus: 0,1" "$(pre "$HELPERS/pin-threads" --attr)"
out=$(pre taskset -c 0 grep Cpus_allowed_list /proc/self/status)
expect "taskset -c 0 inside the cpuset is unchanged" "Cpus_allowed_list:	0" "$out"

echo "# cpuset {0,1}, quota 0.5 CPUs: at least 1"
cg_config 0-1 50000 -1
expect "getconf _NPROCESSORS_ONLN" 1 "$(pre getconf _NPROCESSORS_ONLN)"
expect "python3 os.cpu_count()" 1 "$(pre /usr/bin/python3 -c "$pycount")"
expect "pin-threads with the preload" "cpus: 0" "$(pre "$HELPERS/pin-threads")"
expect "procview-cpus --count" 1 "$(in_cg "$LIB_BUILD/procview-cpus" --count)"

finish
