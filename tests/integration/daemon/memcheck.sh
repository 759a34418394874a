#!/bin/bash
# The daemon under valgrind memcheck through the host tests: no invalid access, no use of
# uninitialised memory, no leak (stress stops the daemon while readers hold files open),
# and every check of those tests still passing.
set -u
here=$(dirname "$0")
command -v valgrind >/dev/null || { echo "FAIL: valgrind missing (CI installs it)"; exit 1; }
logs=$(mktemp -d /tmp/pvt-memcheck-XXXXXX)
trap 'rm -rf "$logs"' EXIT
# valgrind does not run seccomp(2) (an unhandled system call to it): the worker keeps
# dropping its capabilities, without the filter daemon-confine checks elsewhere
export PV_DAEMON_ARGS=--no-seccomp
export PV_DAEMON_WRAPPER="valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --error-exitcode=99 --log-file=$logs/vg.%p.log"
rc=0
for t in v1-host loadavg-cpuview stress; do
	echo "=== $t under valgrind"
	bash "$here/$t.sh"
	r=$?
	[ $r = 77 ] && exit 77
	[ $r = 0 ] || rc=1
done
# valgrind's own notes about syscalls it does not know (pidfd_open) are not errors
errors=$(cat "$logs"/vg.*.log 2>/dev/null | grep -v -e 'unhandled amd64-linux syscall' -e 'own handler' \
	-e README_MISSING -e 'Nevertheless we consider' -e 'valgrind.org/support' | grep '^==')
if [ -n "$errors" ]; then
	echo "FAIL: valgrind reports:"
	echo "$errors"
	rc=1
else
	echo "ok: valgrind reports nothing for $(ls "$logs" | wc -l) daemon runs"
fi
exit $rc
