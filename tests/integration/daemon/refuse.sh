#!/bin/bash
# procviewd refuses what it cannot serve: a private cgroup or pid namespace
# (every reader would get EIO), host files or cgroups a worker cannot set up
# without (every reader would wait). A mount point a live procviewd already
# serves is taken over, however the path is spelt (trailing slash, symlink, a
# space that mountinfo writes as \040): the daemon that served exits 0, and one
# procview mount stays, served.
. "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
[ -x "$PROCVIEWD" ] || { echo "FAIL: $PROCVIEWD not built"; exit 1; }

TMP=$(mktemp -d /tmp/pvt-refuse-XXXXXX)
SPACED="$TMP/views dir"
FIRST=""
cleanup_refuse() {
	[ -n "$FIRST" ] && { kill -TERM "$FIRST" 2>/dev/null; wait "$FIRST" 2>/dev/null; }
	umount -l "$SPACED" 2>/dev/null
	umount -l "$TMP/other" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup_refuse EXIT
mkdir -p "$SPACED" "$TMP/other"
ln -s "views dir" "$TMP/link"

procview_mounts_at() { # the number of procview mounts at a canonical path
	# ENVIRON, not -v: awk would decode the \040 that mountinfo writes for a space
	P=${1// /\\040} awk '$5 == ENVIRON["P"] && / - fuse\.procview / { n++ } END { print n + 0 }' \
		/proc/self/mountinfo
}

# run_second PATH: a second procviewd on PATH; prints its stderr and "rc=N".
run_second() {
	timeout 20 "$PROCVIEWD" -f "$1" 2>&1 </dev/null
	echo "rc=$?"
}

# --- 1. namespaces that would make every reader fail
if unshare -C true 2>/dev/null; then
	out=$(timeout 20 unshare -C "$PROCVIEWD" -f "$TMP/other" 2>&1; echo "rc=$?")
	grep -q '^rc=[1-9]' <<<"$out" && pass "in a private cgroup namespace procviewd exits non-zero" ||
		fail "in a private cgroup namespace: $out"
	grep -q 'private cgroup namespace.*--cgroupns=host' <<<"$out" &&
		pass "it says to use the host's cgroup namespace (--cgroupns=host)" ||
		fail "no explanation: $out"
	[ "$(grep -c '^procviewd: ' <<<"$out")" = 1 ] && pass "the explanation is one line" ||
		fail "not one line: $out"
	[ "$(procview_mounts_at "$TMP/other")" = 0 ] && pass "nothing was mounted" ||
		fail "a procview mount was left at $TMP/other"
else
	echo "note: unshare -C unavailable, cgroup namespace case not run"
fi
out=$(timeout 20 unshare -p -f --mount-proc "$PROCVIEWD" -f "$TMP/other" 2>&1; echo "rc=$?")
grep -q '^rc=[1-9]' <<<"$out" && grep -q 'private pid namespace.*--pid=host' <<<"$out" &&
	pass "in a private pid namespace procviewd exits non-zero and says --pid=host" ||
	fail "in a private pid namespace: $out"
[ "$(procview_mounts_at "$TMP/other")" = 0 ] && pass "nothing was mounted" ||
	fail "a procview mount was left at $TMP/other"

# --- 2. what a worker needs, missing: exit 1 at once with one line naming it, no mount
# refuse_setup WHAT PATTERN CMD...: CMD (a procviewd on $TMP/other) exits 1 within 5 s, says
# PATTERN in its one line, and has mounted nothing (CMD prints mounts=N, read where it ran)
refuse_setup() {
	local what=$1 pattern=$2 start out
	shift 2
	start=$(date +%s%N)
	out=$(timeout 10 "$@" 2>&1 </dev/null; echo "rc=$?")
	local ms=$((($(date +%s%N) - start) / 1000000))
	grep -q '^rc=1$' <<<"$out" && [ "$ms" -lt 5000 ] &&
		pass "$what: procviewd exits 1 in ${ms} ms" || fail "$what: after ${ms} ms: $out"
	grep '^procviewd: ' <<<"$out" | grep -q -- "$pattern" && pass "$what: it says '$pattern'" ||
		fail "$what: no '$pattern' in: $out"
	[ "$(grep -c '^procviewd: ' <<<"$out")" = 1 ] && pass "$what: in one line" ||
		fail "$what: not one line: $out"
	grep -q 'cgroup hierarchy' <<<"$out" && [ "$pattern" != "no cgroup hierarchy is mounted" ] &&
		fail "$what: blamed on the cgroup hierarchy: $out"
	if grep -q '^mounts=' <<<"$out"; then
		grep -q '^mounts=0$' <<<"$out"
	else
		[ "$(procview_mounts_at "$TMP/other")" = 0 ]
	fi && pass "$what: nothing was mounted" || fail "$what: a procview mount was left: $out"
	umount -l "$TMP/other" 2>/dev/null
}
refuse_setup "--host-proc=/nonexistent" "--host-proc=/nonexistent: No such file" \
	"$PROCVIEWD" -f --host-proc=/nonexistent "$TMP/other"
mkdir "$TMP/proc-part"
cp /proc/stat "$TMP/proc-part/" # meminfo, required, missing
refuse_setup "a --host-proc without meminfo" "$TMP/proc-part/meminfo: No such file" \
	"$PROCVIEWD" -f --host-proc="$TMP/proc-part" "$TMP/other"
refuse_setup "--sys-cpu-dir=/nonexistent" "--sys-cpu-dir=/nonexistent: No such file" \
	"$PROCVIEWD" -f --sys-cpu-dir=/nonexistent "$TMP/other"
# no cgroup file system mounted: /sys/fs/cgroup detached in a mount namespace of its own
# shellcheck disable=SC2016
refuse_setup "no cgroup hierarchy" "no cgroup hierarchy is mounted" \
	unshare -m sh -c 'umount -l /sys/fs/cgroup && "$0" -f "$1"; rc=$?
		echo "mounts=$(grep -c " $1 " /proc/self/mountinfo)"; exit $rc' \
	"$PROCVIEWD" "$TMP/other"

# --- 3. the normal host case starts, on a mount point with a space in its name
"$PROCVIEWD" -f "$SPACED" 2>"$TMP/first.log" &
FIRST=$!
for _ in $(seq 300); do
	[ -e "$SPACED/proc/meminfo" ] && break
	kill -0 "$FIRST" 2>/dev/null || break
	sleep 0.1
done
grep -q '^MemTotal:' "$SPACED/proc/meminfo" 2>/dev/null && pass "procviewd serves '$SPACED'" ||
	{ fail "procviewd did not start on '$SPACED'"; cat "$TMP/first.log"; finish; }
before=$(procview_mounts_at "$SPACED")
[ "$before" = 1 ] && pass "one procview mount at the spaced path (mountinfo: \\040)" ||
	fail "$before procview mounts at '$SPACED'"

# --- 4. a new procviewd on the same mount point, spelt six ways, takes over each time
for spelling in "$SPACED" "$SPACED/" "$SPACED//" "$TMP/link" "$TMP/link/" "$TMP/./views dir"; do
	"$PROCVIEWD" -f "$spelling" 2>"$TMP/next.log" </dev/null &
	next=$!
	for _ in $(seq 200); do kill -0 "$FIRST" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$FIRST" 2>/dev/null; then
		fail "a procviewd on '$spelling' did not take over: $(cat "$TMP/next.log")"
		kill "$next"
		continue
	fi
	wait "$FIRST"
	rc=$?
	FIRST=$next
	[ "$rc" = 0 ] && grep -q "took over" "$TMP/next.log" &&
		pass "a procviewd on '$spelling' took over; the one before exited 0" ||
		fail "a procviewd on '$spelling': the one before exited $rc; $(cat "$TMP/next.log")"
	n=$(procview_mounts_at "$SPACED")
	[ "$n" = 1 ] && pass "still one procview mount after '$spelling'" ||
		fail "$n procview mounts after '$spelling'"
	grep -q '^MemTotal:' "$SPACED/proc/meminfo" && pass "served after '$spelling'" ||
		fail "not served after '$spelling'"
done

# --- 5. the last daemon stops cleanly: nothing was stacked on it
kill -TERM "$FIRST"
wait "$FIRST"
rc=$?
FIRST=""
[ "$rc" = 0 ] && pass "the last procviewd exits 0 on SIGTERM" || fail "it exited $rc"
[ "$(procview_mounts_at "$SPACED")" = 0 ] && pass "no procview mount is left at '$SPACED'" ||
	fail "a procview mount is left at '$SPACED'"
finish
