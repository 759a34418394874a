#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of the harness test: the VM offers what the v2 tests rely on.
# Arguments: MEMHOG "two words"

memhog=$1
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ $# -eq 2 ] && [ "$2" = "two words" ] && ok "arguments passed intact" ||
        bad "arguments: $# '$2'"

grep -q '^cgroup2 /sys/fs/cgroup cgroup2 ' /proc/mounts && ok "cgroup2 at /sys/fs/cgroup" ||
        bad "cgroup2 not mounted: $(grep cgroup /proc/mounts)"

cg=/sys/fs/cgroup/pv-harness-$$
mkdir "$cg" || bad "mkdir $cg"
for f in cpu.max memory.max cpuset.cpus io.stat pids.max; do
        [ -e "$cg/$f" ] && ok "child cgroup has $f" || bad "child cgroup lacks $f"
done

[ -c /dev/fuse ] && grep -q '^fuse ' /proc/modules && ok "fuse loaded, /dev/fuse present" ||
        bad "no fuse"

# An added dynamically linked binary runs (its libraries came along) and
# its anon memory is charged to the cgroup it runs in.
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$1" 16 /tmp/hog-ready' "$cg" "$memhog" &
hog=$!
i=0
while [ ! -e /tmp/hog-ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
cur=$(cat "$cg/memory.current")
[ "$cur" -ge $((16 << 20)) ] && ok "memhog charged $cur bytes >= 16 MiB" ||
        bad "memhog: memory.current $cur < 16 MiB (ready file: $(ls /tmp/hog-ready 2>&1))"
kill "$hog"
wait "$hog" 2>/dev/null

# Direct writes to the scratch disk show in the writer's io.stat.
if [ -b "$PV_VM_DISK" ]; then
        ok "$PV_VM_DISK is a block device"
        sh -c 'echo $$ >"$0/cgroup.procs" &&
                exec dd if=/dev/zero of="$1" bs=64k count=16 oflag=direct 2>/dev/null' \
                "$cg" "$PV_VM_DISK"
        wb=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/) { sub(/wbytes=/, "", $i); s += $i } }
                END { print s + 0 }' "$cg/io.stat")
        [ "$wb" -ge 1048576 ] && ok "io.stat counts $wb bytes written >= 1 MiB" ||
                bad "io.stat wbytes $wb < 1 MiB: $(cat "$cg/io.stat")"
else
        bad "no scratch disk (PV_VM_DISK='$PV_VM_DISK')"
fi

rmdir "$cg" || bad "rmdir $cg"
echo "harness guest: $fails failure(s)"
[ $fails -eq 0 ]
