/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gate.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * Every count is sequentially consistent: a thread that goes to sleep
 * publishes that it does (parked, watcher_idle) before it looks at waiting
 * again, and a thread that leaves publishes waiting before it looks at who
 * sleeps, so one of the two always sees the other and no wake-up is lost. A
 * futex word is bumped before each wake, so a thread between its last look
 * and its sleep returns at once.
 */

static int load(const int *v)
{
        return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

/* EAGAIN (word changed), EINTR and ETIMEDOUT all just mean: look again */
static void futex_wait(int *word, int expected, const struct timespec *timeout)
{
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, timeout, NULL, 0);
}

static void futex_wake(int *word, int n)
{
        __atomic_add_fetch(word, 1, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

bool pv_gate_enter(PvGate *g, const int *stopping)
{
        for (;;) {
                if (load(stopping))
                        return false;
                int w = load(&g->waiting);
                if (w < PV_GATE_WAITING) {
                        if (__atomic_compare_exchange_n(&g->waiting, &w, w + 1, false,
                                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                                return true;
                        continue;
                }
                int seq = load(&g->seq);
                __atomic_add_fetch(&g->parked, 1, __ATOMIC_SEQ_CST);
                if (load(&g->waiting) >= PV_GATE_WAITING && !load(stopping))
                        futex_wait(&g->seq, seq, NULL);
                __atomic_sub_fetch(&g->parked, 1, __ATOMIC_SEQ_CST);
        }
}

void pv_gate_leave(PvGate *g)
{
        __atomic_add_fetch(&g->taken, 1, __ATOMIC_SEQ_CST);
        if (__atomic_sub_fetch(&g->waiting, 1, __ATOMIC_SEQ_CST) == 0 && load(&g->watcher_idle))
                futex_wake(&g->watch_seq, 1);
}

void pv_gate_watch(PvGate *g, const int *stopping)
{
        const struct timespec tick = {0, PV_GATE_TICK_US * 1000};
        unsigned prev_taken = __atomic_load_n(&g->taken, __ATOMIC_SEQ_CST);
        bool was_empty = false;
        unsigned quiet = 0;

        while (!load(stopping)) {
                int seq = load(&g->watch_seq);
                unsigned taken = __atomic_load_n(&g->taken, __ATOMIC_SEQ_CST);
                bool empty = load(&g->waiting) == 0;
                /* a whole tick with nobody in read(2) and no request taken: all are busy */
                if (empty && was_empty && taken == prev_taken && load(&g->parked) > 0) {
                        futex_wake(&g->seq, 1);
                        empty = false; /* give it a tick to take its place */
                }
                quiet = taken == prev_taken ? quiet + 1 : 0;
                was_empty = empty;
                prev_taken = taken;
                if (quiet < PV_GATE_IDLE_TICKS || empty) {
                        futex_wait(&g->watch_seq, seq, &tick);
                        continue;
                }
                /* no requests: sleep until a thread takes the last place */
                __atomic_store_n(&g->watcher_idle, 1, __ATOMIC_SEQ_CST);
                if (load(&g->waiting) > 0 && !load(stopping))
                        futex_wait(&g->watch_seq, seq, NULL);
                __atomic_store_n(&g->watcher_idle, 0, __ATOMIC_SEQ_CST);
                quiet = 0;
                was_empty = false;
                prev_taken = __atomic_load_n(&g->taken, __ATOMIC_SEQ_CST);
        }
}

void pv_gate_open_all(PvGate *g)
{
        futex_wake(&g->seq, __INT_MAX__);
        futex_wake(&g->watch_seq, __INT_MAX__);
}
