#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Guest side of the cgroup-v2 daemon test, run by tests/integration/vm/pv-vm
# as root in the root cgroup of a 2-CPU guest. Arguments: PROCVIEWD MEMHOG.
#
# A reader in the host pid namespace sees the view of its own cgroup, so
# each check moves a fresh reader (sh, then exec cat) into the cgroup under
# test. Every check prints what it compared; any failure makes the script,
# and so the VM run, exit non-zero.

procviewd=$1
memhog=$2
MP=/run/pv
MPQ=/run/pvq
CG=/sys/fs/cgroup
PFX=pv-daemon-v2-$$
fails=0
daemon=
daemonq=
daemonr=

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { # WHAT GOT WANT
        if [ "$2" = "$3" ]; then ok "$1: '$2'"; else bad "$1: got '$2', want '$3'"; fi
}
expect_range() { # WHAT GOT MIN MAX
        if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
                ok "$1: $2 in [$3, $4]"
        else
                bad "$1: $2 not in [$3, $4]"
        fi
}

# run_in CGROUP CMD ARGS...: runs CMD as a member of $CG/$PFX-CGROUP ("" = root).
run_in() {
        cg=$CG${1:+/$PFX-$1}
        shift
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}
# run_bg CGROUP CMD ARGS...: like run_in, in the background; $! is CMD's pid
# (the sh execs it), so killing $! stops CMD itself.
run_bg() {
        cg=$CG${1:+/$PFX-$1}
        shift
        sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
}
newcg() { mkdir "$CG/$PFX-$1" || bad "mkdir $PFX-$1"; }

# meminfo_kb FILE-TEXT KEY
kb() { echo "$1" | awk -v k="$2:" '$1 == k { print $2; f = 1 } END { if (!f) print -1 }'; }

# The sum of user, nice and system of the aggregate cpu line, in ticks.
cpu_busy() { run_in "$1" cat "$MP/proc/stat" | awk '$1 == "cpu" { print $2 + $3 + $4 }'; }

# Sectors written to vda in a diskstats view (field 10); 0 when absent,
# since a cgroup that never did I/O to a device may not list it.
vda_wsect() {
        run_in "$1" cat "$MP/proc/diskstats" | awk '$3 == "vda" { s = $10 } END { print s + 0 }'
}
# Completed writes to vda (field 8).
vda_writes() {
        run_in "$1" cat "$MP/proc/diskstats" | awk '$3 == "vda" { s = $8 } END { print s + 0 }'
}

# vm_value CGROUP KEY: KEY of the cgroup's vmstat view
vm_value() { run_in "$1" cat "$MP/proc/vmstat" | awk -v k="$2" '$1 == k { print $2 }'; }

