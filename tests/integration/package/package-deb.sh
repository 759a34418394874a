#!/bin/bash
# The Debian package. dpkg-buildpackage builds it from a copy of the checkout, which
# stays as it was; the package holds the programs, the library with its .pc, the man
# pages, the init files, the hooks.d entry where podman and CRI-O read it and the LXC
# hook executable, and nothing under /usr/local. Installed on this host (no systemd),
# the sysvinit script starts procviewd at /var/lib/procview; dpkg -r stops it and
# unmounts; dpkg -P leaves no trace. The host is left as it was, also on failure.
set -u
command -v dpkg-buildpackage >/dev/null || {
	echo "SKIP: dpkg-buildpackage missing (apt-get install dpkg-dev debhelper)"
	exit 77
}
SRC=${PV_SOURCE_ROOT:?}
failed=0
fail() { echo "FAIL: $*"; failed=1; }
pass() { echo "ok: $*"; }
die() {
	echo "FAIL: $*"
	exit 1
}

WORK=$(mktemp -d /tmp/pvt-deb-XXXXXX)
installed=
policy_saved=
default_saved=
default_ours=
mp_made=
cleanup() {
	if [ -n "$installed" ]; then
		dpkg -P procview >"$WORK/purge.log" 2>&1 || cat "$WORK/purge.log"
	fi
	# a daemon the purge left (it should not): stop it by its pid, then its mount
	pid=$(cat /run/procviewd.pid 2>/dev/null) &&
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/sbin/procviewd ] && kill "$pid"
	[ -d "$WORK/host-files" ] && cp -a "$WORK/host-files/." /
	if [ -n "$policy_saved" ]; then
		if [ -e "$WORK/policy-rc.d" ]; then cp -a "$WORK/policy-rc.d" /usr/sbin/policy-rc.d; else rm -f /usr/sbin/policy-rc.d; fi
	fi
	if [ -n "$default_ours" ]; then
		if [ -n "$default_saved" ]; then cp -a "$WORK/default" /etc/default/procview; else rm -f /etc/default/procview; fi
		umount -l "$MP" 2>/dev/null
		rmdir "$MP" 2>/dev/null
	fi
	[ -n "$mp_made" ] && rmdir /var/lib/procview 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# --- build, from a copy of the files the checkout tracks (and new ones not ignored)
status_before=$(git -C "$SRC" status --porcelain 2>/dev/null)
mkdir "$WORK/src"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 cp -a --parents -t "$WORK/src") || die "cannot copy the source tree"
else
	tar -C "$SRC" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$WORK/src" -xf - ||
		die "cannot copy the source tree"
