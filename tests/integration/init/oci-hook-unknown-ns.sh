#!/bin/bash
# procview-oci-hook must not bind the views where it cannot tell which mount
# namespace it runs in: when /proc/1/ns/mnt cannot be read (no CAP_SYS_PTRACE
# over init, or a user namespace) and no other witness of the host's mount
# namespace can be read, it mounts nothing, says why, and exits 0, so the
# container starts with the kernel's /proc files. With the access it needs,
# the same setup binds the view (the control).
set -u
BUILD=${PV_BUILD_ROOT:?}
OCI_HOOK=$BUILD/src/hook/procview-oci-hook
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$OCI_HOOK" ] || { echo "SKIP: procview-oci-hook not built (json-glib missing)"; exit 77; }
VIEWS_FUSE=$BUILD/tests/integration/init/views-fuse
[ -x "$VIEWS_FUSE" ] || { echo "FAIL: $VIEWS_FUSE not built"; exit 1; }
command -v setpriv >/dev/null || { echo "FAIL: setpriv (util-linux) missing"; exit 1; }

FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
pass() { echo "ok: $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
has() { grep -qF -- "$2" <<<"$1"; }
has_line() { grep -qxF -- "$2" <<<"$1"; }

TMP=$(mktemp -d /tmp/pvt-hookns-XXXXXX)
VIEWS="$TMP/views"
mkdir -p "$VIEWS" "$TMP/bundle/rootfs/proc"
# views-fuse: a procview mount (fs type fuse.procview), the only kind the
# hook binds from, whose proc/meminfo says a MemTotal no kernel shows
VIEW_TOTAL="MemTotal:           4242 kB"
"$VIEWS_FUSE" "$VIEWS" &
FUSE_PID=$!
trap 'kill "$FUSE_PID" 2>/dev/null; wait "$FUSE_PID" 2>/dev/null; umount -l "$VIEWS" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
	grep -q '^MemTotal' "$VIEWS/proc/meminfo" 2>/dev/null && break
	sleep 0.05
done
grep -qxF "$VIEW_TOTAL" "$VIEWS/proc/meminfo" || { echo "FAIL: views-fuse did not mount"; exit 1; }
KERNEL_TOTAL=$(grep '^MemTotal:' /proc/meminfo)
printf '{"ociVersion": "1.0.2", "root": {"path": "rootfs"}}\n' >"$TMP/bundle/config.json"
printf '{"ociVersion": "1.0.2", "id": "hookns", "status": "creating", "pid": %d, "bundle": "%s"}\n' \
	$$ "$TMP/bundle" >"$TMP/bundle/state.json"

# The createContainer stage as dead-mount.sh plays it: a new mount namespace
# whose rootfs has its own procfs. $1: how the hook runs (a command prefix),
# $2...: unshare's namespace options. Prints the hook's messages, its status,
# what the container's /proc/meminfo says and how many mounts cover it.
oci_hook() {
	local prefix=$1
	shift
	timeout 30 unshare "$@" sh -c '
		mount -t proc proc "$1/rootfs/proc" || exit 99
		$4 readlink /proc/1/ns/mnt >/dev/null 2>&1 && echo "init-ns=readable" || echo "init-ns=unreadable"
		$4 "$2" --no-sys --root="$3" <"$1/state.json" 2>&1
		echo "status=$?"
		grep "^MemTotal:" "$1/rootfs/proc/meminfo"
		echo "binds=$(awk -v p="$1/rootfs/proc/meminfo" "\$5 == p" /proc/self/mountinfo | wc -l)"
	' sh "$TMP/bundle" "$OCI_HOOK" "$VIEWS" "$prefix"
}

# 1. Control: as root with every capability the hook binds the view.
out=$(oci_hook "" -m --propagation private)
echo "$out" | sed 's/^/  control| /'
check "control: the hook binds the view" has_line "$out" "$VIEW_TOTAL"
check "control: one bind on /proc/meminfo" has_line "$out" binds=1

# 2. No CAP_SYS_PTRACE: /proc/1/ns/mnt (and every other process's ns) is unreadable.
NOPTRACE="setpriv --inh-caps=-sys_ptrace --bounding-set=-sys_ptrace"
out=$(oci_hook "$NOPTRACE" -m --propagation private)
echo "$out" | sed 's/^/  no-ptrace| /'
check "no CAP_SYS_PTRACE: /proc/1/ns/mnt is unreadable (the case under test)" has_line "$out" init-ns=unreadable
check "no CAP_SYS_PTRACE: the hook exits 0 (the container starts)" has_line "$out" status=0
check "no CAP_SYS_PTRACE: the hook says why it mounts nothing" has "$out" "cannot tell whether this is the host's mount namespace"
check "no CAP_SYS_PTRACE: nothing is bound" has_line "$out" binds=0
check "no CAP_SYS_PTRACE: the container reads the kernel's /proc/meminfo" has_line "$out" "$KERNEL_TOTAL"

# 3. A user namespace (as rootless runtimes run hooks): init's namespaces are out of reach.
if unshare -U -r -m -p -f true 2>/dev/null; then
	out=$(oci_hook "" -U -r -m -p -f --propagation private)
	echo "$out" | sed 's/^/  userns| /'
	check "user namespace: /proc/1/ns/mnt is unreadable" has_line "$out" init-ns=unreadable
	check "user namespace: the hook exits 0" has_line "$out" status=0
	check "user namespace: the hook says why it mounts nothing" has "$out" "cannot tell whether this is the host's mount namespace"
	check "user namespace: nothing is bound" has_line "$out" binds=0
	check "user namespace: the container reads the kernel's /proc/meminfo" has_line "$out" "$KERNEL_TOTAL"
else
	echo "note: user namespaces unavailable, that case not run"
fi

[ "$FAILED" = 0 ] && { echo "all checks passed"; exit 0; }
echo "some checks failed"
exit 1
