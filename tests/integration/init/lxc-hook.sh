#!/bin/bash
# The LXC mount hook as LXC runs it: in the container's (private) mount namespace with
# the rootfs at $LXC_ROOTFS_MOUNT, proc and sys mounted. The views land over proc and
# sys files; a target on a shared mount is skipped; procviewd down means exit 0, nothing
# mounted.
. "$PV_SOURCE_ROOT/tests/integration/daemon/common.sh"
require_root_fuse_v1
HOOK="$PV_BUILD_ROOT/init/procview-lxc-mount-hook"
[ -r "$HOOK" ] || { echo "FAIL: $HOOK not built"; exit 1; }
ROOTFS=$(mktemp -d /tmp/pvt-lxc-XXXXXX)
trap 'cleanup; rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS/proc" "$ROOTFS/sys"

C=pvt-lxc-$$
cg_create "$C"
cg_set memory "$C/memory.limit_in_bytes" $((192 << 20))
start_daemon

# in_container PROPAGATION CMD: a private mount namespace whose rootfs mounts have the
# given propagation, as LXC's would, running the hook and then CMD inside the container cgroup
in_container() {
	local prop=$1
	shift
	in_cg "$C" unshare -m --propagation private sh -c '
		set -e
		mount -t tmpfs rootfs "$1"
		mkdir -p "$1/proc" "$1/sys"
		mount -t proc proc "$1/proc"
		mount -t sysfs sys "$1/sys"
		[ "$2" = shared ] && mount --make-rshared "$1"
		LXC_ROOTFS_MOUNT=$1 sh "$4" --root="$3" 2>&1
		shift 4
		"$@"' sh "$ROOTFS" "$prop" "$MNT" "$HOOK" "$@"
}

out=$(in_container private sh -c 'grep MemTotal "$0/proc/meminfo"; cat "$0/sys/devices/system/cpu/online"' "$ROOTFS")
echo "$out"
echo "$out" | grep -q "MemTotal: *196608 kB" && pass "the hook bound proc/meminfo: MemTotal is the 192 MiB limit" || fail "meminfo after the hook: $out"
echo "$out" | tail -1 | grep -qx "$(cat $CG_ROOT/cpuset/cpuset.cpus)" && pass "the hook bound sys/devices/system/cpu" || fail "cpu online after the hook"

out=$(in_container shared sh -c 'grep MemTotal "$0/proc/meminfo"' "$ROOTFS")
echo "$out"
echo "$out" | grep -q "shared mount" && ! echo "$out" | grep -q "MemTotal: *196608 kB" &&
	pass "targets on a shared mount are skipped" || fail "shared mount: $out"

stop_daemon
out=$(in_container private sh -c 'echo status=$?; grep MemTotal "$0/proc/meminfo"' "$ROOTFS")
echo "$out"
echo "$out" | grep -q "no procview mount" && echo "$out" | grep -q "status=0" && ! echo "$out" | grep -q "MemTotal: *196608 kB" &&
	pass "procviewd down: the hook exits 0 and binds nothing" || fail "daemon down: $out"
finish