fi
if ! (cd "$WORK/src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
	tail -40 "$WORK/build.log"
	die "dpkg-buildpackage failed"
fi
DEB=$(ls "$WORK"/procview_*.deb 2>/dev/null | head -1)
[ -f "$DEB" ] && pass "dpkg-buildpackage built $(basename "$DEB")" || die "no .deb built"
[ "$(git -C "$SRC" status --porcelain 2>/dev/null)" = "$status_before" ] &&
	pass "the checkout is as it was" || fail "the build changed the checkout"

# --- the file list
dpkg-deb -c "$DEB" | awk '{ print $1, $6 }' | sed 's, \./, /,' >"$WORK/list"
has() { # MODE-PREFIX PATH-REGEX WHAT
	grep -Eq "^$1[^ ]* $2\$" "$WORK/list" && pass "$3" || fail "$3: no $2 in the package"
}
has -rwx '/usr/sbin/procviewd' "the daemon"
has -rwx '/usr/bin/procview-cpus' "procview-cpus"
has -rwx '/usr/libexec/procview/procview-oci-hook' "the OCI hook"
has '[-l]' '/usr/lib/[^/]+/libprocview\.so\.0.*' "the library"
has '[-l]' '/usr/lib/[^/]+/libprocview\.so' "the library's link for -lprocview"
has - '/usr/lib/[^/]+/libprocview-preload\.so' "the preload library"
has - '/usr/lib/[^/]+/pkgconfig/procview\.pc' "the library's .pc"
has - '/usr/include/procview\.h' "the library's header"
has - '/usr/share/man/man8/procviewd\.8\.gz' "procviewd(8)"
has - '/usr/share/man/man3/libprocview\.3\.gz' "libprocview(3)"
has - '/usr/share/man/man1/procview-cpus\.1\.gz' "procview-cpus(1)"
has -rwx '/etc/init.d/procview' "the sysvinit script, executable"
has - '(/usr)?/lib/systemd/system/procview\.service' "the systemd unit"
has - '/usr/share/containers/oci/hooks\.d/procview-hook\.json' "the hooks.d entry where podman and CRI-O read it"
has -rwxr-xr-x '/usr/share/procview/hooks/procview-lxc-mount-hook' "the LXC hook, executable"
grep -q ' /usr/local' "$WORK/list" && fail "files under /usr/local: $(grep ' /usr/local' "$WORK/list")" ||
	pass "nothing under /usr/local"

dpkg-deb -x "$DEB" "$WORK/root"
json="$WORK/root/usr/share/containers/oci/hooks.d/procview-hook.json"
grep -q '"path": "/usr/libexec/procview/procview-oci-hook"' "$json" &&
	pass "the hooks.d entry names the installed hook" || fail "hooks.d entry: $(cat "$json")"
! grep -q -- '--root' "$json" &&
	pass "the hooks.d entry leaves the view root to the hook (/etc/default/procview)" ||
	fail "hooks.d entry: $(cat "$json")"
# runc up to 1.2 gives a createContainer hook without "env" the container's own
# environment (LD_PRELOAD from an image ran as root on the host): the entry pins one.
python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["hook"].get("env"); sys.exit(0 if e and all(not v.startswith("LD_") for v in e) else 1)' "$json" &&
	pass "the hooks.d entry sets a fixed, non-empty env" || fail "hooks.d entry without env: $(cat "$json")"
grep -qx 'prefix=/usr' "$WORK"/root/usr/lib/*/pkgconfig/procview.pc &&
	pass "procview.pc says prefix=/usr" || fail "procview.pc: $(cat "$WORK"/root/usr/lib/*/pkgconfig/procview.pc)"

# --- install, remove, purge on this host
[ "$(id -u)" = 0 ] || {
	echo "SKIP: installing the package needs root"
	exit 77
}
[ -c /dev/fuse ] || {
	echo "SKIP: no /dev/fuse"
	exit 77
}
dpkg-query -W -f='${Status}' procview 2>/dev/null | grep -q "ok installed" &&
	die "procview is installed on this host: this test would replace it"
pid=$(cat /run/procviewd.pid 2>/dev/null) && kill -0 "$pid" 2>/dev/null &&
	die "a procviewd named by /run/procviewd.pid runs already (pid $pid)"

# Files of the package a `meson install` left on the host are put back after the purge.
mkdir "$WORK/host-files"
awk '$1 !~ /^d/ { print $2 }' "$WORK/list" | while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] && cp -a --parents "$f" "$WORK/host-files"
done

# Another procview at /var/lib/procview keeps it: the package's daemon then mounts
# elsewhere, named in /etc/default/procview, which the init script reads.
MP=/var/lib/procview
if [ "$(findmnt -n -o TARGET --mountpoint "$MP" 2>/dev/null)" != "" ]; then
	default_ours=1
	[ -e /etc/default/procview ] && cp -a /etc/default/procview "$WORK/default" && default_saved=1
	MP=$(mktemp -d /tmp/pvt-deb-mnt-XXXXXX)
	echo "MOUNTPOINT=$MP" >/etc/default/procview
	echo "note: $MP instead of /var/lib/procview, which is in use"
elif [ ! -e "$MP" ]; then
	mp_made=1
fi

# Containers' images deny service starts with a policy-rc.d that exits 101; the
# test allows them while the package is installed.
policy_saved=1
[ -e /usr/sbin/policy-rc.d ] && cp -a /usr/sbin/policy-rc.d "$WORK/policy-rc.d"
printf '#!/bin/sh\nexit 0\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d

