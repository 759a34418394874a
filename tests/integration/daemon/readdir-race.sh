#!/bin/bash
# Directories under concurrent use: in a container and on the host at once, 8 threads
# each open, list (with buffers from 96 bytes to 64 KiB), seek to every entry's offset
# and past the end, and close procviewd's directories for a few seconds, while reader
# processes are SIGKILLed in the middle of listings. A close right after a listing's
# last reply sends RELEASEDIR while the thread that replied may still be in its READDIR
# handler. Every listing equals the part of the first one that follows its starting
# offset, the daemon survives, logs nothing, and SIGTERM then ends it with status 0.
# In the sanitizer build (sanitizer-run.sh) a use after free or a leak fails it: a
# readdir that touches its handle after replying, freed by releasedir, is caught.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap cleanup EXIT
RACE="$PV_BUILD_ROOT/tests/integration/daemon/pv-readdir-race"
[ -x "$RACE" ] || { echo "FAIL: $RACE not built"; exit 1; }

A=pvt-readdir-$$
cg_create "$A"
# one CPU in the container, so its sys/devices/system/cpu differs from the host's
first_cpu=$(cut -d, -f1 "$CG_ROOT/cpuset/cpuset.cpus" | cut -d- -f1)
cg_set cpuset "$A/cpuset.cpus" "$first_cpu"
start_daemon

secs=${PV_READDIR_RACE_SECONDS:-5}
in_cg "$A" "$RACE" "$MNT" "$secs" 8 > "$MNT.a" 2>&1 &
pa=$!
in_root_cg "$RACE" "$MNT" "$secs" 8 > "$MNT.h" 2>&1
wait $pa
ra=$(cat "$MNT.a"); rh=$(cat "$MNT.h")
rm -f "$MNT.a" "$MNT.h"
case $ra in ok*) pass "container (cpuset {$first_cpu}): ${ra#ok }" ;; *) fail "container: $ra" ;; esac
case $rh in ok*) pass "host: ${rh#ok }" ;; *) fail "host: $rh" ;; esac

# the container still sees its own CPUs only, the host all of them
got=$(in_cg "$A" ls "$MNT/sys/devices/system/cpu" | grep -c '^cpu[0-9]')
[ "$got" = 1 ] && pass "the container lists 1 cpuN directory" || fail "the container lists $got cpuN directories"

kill -0 "$DAEMON_PID" 2>/dev/null && pass "daemon alive" || fail "daemon died"
# only the start-up's info lines (the worker's may come after the mount answers)
noise=$(grep -v -e '^procviewd: info: ' -e '^procviewd: notice: ' "$MNT.log")
[ -z "$noise" ] && pass "nothing logged above info" || fail "logged: $(echo "$noise" | tail -3)"
stop_daemon && pass "SIGTERM: exit 0" || fail "SIGTERM: exit status $?"
finish
