#!/bin/bash
# A procview mount whose daemon was killed (SIGKILL) stays mounted, and the
# attributes the kernel cached still answer stat(): only statfs, which is
# always sent to the daemon, fails (ENOTCONN). This makes such a dead mount
# with views-fuse (a stand-in for procviewd with the same fs type and
# caching) and checks that pv_mount_probe calls it dead, that neither the
# OCI hook nor the LXC mount hook binds it (both exit 0 and the container
# reads the kernel's /proc/meminfo), and that the same setups do bind while
# the server is alive. A hung server (reads a request, never answers) must
# be called hung, not dead, within the probe's timeout, and both hooks must
# return in bounded time without binding it.
set -u

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"

BUILD=${PV_BUILD_ROOT:?}
VIEWS_FUSE=$BUILD/tests/integration/init/views-fuse
PROBE=$BUILD/tests/integration/init/mount-probe
OCI_HOOK=$BUILD/src/hook/procview-oci-hook
LXC_HOOK=$BUILD/init/procview-lxc-mount-hook
for f in "$VIEWS_FUSE" "$PROBE" "$LXC_HOOK"; do
	[ -e "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done

FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

TMP=$(mktemp -d /tmp/pvt-dead-XXXXXX)
MNT="$TMP/views dir" # mountinfo shows the space as \040
SERVER=""
cleanup() {
	# Killing the server also ends every request still waiting on it.
	[ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
	umount -l "$MNT" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$MNT" "$TMP/bundle/rootfs/proc" "$TMP/lxc-rootfs"
ln -s "views dir" "$TMP/link"
printf '{"ociVersion": "1.0.2", "root": {"path": "rootfs"}}\n' >"$TMP/bundle/config.json"
printf '{"ociVersion": "1.0.2", "id": "dead-mount", "status": "creating", "pid": %d, "bundle": "%s"}\n' \
	$$ "$TMP/bundle" >"$TMP/bundle/state.json"
KERNEL_TOTAL=$(grep '^MemTotal:' /proc/meminfo)
VIEW_TOTAL="MemTotal:           4242 kB"

start_server() {
	"$VIEWS_FUSE" "$MNT" &
	SERVER=$!
	for _ in $(seq 100); do
		# A read through the mount fills the attribute and entry caches.
		grep -q '^MemTotal:' "$MNT/proc/meminfo" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "FAIL: views-fuse did not mount"
	exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# oci_hook ROOT [TIMEOUT_S]: runs the OCI hook as the createContainer stage
# does, in the container's (new) mount namespace whose rootfs has its own
# procfs; prints the hook's messages, its status, what the container's
# /proc/meminfo says and how many mounts cover it.
oci_hook() {
	timeout 30 unshare -m --propagation private sh -c '
		mount -t proc proc "$1/rootfs/proc" || exit 99
		"$2" --no-sys --timeout="$4" --root="$3" <"$1/state.json" 2>&1
		echo "status=$?"
		grep "^MemTotal:" "$1/rootfs/proc/meminfo"
		echo "binds=$(awk -v p="$1/rootfs/proc/meminfo" "\$5 == p" /proc/self/mountinfo | wc -l)"
	' sh "$TMP/bundle" "$OCI_HOOK" "$1" "${2:-5}"
}

# lxc_hook ROOT: runs the LXC mount hook as LXC does (see lxc-hook.sh), with
# the same report as oci_hook.
lxc_hook() {
	timeout 30 unshare -m --propagation private sh -c '
		mount -t tmpfs rootfs "$1" || exit 99
		mkdir -p "$1/proc" "$1/sys"
		mount -t proc proc "$1/proc"
		mount -t sysfs sys "$1/sys"
		LXC_ROOTFS_MOUNT=$1 sh "$3" --root="$2" 2>&1
		echo "status=$?"
		grep "^MemTotal:" "$1/proc/meminfo"
		echo "binds=$(awk -v p="$1/proc/meminfo" "\$5 == p" /proc/self/mountinfo | wc -l)"
	' sh "$TMP/lxc-rootfs" "$1" "$LXC_HOOK"
}

has() { grep -qF -- "$2" <<<"$1"; }
has_line() { grep -qxF -- "$2" <<<"$1"; }

# 1. Live: both hooks bind the view, so the setup is one they would bind.
start_server
out=$("$PROBE" "$TMP/link/")
echo "$out"
check "live: the probe says live, through a symlink and a trailing slash" has_line "$out" live
check "live: mountinfo's escaped mount point is decoded" has_line "$out" "fuse.procview procview $MNT"
if [ -x "$OCI_HOOK" ]; then
	out=$(oci_hook "$MNT")
	echo "$out"
	check "live: the OCI hook binds the view (MemTotal 4242 kB)" has_line "$out" "$VIEW_TOTAL"
	check "live: the OCI hook exits 0 with one bind on /proc/meminfo" \
		eval 'has_line "$out" status=0 && has_line "$out" binds=1'
else
	echo "note: procview-oci-hook not built (json-glib missing), its checks not run"
fi
out=$(lxc_hook "$MNT")
echo "$out"
check "live: the LXC hook binds the view (MemTotal 4242 kB)" has_line "$out" "$VIEW_TOTAL"
check "live: the LXC hook exits 0" has_line "$out" status=0

# 2. Dead: the server is killed after it served a read.
kill -9 "$SERVER"
wait "$SERVER" 2>/dev/null
SERVER=""
# stat(2) and access(2) as the hooks used them; coreutils stat would ask for
# the birth time too, which FUSE does not cache, so it is not that test.
check "dead: stat() of the mount point still succeeds (cached attributes)" test -d "$MNT"
check "dead: stat() of proc/meminfo still succeeds (cached entry)" test -f "$MNT/proc/meminfo"
check "dead: access(R_OK) of proc/meminfo still succeeds" test -r "$MNT/proc/meminfo"
err=$(cat "$MNT/proc/meminfo" 2>&1)
echo "$err"
check "dead: reading proc/meminfo fails with ENOTCONN" has "$err" "Transport endpoint is not connected"
out=$("$PROBE" "$MNT" 1000)
echo "$out"
check "dead: the probe says dead" has_line "$out" dead
check "dead: the probe says dead through a symlink" has_line "$("$PROBE" "$TMP/link" 1000)" dead
if [ -x "$OCI_HOOK" ]; then
	out=$(oci_hook "$MNT")
	echo "$out"
	check "dead: the OCI hook exits 0" has_line "$out" status=0
	check "dead: the OCI hook says the mount is dead" has "$out" "is a dead procview mount"
	check "dead: the OCI hook binds nothing" has_line "$out" binds=0
	check "dead: the container reads the kernel's /proc/meminfo (OCI hook)" has_line "$out" "$KERNEL_TOTAL"
fi
out=$(lxc_hook "$MNT")
echo "$out"
check "dead: the LXC hook exits 0" has_line "$out" status=0
check "dead: the LXC hook says the mount does not answer (ENOTCONN)" \
	eval 'has "$out" "does not answer" && has "$out" "Transport endpoint is not connected"'
check "dead: the LXC hook binds nothing" has_line "$out" binds=0
check "dead: the container reads the kernel's /proc/meminfo (LXC hook)" has_line "$out" "$KERNEL_TOTAL"
umount -l "$MNT"

# 3. Hung: the server reads the next request and never answers it. The first
# probe's statfs is read and its child cannot even be killed; later ones
# wait in the queue. Neither may hold the probe past its timeout.
start_server
kill -USR1 "$SERVER"
for i in 1 2; do
	t0=$(now_ms)
	out=$("$PROBE" "$MNT" 500)
	took=$(($(now_ms) - t0))
	echo "$out (${took} ms)"
	check "hung, probe $i: the probe says hung, not dead" has_line "$out" hung
	check "hung, probe $i: the probe returns within its 500 ms timeout + 1 s" test "$took" -lt 1500
done
if [ -x "$OCI_HOOK" ]; then
	t0=$(now_ms)
	out=$(oci_hook "$MNT" 2)
	took=$(($(now_ms) - t0))
	echo "$out (${took} ms)"
	check "hung: the OCI hook exits 0" has_line "$out" status=0
	check "hung: the OCI hook says the mount did not answer" has "$out" "did not answer within 1000 ms"
	check "hung: the OCI hook binds nothing" has_line "$out" binds=0
	check "hung: the OCI hook returns within its 2 s timeout + 2 s" test "$took" -lt 4000
fi
t0=$(now_ms)
out=$(lxc_hook "$MNT")
took=$(($(now_ms) - t0))
echo "$out (${took} ms)"
check "hung: the LXC hook exits 0" has_line "$out" status=0
check "hung: the LXC hook says the mount does not answer" has "$out" "no answer within 2 s"
check "hung: the LXC hook binds nothing" has_line "$out" binds=0
check "hung: the LXC hook returns within 2 s + 2 s" test "$took" -lt 4000

if [ "$FAILED" = 0 ]; then
	echo "all checks passed"
	exit 0
fi
echo "some checks failed"
exit 1
