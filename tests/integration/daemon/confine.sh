#!/bin/bash
# The worker's least privilege (procviewd(8), SECURITY): once serving, the worker holds
# CAP_SYS_PTRACE alone (effective, permitted, bounding), no_new_privs and a seccomp
# filter, while the keeper keeps what mounting needs; readers of every kind still get
# their views (a reader of another uid in its own user and pid namespace needs exactly
# the capability kept), the sampler's taskstats queries pass the filter, and no worker
# is ever ended by it. Then confine-probe, confined as the worker is, tries what a
# hijacked worker would: each must be refused, the file systems and processes untouched.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
PROBE=${1:?usage: confine.sh CONFINE_PROBE}
CG=pvt-confine-$$
SCRATCH=$(mktemp -d /tmp/pvt-confine-XXXXXX)
VICTIM=
trap '[ -n "$VICTIM" ] && kill -9 $VICTIM 2>/dev/null; stop_daemon; cleanup; rm -rf "$SCRATCH"' EXIT

cap_line() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
worker_of() {
	local w
	for w in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		[ "$(cat "/proc/$w/comm" 2>/dev/null)" = procviewd-work ] && echo "$w"
	done
}

cg_create "$CG"
cg_set memory/$CG memory.limit_in_bytes $((256 << 20))
start_daemon
W=$(worker_of "$DAEMON_PID")
[ -n "$W" ] || { fail "the keeper $DAEMON_PID has no worker"; exit 1; }

# CAP_SYS_PTRACE is bit 19: 0x80000; CAP_SYS_ADMIN bit 21
for k in CapEff CapPrm CapBnd; do
	v=$(cap_line "$W" $k)
	[ "$v" = 0000000000080000 ] && pass "worker $k is CAP_SYS_PTRACE alone ($v)" ||
		fail "worker $k is $v, not 0000000000080000 (CAP_SYS_PTRACE alone)"
done
for k in CapInh CapAmb; do
	v=$(cap_line "$W" $k)
	[ "$v" = 0000000000000000 ] && pass "worker $k is empty" || fail "worker $k is $v"
done
[ "$(cap_line "$W" NoNewPrivs)" = 1 ] && pass "worker NoNewPrivs: 1" ||
	fail "worker NoNewPrivs: $(cap_line "$W" NoNewPrivs)"
[ "$(cap_line "$W" Seccomp)" = 2 ] && pass "worker Seccomp: 2 (filter)" ||
	fail "worker Seccomp: $(cap_line "$W" Seccomp)"
keeper_eff=$((16#$(cap_line "$DAEMON_PID" CapEff)))
[ $((keeper_eff >> 21 & 1)) = 1 ] && [ "$(cap_line "$DAEMON_PID" Seccomp)" = 0 ] &&
	pass "the keeper keeps CAP_SYS_ADMIN and no filter (it mounts)" ||
	fail "the keeper lost what it mounts with: CapEff $(cap_line "$DAEMON_PID" CapEff)"

# Readers: every file, a container reader of another uid in its own user and pid
# namespaces (its /proc/PID/ns/pid opens only with CAP_SYS_PTRACE), a host reader.
for f in meminfo cpuinfo stat diskstats uptime loadavg swaps vmstat; do
	head -c 65536 "$MNT/proc/$f" >/dev/null 2>"$SCRATCH/err" || fail "proc/$f: $(cat "$SCRATCH/err")"
done
ls -R "$MNT/sys" >/dev/null || fail "listing sys failed"
got=$(in_cg "$CG" setpriv --reuid 1000 --regid 1000 --clear-groups \
	unshare -Urpf --mount-proc head -1 "$MNT/proc/meminfo" 2>&1)
[ "$got" = "MemTotal:         262144 kB" ] &&
	pass "uid 1000 in its own user and pid namespace reads its 256 MiB limit" ||
	fail "uid 1000 in its own user and pid namespace read: $got"
got=$(in_cg "$CG" unshare -pf --mount-proc head -1 "$MNT/proc/meminfo" 2>&1)
[ "$got" = "MemTotal:         262144 kB" ] && pass "root in its own pid namespace reads the limit" ||
	fail "root in its own pid namespace read: $got"
host=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
got=$(in_root_cg awk '/^MemTotal:/ { print $2 }' "$MNT/proc/meminfo")
[ "$got" = "$host" ] && pass "a host reader reads the host's MemTotal" ||
	fail "a host reader read $got, the host has $host"
# the loadavg sampler queries taskstats every 5 s: let it run twice under the filter
in_cg "$CG" sh -c 'cat "$1" >/dev/null; sleep 11' sh "$MNT/proc/loadavg"
[ "$(worker_of "$DAEMON_PID")" = "$W" ] && pass "worker $W still serves after 11 s of sampling" ||
	fail "worker $W was replaced: $(grep -i 'seccomp\|worker' "$MNT.log")"
grep -q 'seccomp allow-list' "$MNT.log" && fail "the filter ended a worker: $(grep seccomp "$MNT.log")"

# confine-probe: what a hijacked worker would try.
expect() { # expect OUTCOME ACTION [ARG]: OUTCOME allowed, eperm or killed
	local want=$1 rc out
	shift
	out=$("$PROBE" "$@" 2>&1)
	rc=$?
	case $want in
	allowed) [ $rc = 0 ] ;;
	eperm) [ $rc = 1 ] && [[ $out == *"Operation not permitted"* ]] ;;
	killed) [ $rc = 5 ] && [[ $out == *"is not in its seccomp allow-list"* ]] ;;
	esac && pass "confined: $* is $want" || fail "confined: $* should be $want: rc $rc, $out"
}
echo secret >"$SCRATCH/file"
chmod 0644 "$SCRATCH/file"
sleep 300 &
VICTIM=$!
# A sanitizer build's filter lets the sanitizers' run-time write reports and stop
# threads by ptrace (confine.h): there these calls are left to the plain build.
strict() {
	if [ -n "${PV_SANITIZER_LOGS:-}" ]; then
		echo "note: not checked in a sanitizer build: $*"
	else
		expect "$@"
	fi
}
expect allowed read /proc/self/status
expect allowed read "$SCRATCH/file"
expect allowed kill-self
strict killed write "$SCRATCH/file"
strict killed create "$SCRATCH/new"
strict killed kill "$VICTIM"
strict killed ptrace "$VICTIM"
strict killed exec /bin/true
expect killed unshare
expect killed chown "$SCRATCH/file"
expect killed memfd
strict killed ioctl-tiocsti
expect killed sendto-addr
expect eperm inet
expect eperm netlink-route
[ -S /run/systemd/private ] && sock=/run/systemd/private || sock=/var/run/docker.sock
[ -S "$sock" ] || { python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SCRATCH/sock"; sock=$SCRATCH/sock; }
expect eperm unix-connect "$sock"
[ "$(cat "$SCRATCH/file")" = secret ] && [ ! -e "$SCRATCH/new" ] &&
	pass "files untouched" || fail "a confined probe changed $SCRATCH"
kill -0 "$VICTIM" && pass "the probe's kill and ptrace left their target alone" ||
	fail "the victim died"
[ "$(cat "/proc/$VICTIM/status" | awk '$1 == "TracerPid:" { print $2 }')" = 0 ] ||
	fail "the victim is traced"
expect killed capset
exit $FAILED
