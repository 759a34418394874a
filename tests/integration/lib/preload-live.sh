#!/bin/bash
# libprocview-preload in a process that outlives changes to its cgroup: the CPU
# count it gives is remembered only while the thread's affinity mask is the
# same, so a cpuset change (which rewrites the mask) is seen by the very next
# call, with no pause in between, and so is a move to another cgroup; a new
# CPU quota, which the mask cannot show, is seen within 100 ms.
TEST_NAME=preload-live
. "$(dirname "$0")/common.sh"
require_v1
cg_create

CG2="pvlib-${TEST_NAME}2-$$"
trap 'cleanup; for c in $CONTROLLERS; do rmdir "$CG_ROOT/$c/$CG2" 2>/dev/null; done' EXIT
for c in $CONTROLLERS; do mkdir "$CG_ROOT/$c/$CG2"; done
cat "$CG_ROOT/cpuset/cpuset.mems" > "$CG_ROOT/cpuset/$CG2/cpuset.mems"
echo 1 > "$CG_ROOT/cpuset/$CG2/cpuset.cpus"

cg_config 0-1 -1 -1
# A reader that answers os.cpu_count() (sysconf(_SC_NPROCESSORS_ONLN)) per input
# line, after calling it 1000 times so that the remembered count is the one
# in use. It prints its pid first.
coproc READER { in_cg env LD_PRELOAD="$PRELOAD" /usr/bin/python3 -u -c '
import os, sys
print(os.getpid())
for line in sys.stdin:
    for _ in range(1000):
        os.cpu_count()
    print(os.cpu_count())'; }
coproc_pid=$READER_PID # bash unsets READER_PID once the reader has exited
read -r reader_pid <&"${READER[0]}"
ask() { echo >&"${READER[1]}"; read -r ans <&"${READER[0]}"; echo "$ans"; }

expect "cpuset {0,1}" 2 "$(ask)"
echo 0 > "$CG_ROOT/cpuset/$CG/cpuset.cpus"
expect "right after the cpuset became {0}" 1 "$(ask)"
echo 0-1 > "$CG_ROOT/cpuset/$CG/cpuset.cpus"
expect "right after the cpuset became {0,1} again" 2 "$(ask)"
for c in $CONTROLLERS; do echo "$reader_pid" > "$CG_ROOT/$c/$CG2/cgroup.procs"; done
expect "right after a move to a cgroup of cpuset {1}" 1 "$(ask)"
for c in $CONTROLLERS; do echo "$reader_pid" > "$CG_ROOT/$c/$CG/cgroup.procs"; done
expect "right after the move back" 2 "$(ask)"
echo 50000 > "$CG_ROOT/cpu/$CG/cpu.cfs_quota_us"
sleep 0.15
expect "0.15 s after a quota of 0.5 CPU" 1 "$(ask)"
echo -1 > "$CG_ROOT/cpu/$CG/cpu.cfs_quota_us"
sleep 0.15
expect "0.15 s after the quota was lifted" 2 "$(ask)"

exec {READER[1]}>&-
wait "$coproc_pid" 2>/dev/null
finish
