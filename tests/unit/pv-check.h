/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one runner of the unit test programs: main() builds its Suite and returns pv_check_run(s). */

#include <check.h>
#include <stdlib.h>

/*
 * Runs every test of s (owned by the runner from here on, freed with it) in
 * the given fork mode and returns the exit status of the test program:
 * EXIT_SUCCESS when no test failed, else EXIT_FAILURE. CK_FORK_GETENV is
 * Check's default (the CK_FORK environment variable decides); CK_NOFORK runs
 * the tests in this process, for tests whose state (cgroups, children)
 * main() cleans up after the run.
 */
static inline int pv_check_run_mode(Suite *s, enum fork_status mode)
{
        SRunner *sr = srunner_create(s);
        srunner_set_fork_status(sr, mode);
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* pv_check_run_mode in Check's default fork mode. */
static inline int pv_check_run(Suite *s)
{
        return pv_check_run_mode(s, CK_FORK_GETENV);
}
