/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sampler.h"
#include "registry.h"

#include "caller.h"
#include "container.h"
#include "discover.h"
#include "log.h"

static void sample_one(PvDaemon *d, PvContainer *c, void *data)
{
        pv_container_sample_load(d, c, *(const uint64_t *)data);
        pv_share_sweep(c->share, g_get_monotonic_time());
        pv_container_unref(c);
}

/*
 * How often the sampler looks for removed cgroups between its passes: their
 * containers' fds go within this time of the removal, not at the next pass.
 */
#define REMOVALS_US (G_USEC_PER_SEC / 4)

/* Drops the containers of removed cgroups when a watched directory went since *seen. */
static void drop_removed(PvDaemon *d, uint64_t *seen)
{
        uint64_t n = pv_renames_removals(d->renames);
        if (n == *seen)
                return;
        *seen = n;
        pv_registry_drop_removed(d);
}

static gpointer sampler_main(gpointer data)
{
        PvDaemon *d = data;
        gint64 interval = (gint64)d->opts.sample_interval_s * G_USEC_PER_SEC;
        gint64 next = d->load_epoch_us + interval;
        uint64_t removals = 0;
        PvDiscovery disc;
        pv_discovery_init(&disc);

        g_mutex_lock(&d->sampler_lock);
        while (!d->stopping) {
                /* without inotify there is nothing to look at between passes */
                gint64 until = d->renames ? MIN(next, g_get_monotonic_time() + REMOVALS_US) : next;
                if (!g_cond_wait_until(&d->sampler_cond, &d->sampler_lock, until)) {
                        g_mutex_unlock(&d->sampler_lock);
                        if (g_get_monotonic_time() < next) {
                                drop_removed(d, &removals);
                                g_mutex_lock(&d->sampler_lock);
                                continue;
                        }
                        if (d->opts.scan_max > 0) {
                                bool was_capped = disc.capped;
                                (void)pv_discovery_scan(d, &disc);
                                if (disc.capped && !was_capped)
                                        pv_log_info("the cgroup scan stops at --scan-max=%u "
                                                    "directories: the load averages of containers "
                                                    "beyond start at their first read",
                                                    d->opts.scan_max);
                        }
                        uint64_t tick = pv_load_tick(d, g_get_monotonic_time());
                        pv_registry_foreach(d, sample_one, &tick);
                        pv_registry_expire(d);
                        pv_caller_cache_expire(d->callers);
                        g_mutex_lock(&d->sampler_lock);
                        /* fixed cadence; a late pass folds the ticks it missed at once */
                        next += interval;
                        gint64 now = g_get_monotonic_time();
                        if (next < now)
                                next = now + interval;
                }
        }
        g_mutex_unlock(&d->sampler_lock);
        pv_discovery_clear(&disc);
        return NULL;
}

int pv_sampler_start(PvDaemon *d)
{
        GError *err = NULL;
        d->load_epoch_us = g_get_monotonic_time();
        d->sampler = g_thread_try_new("pv-sampler", sampler_main, d, &err);
        if (!d->sampler) {
                g_error_free(err);
                return -EAGAIN;
        }
        return 0;
}

void pv_sampler_stop(PvDaemon *d)
{
        if (!d->sampler)
                return;
        g_mutex_lock(&d->sampler_lock);
        d->stopping = true;
        g_cond_signal(&d->sampler_cond);
        g_mutex_unlock(&d->sampler_lock);
        g_thread_join(d->sampler);
        d->sampler = NULL;
}
