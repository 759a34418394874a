#!/bin/bash
# sanitizer-run.sh TEST [ARGS...]: runs one test (a .sh script or a command) of
# a build made with -Db_sanitize. Every process of the test that carries the
# sanitizers (procviewd's keeper and its forked workers, the test helpers, a
# unit test) writes any report to a file of a directory of its own, and the
# test fails if one appears. The exit status alone would not do: a worker
# that aborts is replaced by the keeper, and the readers may never notice.
#
# A worker that aborts on every request would leave readers waiting for a
# worker that never answers, so the test would only end at its timeout,
# with nothing shown: as soon as a report appears the test's processes are
# stopped (the keeper's end closes the FUSE connection, which releases the
# readers) and the report is printed.
set -u
[ $# -ge 1 ] || { echo "usage: $0 TEST [ARGS...]" >&2; exit 2; }
run() {
	case $1 in
	*.sh) bash "$@" ;;
	*) "$@" ;;
	esac
}
# Under another sanitizer-run.sh (meson test --wrapper over a test defined
# with this one) the outer one collects the reports.
if [ -n "${PV_SANITIZER_LOGS:-}" ]; then
	run "$@"
	exit
fi
# The test's processes are found as this script's process group.
if [ "$(ps -o pgid= -p $$ | tr -d ' ')" != "$$" ]; then
	exec setsid "$0" "$@"
fi

logs=$(mktemp -d /tmp/pvt-sanitizer-XXXXXX)
chmod 0777 "$logs" # tests run helpers as other users, whose reports count too
export PV_SANITIZER_LOGS=$logs
# halt_on_error: the first report ends the process, so it cannot be drowned by
# later noise. Leaks are checked at the exit of every sanitized process that
# exits normally (SIGTERM ends procviewd so). A smaller quarantine than the
# default 256 MiB, because tests bound the daemon's memory.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:log_path=$logs/san:\
detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1:\
quarantine_size_mb=64:malloc_context_size=20"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/san"
export LSAN_OPTIONS="log_path=$logs/san"
# Tests that bound procviewd's memory or time read this to allow for the
# sanitizers' own cost (shadow memory, quarantine, slower allocation).
export PV_SANITIZED=1

reports() { find "$logs" -type f -size +0 | sort; }

# Every process of the group but this script: TERM, then KILL what is left after 20 s.
stop_test() {
	local pid i
	trap '' TERM
	kill -TERM -- -$$ 2>/dev/null
	for i in $(seq 200); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	for pid in $(pgrep -g $$); do
		[ "$pid" = $$ ] || kill -KILL "$pid" 2>/dev/null
	done
}

show_and_exit() {
	local f
	rc=${1:-0}
	if [ -n "$(reports)" ]; then
		echo "FAIL: sanitizer reports ($(reports | wc -l) processes):"
		for f in $(reports); do
			echo "--- $(basename "$f")"
			cat "$f"
		done
		rc=1
	elif [ "$rc" = 0 ]; then
		echo "ok: no sanitizer report"
	fi
	rm -rf "$logs"
	exit "$rc"
}

run "$@" &
child=$!
# meson's timeout: stop the test and show what was reported so far
trap 'stop_test; show_and_exit 1' TERM INT
while kill -0 "$child" 2>/dev/null; do
	if [ -n "$(reports)" ]; then
		# let the reporting process finish its report
		sleep 2
		echo "FAIL: a sanitizer report appeared: stopping the test"
		stop_test
		wait "$child" 2>/dev/null
		show_and_exit 1
	fi
	sleep 0.5
done
wait "$child"
show_and_exit $?
