/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Which idle serving threads wait in read(2) of /dev/fuse. At most
 * PV_GATE_WAITING of them do; the other idle ones park on a futex.
 *
 * Why: the kernel hands a request to the thread that has waited longest.
 * With all 32 threads waiting, each request woke a cold thread, often on the
 * other CPU; with two waiting, the worker spent 0.87-0.94 times the CPU per
 * request under 8 readers (bench/README.md).
 *
 * A burst or a slow request must still find every thread. A watcher
 * (pv_gate_watch(), a thread of its own) lets one more parked thread in
 * whenever no thread has waited in read(2) and no request was taken for a
 * whole tick (PV_GATE_TICK_US): every serving thread is then busy with a
 * request that takes long. Waking a parked thread as soon as the last
 * waiting one takes a request instead cost a futex wake and a park for most
 * requests under load (strace), while the busy threads were back within
 * tens of microseconds. Without requests the watcher sleeps until the gate
 * empties again, so an idle daemon does not tick.
 */

#include <stdbool.h>

#define PV_GATE_WAITING 2
#define PV_GATE_TICK_US 1000
/* ticks without a request after which the watcher stops ticking */
#define PV_GATE_IDLE_TICKS 100

/* Lock-free: taking and giving back a place are one atomic operation each. */
typedef struct PvGate {
        int waiting;      /* threads in, or about to enter, read(2) */
        int parked;       /* threads asleep on seq, or about to be */
        int seq;          /* futex word: bumped to wake parked threads */
        unsigned taken;   /* places given back: requests read, or reads interrupted */
        int watcher_idle; /* the watcher sleeps on watch_seq until the gate empties */
        int watch_seq;    /* futex word: bumped to wake the watcher */
} PvGate;

#define PV_GATE_INIT                                                                               \
        {                                                                                          \
                0, 0, 0, 0, 0, 0                                                                   \
        }

/*
 * Waits for a place among the readers of /dev/fuse. Returns false, holding
 * no place, once *stopping (read atomically) is set.
 */
bool pv_gate_enter(PvGate *g, const int *stopping);

/* Gives the place back after read(2) returned. */
void pv_gate_leave(PvGate *g);

/* The watcher: runs until *stopping is set and pv_gate_open_all() is called. */
void pv_gate_watch(PvGate *g, const int *stopping);

/* Wakes every parked thread and the watcher, to see *stopping. */
void pv_gate_open_all(PvGate *g);
