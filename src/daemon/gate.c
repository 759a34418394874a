/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gate.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Every count is sequentially consistent: a thread that parks publishes
 * parked before it looks at waiting again, and a thread that leaves
 * publishes waiting before it looks at parked, so one of the two always sees
 * the other and no wake-up is lost. The futex word is bumped before each
 * wake, so a thread between its last look and its sleep returns at once.
 */

static int load(const int *v)
{
        return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

static void futex_wait(int *word, int expected)
{
        /* EAGAIN (word changed) and EINTR just mean: look again */
        syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(int *word, int n)
{
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
                        futex_wait(&g->seq, seq);
                __atomic_sub_fetch(&g->parked, 1, __ATOMIC_SEQ_CST);
        }
}

void pv_gate_leave(PvGate *g)
{
        if (__atomic_sub_fetch(&g->waiting, 1, __ATOMIC_SEQ_CST) == 0 && load(&g->parked) > 0) {
                __atomic_add_fetch(&g->seq, 1, __ATOMIC_SEQ_CST);
                futex_wake(&g->seq, 1);
        }
}

void pv_gate_open_all(PvGate *g)
{
        __atomic_add_fetch(&g->seq, 1, __ATOMIC_SEQ_CST);
        futex_wake(&g->seq, __INT_MAX__);
}
