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

# expect_memtotal CGROUP KB WHAT: a reader in CGROUP sees MemTotal KB.
expect_memtotal() {
	local got
	got=$(in_cg "$1" cat "$MNT/proc/meminfo" | meminfo_kb MemTotal)
	[ "$got" = "$2" ] && pass "$3: MemTotal $got kB" || fail "$3: MemTotal '$got' kB, want $2"
}

# cg_rename FROM TO: renames the cgroup in every hierarchy.
cg_rename() {
	local c
	for c in $V1_CONTROLLERS; do
		mv "$CG_ROOT/$c/$1" "$CG_ROOT/$c/$2" || fail "rename $c/$1 to $2"
	done
}

NAME=pvt-rpn1-$$
OLD=pvt-rpn1old-$$

cg_create "$NAME"
cg_set memory "$NAME/memory.limit_in_bytes" $((100 << 20))
start_daemon

for i in 1 2; do
	expect_memtotal "$NAME" 102400 "$NAME at 100 MiB, read $i"
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
cg_rename "$NAME" "$OLD"
cg_create "$NAME"
cg_set memory "$NAME/memory.limit_in_bytes" $((300 << 20))

for i in 1 2; do
	expect_memtotal "$NAME" 307200 "new $NAME at 300 MiB (the renamed one's is 102400), read $i"
done

grep -q "/$OLD\$" "/proc/$holder/cgroup" && pass "the holder is now in $OLD" ||
	fail "the holder's cgroups: $(tr '\n' ' ' < "/proc/$holder/cgroup")"
expect_memtotal "$OLD" 102400 "renamed $OLD keeps 100 MiB"

# The renamed cgroup's limit changes: its readers see it, the new cgroup's do not.
cg_set memory "$OLD/memory.limit_in_bytes" $((150 << 20))
expect_memtotal "$OLD" 153600 "renamed $OLD at 150 MiB"
expect_memtotal "$NAME" 307200 "new $NAME still at 300 MiB"

# An ancestor renamed, and its child made again under the old path.
PARENT=pvt-rpp-$$
PARENT_OLD=pvt-rppold-$$
cg_create "$PARENT"
cg_create "$PARENT/ctr"
cg_set memory "$PARENT/ctr/memory.limit_in_bytes" $((120 << 20))
for i in 1 2; do
	expect_memtotal "$PARENT/ctr" 122880 "$PARENT/ctr at 120 MiB, read $i"
done
CREATED_CGROUPS="$PARENT_OLD/ctr $PARENT_OLD $CREATED_CGROUPS"
cg_rename "$PARENT" "$PARENT_OLD"
cg_create "$PARENT"
cg_create "$PARENT/ctr"
cg_set memory "$PARENT/ctr/memory.limit_in_bytes" $((200 << 20))
expect_memtotal "$PARENT/ctr" 204800 "new $PARENT/ctr at 200 MiB (the renamed one's is 122880)"

kill "$holder" 2>/dev/null
wait "$holder_job"
finish
