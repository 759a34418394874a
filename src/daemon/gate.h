/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Which idle serving threads wait in read(2) of /dev/fuse. At most
 * PV_GATE_WAITING of them do; the other idle ones park on a condition
 * variable.
 *
 * Why: the kernel hands a request to the thread that has waited longest.
 * With all 32 threads waiting, each request woke a cold thread, often on the
 * other CPU; with two waiting, the worker spent 0.87-0.94 times the CPU per
 * request under 8 readers (bench/README.md). The thread that takes the
 * request of the last one waiting wakes a parked one, so a burst or a slow
 * request still finds every thread.
 */

#include <stdbool.h>

#define PV_GATE_WAITING 2

/* Lock-free: taking and giving back a place are one atomic operation each. */
typedef struct PvGate {
        int waiting; /* threads in, or about to enter, read(2) */
        int parked;  /* threads asleep on seq, or about to be */
        int seq;     /* futex word: bumped to wake parked threads */
} PvGate;

#define PV_GATE_INIT                                                                               \
        {                                                                                          \
                0, 0, 0                                                                            \
        }

/*
 * Waits for a place among the readers of /dev/fuse. Returns false, holding
 * no place, once *stopping (read atomically) is set.
 */
bool pv_gate_enter(PvGate *g, const int *stopping);

/* Gives the place back after read(2) returned; wakes a parked thread if none waits. */
void pv_gate_leave(PvGate *g);

/* Wakes every parked thread, to see *stopping. */
void pv_gate_open_all(PvGate *g);
