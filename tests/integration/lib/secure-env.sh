#!/bin/bash
# PROCVIEW_CPUS and PROCVIEW_ROOT in secure-execution mode: a program that
# gains privileges at exec (here a file capability, run by nobody; setuid
# alike) must ignore what its unprivileged caller put in the environment, in
# the preload and in libprocview's API alike. The same program without the
# capability, run by the same user with the same environment, honours them,
# so the test tells the two apart.
TEST_NAME=secure-env
. "$(dirname "$0")/common.sh"
require_v1
command -v setcap >/dev/null || skip "setcap (libcap2-bin) is not installed"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
LIBPROCVIEW="$LIB_BUILD/libprocview.so"
[ -e "$LIBPROCVIEW" ] || { echo "FAIL: $LIBPROCVIEW not built"; exit 1; }
id nobody >/dev/null 2>&1 || skip "no user nobody"
cg_create
DIR=$(mktemp -d /tmp/pvlib-secure-XXXXXX)
trap 'rm -rf "$DIR"; cleanup' EXIT
chmod 755 "$DIR"

# A view root the caller made up: its loadavg is not the host's.
mkdir -p "$DIR/root/proc"
echo "42.25 42.25 42.25 1/1 1" > "$DIR/root/proc/loadavg"
chmod -R a+rX "$DIR/root"
cp "$HELPERS/secure-env" "$DIR/plain"
cp "$HELPERS/secure-env" "$DIR/capable"
setcap cap_net_bind_service+ep "$DIR/capable" || fail "setcap on $DIR/capable"

# run PROGRAM: as nobody in the test cgroup, with both variables set.
run() {
	in_cg env PROCVIEW_CPUS=3 PROCVIEW_ROOT="$DIR/root" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$1" "$PRELOAD" "$LIBPROCVIEW"
}

cg_config 1 -1 -1
out=$(run "$DIR/plain") || fail "the plain copy failed: $out"
expect "plain: not in secure-execution mode" "at_secure 0" "$(echo "$out" | grep ^at_secure)"
expect "plain: the preload's sysconf honours PROCVIEW_CPUS" "sysconf 3" "$(echo "$out" | grep ^sysconf)"
expect "plain: pv_cpu_count() honours PROCVIEW_CPUS" "pv_cpu_count 3" \
	"$(echo "$out" | grep ^pv_cpu_count)"
expect "plain: getloadavg() reads PROCVIEW_ROOT" "loadavg 42.25" "$(echo "$out" | grep ^loadavg)"

out=$(run "$DIR/capable") || fail "the capable copy failed: $out"
expect "capable: in secure-execution mode" "at_secure 1" "$(echo "$out" | grep ^at_secure)"
expect "capable: PROCVIEW_CPUS reached the program" "env 3" "$(echo "$out" | grep ^env)"
expect "capable: the preload's sysconf ignores PROCVIEW_CPUS (cpuset {1})" "sysconf 1" \
	"$(echo "$out" | grep ^sysconf)"
expect "capable: pv_cpu_count() ignores PROCVIEW_CPUS (cpuset {1})" "pv_cpu_count 1" \
	"$(echo "$out" | grep ^pv_cpu_count)"
load=$(echo "$out" | grep ^loadavg)
case "$load" in
"loadavg 42.25" | "loadavg (failed)" | "") fail "capable: getloadavg() gave '$load', not the real load" ;;
*) pass "capable: getloadavg() ignores PROCVIEW_ROOT ($load)" ;;
esac

finish
