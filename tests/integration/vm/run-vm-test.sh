#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-vm-test.sh PV-VM-RUN-ARGS...: runs one guest test through pv-vm (beside
# it) after checking what the VM truly needs, so that the only skip (77) is
# a host that cannot run it at all. Every file named in --add
# must exist: a missing build product is a failure, not a skip.

set -euo pipefail

skip() {
        echo "SKIP: $*"
        exit 77
}

: "${PV_SOURCE_ROOT:?PV_SOURCE_ROOT is not set (run through meson test)}"

[[ $(id -u) == 0 ]] || skip "needs root (kernel cache, apt-get download)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"
qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg || skip "qemu has no TCG accelerator"
[[ -c /dev/null && -w /dev/null ]] || skip "/dev is unusable"

args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
        if [[ ${args[i]} == --add ]]; then
                f=${args[i + 1]%%:*}
                [[ -e $f ]] || { echo "FAIL: $f is missing (not built?)"; exit 1; }
        fi
        [[ ${args[i]} == -- ]] && break
done

exec "$PV_SOURCE_ROOT/tests/integration/vm/pv-vm" run --timeout "${PV_VM_TIMEOUT:-600}" "$@"
