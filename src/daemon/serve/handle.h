/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Open files of the worker: ids, reference counts, kept text and each container's budget. */

#include <fuse_lowlevel.h>

#include "registry/container.h"
#include "registry/daemon.h"
#include "gather/fs-table.h"

/*
 * An open file. Its id (the FUSE file handle) carries the worker's
 * generation, so a handle issued by an earlier worker is recognised and
 * adopted instead of being mistaken for one of ours.
 *
 * What a handle costs is bounded per tenant (tenant.h), the container the
 * host started, however many containers it made inside: at most
 * PV_HANDLES_PER_TENANT handles (then EMFILE), and their texts together at
 * most PV_TEXT_BYTES_PER_TENANT; and for all tenants together at
 * PV_HANDLES_ALL and PV_TEXT_BYTES_ALL, shared fairly (allowance.h: past
 * half of the pool a tenant gets more only below its fair share), so that a
 * few tenants at their caps cannot leave the others without. Containers
 * whose tenant is not known yet take from one allowance, shared by all of
 * them (PvDaemon.unknown). d->limits holds the caps (scaled down by
 * --debug-limits-divisor). The text rendered at open is kept, in
 * a buffer of its exact size, until a read reaches its end; a handle whose
 * tenant (or the daemon) is past its text budget keeps none and renders at
 * its first read. So a held handle costs about 250 bytes, a churning reader
 * nothing that outlives its read, and no tenant can make the daemon hold
 * more than its share by making cgroups or pid namespaces.
 */
/*
 * How long the text rendered at open stands for the file: the kernel
 * generates /proc text at the read, so a handle first read later (kept
 * unread, or passed to a process of another container) renders anew.
 */
#define PV_FRESH_US (100 * 1000)

typedef struct PvHandle {
        uint64_t id; /* the key of d->handles */
        gint refs;
        GMutex lock; /* protects text, len, eof_len, fresh_until_us, and c once registered */
        PvDaemon *d;
        PvContainer *c;
        PvAllowance *allowance; /* its tenant's, which it is charged to (a reference) */
        const PvFile *file;
        unsigned cpu;
        char *text;     /* NULL once read to the end, or never kept */
        size_t len;     /* of text */
        size_t eof_len; /* length of the last render, for reads past its end */
        /*
         * Rendered at open and not read yet: a read at offset 0 before this
         * g_get_monotonic_time() serves that text; 0 once read.
         */
        gint64 fresh_until_us;
} PvHandle;

/*
 * A handle of c (whose reference it takes), or NULL when c's tenant, or all
 * tenants, have all they may hold.
 */
PvHandle *pv_handle_new(PvDaemon *d, PvContainer *c, const PvFile *f, unsigned cpu);
void pv_handle_unref(PvHandle *h);
/*
 * Binds h (h->lock held, or h not yet shared) to c, whose reference it
 * takes, instead of its container: drops its text and moves its charge to
 * the allowance of c's tenant (unknown: the shared one), past its caps if
 * need be (the handle is open already; the pool's count does not change).
 */
void pv_handle_rebind(PvHandle *h, PvContainer *c);
/*
 * Inserts h under a new id of this worker, or under id when id is not 0 (a
 * handle adopted from an earlier worker; if another thread adopted it first,
 * h is dropped and that one returned). Returns a new reference.
 */
PvHandle *pv_handle_register(PvDaemon *d, PvHandle *h, uint64_t id);
/* A new reference to the handle with id fh, or NULL. */
PvHandle *pv_handle_get(PvDaemon *d, uint64_t fh);
/* Forgets the handle with id fh (its release); no-op for unknown ids. */
void pv_handle_drop(PvDaemon *d, uint64_t fh);
/*
 * Renders h's file (h->lock held) and keeps the text while the container's
 * budget allows; else the text stays in this thread's pv_handle_scratch().
 * Returns 0 or -errno.
 */
int pv_handle_render(PvDaemon *d, PvHandle *h);
/*
 * Takes h's text (h->lock held) and gives its bytes back to the budgets that
 * counted them (its tenant's and the daemon's): the caller frees it.
 */
char *pv_handle_steal_text(PvHandle *h);
/* This thread's render buffer: the text of its last pv_handle_render(). */
GString *pv_handle_scratch(void);
/* Makes d's table of open handles (d->handles), empty. */
void pv_handles_setup(PvDaemon *d);
/* Frees the handles still open and their table (the worker stops: no request runs). */
void pv_handles_teardown(PvDaemon *d);
