#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Guest side of the worker crash survival test on cgroup v2, run by
# tests/integration/vm/pv-vm as root in the root cgroup of a 2-CPU guest.
# Arguments: PROCVIEWD READER [KILLS [INTERVAL]]; KILLS=0 runs the readers
# with no kill and no check of the keeper (a baseline).
#
# The guest kernel (Debian 12's 6.1) does not announce FUSE_HAS_RESEND, so
# the keeper must pick the journal of in-flight requests: requests the killed
# worker had read are replayed by the next one. Under load from readers in
# three cgroups, the worker is killed with SIGKILL KILLS times (default 10),
# INTERVAL seconds apart (default 2); no reader may see a failed call or
# another cgroup's values, the mount must stay the same, and a handle opened
# through a dead worker must keep working (pread at 0 and at 100).
#
# The guest CPU is emulated (~20x slower than the host): the longest call is
# printed and bounded by a generous STALL_US only to catch a reader left
# hanging; it is no measure of the daemon's speed.

procviewd=$1
reader=$2
KILLS=${3:-10}
INTERVAL=${4:-2}
STALL_US=5000000
READERS_PER_CG=3
MP=/run/pv-survival
CG=/sys/fs/cgroup
PFX=pv-survival-$$
LOG=/tmp/procviewd-survival.log
OUT=/tmp/pv-survival
fails=0
keeper=
reader_pids=

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { # WHAT GOT WANT
        if [ "$2" = "$3" ]; then ok "$1: '$2'"; else bad "$1: got '$2', want '$3'"; fi
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# run_bg CGROUP CMD ARGS...: CMD in the background as a member of
# $CG/$PFX-CGROUP; $! is CMD's pid (the sh execs it).
run_bg() {
        cg=$CG/$PFX-$1
        shift
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
}
run_in() {
        cg=$CG/$PFX-$1
        shift
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

# Only for files outside the mount: a test of a file on a mount whose daemon
# does not answer would hang.
wait_for() { # FILE TENTHS
        i=0
        while [ ! -e "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
        [ -e "$1" ]
}

# wait_serving SECONDS: the mount is there and answers a read within 5 s.
wait_serving() {
        i=0
        while [ $i -lt "$1" ]; do
                if grep -q " $MP fuse.procview " /proc/mounts &&
                        timeout -s KILL 5 cat "$MP/sys/devices/system/cpu/online" >/dev/null 2>&1; then
                        return 0
                fi
                sleep 1
                i=$((i + 1))
        done
        return 1
}

# running PID: the process exists and is no zombie (a child the shell has
# not reaped yet still answers kill -0).
running() {
        st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]
}

# wait_exit PID SECONDS: waits for child PID and returns its status; after
# SECONDS, prints where it is blocked, kills it and returns 124.
wait_exit() {
        i=0
        while running "$1" && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
        if running "$1"; then
                echo "process $1 ($(cat "/proc/$1/comm" 2>/dev/null)) still running after $2 s, blocked in $(cat "/proc/$1/wchan" 2>/dev/null); killing it"
                kill -9 "$1" 2>/dev/null
                wait "$1" 2>/dev/null
                return 124
        fi
        wait "$1"
}

# The keeper's children: its one worker, or nothing while it restarts one.
children() { tr -s ' \n' '  ' <"/proc/$keeper/task/$keeper/children" 2>/dev/null | sed 's/ *$//'; }

# wait_worker OLD TENTHS: prints the keeper's one child once it is not OLD.
wait_worker() {
        i=0
        while [ $i -lt "$2" ]; do
                w=$(children)
                case $w in
                "" | "$1" | *" "*) ;;
                *) echo "$w"; return 0 ;;
                esac
                sleep 0.1
                i=$((i + 1))
        done
        return 1
}

mount_id() { awk -v mp="$MP" '$5 == mp { id = $1 } END { print id }' /proc/self/mountinfo; }

cleanup() {
        touch "$OUT/stop" 2>/dev/null
        for p in $reader_pids; do kill -9 "$p" 2>/dev/null; done
        if [ -n "$keeper" ]; then
                kill -TERM "$keeper" 2>/dev/null
                wait_exit "$keeper" 10
        fi
        wait 2>/dev/null
        for d in "$CG/$PFX-"*; do [ -d "$d" ] && rmdir "$d"; done
}
trap cleanup EXIT

show_log() {
        echo "---- procviewd log ($LOG)"
        cat "$LOG"
        echo "---- end of procviewd log"
}

