/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Texts shared by the opens of one container's file. A file rendered for a
 * container at time T is given as is to the opens of the same file by the
 * same container until T + PV_SHARE_US, instead of reading its counters
 * again: a reader looping on a file, or many readers of one container, cost
 * at most one reading of its counters per file and PV_SHARE_US. A change of
 * a counter or a limit shows in every open that starts PV_SHARE_US after it.
 *
 * Bounded: texts over PV_SHARE_TEXT_MAX are not kept, and all containers'
 * kept texts together stay under PV_SHARE_BYTES_MAX (past it, a text is not
 * kept and its readers read the counters). pv_share_sweep() frees the texts
 * too old to be given.
 */

#include <glib.h>
#include <stdbool.h>

#define PV_SHARE_US 1000
#define PV_SHARE_TEXT_MAX (64 * 1024)
#define PV_SHARE_BYTES_MAX (16 * 1024 * 1024)

typedef struct PvShare PvShare;

/* The shared texts of one container: slots 0 .. n_slots - 1 (a file each). */
PvShare *pv_share_new(size_t n_slots);
void pv_share_free(PvShare *s);

/*
 * Appends to out the text of slot kept at or after now_us - PV_SHARE_US.
 * Returns true when it did; false (out untouched) when there is none.
 */
bool pv_share_get(PvShare *s, size_t slot, gint64 now_us, GString *out);

/*
 * Keeps text (len bytes) for slot as rendered from counters read from
 * read_us on, replacing what the slot had, unless it is too large or the
 * budget is spent.
 */
void pv_share_put(PvShare *s, size_t slot, gint64 read_us, const char *text, size_t len);

/* Frees the texts of s kept before now_us - PV_SHARE_US. */
void pv_share_sweep(PvShare *s, gint64 now_us);

/* Bytes of text all containers keep now (for tests and the budget). */
size_t pv_share_bytes(void);
