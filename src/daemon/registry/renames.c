/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "renames.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"

/* what changes the directory a path names: a child renamed away or removed */
#define WATCH_MASK (IN_MOVED_FROM | IN_DELETE | IN_MOVE_SELF | IN_DELETE_SELF | IN_ONLYDIR)

struct PvRenames {
        int fd;               /* inotify, non-blocking */
        unsigned max_watches; /* at most this many watches of the user's quota */
        GMutex lock;          /* protects everything below and reading fd */
        GHashTable *wds;      /* the watch descriptors in place (a set) */
        uint64_t generation;  /* also read without the lock (atomically) */
        uint64_t removals;    /* watched directories seen removed; atomic */
        bool full_logged;
};

PvRenames *pv_renames_new(unsigned max_watches)
{
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
                pv_log_info("no inotify (%s): cgroup paths are looked up on every open",
                            g_strerror(errno));
                return NULL;
        }
        PvRenames *w = g_new0(PvRenames, 1);
        w->fd = fd;
        w->max_watches = max_watches;
        w->wds = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_mutex_init(&w->lock);
        return w;
}

void pv_renames_free(PvRenames *w)
{
        close(w->fd);
        g_hash_table_destroy(w->wds);
        g_mutex_clear(&w->lock);
        g_free(w);
}

unsigned pv_renames_watches(PvRenames *w)
{
        if (!w)
                return 0;
        g_mutex_lock(&w->lock);
        unsigned n = g_hash_table_size(w->wds);
        g_mutex_unlock(&w->lock);
        return n;
}

/* Reads every queued event; w->lock held. */
static void drain(PvRenames *w)
{
        /* events carry a name of at most NAME_MAX bytes */
        char buf[16 * (sizeof(struct inotify_event) + 256)]
            __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n;

        while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
                for (ssize_t at = 0; at + (ssize_t)sizeof(struct inotify_event) <= n;) {
                        const struct inotify_event *ev = (const void *)(buf + at);
                        if (ev->mask & (IN_DELETE_SELF | IN_DELETE))
                                __atomic_add_fetch(&w->removals, 1, __ATOMIC_RELAXED);
                        /* the directory is gone and its watch with it */
                        if (ev->mask & IN_IGNORED)
                                g_hash_table_remove(w->wds, GINT_TO_POINTER(ev->wd));
                        at += (ssize_t)(sizeof(*ev) + ev->len);
                }
        }
}

/* Whether events wait in the queue (true when that cannot be told). */
static bool queued(PvRenames *w)
{
        int n = 0;
        return ioctl(w->fd, FIONREAD, &n) < 0 || n > 0;
}

/*
 * Takes the queued events, if any, into a new generation; w->lock held. The
 * generation moves before the queue is read: a thread that then finds the
 * queue empty, unlocked, already sees the new generation.
 */
static void take_events(PvRenames *w)
{
        if (queued(w)) {
                __atomic_add_fetch(&w->generation, 1, __ATOMIC_SEQ_CST);
                drain(w);
        }
}

uint64_t pv_renames_generation(PvRenames *w)
{
        if (!w)
                return 0;
        /* the common case, no event: one system call, no lock */
        if (!queued(w))
                return __atomic_load_n(&w->generation, __ATOMIC_SEQ_CST);
        g_mutex_lock(&w->lock);
        /* which event it was does not matter: every held container is checked once more */
        take_events(w);
        uint64_t g = __atomic_load_n(&w->generation, __ATOMIC_SEQ_CST);
        g_mutex_unlock(&w->lock);
        return g;
}

uint64_t pv_renames_removals(PvRenames *w)
{
        if (!w)
                return 0;
        (void)pv_renames_generation(w);
        return __atomic_load_n(&w->removals, __ATOMIC_RELAXED);
}

static int watch_dir(int dir_fd, void *data)
{
        PvRenames *w = data;
        char link[64];

        /* the directory held itself: no path is looked up again */
        snprintf(link, sizeof(link), "/proc/self/fd/%d", dir_fd);
        int wd = inotify_add_watch(w->fd, link, WATCH_MASK);
        if (wd < 0)
                return -errno;
        /* a directory already watched (an ancestor shared) costs nothing more */
        if (g_hash_table_contains(w->wds, GINT_TO_POINTER(wd)))
                return 0;
        if (g_hash_table_size(w->wds) >= w->max_watches) {
                inotify_rm_watch(w->fd, wd);
                return -ENOSPC;
        }
        g_hash_table_add(w->wds, GINT_TO_POINTER(wd));
        return 0;
}

bool pv_renames_watch(PvRenames *w, const PvCgroup *cg)
{
        if (!w)
                return false;
        g_mutex_lock(&w->lock);
        /* watches of directories removed meanwhile no longer count */
        take_events(w);
        int r = pv_cgroup_foreach_v1_dir(cg, watch_dir, w);
        int r2 = r < 0 ? r : pv_cgroup_foreach_v2_parent(cg, watch_dir, w);
        bool log = r2 < 0 && !w->full_logged;
        if (log)
                w->full_logged = true;
        g_mutex_unlock(&w->lock);
        if (log)
                pv_log_info("cannot watch cgroup %s (%s): %s", pv_cgroup_key(cg), g_strerror(-r2),
                            r < 0 ? "it and others are looked up on every open"
                                  : "its removal and others' are found at the sampler's passes");
        return r == 0;
}
