#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A cgroup renamed while procviewd knows it, and a new cgroup made under its
# old name (cgroup v1 allows renames in place): readers of the new cgroup get
# the new cgroup's limits, not those of the renamed one, whose directory the
# daemon still holds open; readers of the renamed cgroup keep getting its own.

. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap cleanup EXIT

NAME=pvt-rpn1-$$
OLD=pvt-rpn1old-$$

cg_create "$NAME"
cg_set memory "$NAME/memory.limit_in_bytes" $((100 << 20))
start_daemon

for i in 1 2; do
	got=$(in_cg "$NAME" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$got" = 102400 ] && pass "$NAME at 100 MiB, read $i: MemTotal $got kB" ||
		fail "$NAME at 100 MiB, read $i: MemTotal '$got' kB, want 102400"
done

# A process stays in the cgroup across the rename: /proc/PID/cgroup then names the new path.
in_cg "$NAME" sleep 600 &
holder_job=$!
holder=
for _ in $(seq 50); do
	holder=$(head -n1 "$CG_ROOT/memory/$NAME/cgroup.procs")
	[ -n "$holder" ] && break
	sleep 0.1
done

CREATED_CGROUPS="$OLD $CREATED_CGROUPS"
for c in $V1_CONTROLLERS; do
	mv "$CG_ROOT/$c/$NAME" "$CG_ROOT/$c/$OLD" || fail "rename $c/$NAME to $OLD"
done
cg_create "$NAME"
cg_set memory "$NAME/memory.limit_in_bytes" $((300 << 20))

for i in 1 2; do
	got=$(in_cg "$NAME" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$got" = 307200 ] && pass "new $NAME at 300 MiB, read $i: MemTotal $got kB" ||
		fail "new $NAME at 300 MiB, read $i: MemTotal '$got' kB, want 307200 (the renamed cgroup's is 102400)"
done

grep -q "/$OLD\$" "/proc/$holder/cgroup" && pass "the holder is now in $OLD" ||
	fail "the holder's cgroups: $(tr '\n' ' ' < "/proc/$holder/cgroup")"
got=$(in_cg "$OLD" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$got" = 102400 ] && pass "renamed $OLD keeps 100 MiB: MemTotal $got kB" ||
	fail "renamed $OLD: MemTotal '$got' kB, want 102400"

# The renamed cgroup's limit changes: its readers see it, the new cgroup's do not.
cg_set memory "$OLD/memory.limit_in_bytes" $((150 << 20))
got=$(in_cg "$OLD" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$got" = 153600 ] && pass "renamed $OLD at 150 MiB: MemTotal $got kB" ||
	fail "renamed $OLD at 150 MiB: MemTotal '$got' kB, want 153600"
got=$(in_cg "$NAME" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$got" = 307200 ] && pass "new $NAME still at 300 MiB: MemTotal $got kB" ||
	fail "new $NAME: MemTotal '$got' kB, want 307200"

# An ancestor renamed, and its child made again under the old path.
PARENT=pvt-rpp-$$
PARENT_OLD=pvt-rppold-$$
cg_create "$PARENT"
cg_create "$PARENT/ctr"
cg_set memory "$PARENT/ctr/memory.limit_in_bytes" $((120 << 20))
for i in 1 2; do
	got=$(in_cg "$PARENT/ctr" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$got" = 122880 ] && pass "$PARENT/ctr at 120 MiB, read $i: MemTotal $got kB" ||
		fail "$PARENT/ctr at 120 MiB, read $i: MemTotal '$got' kB, want 122880"
done
CREATED_CGROUPS="$PARENT_OLD/ctr $PARENT_OLD $CREATED_CGROUPS"
for c in $V1_CONTROLLERS; do
	mv "$CG_ROOT/$c/$PARENT" "$CG_ROOT/$c/$PARENT_OLD" || fail "rename $c/$PARENT to $PARENT_OLD"
done
cg_create "$PARENT"
cg_create "$PARENT/ctr"
cg_set memory "$PARENT/ctr/memory.limit_in_bytes" $((200 << 20))
got=$(in_cg "$PARENT/ctr" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
[ "$got" = 204800 ] && pass "new $PARENT/ctr at 200 MiB: MemTotal $got kB" ||
	fail "new $PARENT/ctr at 200 MiB: MemTotal '$got' kB, want 204800 (the renamed one's is 122880)"

kill "$holder" 2>/dev/null
wait "$holder_job"
finish
