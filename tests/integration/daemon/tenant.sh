#!/bin/bash
# A tenant cannot multiply its allowance of open files by making cgroups
# (procviewd(8), LIMITS): a container (its own cgroup and pid namespace)
# makes 50 cgroups below its own, each with a pid namespace of its own whose
# processes open proc/meminfo 2,000 times and hold the handles. Those 50
# containers have the one tenant, so together they hold 65536 handles and
# the rest of their opens fail with EMFILE (50 allowances would have let all
# 100,000 through); meanwhile another container opens and reads its
# meminfo right (MemTotal = its limit).
# Usage: tenant.sh PV-FLOOD
. "$(dirname "$0")/common.sh"
FLOOD=${1:?usage: tenant.sh PV-FLOOD}
require_root_fuse_v1
command -v unshare >/dev/null || skip "unshare missing"
trap cleanup EXIT

SUBS=50
EACH=2000
tenant=pvt-tenant-$$
victim=pvt-tvictim-$$
cg_create "$tenant"
cg_create "$victim"
cg_set memory "$victim/memory.limit_in_bytes" $((200 << 20))
for i in $(seq $SUBS); do
	cg_create "$tenant/sub$i"
done
start_daemon
out=$(mktemp -d /tmp/pvt-tenant-XXXXXX)

# The tenant's init (pid 1 of its namespace, in its cgroup) starts, in each
# sub-cgroup, a pid namespace of its own holding EACH handles for 20 s.
in_cg "$tenant" unshare --pid --fork bash -c '
for i in $(seq '"$SUBS"'); do
	(for c in '"$V1_CONTROLLERS"'; do echo $BASHPID > '"$CG_ROOT"'/$c/'"$tenant"'/sub$i/cgroup.procs || exit 99; done
	 exec unshare --pid --fork "$0" hold "$1" '"$EACH"' 20 > "$2/sub$i") &
done
wait' "$FLOOD" "$MNT/proc/meminfo" "$out" &
holder=$!

# wait until every sub-container has reported what it holds
end=$((SECONDS + 90))
while [ $SECONDS -lt $end ] && [ "$(cat "$out"/sub* 2>/dev/null | grep -c '^held')" -lt $SUBS ]; do
	sleep 0.5
done
held=$(cat "$out"/sub* 2>/dev/null | awk '$1 == "held" { n += $2 } END { print n + 0 }')
refused=$(cat "$out"/sub* 2>/dev/null | awk '$1 == "held" && $4 > 0 { e = $6 } END { print e + 0 }')
echo "the tenant's $SUBS sub-containers hold $held handles, last refusal errno $refused"
[ "$held" -le 65536 ] && pass "$SUBS sub-containers of one tenant hold $held handles, at most its one allowance of 65536" ||
	fail "$SUBS sub-containers of one tenant hold $held handles, past its allowance of 65536"
[ "$held" -ge 60000 ] && pass "the tenant got its allowance ($held handles)" ||
	fail "the tenant got only $held handles"
[ "$refused" = 24 ] && pass "its opens past the allowance fail with EMFILE" ||
	fail "its opens past the allowance: errno $refused, want EMFILE (24)"

# another container opens and reads while the tenant holds its allowance
bad=0
for n in $(seq 20); do
	total=$(in_cg "$victim" unshare --pid --fork cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$total" = $((200 << 10)) ] || bad=$((bad + 1))
done
[ "$bad" = 0 ] && pass "another container's 20 opens and reads were right while the tenant held its handles" ||
	fail "$bad of another container's 20 reads were wrong or refused"

wait "$holder"
ok=$(cat "$out"/sub* | grep -c "read after hold: ok")
[ "$ok" = $SUBS ] && pass "every sub-container's held handles still read" ||
	fail "only $ok of $SUBS sub-containers read their held handles"
kill -0 "$DAEMON_PID" && pass "daemon alive" || fail "daemon died"
rm -rf "$out"
finish