installed=1
pid=
dpkg -i --force-confnew "$DEB" >"$WORK/install.log" 2>&1 || {
	cat "$WORK/install.log"
	die "dpkg -i failed"
}
cat "$WORK/install.log"
if [ -d /run/systemd/system ]; then
	systemctl is-active --quiet procview.service && pass "dpkg -i started procview.service" ||
		fail "procview.service is not active after dpkg -i"
	pid=$(systemctl show -p MainPID --value procview.service)
else
	pid=$(cat /run/procviewd.pid 2>/dev/null)
	[ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = /usr/sbin/procviewd ] &&
		pass "dpkg -i started /usr/sbin/procviewd through the sysvinit script (pid $pid)" ||
		fail "no /usr/sbin/procviewd named by /run/procviewd.pid after dpkg -i"
	ls /etc/rc2.d/S[0-9][0-9]procview >/dev/null 2>&1 && pass "the script starts at boot (rc2.d)" ||
		fail "no S link in /etc/rc2.d"
	/etc/init.d/procview status && pass "the script's status: running" || fail "the script's status: $?"
fi
[ "$(findmnt -n -o FSTYPE --mountpoint "$MP")" = fuse.procview ] && pass "procview mounted at $MP" ||
	fail "no procview mount at $MP"
grep -q '^MemTotal:' "$MP/proc/meminfo" && pass "$MP/proc/meminfo answers" || fail "$MP/proc/meminfo"
[ -f /usr/share/containers/oci/hooks.d/procview-hook.json ] && pass "the hooks.d entry is in place" ||
	fail "no /usr/share/containers/oci/hooks.d/procview-hook.json"
[ -x /usr/share/procview/hooks/procview-lxc-mount-hook ] && pass "the LXC hook is executable" ||
	fail "/usr/share/procview/hooks/procview-lxc-mount-hook is not executable"

# Installing it again is an upgrade: postinst reloads, the keeper and its mount stay.
mount_id() { awk -v m="$MP" '$5 == m { print $1 }' /proc/self/mountinfo; }
id_before=$(mount_id)
dpkg -i --force-confnew "$DEB" >"$WORK/upgrade.log" 2>&1 || fail "dpkg -i again: $(cat "$WORK/upgrade.log")"
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && pass "an upgrade keeps the keeper (pid $pid)" ||
	fail "the keeper (pid $pid) is gone after an upgrade: $(cat "$WORK/upgrade.log")"
[ -n "$id_before" ] && [ "$(mount_id)" = "$id_before" ] && pass "an upgrade keeps the mount" ||
	fail "the mount changed across an upgrade ($id_before, now $(mount_id))"
if [ ! -d /run/systemd/system ]; then
	grep -q "procviewd reloaded" "$WORK/upgrade.log" && pass "the upgrade reloaded procviewd" ||
		fail "no reload in the upgrade: $(cat "$WORK/upgrade.log")"
fi
grep -q '^MemTotal:' "$MP/proc/meminfo" && pass "$MP/proc/meminfo answers after the upgrade" ||
	fail "$MP/proc/meminfo after the upgrade"

dpkg -r procview >"$WORK/remove.log" 2>&1 || fail "dpkg -r: $(cat "$WORK/remove.log")"
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && fail "procviewd (pid $pid) runs after dpkg -r" ||
	pass "dpkg -r stopped procviewd"
[ -z "$(findmnt -n --mountpoint "$MP")" ] && pass "dpkg -r unmounted $MP" || fail "$MP is still mounted"

dpkg -P procview >"$WORK/purge.log" 2>&1 || fail "dpkg -P: $(cat "$WORK/purge.log")"
installed=
left=$(ls /etc/init.d/procview /etc/rc?.d/[SK][0-9][0-9]procview \
	/etc/systemd/system/*.wants/procview.service 2>/dev/null)
[ -z "$left" ] && pass "dpkg -P left no init script, rc link or unit link" || fail "left after purge: $left"
if [ -n "$mp_made" ]; then
	[ ! -e /var/lib/procview ] && pass "dpkg -P removed the empty /var/lib/procview" ||
		fail "/var/lib/procview left after purge"
fi
exit $failed
