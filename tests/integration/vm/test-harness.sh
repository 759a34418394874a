#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The VM harness itself: a guest offers cgroup2 with the five controllers,
# fuse, a counted scratch disk and working added binaries; and the script's
# exit status comes back to the host. Arguments: MEMHOG.

set -uo pipefail
here=$(dirname "$0")
memhog=$1

"$here/run-vm-test.sh" --add "$memhog" --script "$here/guest-harness.sh" -- "$memhog" "two words"
rc=$?
[[ $rc == 0 ]] || { echo "FAIL: guest checks exited $rc"; exit "$rc"; }

printf 'echo failing on purpose\nexit 7\n' >"${TMPDIR:-/tmp}/pv-vm-exit7.$$"
"$here/run-vm-test.sh" --disk-mib 0 --script "${TMPDIR:-/tmp}/pv-vm-exit7.$$"
rc=$?
rm -f "${TMPDIR:-/tmp}/pv-vm-exit7.$$"
[[ $rc == 77 ]] && exit 77
[[ $rc == 7 ]] || { echo "FAIL: a guest exit status of 7 came back as $rc"; exit 1; }
echo "ok: guest exit status 7 reached the host"
