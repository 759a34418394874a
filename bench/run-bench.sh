#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# procviewd benchmark, side by side with a trivial FUSE file and lxcfs.
#   bench/run-bench.sh [all|latency|loadavg|preload|repair|profile]   (root; see bench/README.md)
# Environment: PV_BUILD_ROOT (build directory, default "build"), PROCVIEWD,
# PV_BENCH, LXCFS (binaries), PV_BENCH_ROUNDS, PV_BENCH_SLICE_MS,
# PV_BENCH_WARMUP_MS, PV_BENCH_THREADS, PV_BENCH_LOAD_CGROUPS, PV_BENCH_IDLE_S,
# PV_BENCH_MEM_LIMIT, PV_BENCH_SEED, PV_PRELOAD_BENCH, PV_PRELOAD, PROCVIEWD_REF
# (mode 1: another procviewd build as the reference instead of lxcfs).
set -euo pipefail

mode=${1:-all}
case $mode in
all | latency | loadavg | preload | repair | profile) ;;
*)
        echo "usage: $0 [all|latency|loadavg|preload|repair|profile]" >&2
        exit 2
        ;;
esac

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${PV_BUILD_ROOT:-build}
[[ $build = /* ]] || build=$repo/$build
PV_BENCH=${PV_BENCH:-$build/bench/pv-bench}
PROCVIEWD=${PROCVIEWD:-$build/src/daemon/procviewd}
PV_PRELOAD_BENCH=${PV_PRELOAD_BENCH:-$build/bench/pv-preload-bench}
PV_PRELOAD=${PV_PRELOAD:-$build/src/lib/libprocview-preload.so}
LXCFS=${LXCFS:-$(command -v lxcfs || true)}
PROCVIEWD_REF=${PROCVIEWD_REF:-}
ROUNDS=${PV_BENCH_ROUNDS:-8}
SLICE_MS=${PV_BENCH_SLICE_MS:-250}
WARMUP_MS=${PV_BENCH_WARMUP_MS:-100}
THREADS=${PV_BENCH_THREADS:-1,8}
LOAD_CGROUPS=${PV_BENCH_LOAD_CGROUPS:-1000}
REPAIR_NAMESPACES=${PV_BENCH_REPAIR_NAMESPACES:-1000}
IDLE_S=${PV_BENCH_IDLE_S:-30}
MEM_LIMIT=${PV_BENCH_MEM_LIMIT:-$((512 * 1024 * 1024))}
SEED=${PV_BENCH_SEED:-0}
FILES=proc/meminfo,proc/cpuinfo,proc/stat,proc/diskstats,proc/uptime,proc/loadavg,proc/swaps,sys/devices/system/cpu/online
# The v1 controllers a container runtime puts a container in.
CONTROLLERS=(memory cpu cpuacct cpuset blkio pids)

# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

[[ $(id -u) = 0 ]] || die "needs root (FUSE allow_other, cgroups)"
[[ -c /dev/fuse ]] || die "/dev/fuse missing"
[[ -x $PV_BENCH ]] || die "$PV_BENCH not built (ninja -C $build)"
[[ -n $LXCFS && -x $LXCFS ]] || die "lxcfs not installed"
have_procviewd=1
if [[ ! -x $PROCVIEWD ]]; then
        echo "run-bench: WARNING: $PROCVIEWD not built: measuring lxcfs alone" >&2
        have_procviewd=0
fi

tmp=$(mktemp -d /tmp/pv-bench.XXXXXX)
trap cleanup EXIT
trap 'exit 130' INT TERM
mapfile -t ROOTS < <(hierarchy_roots)

host_info() {
        echo "# $(uname -sr), $(nproc) CPUs, $(awk '/^MemTotal/ { print $2 " kB" }' /proc/meminfo)," \
                "cgroup hierarchies: ${ROOTS[*]}"
        echo "# procviewd: $( ((have_procviewd)) && echo "$PROCVIEWD" || echo absent)," \
                "lxcfs: $("$LXCFS" --version 2>&1 | head -n1)"
}

run_latency() {
        local subject args name
        echo
        echo "### Mode 1: latency, reader in cgroup pv-bench-$$ (memory limit $((MEM_LIMIT / 1048576)) MiB, new pid namespace)"
        mapfile -t cgroup_dirs < <(make_cgroup "pv-bench-$$")
        set_mem_limit "${cgroup_dirs[@]}"

        start_daemon trivial file "$PV_BENCH" serve "$tmp/trivial"
        if [[ -n $PROCVIEWD_REF ]]; then
                start_daemon procviewd-ref proc/meminfo "$PROCVIEWD_REF" -f "$tmp/procviewd-ref"
        else
                start_lxcfs
        fi
        start_procviewd

        # Show that the daemons compute the reader's container view, not the host's.
        echo "# MemTotal as the reader sees it: host $(awk '/^MemTotal/ { print $2 }' /proc/meminfo) kB"
        for name in procviewd procviewd-ref lxcfs; do
                [[ -n ${daemon_pid[$name]:-} ]] || continue
                echo "#   via $name: $(exec_in_container awk '/^MemTotal/ { print $2 }' "$tmp/$name/proc/meminfo") kB"
        done

        if ((have_procviewd)) && [[ -n $PROCVIEWD_REF ]]; then
                subject=procviewd
                args=(--reference "procviewd-ref=$tmp/procviewd-ref")
        elif ((have_procviewd)); then
                subject=procviewd
                args=(--reference "lxcfs=$tmp/lxcfs")
        else
                subject=lxcfs
                args=()
        fi
        # Each daemon's CPU time is counted: procviewd's keeper and its worker.
        for name in "${!daemon_pid[@]}"; do
                args+=(--cpu "$name=$(daemon_procs "$name" | paste -sd,)")
        done
        # Failed reads are reported in the table; go on, and exit non-zero at the end.
        run_fg exec_in_container "$PV_BENCH" latency --subject "$subject=$tmp/$subject" "${args[@]}" \
                --baseline "trivial=$tmp/trivial/file" --files "$FILES" --threads "$THREADS" \
                --rounds "$ROUNDS" --slice-ms "$SLICE_MS" --warmup-ms "$WARMUP_MS" --seed "$SEED" ||
                status=1

        echo
        echo "## resident memory after the run (VmRSS)"
        for name in procviewd procviewd-ref lxcfs trivial; do
                [[ -n ${daemon_pid[$name]:-} ]] || continue
                printf '%-13s %8s kB\n' "$name" "$(rss_kb "${daemon_pid[$name]}")"
        done
        if ((have_procviewd)) && [[ -n ${daemon_pid[lxcfs]:-} ]]; then
                awk -v a="$(rss_kb "${daemon_pid[procviewd]}")" -v b="$(rss_kb "${daemon_pid[lxcfs]}")" \
                        'BEGIN { printf "ratio procviewd/lxcfs: %.2f\n", a / b }'
        fi

        stop_daemons
        remove_reader_cgroups
}

run_loadavg() {
        local r p reads=() cg_args=() name hz t0 t1
        declare -A c0=() c1=()
        echo
        echo "### Mode 2: loadavg sampling cost, $LOAD_CGROUPS idle containers, ${IDLE_S} s"
        start_lxcfs
        start_procviewd

        for r in "${ROOTS[@]}"; do
                p=$r/pv-bench-load-$$
                mkdir "$p"
                load_parents+=("$p")
                if [[ -f $p/cpuset.cpus && ! -f $p/cgroup.controllers ]]; then
                        cat "$r/cpuset.cpus" >"$p/cpuset.cpus"
                        cat "$r/cpuset.mems" >"$p/cpuset.mems"
                        # v1: children copy the parent's cpus and mems on mkdir.
                        echo 1 >"$p/cgroup.clone_children"
                fi
                (cd "$p" && seq 0 $((LOAD_CGROUPS - 1)) | xargs mkdir)
                cg_args+=(--cgroup "$p")
        done
        # lxcfs samples a container once it has been read; procviewd finds them by its scan
        [[ -n ${daemon_pid[lxcfs]:-} ]] && reads+=(--read "$tmp/lxcfs/proc/loadavg")

        t0=$(date +%s.%N)
        "$PV_BENCH" spawn --count "$LOAD_CGROUPS" "${cg_args[@]}" "${reads[@]}" >"$tmp/spawn.out" &
        spawn_pid=$!
        while ! grep -q '^ready' "$tmp/spawn.out"; do
                kill -0 "$spawn_pid" 2>/dev/null || die "spawning the containers failed"
                sleep 0.2
        done
        t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" -v n="$LOAD_CGROUPS" \
                'BEGIN { printf "# %d containers started, each read lxcfs\x27s proc/loadavg once, in %.1f s\n", n, b - a }'

        # Let both daemons pick the new containers up before measuring (procviewd's scan runs
        # every 5 s).
        sleep 6
        hz=$(getconf CLK_TCK)
        for name in "${!daemon_pid[@]}"; do
                c0[$name]=$(sum_over "$name" cpu_ticks)
        done
        t0=$(date +%s.%N)
        run_fg sleep "$IDLE_S"
        for name in "${!daemon_pid[@]}"; do
                c1[$name]=$(sum_over "$name" cpu_ticks)
        done
        t1=$(date +%s.%N)

        printf '%-10s %12s %8s %10s\n' daemon cpu-seconds CPU% VmRSS-kB
        for name in procviewd lxcfs; do
                [[ -n ${daemon_pid[$name]:-} ]] || continue
                awk -v d="$((c1[$name] - c0[$name]))" -v hz="$hz" -v a="$t0" -v b="$t1" \
                        -v n="$name" -v rss="$(sum_over "$name" rss_kb)" \
                        'BEGIN { s = d / hz; printf "%-10s %12.2f %7.2f%% %10d\n", n, s, 100 * s / (b - a), rss }'
        done
        if ((have_procviewd)); then
                awk -v a="$((c1[procviewd] - c0[procviewd]))" -v b="$((c1[lxcfs] - c0[lxcfs]))" \
                        'BEGIN { if (b > 0) printf "ratio procviewd/lxcfs CPU: %.2f\n", a / b;
                                 else printf "ratio procviewd/lxcfs CPU: - (lxcfs used no measurable CPU)\n" }'
        fi
        echo "# (CPU time from /proc/PID/stat utime+stime, resolution 1/$hz s)"

        stop_pid "$spawn_pid"
        spawn_pid=
        stop_daemons
        remove_load_cgroups
}

# The preload's CPU count against glibc's, in a container's cgroups (the
# preload's cost grows with what it reads: cgroup files at each level).
run_preload() {
        echo
        echo "### Mode 3: libprocview-preload, reader in cgroup pv-bench-preload-$$"
        [[ -x $PV_PRELOAD_BENCH && -f $PV_PRELOAD ]] ||
                die "$PV_PRELOAD_BENCH or $PV_PRELOAD not built (ninja -C $build)"
        mapfile -t cgroup_dirs < <(make_cgroup "pv-bench-preload-$$")
        # a container's usual limits, so every file the preload reads is there
        local d
        for d in "${cgroup_dirs[@]}"; do
                [[ -f $d/cpu.cfs_quota_us ]] && echo 150000 >"$d/cpu.cfs_quota_us"
                [[ -f $d/cpu.max ]] && echo "150000 100000" >"$d/cpu.max"
        done
        (exec_in_container env LD_PRELOAD="$PV_PRELOAD" "$PV_PRELOAD_BENCH") || status=1
        for d in "${cgroup_dirs[@]}"; do
                rmdir_retry "$d"
        done
        cgroup_dirs=()
}

# Mode 4 (not part of "all"): perf records the whole machine while one
# container reader loops on proc/meminfo; the samples of procviewd's worker
# threads and of the reader are sorted into where their CPU time went.
run_profile() {
        local n ppid
        command -v perf >/dev/null || die "perf not installed (Debian: linux-perf)"
        ((have_procviewd)) || die "$PROCVIEWD not built"
        echo
        echo "### Mode 4: where a proc/meminfo sample spends its CPU (perf, call chains)"
        mapfile -t cgroup_dirs < <(make_cgroup "pv-bench-$$")
        set_mem_limit "${cgroup_dirs[@]}"
        start_procviewd
        for n in ${THREADS//,/ }; do
                perf record -q -a -g -o "$tmp/perf.data" -- sleep $((ROUNDS * SLICE_MS / 1000 + 2)) \
                        2>"$tmp/perf.log" &
                ppid=$!
                sleep 0.5
                run_fg exec_in_container "$PV_BENCH" latency --subject "procviewd=$tmp/procviewd" \
                        --files proc/meminfo --threads "$n" --rounds "$ROUNDS" --slice-ms "$SLICE_MS" \
                        --warmup-ms "$WARMUP_MS" --seed "$SEED" | awk '/^## ratios/ { done = 1 } !done && /^ *[0-9]/' || status=1
                wait "$ppid" || true
                echo "# $n reader thread(s): share of each thread's CPU samples"
                perf script -i "$tmp/perf.data" -F comm,ip,sym 2>/dev/null |
                        python3 "$repo/bench/perf-classify.py" procviewd-work pv-bench
                rm -f "$tmp/perf.data" "$tmp/perf.data.old"
        done
        stop_daemons
        remove_reader_cgroups
}

# reads_ok FILE: true once FILE reads (a dead mount still answers stat from its cache)
reads_ok() {
        head -c1 "$1" >/dev/null 2>&1
}

run_repair() {
        local fifo pids i n dead=0 mnt=$tmp/procviewd t0 line during after
        echo
        echo "### Mode 5: repair of $REPAIR_NAMESPACES mount namespaces after procviewd was killed"
        ((have_procviewd)) || { echo "procviewd not built: skipped"; return 0; }
        mapfile -t cgroup_dirs < <(make_cgroup "pv-bench-$$")
        set_mem_limit "${cgroup_dirs[@]}"
        start_procviewd
        fifo=$tmp/namespaces.in
        mkfifo "$fifo"
        "$PV_BENCH" namespaces "$REPAIR_NAMESPACES" "$mnt" <"$fifo" >"$tmp/namespaces.out" &
        ns_pid=$!
        exec 7>"$fifo"
        for ((i = 0; i < 1200; i++)); do
                grep -q '^ready' "$tmp/namespaces.out" && break
                kill -0 "$ns_pid" 2>/dev/null || die "pv-bench namespaces failed"
                sleep 0.1
        done
        grep '^ready' "$tmp/namespaces.out" || die "the namespaces did not come up"
        mapfile -t pids < <(grep -v '^ready' "$tmp/namespaces.out")
        # what a killed procviewd leaves: every namespace's mounts dead
        kill -KILL "${daemon_pid[procviewd]}"
        wait "${daemon_pid[procviewd]}" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do reads_ok "$mnt/proc/meminfo" || break; sleep 0.1; done
        for p in "${pids[@]}"; do reads_ok "/proc/$p/root/proc/meminfo" || dead=$((dead + 1)); done
        echo "after kill -9: $dead of ${#pids[@]} namespaces read no meminfo"

        "$PROCVIEWD" -f "$mnt" >"$tmp/procviewd.log" 2>&1 7>&- &
        daemon_pid[procviewd]=$!
        t0=$(date +%s.%N)
        for ((i = 0; i < 300; i++)); do reads_ok "$mnt/proc/meminfo" && break; sleep 0.01; done
        # a live container's reader while the repair runs, then once it is over
        during=$(exec_in_container "$PV_BENCH" reads "$mnt/proc/meminfo" 2 || true)
        for ((i = 0; i < 300; i++)); do
                grep -q 'repair of .* in [0-9]* ms' "$tmp/procviewd.log" && break
                sleep 0.1
        done
        line=$(grep -o 'repair of .* ms' "$tmp/procviewd.log" || echo "no repair logged")
        after=$(exec_in_container "$PV_BENCH" reads "$mnt/proc/meminfo" 2 || true)
        n=0
        for p in "${pids[@]}"; do reads_ok "/proc/$p/root/proc/meminfo" && n=$((n + 1)); done
        echo "procviewd: $line"
        echo "per-container log lines: $(grep -c 'repaired pid' "$tmp/procviewd.log")"
        echo "namespaces reading meminfo again: $n of ${#pids[@]}"
        echo "live reader during the repair: $during"
        echo "live reader after the repair:  $after"
        awk -v d="$during" -v a="$after" 'BEGIN {
                split(d, x, " "); split(a, y, " ")
                if (x[8] > 0 && y[8] > 0) printf "ratio p99 during/after: %.2f\n", x[8] / y[8] }'
        exec 7>&-
        wait "$ns_pid" 2>/dev/null || true
        ns_pid=
        ((n == ${#pids[@]})) || status=1
        stop_daemons
        remove_reader_cgroups
}

status=0
host_info
case $mode in
latency) run_latency ;;
loadavg) run_loadavg ;;
preload) run_preload ;;
repair) run_repair ;;
profile) run_profile ;;
all)
        run_latency
        run_loadavg
        run_preload
        run_repair
        ;;
esac
exit "$status"
