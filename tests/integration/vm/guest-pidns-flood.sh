#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Guest side of vm-pidns-flood, on Debian 12's 6.1 kernel: it lacks
# NS_GET_TGID_FROM_PIDNS (6.11), so a reader that joined a pid namespace from
# outside is only placed by a scan of /proc, procviewd's real path here. A
# container (a fifth of a CPU) makes pid namespaces in a loop, each with
# eight such readers, among 300 sleepers (TCG runs about 40 times slower
# than the host: a scan's 0.2 s covers some 600 processes here). Another container's reader,
# the init of its own pid namespace, reads every 10 ms in windows of 1 s,
# alternately without and under the flood: its p99 under the flood, pooled
# over the windows, must stay within 3x of its p99 without (RATIO line), and
# none of its reads may fail. Every flooding reader is answered, and a reader
# that joined a namespace by setns gets its init's container once the flood
# is over. Arguments: PROCVIEWD PV-PIDNS-FLOOD [ROUNDS].

procviewd=$1
flood=$2
rounds=${3:-6}
MP=/run/pv
CG=/sys/fs/cgroup
V=$CG/pv-victim-$$
A=$CG/pv-attack-$$
LIMIT_KB=262144
fails=0
daemon=
holder=

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

cleanup() {
        [ -n "$holder" ] && kill "$holder" 2>/dev/null
        for p in $(cat "$A/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null
        wait 2>/dev/null
        rmdir "$V" "$A" 2>/dev/null
}
trap cleanup EXIT

"$procviewd" -f "$MP" >/tmp/procviewd.log 2>&1 &
daemon=$!
i=0
while [ ! -e "$MP/proc/meminfo" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$MP/proc/meminfo" ] || { bad "procviewd did not mount"; cat /tmp/procviewd.log; exit 1; }
ok "procviewd mounted at $MP"

mkdir "$V" "$A" || bad "mkdir $V $A"
echo $((LIMIT_KB * 1024)) >"$V/memory.max"
# the flood's own processes may not starve the victim of CPU: a container's quota
echo "20000 100000" >"$A/cpu.max"
in_cg() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"; }

# The processes a scan has to look at: sleepers in the flooding container.
in_cg "$A" sh -c 'i=0; while [ $i -lt 300 ]; do sleep 3600 & i=$((i + 1)); done' &
i=0
while [ "$(wc -l <"$A/cgroup.procs")" -lt 300 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
echo "$(ls -d /proc/[0-9]* | wc -l) processes on the machine"

victim() {
        in_cg "$V" unshare --pid --fork --mount-proc "$flood" measure "$MP/proc/meminfo" 100 10 "$1" |
                tee -a /tmp/victim
}
kb=$(in_cg "$V" unshare --pid --fork --mount-proc cat "$MP/proc/meminfo" |
        awk '$1 == "MemTotal:" { print $2 }')
[ "$kb" = "$LIMIT_KB" ] && ok "the victim sees its $LIMIT_KB kB" || bad "victim MemTotal '$kb'"

# Windows without and under the flood alternate: TCG and the host's load weigh on both alike.
gate=/tmp/gate
in_cg "$A" "$flood" attack "$MP/proc/meminfo" 8 8 $((rounds * 10 + 60)) "$gate" >/tmp/attack &
attacker=$!
# the flooding container at rest: its sleepers and the flood's idle workers
sleep 2
idle=$(wc -l <"$A/cgroup.procs")
round=1
while [ $round -le "$rounds" ]; do
        echo "round $round without: $(victim /tmp/base)"
        touch "$gate"
        sleep 0.3
        echo "round $round under:   $(victim /tmp/under)"
        rm -f "$gate"
        # the flood is over when its last readers have been answered and exited
        i=0
        while [ "$(wc -l <"$A/cgroup.procs")" -gt "$idle" ] && [ $i -lt 300 ]; do
                sleep 0.1
                i=$((i + 1))
        done
        sleep 0.1
        round=$((round + 1))
done
touch "$gate.end"
wait "$attacker"
echo "flood: $(cat /tmp/attack)"
base=$("$flood" stats /tmp/base)
under=$("$flood" stats /tmp/under)
echo "without the flood: $base"
echo "under the flood:   $under"
b=$(echo "$base" | sed -n 's/.*p99_us \([0-9]*\).*/\1/p')
u=$(echo "$under" | sed -n 's/.*p99_us \([0-9]*\).*/\1/p')
echo "RATIO victim p99 under the flood / without: $u / $b us = $(awk -v u="$u" -v b="$b" 'BEGIN { printf "%.2f", u / b }')"
if [ -n "$b" ] && [ -n "$u" ] && [ "$u" -le $((3 * b)) ]; then
        ok "the victim's p99 under the flood is within 3x of its p99 without"
else
        bad "the victim's p99 under the flood ($u us) is over 3x its p99 without ($b us)"
fi
grep -q "errors [1-9]" /tmp/victim && bad "the victim's reads failed: $(grep "errors [1-9]" /tmp/victim)" ||
        ok "the victim's reads all succeeded"
grep -q "namespaces [1-9].* errors 0 " /tmp/attack && ok "every flooding reader was answered" ||
        bad "flood: $(cat /tmp/attack)"

# A reader that joined a namespace from outside gets the container of its init
# (the victim's) once the scans have their budget back (10 s for a namespace
# whose scan was refused or ran out of budget).
in_cg "$V" unshare --pid --fork --mount-proc sleep 3600 &
holder=$!
init=
i=0
while [ -z "$init" ] && [ $i -lt 100 ]; do
        # the process of the victim's cgroup that is pid 1 of its namespace
        for p in $(cat "$V/cgroup.procs"); do
                [ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$p/status" 2>/dev/null)" = 1 ] && init=$p
        done
        [ -n "$init" ] || sleep 0.1
        i=$((i + 1))
done
[ -n "$init" ] && ok "the victim's init: host pid $init, pid 1 in its namespace" || bad "no init"
i=0
kb=
while [ "$kb" != "$LIMIT_KB" ] && [ $i -lt 15 ]; do
        sleep 1
        kb=$(in_cg "$A" nsenter -t "$init" -p -- cat "$MP/proc/meminfo" |
                awk '$1 == "MemTotal:" { print $2 }')
        i=$((i + 1))
done
[ "$kb" = "$LIMIT_KB" ] && ok "a reader that joined by setns gets its init's container" ||
        bad "a reader that joined by setns: MemTotal '$kb', want $LIMIT_KB"

kill -0 "$daemon" 2>/dev/null && ok "procviewd alive" || bad "procviewd died"
grep -i -e error -e warn /tmp/procviewd.log && bad "procviewd logged errors or warnings"
echo "pidns flood guest: $fails failure(s)"
[ $fails -eq 0 ]
