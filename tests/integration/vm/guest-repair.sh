#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Guest side of the repair test on cgroup v2 and Linux 6.1, which has no
# MOVE_MOUNT_BENEATH: run by tests/integration/vm/pv-vm as root in the root
# cgroup of a 2-CPU guest. Arguments: PROCVIEWD.
#
# A container (a process in its own cgroup with a 200 MiB memory.max and its
# own mount namespace, which bound the view of meminfo over /proc/meminfo
# and the CPU directory over /sys/devices/system/cpu) reads its MemTotal in
# a loop. procviewd is killed with SIGKILL, keeper and worker: the loop
# fails. A new procviewd on the same mount point repairs the container's
# mounts on top of the dead ones (the only way before 6.5), logged as
# "covered": the loop reads its 200 MiB again within a bound, and no read
# ever showed another MemTotal (the host's file beneath the dead mount).

procviewd=$1
MP=/run/pv-repair
CG=/sys/fs/cgroup
PFX=pv-repair-$$
OUT=/tmp/pv-repair-loop
fails=0
keeper=
loop=

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

cleanup() {
        [ -n "$loop" ] && kill -9 "$loop" 2>/dev/null
        [ -n "$keeper" ] && kill -TERM "$keeper" 2>/dev/null
        sleep 1
        rmdir "$CG/$PFX-c" 2>/dev/null
}
trap cleanup EXIT

# reads FILE: true once FILE reads (a dead mount answers stat from its cache)
reads() { head -c1 "$1" >/dev/null 2>&1; }

# wait_reads FILE TENTHS: waits until FILE reads
wait_reads() {
        i=0
        while [ $i -lt "$2" ]; do
                reads "$1" && return 0
                sleep 0.1
                i=$((i + 1))
        done
        return 1
}

mkdir -p "$MP" "$CG/$PFX-c"
echo $((200 << 20)) >"$CG/$PFX-c/memory.max"
"$procviewd" -f "$MP" >/tmp/procviewd-1.log 2>&1 &
keeper=$!
wait_reads "$MP/proc/meminfo" 300 || { bad "procviewd did not mount"; cat /tmp/procviewd-1.log; exit 1; }
ok "procviewd mounted at $MP"

# the container: joins its cgroup, binds the views in its own mount namespace, reads
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$PFX-c" \
        unshare -m --propagation private sh -c '
mount -o bind "$0/proc/meminfo" /proc/meminfo || exit 1
mount -o bind "$0/sys/devices/system/cpu" /sys/devices/system/cpu || exit 1
n=0
while :; do
        if v=$(head -n1 /proc/meminfo 2>/dev/null); then echo "$n OK $v"; else echo "$n ERR"; fi
        n=$((n + 1))
        sleep 0.05
done' "$MP" >"$OUT" 2>&1 &
loop=$!
i=0
while [ $i -lt 300 ] && ! grep -q OK "$OUT"; do sleep 0.1; i=$((i + 1)); done
want=$(grep OK "$OUT" | head -n1 | awk '{ print $4 }')
if [ "$want" = 204800 ]; then ok "the container reads its 200 MiB: $want kB"; else
        bad "the container reads MemTotal '$want' kB, not 204800"; cat "$OUT"; exit 1; fi

kill -9 "$keeper"
wait "$keeper" 2>/dev/null
keeper=
i=0
while [ $i -lt 100 ] && [ "$(tail -n1 "$OUT" | awk '{ print $2 }')" != ERR ]; do
        sleep 0.1
        i=$((i + 1))
done
if [ "$(tail -n1 "$OUT" | awk '{ print $2 }')" = ERR ]; then ok "after kill -9 the container's reads fail"; else
        bad "after kill -9 the container still reads: $(tail -n1 "$OUT")"; fi
# unshare without --fork executes the loop's shell itself
pid=$loop

"$procviewd" -f "$MP" >/tmp/procviewd-2.log 2>&1 &
keeper=$!
wait_reads "$MP/proc/meminfo" 300 || { bad "procviewd did not mount again"; cat /tmp/procviewd-2.log; exit 1; }
mark=$(tail -n1 "$OUT" | awk '{ print $1 }')
# the guest's CPU is emulated, about 20x slower than a host: 2 s there is 40 here
if wait_reads "/proc/$pid/root/proc/meminfo" 400; then
        ok "the container's mount namespace reads meminfo again"
else
        bad "the container's meminfo was not repaired within 40 s"
fi
sleep 2
after=$(awk -v m="$mark" '$1 > m && $2 == "OK" { print $4 }' "$OUT" | sort -u)
if [ "$after" = 204800 ]; then ok "the loop, never restarted, reads its 200 MiB again"; else
        bad "after the repair the loop read MemTotal '$after'"; fi
wrong=$(awk '$2 == "OK" && $4 != 204800' "$OUT" | head -n3)
if [ -z "$wrong" ]; then ok "no read showed another MemTotal"; else bad "wrong reads: $wrong"; fi
last_err=$(awk -v m="$mark" '$1 > m && $2 == "ERR" { e = $1 } END { print e + 0 }' "$OUT")
first_ok=$(awk -v m="$mark" '$1 > m && $2 == "OK" { print $1; exit }' "$OUT")
if [ -n "$first_ok" ] && [ "$last_err" -lt "$first_ok" ]; then
        ok "no failed read once repaired"
else bad "failed reads after the first good one (last error $last_err, first good $first_ok)"; fi
online=$(cat "/proc/$pid/root/sys/devices/system/cpu/online" 2>&1)
if [ "$online" = "$(cat /sys/devices/system/cpu/online)" ]; then ok "the CPU directory was repaired: online $online"; else
        bad "the CPU directory reads '$online'"; fi
if grep -q "repaired pid [0-9]* (sh): .*/proc/meminfo (covered)" /tmp/procviewd-2.log; then
        ok "Linux $(uname -r) has no MOVE_MOUNT_BENEATH: the dead mounts were covered"
else
        bad "no 'covered' repair logged"
fi
grep -E "repair" /tmp/procviewd-2.log
[ $fails -ne 0 ] && cat /tmp/procviewd-2.log
echo "repair guest: $fails failure(s)"
[ $fails -eq 0 ]
