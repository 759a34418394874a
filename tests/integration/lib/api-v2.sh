#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The libprocview API and preload on cgroup v2, in the test VM (the host is
# v1/hybrid): guest-api-v2.sh lists every comparison. Adds the library's
# programs at their build-tree paths, so RUNPATH finds the build's library,
# plus util-linux unshare (-C) and glibc getconf, which busybox lacks.

set -uo pipefail
here=$(dirname "$0")
build=${PV_BUILD_ROOT:?PV_BUILD_ROOT is not set (run through meson test)}
: "${PV_SOURCE_ROOT:?PV_SOURCE_ROOT is not set (run through meson test)}"
lib=$build/src/lib
helpers=$build/tests/integration/lib

# util-linux and libc-bin are essential packages: absent means broken, not skipped.
for f in /usr/bin/unshare /usr/bin/getconf; do
        [[ -x $f ]] || { echo "FAIL: $f is missing"; exit 1; }
done

exec "$PV_SOURCE_ROOT/tests/integration/vm/run-vm-test.sh" --disk-mib 0 \
        --add "$helpers/api-check" --add "$helpers/pin-threads" --add "$helpers/sysinfo-check" \
        --add "$lib/procview-cpus" --add "$lib/libprocview-preload.so" \
        --add /usr/bin/unshare:/opt/pv-host/unshare --add /usr/bin/getconf:/opt/pv-host/getconf \
        --script "$here/guest-api-v2.sh" -- "$build" /opt/pv-host/unshare /opt/pv-host/getconf
