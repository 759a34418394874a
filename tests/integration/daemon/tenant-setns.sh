#!/bin/bash
# A tenant cannot multiply its allowance of open files by making namespaces
# whose readers enter from outside (procviewd(8), LIMITS), on the path of
# kernels before 6.11 (--debug-pidns-no-ioctl: a reader that joined its
# namespace by setns is placed only by a scan of /proc). A container (its
# own cgroup and pid namespace) makes 50 cgroups below its own, each with a
# pid namespace of its own; readers enter each of them from the host with
# nsenter and hold 2,000 handles of proc/meminfo. Their chains of parents
# never pass through the tenant's namespace, yet the 50 containers have the
# one tenant: together they hold at most its 65536 handles, plus what they
# took of the allowance shared by containers whose tenant is not known yet
# (4096) while a scan placed them; 50 allowances would have let all 100,000
# through. Another container reads right meanwhile.
# Usage: tenant-setns.sh PV-FLOOD
. "$(dirname "$0")/common.sh"
FLOOD=${1:?usage: tenant-setns.sh PV-FLOOD}
require_root_fuse_v1
command -v unshare >/dev/null || skip "unshare missing"
command -v nsenter >/dev/null || skip "nsenter missing"
trap cleanup EXIT

SUBS=50
EACH=2000
tenant=pvt-stenant-$$
victim=pvt-svictim-$$
cg_create "$tenant"
cg_create "$victim"
cg_set memory "$victim/memory.limit_in_bytes" $((200 << 20))
for i in $(seq $SUBS); do
	cg_create "$tenant/sub$i"
done
start_daemon --debug-pidns-no-ioctl
out=$(mktemp -d /tmp/pvt-stenant-XXXXXX)

# The tenant's init starts, in each sub-cgroup, a pid namespace whose init sleeps.
in_cg "$tenant" unshare --pid --fork bash -c '
for i in $(seq '"$SUBS"'); do
	(for c in '"$V1_CONTROLLERS"'; do echo $BASHPID > '"$CG_ROOT"'/$c/'"$tenant"'/sub$i/cgroup.procs || exit 99; done
	 exec unshare --pid --fork sleep 120) &
done
wait' &

# the init of each sub-container: the process of its cgroup in a pid namespace of its own
inits=()
end=$((SECONDS + 30))
for i in $(seq $SUBS); do
	init=""
	while [ -z "$init" ] && [ $SECONDS -lt $end ]; do
		for p in $(cat "$CG_ROOT/memory/$tenant/sub$i/cgroup.procs" 2>/dev/null); do
			[ "$(awk '/^NSpid:/ { print NF }' "/proc/$p/status" 2>/dev/null)" = 4 ] && init=$p
		done
		[ -n "$init" ] || sleep 0.1
	done
	[ -n "$init" ] || { fail "sub-container $i has no init"; finish; }
	inits+=("$init")
done

# readers enter each sub-container's namespace from the host, as nsenter does
floods=()
for i in $(seq $SUBS); do
	in_cg "$tenant/sub$i" nsenter --target "${inits[$((i - 1))]}" --pid -- \
		"$FLOOD" hold "$MNT/proc/meminfo" "$EACH" 20 > "$out/sub$i" &
	floods+=($!)
done

end=$((SECONDS + 90))
while [ $SECONDS -lt $end ] && [ "$(cat "$out"/sub* 2>/dev/null | grep -c '^held')" -lt $SUBS ]; do
	sleep 0.5
done
held=$(cat "$out"/sub* 2>/dev/null | awk '$1 == "held" { n += $2 } END { print n + 0 }')
echo "the tenant's $SUBS sub-containers, entered by setns, hold $held handles"
most=$((65536 + 4096))
[ "$held" -le $most ] && pass "$SUBS sub-containers entered by setns hold $held handles, at most one allowance and the unknown tenants' ($most)" ||
	fail "$SUBS sub-containers entered by setns hold $held handles, past one allowance and the unknown tenants' ($most)"
[ "$held" -ge 30000 ] && pass "the tenant got handles ($held)" || fail "the tenant got only $held handles"

bad=0
for n in $(seq 20); do
	total=$(in_cg "$victim" unshare --pid --fork cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$total" = $((200 << 10)) ] || bad=$((bad + 1))
done
[ "$bad" = 0 ] && pass "another container's 20 opens and reads were right meanwhile" ||
	fail "$bad of another container's 20 reads were wrong or refused"

wait "${floods[@]}"
ok=$(cat "$out"/sub* | grep -c "read after hold: ok")
[ "$ok" = $SUBS ] && pass "every sub-container's held handles still read" ||
	fail "only $ok of $SUBS sub-containers read their held handles"
kill -0 "$DAEMON_PID" && pass "daemon alive" || fail "daemon died"
rm -rf "$out"
finish
