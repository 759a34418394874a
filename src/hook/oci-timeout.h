/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Runs fn in a child and waits at most timeout_s seconds for it: a hung
 * procviewd blocks every lookup on its mount, and a container start must not
 * hang with it. The child shares the caller's mount namespace, so its mounts
 * are the container's. fn's output (stdout and stderr) is copied to stderr;
 * its return value is not reported. Where no child can be made, fn runs in
 * this process, with no time limit. Logs what it gives up on.
 */
void pv_oci_run_with_timeout(int (*fn)(void), int timeout_s);
