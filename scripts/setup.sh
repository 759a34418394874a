#!/bin/bash
# procview set-up: installs what is missing (Debian packages), builds, then
#   run   starts procviewd in the foreground at its default mount point
#   test  runs the whole test suite (unit, integration on this host, cgroup-v2 VM, runc),
#         the fuzz harnesses' seeds, and the unit and daemon tests again in a clang
#         ASan+UBSan build (build-san)
# Needs root (apt-get, FUSE mounts, cgroups). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PKGS=(meson ninja-build pkg-config gcc libc6-dev libfuse3-dev fuse3 libglib2.0-dev
	libcgroup-dev check libjson-glib-dev libseccomp-dev)
TEST_PKGS=(clang-format clang libclang-rt-14-dev valgrind qemu-system-x86 busybox-static cpio kmod runc lxcfs procps sysstat htop numactl
	python3 python3-psutil prometheus-node-exporter tmux util-linux curl e2fsprogs
	apt-utils dpkg-dev debhelper build-essential python3-yaml docker.io podman lxc mmdebstrap)

usage() {
	echo "usage: $0 run|test [-- procviewd options]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
what=$1
shift
[ "$(id -u)" = 0 ] || { echo "$0: run me as root (apt-get, FUSE, cgroups)" >&2; exit 1; }

install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
	local werror=$1
	if [ ! -f build/build.ninja ]; then
		meson setup build -Dwerror="$werror"
	else
		meson configure build -Dwerror="$werror"
	fi
	ninja -C build
}

case $what in
run)
	install_missing "${BUILD_PKGS[@]}"
	build false
	# fuse.ko may be a module
	[ -c /dev/fuse ] || modprobe fuse || true
	exec build/src/daemon/procviewd -f "$@"
	;;
test)
	install_missing "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
	build true
	[ -c /dev/fuse ] || modprobe fuse || true
	rc=0
	meson test -C build --print-errorlogs --timeout-multiplier 2 || rc=$?
	# The parsers' and renderers' fuzz harnesses (clang, ASan, UBSan) replay
	# their seeds and every input that once broke them.
	if [ ! -f build-fuzz/build.ninja ]; then
		CC=clang meson setup build-fuzz -Dfuzz=true -Dwerror=true
	fi
	ninja -C build-fuzz
	meson test -C build-fuzz --suite fuzz --print-errorlogs || rc=$?
	# Everything again built with clang's AddressSanitizer and UBSan: the unit
	# suite, and the daemon's integration tests with procviewd (keeper and
	# workers) sanitized, each run by sanitizer-run.sh, which fails a test on
	# any sanitizer report of any of its processes, and the preload's affinity
	# test (it dlopen()s the preload into a sanitized program). Left out: valgrind's test
	# (it cannot run sanitized code); daemon-memory, whose bounds on
	# procviewd's resident memory do not hold with ASan's shadow memory and
	# quarantine; clang-format (already run); the
	# preload's tests on real programs, because clang links the ASan runtime
	# into executables only, so a sanitized preload cannot load into getconf
	# or python3 (the unit suite still runs its wrappers, dlopen()ed by a
	# sanitized test); and the VM and runc tests, whose guests and containers
	# lack the sanitized build's run-time environment.
	# meson names the log after the wrapper
	san_log=build-san/meson-logs/testlog-sanitizer-run.sh.json
	rm -f "$san_log"
	if [ ! -f build-san/build.ninja ]; then
		CC=clang meson setup build-san -Db_sanitize=address,undefined -Db_lundef=false \
			-Dwerror=true || rc=1
	fi
	if [ -f build-san/build.ninja ] && ninja -C build-san; then
		san_tests=$(meson test -C build-san --list 2>/dev/null | sed -nE \
			-e 's,^procview:unit / ,,p' -e 's,^procview:integration(\+daemon)? / (daemon-),\2,p' \
			-e 's,^procview:integration / (lib-affinity-change)$,\1,p' |
			grep -vx -e clang-format -e daemon-memory | sort -u || true)
		# no names would mean every test, the VM's and runc's included
		[ -n "$san_tests" ] || san_tests=no-test-found
		meson test -C build-san --print-errorlogs --timeout-multiplier 3 \
			--wrapper "$PWD/tests/integration/daemon/sanitizer-run.sh" $san_tests || rc=$?
	else
		echo "the sanitizer build failed"
		rc=1
	fi
	logs=(build/meson-logs/testlog.json build-fuzz/meson-logs/testlog.json)
	[ -f "$san_log" ] && logs+=("$san_log")
	count() { cat "${logs[@]}" | grep -Ec "$1" || true; }
	passed=$(count '"result": "OK"')
	failed=$(count '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"')
	skipped=$(count '"result": "SKIP"')
	if [ "${CI:-}" = true ] && [ "$skipped" != 0 ]; then
		echo "CI installs every prerequisite, so no test may skip:"
		cat "${logs[@]}" |
			grep '"result": "SKIP"' | sed -E 's/.*"name": "([^"]*)".*/  skipped: \1/'
		rc=1
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	exit $rc
	;;
*)
	usage
	;;
esac
