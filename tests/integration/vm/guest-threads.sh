#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Guest side of vm-caller-threads, on Debian 12's 6.1 kernel: it has neither
# NS_GET_TGID_FROM_PIDNS (6.11) nor PIDFD_THREAD (6.9), so procviewd learns
# a reader thread's container and the init of its pid namespace without
# them. With a thousand other processes on the machine, a reader on a
# thread that is not its process's main thread must reach at least a third
# of the opens/s of the same reader on its main thread (it reaches about the
# same; a lookup that scanned /proc per open would fall far below, and the
# emulated CPU of a busy host has moved single rates by 40%): a reader inside a
# container's pid namespace, as its init and as a child of its init, and one
# that joined it by setns (nsenter: its parent is outside). Each reader must
# also see its container's MemTotal. Prints the ratios (RATIO lines).
# Arguments: PROCVIEWD READER [SECONDS].

procviewd=$1
reader=$2
secs=${3:-3}
MP=/run/pv
CG=/sys/fs/cgroup
PFX=pv-threads-$$
LIMIT_KB=204800
fails=0
daemon=
sleepers=
holder=

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

cleanup() {
        [ -n "$sleepers" ] && kill $sleepers 2>/dev/null
        [ -n "$holder" ] && kill "$holder" 2>/dev/null
        [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null
        wait 2>/dev/null
        rmdir "$CG/$PFX" 2>/dev/null
}
trap cleanup EXIT

"$procviewd" -f "$MP" >/tmp/procviewd.log 2>&1 &
daemon=$!
i=0
while [ ! -e "$MP/proc/meminfo" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$MP/proc/meminfo" ] || { bad "procviewd did not mount"; cat /tmp/procviewd.log; exit 1; }
ok "procviewd mounted at $MP"

# The processes a scan of /proc would have to look at.
i=0
while [ $i -lt 1000 ]; do
        sleep 3600 &
        sleepers="$sleepers $!"
        i=$((i + 1))
done
nproc=$(ls -d /proc/[0-9]* | wc -l)
[ "$nproc" -ge 1000 ] && ok "$nproc processes on the machine" || bad "only $nproc processes"

mkdir "$CG/$PFX" || bad "mkdir $CG/$PFX"
echo $((LIMIT_KB * 1024)) >"$CG/$PFX/memory.max"

# measure NAME MODE CMD-PREFIX...: runs the reader in MODE behind the prefix,
# checks it saw the container's MemTotal, sets $rate.
measure() {
        name=$1
        mode=$2
        what="$name, $([ "$mode" = main ] && echo "main thread" || echo "second thread")"
        shift 2
        out=$("$@" "$reader" "$mode" "$secs" "$MP/proc/meminfo" 2>&1)
        rate=$(echo "$out" | sed -n 's/.*opens_per_s=\([0-9]*\).*/\1/p')
        kb=$(echo "$out" | sed -n 's/.*memtotal_kb=\(-*[0-9]*\).*/\1/p')
        echo "$what: $out"
        [ "$kb" = "$LIMIT_KB" ] && ok "$what: MemTotal $kb kB is the container's" ||
                bad "$what: MemTotal '$kb', want $LIMIT_KB ($out)"
        [ -n "$rate" ] && [ "$rate" -gt 0 ] || { bad "$what: no rate"; rate=0; }
}

# ratio NAME THREAD MAIN: asserts THREAD >= MAIN / 3 and reports THREAD / MAIN.
ratio() {
        r=$(awk -v t="$2" -v m="$3" 'BEGIN { if (m > 0) printf "%.2f", t / m; else print 0 }')
        echo "RATIO $1: non-main thread $2 opens/s, main thread $3 opens/s, ratio $r"
        if [ $(($2 * 3)) -ge "$3" ] && [ "$3" -gt 0 ]; then
                ok "$1: non-main thread reaches $r of the main thread's opens/s (>= 0.33)"
        else
                bad "$1: non-main thread reaches only $r of the main thread's opens/s (< 0.33)"
        fi
}

# compare NAME CMD-PREFIX...: the reader on a second thread, then on its main
# thread, three times (the best rate of each counts: TCG timing is noisy), then
# ratio. The thread runs first, so it pays for whatever its namespace costs
# to find.
compare() {
        cname=$1
        shift
        best_t=0
        best_m=0
        for round in 1 2 3; do
                measure "$cname" thread "$@"
                [ "$rate" -gt "$best_t" ] && best_t=$rate
                measure "$cname" main "$@"
                [ "$rate" -gt "$best_m" ] && best_m=$rate
        done
        ratio "$cname" "$best_t" "$best_m"
}

# A container's pid namespace whose init is the reader itself (an agent as a
# container's entrypoint): its second thread's parent is outside the namespace.
as_init() {
        sh -c 'echo $$ >"$0/cgroup.procs" && exec unshare --pid --fork --mount-proc "$@"' \
                "$CG/$PFX" "$@"
}
compare "reader as the init of a container's pid namespace" as_init

# The same with sh as the init and the reader its child.
as_child() {
        sh -c 'echo $$ >"$0/cgroup.procs" && exec unshare --pid --fork --mount-proc \
                sh -c "\"\$@\"; exit \$?" sh "$@"' "$CG/$PFX" "$@"
}
compare "reader as a child in a container's pid namespace" as_child

# Joined by setns: the namespace's init is a sleep in the container's cgroup,
# the reader a child of nsenter, itself in the root cgroup: only the init
# tells which container the reader belongs to.
sh -c 'echo $$ >"$0/cgroup.procs" && exec unshare --pid --fork --mount-proc sleep 3600' \
        "$CG/$PFX" &
holder=$!
init=
i=0
while [ -z "$init" ] && [ $i -lt 100 ]; do
        # busybox may lack pgrep: one awk over every status file
        init=$(awk -v h="$holder" '$1 == "PPid:" && $2 == h { split(FILENAME, p, "/"); print p[3] }' \
                /proc/[0-9]*/status 2>/dev/null)
        [ -n "$init" ] || sleep 0.1
        i=$((i + 1))
done
if [ -n "$init" ] && [ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$init/status")" = 1 ]; then
        ok "container init: host pid $init, pid 1 in its namespace"
        # The namespace's first reader waits for the paced scan of /proc that
        # finds its init (procviewd(8), WHO IS READING); the rates compared
        # are those of readers once it is known.
        nsenter -t "$init" -p -- head -c 1 "$MP/proc/meminfo" >/dev/null ||
                bad "a first reader that joined by setns could not read"
        compare "reader that joined a container's pid namespace by setns" \
                nsenter -t "$init" -p --
else
        bad "no init in the holder's pid namespace (holder $holder, child '$init')"
fi

# For reference: a reader in the guest's own pid namespace, in the same cgroup.
in_cg() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$PFX" "$@"; }
measure "host pid namespace" thread in_cg
t=$rate
measure "host pid namespace" main in_cg
echo "RATIO reader in the host pid namespace (not asserted): $t / $rate opens/s"

grep -i -e error -e warn /tmp/procviewd.log && bad "procviewd logged errors or warnings"
echo "threads guest: $fails failure(s)"
[ $fails -eq 0 ]