wait_for() { # FILE TENTHS
        i=0
        while [ ! -e "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
        [ -e "$1" ]
}

cleanup() {
        for p in $burn $hog; do kill "$p" 2>/dev/null; done
        for p in $daemon $daemonq $daemonr; do kill -TERM "$p" 2>/dev/null; done
        wait 2>/dev/null
        for d in "$CG/$PFX-"*; do [ -d "$d" ] && rmdir "$d"; done
}
burn=
hog=
trap cleanup EXIT

# ---- start two daemons: default (cpuset) view, and quota view ----
"$procviewd" -f "$MP" >/tmp/procviewd.log 2>&1 &
daemon=$!
"$procviewd" -f --cpu-view=quota "$MPQ" >/tmp/procviewd-quota.log 2>&1 &
daemonq=$!
if ! wait_for "$MP/proc/meminfo" 300 || ! wait_for "$MPQ/proc/meminfo" 300; then
        bad "procviewd did not mount within 30 s"
        cat /tmp/procviewd.log /tmp/procviewd-quota.log
        exit 1
fi
ok "procviewd mounted at $MP and (quota view) at $MPQ"

# ---- the root cgroup reads the host's files ----
host=$(cat /proc/meminfo)
view=$(run_in "" cat "$MP/proc/meminfo")
# Values that do not move on an idle guest must be equal, not just close.
for k in MemTotal SwapTotal SwapFree CommitLimit VmallocTotal HugePages_Total Hugepagesize DirectMap4k; do
        expect_eq "root reader: $k equals /proc/meminfo's" "$(kb "$view" $k)" "$(kb "$host" $k)"
done
expect_eq "root reader: meminfo keys equal /proc/meminfo's" \
        "$(echo "$view" | awk '{ printf "%s", $1 }')" "$(echo "$host" | awk '{ printf "%s", $1 }')"
expect_eq "root reader: vmstat keys equal /proc/vmstat's" \
        "$(run_in "" cat "$MP/proc/vmstat" | awk '{ printf "%s ", $1 }')" \
        "$(awk '{ printf "%s ", $1 }' /proc/vmstat)"
expect_eq "root reader: cpu online equals the host's" \
        "$(run_in "" cat "$MP/sys/devices/system/cpu/online")" "$(cat /sys/devices/system/cpu/online)"

# ---- memory.max is MemTotal; 64 MiB of anon memory lowers MemFree ----
newcg mem
echo $((256 << 20)) >"$CG/$PFX-mem/memory.max"
view=$(run_in mem cat "$MP/proc/meminfo")
total=$(kb "$view" MemTotal)
free0=$(kb "$view" MemFree)
expect_eq "memory.max=256MiB: MemTotal kB" "$total" 262144
expect_eq "container vmstat keys equal /proc/vmstat's" \
        "$(run_in mem cat "$MP/proc/vmstat" | awk '{ printf "%s ", $1 }')" \
        "$(awk '{ printf "%s ", $1 }' /proc/vmstat)"
avail=$(kb "$view" MemAvailable)
[ "$avail" -ge 0 ] && [ "$avail" -le "$total" ] && ok "MemAvailable $avail <= MemTotal $total" ||
        bad "MemAvailable $avail not in [0, MemTotal $total]"
newcg vmidle
pgfault0=$(vm_value mem pgfault)
idle0=$(vm_value vmidle pgfault)
run_bg mem "$memhog" 64 /tmp/hog-ready
hog=$!
if wait_for /tmp/hog-ready 600; then
        free1=$(kb "$(run_in mem cat "$MP/proc/meminfo")" MemFree)
        # 64 MiB of pages plus page tables and the hog's own small charges.
        expect_range "MemFree drop (kB) with 64 MiB allocated" $((free0 - free1)) 60000 78000
        # one fault per page written (the hog asks for no huge pages)
        faults=$(((64 << 20) / 4096)) # the x86-64 guest has 4 KiB pages (busybox has no getconf)
        pgfault1=$(vm_value mem pgfault)
        idle1=$(vm_value vmidle pgfault)
        # both cgroups ran the same readers (sh, cat); only one ran the hog
        expect_range "vmstat pgfault growth of the allocating cgroup beyond an idle one's" \
                $(((pgfault1 - pgfault0) - (idle1 - idle0))) "$faults" 100000000
else
        bad "memhog did not become ready"
fi
kill "$hog"
wait "$hog" 2>/dev/null
hog=

# ---- every file is served to a container, none an error ----
# Empty is legitimate only for offline (no CPU offline) and diskstats (a
# cgroup without I/O has no device lines); the io checks below cover it.
for f in proc/meminfo proc/cpuinfo proc/stat proc/diskstats proc/uptime proc/loadavg proc/swaps \
        proc/vmstat \
        sys/devices/system/cpu/online sys/devices/system/cpu/possible \
        sys/devices/system/cpu/present sys/devices/system/cpu/offline; do
        if out=$(run_in mem cat "$MP/$f"); then
                if [ -n "$out" ] || [ "$f" = sys/devices/system/cpu/offline ] ||
                        [ "$f" = proc/diskstats ]; then
                        ok "container reads $f ($(echo "$out" | wc -l) lines)"
                else
                        bad "container reads an empty $f"
                fi
        else
                bad "container cannot read $f"
        fi
done
view=$(run_in mem cat "$MP/proc/stat")
expect_eq "stat: cpu lines with other than 10 numbers" \
        "$(echo "$view" | awk '/^cpu/ && NF != 11 { printf "%s ", $1 }')" ""
expect_eq "stat: btime line" "$(echo "$view" | awk '$1 == "btime" && $2 > 0 { print "present" }')" present

# ---- cpuset.cpus=1: every CPU file agrees on {1} ----
newcg cpu1
echo 1 >"$CG/$PFX-cpu1/cpuset.cpus"
expect_eq "cpuset=1: sys/devices/system/cpu/online" \
        "$(run_in cpu1 cat "$MP/sys/devices/system/cpu/online")" 1
expect_eq "cpuset=1: cpuinfo processors" \
        "$(run_in cpu1 cat "$MP/proc/cpuinfo" | awk -F: '/^processor/ { gsub(/ /, "", $2); printf "%s ", $2 }')" "1 "
expect_eq "cpuset=1: stat per-CPU lines" \
        "$(run_in cpu1 cat "$MP/proc/stat" | awk '/^cpu[0-9]/ { printf "%s ", $1 }')" "cpu1 "
expect_eq "cpuset=1: cpu1/online" "$(run_in cpu1 cat "$MP/sys/devices/system/cpu/cpu1/online")" 1
expect_eq "cpuset=1: cpuN directories" \
        "$(run_in cpu1 ls "$MP/sys/devices/system/cpu" | grep -E '^cpu[0-9]+$' | tr '\n' ' ')" "cpu1 "

# ---- stat: grows with the cgroup's own CPU time only ----
newcg busy
newcg other
b0=$(cpu_busy busy)
run_bg busy sh -c 'while :; do :; done'
burn=$!
sleep 2
kill "$burn"
wait "$burn" 2>/dev/null
b1=$(cpu_busy busy)
# 2 s of a busy loop is ~200 ticks; TCG and the daemons may steal some.
expect_range "stat user+nice+system ticks gained while the cgroup burned 2 s" $((b1 - b0)) 80 400
run_bg other sh -c 'while :; do :; done'
burn=$!
sleep 2
kill "$burn"
wait "$burn" 2>/dev/null
burn=
b2=$(cpu_busy busy)
# Only the readers' own cat runs in the cgroup meanwhile.
expect_range "stat ticks gained while another cgroup burned 2 s" $((b2 - b1)) 0 15

# ---- pressure: the cgroup's own PSI files, never the host's ----
psi_total() { awk '/^some/ { for (i = 2; i <= NF; i++) if ($i ~ /^total=/) { sub("total=", "", $i); print $i } }'; }
if [ -r "$CG/$PFX-busy/cpu.pressure" ] && cat "$CG/$PFX-busy/cpu.pressure" >/dev/null 2>&1; then
	p0=$(psi_total < "$CG/$PFX-busy/cpu.pressure")
	pv=$(run_in busy cat "$MP/proc/pressure/cpu" | psi_total)
	p1=$(psi_total < "$CG/$PFX-busy/cpu.pressure")
	expect_range "proc/pressure/cpu 'some total' is the cgroup's cpu.pressure" "$pv" "$p0" "$p1"
	expect_eq "proc/pressure/memory has the kernel's two lines" \
		"$(run_in busy cat "$MP/proc/pressure/memory" | awk '{ printf "%s ", $1 }')" "some full "
else
	# a kernel without PSI: the files fail, they never show the host's
	if run_in busy cat "$MP/proc/pressure/cpu" >/dev/null 2>&1; then
		bad "proc/pressure/cpu readable though the cgroup has no cpu.pressure"
	else
		ok "no PSI in this kernel: proc/pressure/cpu fails"
	fi
fi

# ---- diskstats: the cgroup's direct writes to vda, not another's ----
newcg io
newcg ioother
w0=$(vda_wsect io)
run_in io dd if=/dev/zero of="$PV_VM_DISK" bs=64k count=64 oflag=direct 2>/dev/null ||
        bad "dd in the io cgroup failed"
w1=$(vda_wsect io)
expect_range "diskstats vda sectors written after 4 MiB direct" $((w1 - w0)) 8192 8192
# 64 direct writes of 64 KiB; the block layer may split but never merges
# them away entirely.
expect_range "diskstats vda writes completed after 64 direct writes" "$(vda_writes io)" 1 1024
expect_eq "diskstats has 20 fields (vda line)" \
        "$(run_in io cat "$MP/proc/diskstats" | awk '$3 == "vda" { print NF }')" 20
run_in ioother dd if=/dev/zero of="$PV_VM_DISK" bs=64k count=64 seek=128 oflag=direct 2>/dev/null ||
        bad "dd in the other cgroup failed"
w2=$(vda_wsect io)
expect_eq "diskstats vda sectors written after another cgroup's 4 MiB" $((w2 - w1)) 0
wo=$(vda_wsect ioother)
expect_range "the other cgroup's own view counts its 4 MiB" "$wo" 8192 8192

# ---- the views are read-only, for containers and the host alike ----
for who in "" mem; do
        label=${who:-root}
        if run_in "$who" sh -c "echo x >'$MP/proc/meminfo'" 2>/dev/null; then
                bad "$label: writing proc/meminfo succeeded"
        else
                ok "$label: writing proc/meminfo fails"
        fi
        if run_in "$who" touch "$MP/proc/pv-new" 2>/dev/null; then
                bad "$label: creating proc/pv-new succeeded"
        else
                ok "$label: creating proc/pv-new fails"
        fi
done
expect_eq "meminfo still served after the write attempts" \
        "$(kb "$(run_in mem cat "$MP/proc/meminfo")" MemTotal)" 262144

# ---- copies through sendfile(2) get the whole view ----
# busybox cp copies with sendfile. Before Linux 6.5 the kernel spliced a
# direct-I/O FUSE file through a read, so on this 6.1 guest the copy is
# whole (later kernels copy 0 bytes until they splice through a read again;
# procviewd(8) FILES). The mem cgroup's view is 256 MiB, never the guest's.
rm -f /tmp/pv-cp
run_in mem cp "$MP/proc/meminfo" /tmp/pv-cp || bad "cp of proc/meminfo failed"
expect_eq "busybox cp (sendfile) of proc/meminfo: MemTotal" "$(kb "$(cat /tmp/pv-cp)" MemTotal)" 262144
expect_eq "busybox cp (sendfile) of proc/meminfo: lines" "$(wc -l </tmp/pv-cp)" \
        "$(run_in mem cat "$MP/proc/meminfo" | wc -l)"
rm -f /tmp/pv-cp

# ---- --cpu-view=quota: cpu.max shows as ceil(quota/period) CPUs ----
newcg quota
echo "50000 100000" >"$CG/$PFX-quota/cpu.max"
expect_eq "cpu.max 0.5 CPU, quota view: online" \
        "$(run_in quota cat "$MPQ/sys/devices/system/cpu/online")" 0
expect_eq "cpu.max 0.5 CPU, quota view: cpuinfo processors" \
        "$(run_in quota cat "$MPQ/proc/cpuinfo" | grep -c '^processor')" 1
expect_eq "cpu.max 0.5 CPU, quota view: stat per-CPU lines" \
        "$(run_in quota cat "$MPQ/proc/stat" | awk '/^cpu[0-9]/ { printf "%s ", $1 }')" "cpu0 "
expect_eq "cpu.max 0.5 CPU, cpuset view: online" \
        "$(run_in quota cat "$MP/sys/devices/system/cpu/online")" 0-1
echo "150000 100000" >"$CG/$PFX-quota/cpu.max"
expect_eq "cpu.max 1.5 CPU, quota view: online" \
        "$(run_in quota cat "$MPQ/sys/devices/system/cpu/online")" 0-1

# ---- removed cgroups give back their descriptors at once, not at a pass ----
# A third daemon samples every 60 s: 10 containers are read, their cgroups
# removed once their readers exited, and the worker's descriptors go back to
# about what they were before the reads within 5 s (TCG), through the inotify
# watch of the parent of each container's v2 directory.
MPR=/run/pvr
mkdir -p "$MPR"
"$procviewd" -f --sample-interval 60 --scan-max 0 "$MPR" >/tmp/procviewd-removal.log 2>&1 &
daemonr=$!
if wait_for "$MPR/proc/meminfo" 300; then
        worker=
        for i in $(seq 100); do
                for s in /proc/[0-9]*/stat; do
                        set -- $(cat "$s" 2>/dev/null)
                        [ "${4:-}" = "$daemonr" ] && worker=$1
                done
                [ -n "$worker" ] && break
                sleep 0.1
        done
        fds() { ls "/proc/$worker/fd" 2>/dev/null | wc -l; }
        cat "$MPR/proc/meminfo" >/dev/null
        before=$(fds)
        n=0
        for i in $(seq 10); do
                newcg "rm$i"
                echo $((64 << 20)) >"$CG/$PFX-rm$i/memory.max"
                t=$(kb "$(run_in "rm$i" cat "$MPR/proc/meminfo")" MemTotal)
                [ "$t" = $((64 << 10)) ] && n=$((n + 1))
        done
        expect_eq "containers of 10 cgroups read their MemTotal" "$n" 10
        held=$(fds)
        for i in $(seq 10); do rmdir "$CG/$PFX-rm$i" || bad "rmdir $PFX-rm$i"; done
        after=$held
        t=0
        while [ "$t" -lt 50 ]; do
                after=$(fds)
                [ "$after" -le $((before + 3)) ] && break
                sleep 0.1
                t=$((t + 1))
        done
        echo "worker descriptors: $before before, $held with 10 containers read, $after $((t * 100)) ms after their removal"
        expect_range "worker descriptors within 5 s of 10 cgroups' removal (passes 60 s apart; $held while held)" \
                "$after" 0 $((before + 3))
        kill -TERM "$daemonr"
        wait "$daemonr"
        daemonr=
else
        bad "procviewd --sample-interval 60 did not mount within 30 s"
fi

# ---- SIGTERM unmounts and exits 0 ----
for p in $daemon $daemonq; do kill -TERM "$p"; done
wait "$daemon"
rc=$?
expect_eq "procviewd exit status after SIGTERM" "$rc" 0
wait "$daemonq"
daemon=
daemonq=
if grep -q " $MP " /proc/mounts; then bad "$MP still mounted after SIGTERM"; else ok "$MP unmounted"; fi

if [ $fails -ne 0 ]; then
        echo "---- procviewd log"
        cat /tmp/procviewd.log
        echo "---- procviewd --cpu-view=quota log"
        cat /tmp/procviewd-quota.log
        echo "---- procviewd --sample-interval 60 log"
        cat /tmp/procviewd-removal.log 2>/dev/null
fi
echo "daemon v2 guest: $fails failure(s)"
[ $fails -eq 0 ]
