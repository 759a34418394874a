#!/bin/bash
# procviewd's command line: help, version, and one-line errors with a non-zero exit
# for unknown options and unusable mount points (nothing is mounted by these).
set -u
P=${1:?usage: cli.sh PATH-TO-PROCVIEWD}
failed=0
check() { # check DESCRIPTION WANT-STATUS WANT-LINES PATTERN -- ARGS...
	local desc=$1 want=$2 lines=$3 pat=$4
	shift 5
	local out rc
	out=$("$P" "$@" 2>&1 </dev/null)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $desc: exit $rc, want $want: $out"; failed=1; return
	fi
	if [ "$lines" != any ] && [ "$(printf '%s\n' "$out" | wc -l)" != "$lines" ]; then
		echo "FAIL: $desc: want $lines line(s), got: $out"; failed=1; return
	fi
	if ! printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "FAIL: $desc: output lacks '$pat': $out"; failed=1; return
	fi
	echo "ok: $desc"
}
check "--help" 0 any "Usage: procviewd" -- --help
check "-h mentions --cpu-view" 0 any "cpu-view" -- -h
check "--help lists the file table" 0 any "^  proc/pressure/{cpu,memory,io}$" -- --help
check "--help lists what runc binds" 0 any "^  proc/{meminfo,cpuinfo,stat,diskstats,uptime,loadavg,swaps}$" -- --help
check "--version" 0 1 "^procviewd [0-9]" -- --version
check "unknown long option" 2 1 "unknown option '--bogus'" -- --bogus
check "unknown short option" 2 1 "unknown option '-z'" -- -z
check "bad --cpu-view" 2 1 "cpuset' or 'quota'" -- --cpu-view=cores
check "bad --scan-max" 2 1 "scan-max takes 0 to 1000000" -- --scan-max=lots
check "missing argument" 2 1 "needs an argument" -- --cpu-view
check "two mount points" 2 1 "one mount point expected" -- /a /b
check "mount point is a file" 1 1 "Not a directory" -- /etc/hostname
check "mount point cannot be created" 1 1 "cannot use mount point" -- /proc/self/none/here
exit $failed