mkdir -p "$OUT"
rm -f "$OUT"/*

# ---- cgroup2 with the controllers the views read ----
grep -q "^cgroup2 $CG cgroup2 " /proc/mounts || mount -t cgroup2 cgroup2 "$CG" ||
        { bad "cannot mount cgroup2"; exit 1; }
for c in cpu memory cpuset io pids; do
        grep -qw "$c" "$CG/cgroup.subtree_control" || echo "+$c" >"$CG/cgroup.subtree_control" ||
                bad "cannot enable controller $c"
done
expect_eq "controllers enabled" "$(tr ' ' '\n' <"$CG/cgroup.subtree_control" | grep -cxE 'cpu|memory|cpuset|io|pids')" 5

# ---- the keeper mounts, one worker serves ----
"$procviewd" -f "$MP" >"$LOG" 2>&1 &
keeper=$!
if ! wait_serving 60; then
        bad "procviewd did not serve $MP within 60 s (children of the keeper: '$(children)')"
        show_log
        exit 1
fi
mntid0=$(mount_id)
ok "procviewd (keeper $keeper) mounted $MP, mount ID $mntid0"
expect_eq "fstype of $MP" "$(awk -v mp="$MP" '$2 == mp { t = $3 } END { print t }' /proc/mounts)" \
        fuse.procview
worker=$(wait_worker "" $((KILLS > 0 ? 100 : 5)))
if [ "$KILLS" -eq 0 ]; then
        ok "baseline: no kills, no worker checks (children of $keeper: '$worker')"
elif [ -z "$worker" ]; then
        bad "the keeper $keeper has no single worker child: '$(children)'"
        show_log
        exit 1
fi
if [ "$KILLS" -gt 0 ]; then
        expect_eq "worker $worker comm" "$(cat "/proc/$worker/comm")" procviewd-work
        i=0
        while ! grep -q "recovery: " "$LOG" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        expect_eq "recovery path chosen on $(uname -r) (no FUSE_HAS_RESEND)" \
                "$(sed -n 's/.*[ (]recovery: \([a-z]*\).*/\1/p' "$LOG" | head -n1)" journal
fi

# ---- three containers with different limits ----
CGS="a b c"
cg_mib() { case $1 in a) echo 128 ;; b) echo 256 ;; c) echo 384 ;; esac; }
cg_cpus() { case $1 in a) echo 0 ;; b) echo 1 ;; c) echo 0-1 ;; esac; }
cg_kb() { echo $(($(cg_mib "$1") << 10)); }
for c in $CGS; do
        mkdir "$CG/$PFX-$c" || bad "mkdir $PFX-$c"
        echo $(($(cg_mib "$c") << 20)) >"$CG/$PFX-$c/memory.max"
        cg_cpus "$c" >"$CG/$PFX-$c/cpuset.cpus"
        expect_eq "cgroup $c before the kills: MemTotal kB" \
                "$(run_in "$c" timeout -s KILL 20 cat "$MP/proc/meminfo" | awk '$1 == "MemTotal:" { print $2 }')" "$(cg_kb "$c")"
        expect_eq "cgroup $c before the kills: cpu online" \
                "$(run_in "$c" timeout -s KILL 20 cat "$MP/sys/devices/system/cpu/online")" "$(cg_cpus "$c")"
done

# ---- a handle opened through a worker stays valid after its death ----
run_bg b "$reader" hold "$MP" "$(cg_kb b)" "$(cg_cpus b)" "$OUT/hold-ready" "$OUT/hold-go" "$OUT/stop" \
        >"$OUT/hold.out" 2>&1
hold=$!
reader_pids=$hold
if ! wait_for "$OUT/hold-ready" 300; then
        bad "the holding reader did not get ready"
elif [ "$KILLS" -eq 0 ]; then
        touch "$OUT/hold-go"
