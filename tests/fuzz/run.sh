#!/bin/bash
# Runs one harness.
#   run.sh fuzz   HARNESS-BINARY NAME SECONDS [WORKDIR]  fuzz for SECONDS from the seeds
#   run.sh replay HARNESS-BINARY NAME                    run each seed and regression input once
# Seeds are the fixture files below (tests/fixtures) that the harness's code
# reads in the daemon; tests/fuzz/regress/NAME/ holds the minimized inputs
# of bugs found, replayed by `meson test --suite fuzz`.
set -eu
mode=${1:?usage: run.sh fuzz|replay BINARY NAME [SECONDS [WORKDIR]]}
bin=${2:?binary}
name=${3:?harness name}
root=${PV_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
fx=$root/tests/fixtures

seeds() {
	case $name in
	meminfo) ls "$fx"/views/meminfo-*/* ;;
	cpuinfo) ls "$fx"/views/cpuinfo-*/* ;;
	stat) ls "$fx"/views/stat-*/* ;;
	diskstats) ls "$fx"/views/diskstats-*/* ;;
	swaps) ls "$fx"/views/swaps-*/* ;;
	vmstat) ls "$fx"/views/vmstat-*/* ;;
	cpu-view) ls "$fx"/cgroup/*/cpuset/cpuset.cpus "$fx"/cgroup/v2/unified/cpuset.cpus.effective ;;
	flat-keyed) find "$fx/cgroup" -name memory.stat -o -name cpu.stat -o -name cpuacct.stat ;;
	cpuacct) find "$fx/cgroup" -name 'cpuacct.usage*' ;;
	io) find "$fx/cgroup" -name io.stat -o -name 'blkio.*' ;;
	limits) find "$fx/cgroup" -name '*limit_in_bytes' -o -name '*.max' -o -name 'cpu.cfs_*' \
		-o -name memory.current ;;
	proc-cgroup) ls "$fx"/cgroup/*/pid-cgroup* ;;
	pid-stat) find "$fx/cgroup" -path '*/proc/*/stat' ;;
	cpuset) find "$fx/cgroup" -name 'cpuset.*cpus*' ;;
	mountinfo) find "$fx/lib" -name mountinfo ;;
	*) echo "unknown harness $name" >&2; exit 2 ;;
	esac
	if [ -d "$root/tests/fuzz/regress/$name" ]; then
		find "$root/tests/fuzz/regress/$name" -type f
	fi
}

case $mode in
replay)
	mapfile -t inputs < <(seeds)
	[ ${#inputs[@]} -gt 0 ] || { echo "no seeds for $name" >&2; exit 1; }
	# libFuzzer exits 77 on a crash by default, which meson would count as a skip
	exec "$bin" -error_exitcode=1 "${inputs[@]}"
	;;
fuzz)
	secs=${4:?seconds}
	work=${5:-fuzz-corpus/$name}
	mkdir -p "$work" "$work-artifacts"
	seeds | while IFS= read -r f; do cp -f "$f" "$work/seed-$(echo "$f" | md5sum | cut -c1-12)"; done
	exec "$bin" -error_exitcode=1 -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$work-artifacts/" "$work"
	;;
*)
	echo "unknown mode $mode" >&2
	exit 2
	;;
esac
