#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Guest side of lib-api-v2: libprocview on a cgroup-v2 host, run by
# tests/integration/vm/pv-vm as root in the root cgroup of a 2-CPU guest.
# Arguments: BUILD-ROOT UNSHARE GETCONF, where UNSHARE is util-linux
# unshare (busybox's has no -C) and GETCONF glibc's getconf (a dynamically
# linked sysconf() caller: busybox is static, so a preload cannot reach it).
#
# Every check prints what it compared; any failure makes the script, and so
# the VM run, exit non-zero.

build=$1
unshare=$2
getconf=$3
lib=$build/src/lib
helpers=$build/tests/integration/lib
check=$helpers/api-check
preload=$lib/libprocview-preload.so
CG=/sys/fs/cgroup
PFX=pvlib-api-v2-$$
fails=0

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { # WHAT GOT WANT
        if [ "$2" = "$3" ]; then ok "$1: '$2'"; else bad "$1: got '$2', want '$3'"; fi
}
# expect_run WHAT CMD...: CMD must exit 0; its output is shown either way.
expect_run() {
        what=$1
        shift
        if out=$("$@" 2>&1); then
                ok "$what"
        else
                bad "$what (exit $?)"
        fi
        [ -n "$out" ] && echo "$out" | sed 's/^/    /'
}

