#!/bin/bash
# Real clients read the views through bind mounts over /proc files, in a private mount
# namespace inside a test cgroup: procps free, top, vmstat, uptime and python3-psutil
# report the container's numbers without errors.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
for tool in free top vmstat uptime unshare; do
	command -v $tool >/dev/null || { echo "FAIL: $tool missing (CI installs procps, util-linux)"; exit 1; }
done
/usr/bin/python3 -c 'import psutil' 2>/dev/null || { echo "FAIL: python3-psutil missing"; exit 1; }
trap cleanup EXIT

A=pvt-cl-$$
cg_create "$A"
cg_set memory "$A/memory.limit_in_bytes" $((512 << 20))
last=$(( $(nproc --all) - 1 ))
cg_set cpuset "$A/cpuset.cpus" "$last"
start_daemon

out=$(in_cg "$A" unshare -m --propagation private sh -c '
set -e
for f in meminfo cpuinfo stat diskstats uptime loadavg swaps; do
	mount --bind "$1/proc/$f" /proc/$f
done
mount --bind "$1/sys/devices/system/cpu" /sys/devices/system/cpu
echo "== free"; free -k 2>&1
echo "== top"; top -bn1 2>&1 | head -5
echo "== vmstat"; vmstat 2>&1
echo "== uptime"; uptime 2>&1
echo "== psutil"
/usr/bin/python3 -c "
import psutil
vm = psutil.virtual_memory()
print(\"psutil_total\", vm.total)
print(\"psutil_available\", vm.available)
print(\"psutil_cpu_count\", psutil.cpu_count())
t = psutil.cpu_times()
print(\"psutil_cpu_times\", t.user, t.system, t.idle)
print(\"psutil_boot_time\", int(psutil.boot_time()))
" 2>&1
' sh "$MNT")
rc=$?
echo "$out"
[ $rc = 0 ] || fail "client run exited $rc"
echo "$out" | grep -Eiq 'error|traceback|unable|cannot' && fail "a client reported an error"

limit_kb=$((512 * 1024))
ftotal=$(echo "$out" | awk '/^Mem:/ { print $2; exit }')
[ "$ftotal" = "$limit_kb" ] && pass "free: total $ftotal kB = limit" || fail "free total '$ftotal', want $limit_kb"
ttotal=$(echo "$out" | awk '/MiB Mem|KiB Mem/ { for (i = 1; i <= NF; i++) if ($i ~ /total/) { print $(i-1); exit } }' | tr -d ',')
awk -v t="$ttotal" 'BEGIN { exit !(t >= 511 && t <= 513) }' && pass "top: MiB Mem total $ttotal" || fail "top memory total '$ttotal'"
echo "$out" | grep -A3 '^== vmstat' | tail -1 | awk 'NF >= 17 { ok = 1 } END { exit !ok }' && pass "vmstat prints a data line" || fail "vmstat output"
echo "$out" | grep -A1 '^== uptime' | tail -1 | grep -q 'load average' && pass "uptime prints load average" || fail "uptime output"
ptotal=$(echo "$out" | awk '$1 == "psutil_total" { print $2 }')
[ "$ptotal" = $((512 << 20)) ] && pass "psutil virtual_memory().total = limit" || fail "psutil total '$ptotal'"
pavail=$(echo "$out" | awk '$1 == "psutil_available" { print $2 }')
[ -n "$pavail" ] && [ "$pavail" -le $((512 << 20)) ] && pass "psutil available $pavail <= limit" || fail "psutil available '$pavail'"
pcpu=$(echo "$out" | awk '$1 == "psutil_cpu_count" { print $2 }')
[ "$pcpu" = 1 ] && pass "psutil cpu_count() = 1" || fail "psutil cpu_count '$pcpu'"
pboot=$(echo "$out" | awk '$1 == "psutil_boot_time" { print $2 }')
hboot=$(awk '$1 == "btime" { print $2 }' /proc/stat)
[ -n "$pboot" ] && [ "$pboot" -ge "$hboot" ] && pass "psutil boot_time $pboot >= host btime $hboot" || fail "psutil boot_time '$pboot'"
finish
