/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The gate of the serving threads (gate.h): at most PV_GATE_WAITING threads
 * hold a place at once; the watcher lets a parked thread in once no place
 * has been held and none given back for a tick, also after it went idle,
 * and never while a place is held; none is lost under contention; stopping
 * frees every parked thread and ends the watcher.
 */
#include <glib.h>

#include "serve/gate.h"
#include "pv-check.h"

static PvGate gate = PV_GATE_INIT;
static int stopping;
static gint holders, most, entered, rounds_done;

static void take(void)
{
        gint now = g_atomic_int_add(&holders, 1) + 1;
        gint seen;
        while ((seen = g_atomic_int_get(&most)) < now &&
               !g_atomic_int_compare_and_exchange(&most, seen, now))
                ;
}

static gpointer enter_once(gpointer data)
{
        if (pv_gate_enter(&gate, &stopping)) {
                take();
                g_atomic_int_inc(&entered);
        }
        return NULL;
}

static bool wait_for(gint *v, gint want)
{
        for (int i = 0; i < 2000 && g_atomic_int_get(v) != want; i++)
                g_usleep(1000);
        return g_atomic_int_get(v) == want;
}

static GThread *watcher;

static gpointer watch(gpointer data)
{
        pv_gate_watch(&gate, &stopping);
        return NULL;
}

static void reset(void)
{
        gate = (PvGate)PV_GATE_INIT;
        stopping = 0;
        holders = most = entered = rounds_done = 0;
        watcher = g_thread_new("watch", watch, NULL);
}

static void stop_watcher(void)
{
        __atomic_store_n(&stopping, 1, __ATOMIC_SEQ_CST);
        pv_gate_open_all(&gate);
        g_thread_join(watcher);
}

/* _i: 0, the watcher ticking; 1, the watcher idle (no request for PV_GATE_IDLE_TICKS) */
START_TEST(test_park_and_wake)
{
        GThread *t[PV_GATE_WAITING + 1];

        reset();
        if (_i == 1)
                g_usleep(3 * PV_GATE_IDLE_TICKS * PV_GATE_TICK_US);
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                t[i] = g_thread_new("enter", enter_once, NULL);
        /* the places are taken; the last thread parks */
        ck_assert(wait_for(&entered, PV_GATE_WAITING));
        g_usleep(50 * 1000);
        ck_assert_int_eq(g_atomic_int_get(&entered), PV_GATE_WAITING);
        /* while a place is held, however long, the parked thread stays parked */
        for (int i = 0; i < PV_GATE_WAITING - 1; i++) {
                g_atomic_int_add(&holders, -1);
                pv_gate_leave(&gate);
        }
        g_usleep(20 * PV_GATE_TICK_US);
        ck_assert_int_eq(g_atomic_int_get(&entered), PV_GATE_WAITING);
        /* no place held: within a few ticks the watcher lets it in */
        g_atomic_int_add(&holders, -1);
        pv_gate_leave(&gate);
        ck_assert(wait_for(&entered, PV_GATE_WAITING + 1));
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                g_thread_join(t[i]);
        ck_assert_int_le(g_atomic_int_get(&most), PV_GATE_WAITING);
        stop_watcher();
}
END_TEST

START_TEST(test_stop_frees_parked)
{
        GThread *t[PV_GATE_WAITING + 3];

        reset();
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                t[i] = g_thread_new("enter", enter_once, NULL);
        ck_assert(wait_for(&entered, PV_GATE_WAITING));
        stop_watcher();
        /* every parked thread returns, without a place */
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                g_thread_join(t[i]);
        ck_assert_int_eq(g_atomic_int_get(&entered), PV_GATE_WAITING);
        ck_assert(!pv_gate_enter(&gate, &stopping));
}
END_TEST

/* As a serving thread does: take a place, "read", give it back, "serve". */
static gpointer serve(gpointer data)
{
        for (int i = 0; i < 20000; i++) {
                ck_assert(pv_gate_enter(&gate, &stopping));
                take();
                if (i % 64 == 0)
                        g_thread_yield();
                g_atomic_int_add(&holders, -1);
                pv_gate_leave(&gate);
        }
        g_atomic_int_inc(&rounds_done);
        return NULL;
}

START_TEST(test_contention)
{
        GThread *t[8];

        reset();
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                t[i] = g_thread_new("serve", serve, NULL);
        /* a lost wake-up would leave threads parked with no place held */
        ck_assert(wait_for(&rounds_done, G_N_ELEMENTS(t)));
        for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
                g_thread_join(t[i]);
        ck_assert_int_le(g_atomic_int_get(&most), PV_GATE_WAITING);
        ck_assert_int_eq(g_atomic_int_get(&holders), 0);
        stop_watcher();
}
END_TEST

int main(void)
{
        Suite *s = suite_create("gate");
        TCase *tc = tcase_create("gate");
        tcase_set_timeout(tc, 60);
        tcase_add_loop_test(tc, test_park_and_wake, 0, 2);
        tcase_add_test(tc, test_stop_frees_parked);
        tcase_add_test(tc, test_contention);
        suite_add_tcase(s, tc);
        return pv_check_run(s);
}
