#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Guest side of cgroup-v2-vm: runs the test program given as $1 in the VM.
set -e
"$@"