else
        kill -9 "$worker"
        ok "killed worker $worker under the held handles at $(uptime_s)"
        new=$(wait_worker "$worker" 100)
        if [ -n "$new" ]; then
                ok "new worker $new"
                worker=$new
        else
                bad "no new worker within 10 s of killing $worker: '$(children)'"
        fi
        touch "$OUT/hold-go"
        i=0
        while ! grep -q hold-takeover "$OUT/hold.out" && [ $i -lt 300 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        expect_eq "held handles read before and after the kill" \
                "$(sed -n 's/.*hold-takeover.*\(before=[01] after=[01]\).*/\1/p' "$OUT/hold.out")" \
                "before=1 after=1"
fi

# ---- the storm: readers in every cgroup, the worker killed KILLS times ----
n=0
for c in $CGS; do
        r=1
        while [ $r -le $READERS_PER_CG ]; do
                run_bg "$c" "$reader" loop "$MP" "$(cg_kb "$c")" "$(cg_cpus "$c")" "$OUT/stop" >"$OUT/loop-$c-$r.out" 2>&1
                reader_pids="$reader_pids $!"
                n=$((n + 1))
                r=$((r + 1))
        done
done
ok "$n looping readers started (${READERS_PER_CG} per cgroup)"
sleep "$INTERVAL"

k=1
killed=0
[ "$KILLS" -gt 0 ] && killed=1 # the one under the held handles
while [ $k -le "$KILLS" ]; do
        w=$(wait_worker "" 100)
        if [ -z "$w" ]; then
                bad "kill $k: no single worker to kill: '$(children)'"
                break
        fi
        kill -9 "$w" && killed=$((killed + 1))
        echo "kill $k: worker $w at $(uptime_s)"
        sleep "$INTERVAL"
        k=$((k + 1))
done
if [ "$KILLS" -gt 0 ]; then
        new=$(wait_worker "$w" 100) || bad "no worker after the last kill: '$(children)'"
fi
# readers go on a little after the last takeover
sleep "$INTERVAL"
touch "$OUT/stop"
for p in $reader_pids; do
        wait_exit "$p" 60
        [ $? -eq 124 ] && bad "reader $p did not stop within 60 s of the end"
done
reader_pids=

# ---- what the readers saw ----
cat "$OUT"/*.out
totals=$(cat "$OUT"/*.out | awk '
        $1 == "pv-survival" && ($2 == "loop" || $2 == "hold") {
                for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                n++; calls += v["calls"]; failed += v["failed"]; wrong += v["wrong"]
                if (v["max_call_us"] + 0 > max + 0) { max = v["max_call_us"]; what = v["max_call"]; at = v["max_call_at"]; pid = v["pid"] }
                if (v["max_cycle_us"] + 0 > cyc + 0) cyc = v["max_cycle_us"]
        }
        END { printf "%d %d %d %d %d %s %s %s %d\n", n, calls, failed, wrong, max, what, at, pid, cyc }')
# shellcheck disable=SC2086 # one word per field
set -- $totals
nsum=$1 calls=$2 failed=$3 wrong=$4 stall=$5 stall_what=$6 stall_at=$7 stall_pid=$8 cycle=$9
expect_eq "reader summaries" "$nsum" $((n + 1))
expect_eq "failed calls among $calls" "$failed" 0
expect_eq "wrong values among $calls" "$wrong" 0
echo "worst stall: $stall us ($stall_what of reader $stall_pid at $stall_at s); longest open-read-close: $cycle us (emulated CPU: not a timing)"
if [ "$stall" -le "$STALL_US" ]; then
        ok "worst stall $stall us <= $STALL_US us"
else
        bad "worst stall $stall us > $STALL_US us: a reader hung across a takeover"
fi

# ---- the keeper's account ----
expect_eq "mount ID after $killed kills" "$(mount_id)" "$mntid0"
if kill -0 "$keeper" 2>/dev/null; then ok "keeper $keeper alive"; else bad "keeper $keeper died"; fi
if [ "$KILLS" -gt 0 ]; then
        expect_eq "keeper logs of workers killed by signal 9" \
                "$(grep -c 'worker [0-9]* killed by signal 9, starting a new one' "$LOG")" "$killed"
        expect_eq "keeper logs of workers started" "$(grep -c 'worker [0-9]* started' "$LOG")" $((killed + 1))
        expect_eq "workers serving with the journal" "$(grep -c 'worker [0-9]* serving .*recovery: journal' "$LOG")" $((killed + 1))
        replays=$(sed -n 's/.*worker [0-9]*: replayed \([0-9]*\) requests of a dead worker.*/\1/p' "$LOG" |
                awk '{ n++; s += $1 } END { printf "%d %d\n", n, s }')
        # shellcheck disable=SC2086 # one word per field
        set -- $replays
        echo "replay lines: $1, requests replayed: $2"
        # Nine looping readers keep the worker busy: some kills must catch requests
        # it had read.
        if [ "$2" -ge 1 ]; then
                ok "the journal replayed $2 requests over $1 takeovers"
        else
                bad "no request replayed in $killed kills under load"
        fi
        if grep -qiE 'back-off|backoff|backing off' "$LOG"; then
                bad "the keeper backed off, though no worker died within 1 s of its start"
        else
                ok "no back-off"
        fi
fi

# ---- SIGTERM: the keeper stops the worker, unmounts, exits 0 ----
kill -TERM "$keeper"
wait_exit "$keeper" 30
expect_eq "keeper exit status after SIGTERM" "$?" 0
keeper=
if grep -q " $MP " /proc/mounts; then bad "$MP still mounted after SIGTERM"; else ok "$MP unmounted"; fi

[ $fails -ne 0 ] && show_log
echo "survival guest: $fails failure(s)"
[ $fails -eq 0 ]
