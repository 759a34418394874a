/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "share.h"

typedef struct ShareSlot {
        GBytes *text; /* NULL: none */
        gint64 read_us;
} ShareSlot;

struct PvShare {
        /* held only to swap or take a reference: copies are made outside it */
        GMutex lock;
        size_t n_slots;
        ShareSlot slots[];
};

/* all containers' kept bytes; atomic */
static gsize share_bytes;

static bool fresh(const ShareSlot *slot, gint64 now_us)
{
        return slot->text && now_us - slot->read_us < PV_SHARE_US && now_us >= slot->read_us;
}

static void release(GBytes *text)
{
        if (!text)
                return;
        g_atomic_pointer_add(&share_bytes, -(gssize)g_bytes_get_size(text));
        g_bytes_unref(text);
}

PvShare *pv_share_new(size_t n_slots)
{
        PvShare *s = g_malloc0(sizeof(PvShare) + n_slots * sizeof(ShareSlot));
        g_mutex_init(&s->lock);
        s->n_slots = n_slots;
        return s;
}

void pv_share_free(PvShare *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n_slots; i++)
                release(s->slots[i].text);
        g_mutex_clear(&s->lock);
        g_free(s);
}

bool pv_share_get(PvShare *s, size_t slot, gint64 now_us, GString *out)
{
        GBytes *text = NULL;

        if (!s || slot >= s->n_slots)
                return false;
        g_mutex_lock(&s->lock);
        if (fresh(&s->slots[slot], now_us))
                text = g_bytes_ref(s->slots[slot].text);
        g_mutex_unlock(&s->lock);
        if (!text)
                return false;
        gsize len;
        const char *data = g_bytes_get_data(text, &len);
        g_string_append_len(out, data, (gssize)len);
        g_bytes_unref(text);
        return true;
}

void pv_share_put(PvShare *s, size_t slot, gint64 read_us, const char *text, size_t len)
{
        if (!s || slot >= s->n_slots || len > PV_SHARE_TEXT_MAX)
                return;
        if ((gsize)g_atomic_pointer_add(&share_bytes, (gssize)len) + len > PV_SHARE_BYTES_MAX) {
                g_atomic_pointer_add(&share_bytes, -(gssize)len);
                return;
        }
        GBytes *copy = g_bytes_new(text, len);
        GBytes *old = NULL;
        g_mutex_lock(&s->lock);
        /* a render that started earlier than the kept one does not replace it */
        if (s->slots[slot].text && s->slots[slot].read_us > read_us) {
                old = copy;
        } else {
                old = s->slots[slot].text;
                s->slots[slot].text = copy;
                s->slots[slot].read_us = read_us;
        }
        g_mutex_unlock(&s->lock);
        release(old);
}

void pv_share_sweep(PvShare *s, gint64 now_us)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n_slots; i++) {
                GBytes *old = NULL;
                g_mutex_lock(&s->lock);
                if (s->slots[i].text && !fresh(&s->slots[i], now_us)) {
                        old = s->slots[i].text;
                        s->slots[i].text = NULL;
                }
                g_mutex_unlock(&s->lock);
                release(old);
        }
}

size_t pv_share_bytes(void)
{
        return (size_t)g_atomic_pointer_get(&share_bytes);
}
