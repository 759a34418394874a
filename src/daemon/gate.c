/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gate.h"

static bool is_set(const int *flag)
{
        return __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0;
}

bool pv_gate_enter(PvGate *g, const int *stopping)
{
        bool ok;

        pthread_mutex_lock(&g->lock);
        while (g->waiting >= PV_GATE_WAITING && !is_set(stopping)) {
                g->parked++;
                pthread_cond_wait(&g->wake, &g->lock);
                g->parked--;
        }
        ok = !is_set(stopping);
        if (ok)
                g->waiting++;
        pthread_mutex_unlock(&g->lock);
        return ok;
}

void pv_gate_leave(PvGate *g)
{
        bool wake;

        pthread_mutex_lock(&g->lock);
        g->waiting--;
        wake = g->waiting == 0 && g->parked > 0;
        pthread_mutex_unlock(&g->lock);
        if (wake)
                pthread_cond_signal(&g->wake);
}

void pv_gate_open_all(PvGate *g)
{
        pthread_mutex_lock(&g->lock);
        pthread_cond_broadcast(&g->wake);
        pthread_mutex_unlock(&g->lock);
}