# run_in CGROUP CMD ARGS...: runs CMD as a member of $CG/$PFX-CGROUP.
run_in() {
        cg=$CG/$PFX-$1
        shift
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

# limits CGROUP CPUS CPU.MAX MEMORY.MAX
limits() {
        echo "$2" >"$CG/$PFX-$1/cpuset.cpus" || bad "cpuset.cpus=$2"
        echo "$3" >"$CG/$PFX-$1/cpu.max" || bad "cpu.max=$3"
        echo "$4" >"$CG/$PFX-$1/memory.max" || bad "memory.max=$4"
}

cleanup() {
        [ -n "$chk" ] && kill "$chk" 2>/dev/null
        exec 3>&-
        wait 2>/dev/null
        for d in "$CG/$PFX-"*/*/ "$CG/$PFX-"*/; do [ -d "$d" ] && rmdir "$d"; done
}
chk=
trap cleanup EXIT

for f in "$check" "$helpers/pin-threads" "$helpers/sysinfo-check" "$lib/procview-cpus" \
        "$preload" "$unshare" "$getconf"; do
        [ -e "$f" ] || { bad "$f is missing in the guest"; exit 1; }
done

# The library is found in the build tree through api-check's RUNPATH
# ($ORIGIN-relative, so the loader's path starts at api-check's directory),
# not some installed copy.
resolved=$(env -u LD_LIBRARY_PATH LD_TRACE_LOADED_OBJECTS=1 "$check" |
        awk '$1 == "libprocview.so.0" { print $3 }')
expect_eq "api-check loads libprocview.so.0 from" "$(realpath "$resolved" 2>&1)" \
        "$(realpath "$lib/libprocview.so.0")"
case $resolved in
"$helpers"/*) ok "found through api-check's \$ORIGIN RUNPATH: $resolved" ;;
*) bad "libprocview.so.0 was not found through the RUNPATH: '$resolved'" ;;
esac

mkdir "$CG/$PFX-a" || { bad "mkdir $CG/$PFX-a"; exit 1; }
limits a 1 "50000 100000" 268435456
expect_eq "cpuset.cpus.effective" "$(cat "$CG/$PFX-a/cpuset.cpus.effective")" 1

echo "# in a v2 cgroup: cpus 1, cpu.max 50000 100000, memory.max 256 MiB"
A="--cpuset 1 --count 1 --quota 50000/100000 --memory 268435456"
# shellcheck disable=SC2086
expect_run "api-check $A" run_in a "$check" $A

expect_eq "/proc/self/cgroup inside unshare -C" "$(run_in a "$unshare" -C cat /proc/self/cgroup)" "0::/"
# shellcheck disable=SC2086
expect_run "api-check $A inside a cgroup namespace (cgroupfs not remounted)" \
        run_in a "$unshare" -C "$check" $A
# A container's view: its own cgroup and mount namespaces, cgroupfs mounted
# afresh in them, so the cgroup is the mount's root. The same superblock
# cannot be mounted twice on one mount point (EBUSY): unmount the inherited
# copy first (util-linux unshare makes the new namespace's mounts private).
# shellcheck disable=SC2016,SC2086
expect_run "api-check $A in a cgroup namespace with cgroupfs remounted" \
        run_in a "$unshare" -C -m sh -c \
        'umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup &&
        grep " /sys/fs/cgroup " /proc/self/mountinfo && exec "$@"' sh "$check" $A
expect_eq "PROCVIEW_CPUS=5: pv_cpu_count()" \
        "$(run_in a env PROCVIEW_CPUS=5 "$check" --count 5 2>&1)" "checked 0: ok"

expect_eq "procview-cpus --count" "$(run_in a "$lib/procview-cpus" --count)" 1
expect_eq "procview-cpus" "$(run_in a "$lib/procview-cpus")" "cpuset: 1
count: 1
quota: 0.50 CPUs (50000/100000 us)"

echo "# libprocview-preload in the same cgroup"
out=$(run_in a "$helpers/pin-threads" 2>&1)
case $? in
0) bad "pin-threads succeeded without the preload (the test cannot tell): $out" ;;
*) case $out in
        *"thread 0: Invalid argument"*) ok "without the preload pinning to CPU 0 fails: EINVAL" ;;
        *) bad "pin-threads without the preload failed otherwise: $out" ;;
        esac ;;
esac
expect_eq "pin-threads with the preload (thread 0 pins to CPU 0)" \
        "$(run_in a env LD_PRELOAD="$preload" "$helpers/pin-threads" 2>&1)" "cpus: 1"
expect_eq "getconf _NPROCESSORS_ONLN without the preload" \
        "$(run_in a "$getconf" _NPROCESSORS_ONLN)" 2
expect_eq "getconf _NPROCESSORS_ONLN with the preload" \
        "$(run_in a env LD_PRELOAD="$preload" "$getconf" _NPROCESSORS_ONLN)" 1
expect_eq "getconf _NPROCESSORS_CONF with the preload" \
        "$(run_in a env LD_PRELOAD="$preload" "$getconf" _NPROCESSORS_CONF)" 1
info=$(run_in a env LD_PRELOAD="$preload" "$helpers/sysinfo-check")
expect_eq "get_nprocs, get_nprocs_conf with the preload" "$(echo "$info" | grep ^nprocs)" "nprocs 1 1"
expect_eq "sysinfo() totalram with the preload" "$(echo "$info" | grep ^totalram)" \
        "totalram 268435456"

echo "# limits set on a parent only: the leaf inherits them"
mkdir "$CG/$PFX-p" || bad "mkdir $CG/$PFX-p"
limits p 1 "50000 100000" 268435456
echo "+cpu +memory +cpuset" >"$CG/$PFX-p/cgroup.subtree_control" || bad "parent subtree_control"
mkdir "$CG/$PFX-p/leaf" || bad "mkdir leaf"
expect_eq "leaf cpu.max" "$(cat "$CG/$PFX-p/leaf/cpu.max")" "max 100000"
expect_eq "leaf memory.max" "$(cat "$CG/$PFX-p/leaf/memory.max")" "max"
# shellcheck disable=SC2086
expect_run "api-check $A in the leaf" run_in p/leaf "$check" $A
# shellcheck disable=SC2086
expect_run "api-check $A in the leaf inside a cgroup namespace (parent hidden)" \
        run_in p/leaf "$unshare" -C "$check" $A
expect_eq "pin-threads with the preload in the leaf inside a cgroup namespace" \
        "$(run_in p/leaf "$unshare" -C env LD_PRELOAD="$preload" "$helpers/pin-threads" 2>&1)" \
        "cpus: 1"

# wait_ready LOG N: true once api-check printed "ready N" (within 60 s).
wait_ready() {
        i=0
        while ! grep -qx "ready $2" "$1" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
        grep -qx "ready $2" "$1" || { bad "api-check did not reach step $2"; return 1; }
}

# follow_changes WHAT LIMIT-CGROUP RUN-CGROUP [WRAPPER...]: api-check runs
# in RUN-CGROUP (through WRAPPER, e.g. unshare -C) while the limits of
# LIMIT-CGROUP change under it; each --next group is checked after the change.
follow_changes() {
        what=$1
        lcg=$2
        rcg=$3
        shift 3
        fifo=/tmp/$PFX.in
        log=/tmp/$PFX.out
        limits "$lcg" 1 "50000 100000" 268435456
        mkfifo "$fifo" || bad "mkfifo"
        # shellcheck disable=SC2086
        run_in "$rcg" "$@" "$check" $A \
                --next --cpuset 0-1 --count 2 --quota none --memory none \
                --next --cpuset 0-1 --count 1 --quota 50000/100000 \
                --next --cpuset 0 --count 1 --quota 150000/100000 --memory 134217728 \
                <"$fifo" >"$log" 2>&1 &
        chk=$!
        # Opening a FIFO blocks until both ends are open: api-check's stdin first.
        exec 3>"$fifo"
        wait_ready "$log" 1 && limits "$lcg" 0-1 "max 100000" max && echo go >&3 &&
                wait_ready "$log" 2 && limits "$lcg" 0-1 "50000 100000" max && echo go >&3 &&
                wait_ready "$log" 3 && limits "$lcg" 0 "150000 100000" 134217728 && echo go >&3
        exec 3>&-
        if wait "$chk"; then
                ok "$what: api follows cpuset, cpu.max and memory.max changes at run time"
        else
                bad "$what: api after run-time changes"
        fi
        chk=
        sed 's/^/    /' "$log"
        rm -f "$fifo" "$log"
}

echo "# changes while api-check runs"
follow_changes "in the cgroup" a a
follow_changes "leaf in a cgroup namespace, parent's limits changed" p p/leaf "$unshare" -C

echo "lib-api-v2 guest: $fails failure(s)"
[ $fails -eq 0 ]
