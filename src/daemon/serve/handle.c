/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "handle.h"

#include "registry/budget.h"
#include "registry/registry.h"
#include "registry/tenant.h"

#include "fs.h"
#include "gather/host.h"
#include "log.h"

/* f's gatherer, with c's cgroups held open (budget.h) while it reads them. */
static int gather_pinned(PvDaemon *d, PvContainer *c, const PvFile *f, unsigned cpu, GString *out)
{
        int r = pv_container_pin(d, c);
        if (r < 0)
                return r;
        r = f->gather(d, c, cpu, out);
        pv_container_unpin(c);
        return r;
}

/* Renders file f for container c into out (cleared first). */
static int render(PvDaemon *d, PvContainer *c, const PvFile *f, unsigned cpu, GString *out)
{
        g_string_truncate(out, 0);
        if (c->is_root && f->host) {
                g_autofree char *text = NULL;
                size_t len;
                int r = pv_host_read(d, f->path, &text, &len);
                if (r < 0)
                        return r;
                g_string_append_len(out, text, (gssize)len);
                return 0;
        }
        /* the rows of the table share; the per-CPU and per-node templates do not */
        if (f < pv_fs_files || f >= pv_fs_files + pv_fs_n_files)
                return gather_pinned(d, c, f, cpu, out);
        size_t slot = (size_t)(f - pv_fs_files);
        gint64 now = g_get_monotonic_time();
        if (pv_share_get(c->share, slot, now, out))
                return 0;
        int r = gather_pinned(d, c, f, cpu, out);
        if (r == 0)
                pv_share_put(c->share, slot, now, out->str, out->len);
        return r;
}

/* ---- handles ---- */

char *pv_handle_steal_text(PvHandle *h)
{
        if (!h->text)
                return NULL;
        pv_allowance_give_bytes(h->allowance, &h->d->pool, h->len);
        h->len = 0;
        return g_steal_pointer(&h->text);
}

/* Drops h->text and gives its bytes back to its tenant's budget and the daemon's. */
static void handle_drop_text(PvHandle *h)
{
        g_free(pv_handle_steal_text(h));
}

void pv_handle_unref(PvHandle *h)
{
        if (!g_atomic_int_dec_and_test(&h->refs))
                return;
        handle_drop_text(h);
        pv_allowance_give_handle(h->allowance, &h->d->pool, true);
        pv_allowance_unref(h->allowance);
        g_atomic_int_add(&h->c->n_handles, -1);
        pv_container_unref(h->c);
        g_mutex_clear(&h->lock);
        g_free(h);
}

PvHandle *pv_handle_new(PvDaemon *d, PvContainer *c, const PvFile *f, unsigned cpu)
{
        g_autoptr(PvAllowance) allowance = pv_tenant_allowance(d, c);
        if (!pv_allowance_take_handle(allowance, &d->pool, &d->limits))
                return NULL;
        g_atomic_int_inc(&c->n_handles);
        PvHandle *h = g_new0(PvHandle, 1);
        h->refs = 1;
        g_mutex_init(&h->lock);
        h->d = d;
        h->c = c;
        h->allowance = g_steal_pointer(&allowance);
        h->file = f;
        h->cpu = cpu;
        return h;
}

void pv_handle_rebind(PvHandle *h, PvContainer *c)
{
        /* the pool's count stays: the handle moves, no handle is added */
        PvAllowance *allowance = pv_tenant_allowance(h->d, c);
        handle_drop_text(h);
        pv_allowance_add_handle(allowance, &h->d->pool);
        pv_allowance_give_handle(h->allowance, &h->d->pool, false);
        pv_allowance_unref(h->allowance);
        g_atomic_int_inc(&c->n_handles);
        g_atomic_int_add(&h->c->n_handles, -1);
        pv_container_unref(h->c);
        h->allowance = allowance;
        h->c = c;
}

/* Inserts h under a new id of this worker, or under id when id is not 0. */
PvHandle *pv_handle_register(PvDaemon *d, PvHandle *h, uint64_t id)
{
        g_mutex_lock(&d->handles_lock);
        if (id == 0) {
                h->id = (d->generation << 40) | (++d->handle_counter & ((1ULL << 40) - 1));
        } else {
                PvHandle *had = g_hash_table_lookup(d->handles, &id);
                if (had) { /* adopted twice at once: keep the first */
                        g_atomic_int_inc(&had->refs);
                        g_mutex_unlock(&d->handles_lock);
                        pv_handle_unref(h);
                        return had;
                }
                h->id = id;
        }
        g_atomic_int_inc(&h->refs);
        g_hash_table_insert(d->handles, &h->id, h);
        g_mutex_unlock(&d->handles_lock);
        return h;
}

/* A new reference to the handle with id fh, or NULL. */
PvHandle *pv_handle_get(PvDaemon *d, uint64_t fh)
{
        g_mutex_lock(&d->handles_lock);
        PvHandle *h = g_hash_table_lookup(d->handles, &fh);
        if (h)
                g_atomic_int_inc(&h->refs);
        g_mutex_unlock(&d->handles_lock);
        return h;
}

void pv_handle_drop(PvDaemon *d, uint64_t fh)
{
        g_mutex_lock(&d->handles_lock);
        PvHandle *h = g_hash_table_lookup(d->handles, &fh);
        if (h)
                g_hash_table_remove(d->handles, &fh);
        g_mutex_unlock(&d->handles_lock);
        if (h)
                pv_handle_unref(h);
}

void pv_handles_setup(PvDaemon *d)
{
        g_mutex_init(&d->handles_lock);
        d->handles = g_hash_table_new(g_int64_hash, g_int64_equal);
}

void pv_handles_teardown(PvDaemon *d)
{
        GHashTableIter it;
        gpointer key, h;

        if (!d->handles)
                return;
        g_hash_table_iter_init(&it, d->handles);
        while (g_hash_table_iter_next(&it, &key, &h)) {
                g_hash_table_iter_steal(&it);
                pv_handle_unref(h);
        }
        g_clear_pointer(&d->handles, g_hash_table_destroy);
}

static void scratch_free(gpointer p)
{
        g_string_free(p, TRUE);
}

/* Each serving thread renders into its own buffer, kept for its next render. */
static GPrivate scratch_key = G_PRIVATE_INIT(scratch_free);

/*
 * Renders a handle's file (h->lock held) and keeps the text, in a buffer of
 * its size, while its tenant's budget and the daemon's allow; else the next
 * read renders.
 */
int pv_handle_render(PvDaemon *d, PvHandle *h)
{
        GString *scratch = g_private_get(&scratch_key);
        if (!scratch) {
                scratch = g_string_sized_new(8192);
                g_private_set(&scratch_key, scratch);
        }
        handle_drop_text(h);
        int r = render(d, h->c, h->file, h->cpu, scratch);
        if (r < 0)
                return r;
        h->eof_len = scratch->len;
        if (!pv_allowance_take_bytes(h->allowance, &d->pool, &d->limits, scratch->len))
                return 0;
        h->text = g_memdup2(scratch->str, scratch->len + 1);
        h->len = scratch->len;
        /* a render of a huge host (a 1 MB cpuinfo) leaves no huge buffer behind */
        if (scratch->allocated_len > 256 * 1024)
                g_private_replace(&scratch_key, g_string_sized_new(8192));
        return 0;
}

GString *pv_handle_scratch(void)
{
        return g_private_get(&scratch_key);
}
