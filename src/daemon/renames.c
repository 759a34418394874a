/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "renames.h"

#include <errno.h>
#include <glib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"

/* what changes the directory a path names: a child renamed away or removed */
#define WATCH_MASK (IN_MOVED_FROM | IN_DELETE | IN_MOVE_SELF | IN_DELETE_SELF)

struct PvRenames {
        int fd;      /* inotify, non-blocking */
        GMutex lock; /* protects reading fd and generation */
        uint64_t generation;
        bool full_logged;
};

PvRenames *pv_renames_new(void)
{
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
                pv_log_info("no inotify (%s): cgroup paths are looked up on every open",
                            g_strerror(errno));
                return NULL;
        }
        PvRenames *w = g_new0(PvRenames, 1);
        w->fd = fd;
        g_mutex_init(&w->lock);
        return w;
}

void pv_renames_free(PvRenames *w)
{
        if (!w)
                return;
        close(w->fd);
        g_mutex_clear(&w->lock);
        g_free(w);
}

uint64_t pv_renames_generation(PvRenames *w)
{
        /* events carry a name of at most NAME_MAX bytes */
        char buf[16 * (sizeof(struct inotify_event) + 256)]
            __attribute__((aligned(__alignof__(struct inotify_event))));
        bool any = false;

        if (!w)
                return 0;
        g_mutex_lock(&w->lock);
        /* which event it was does not matter: every held container is checked once more */
        while (read(w->fd, buf, sizeof(buf)) > 0)
                any = true;
        if (any)
                w->generation++;
        uint64_t g = w->generation;
        g_mutex_unlock(&w->lock);
        return g;
}

bool pv_renames_watch(PvRenames *w, const PvCgroup *cg)
{
        if (!w)
                return false;
        int r = pv_cgroup_watch(cg, w->fd, WATCH_MASK);
        if (r == 0)
                return true;
        g_mutex_lock(&w->lock);
        bool log = !w->full_logged;
        w->full_logged = true;
        g_mutex_unlock(&w->lock);
        if (log)
                pv_log_info("cannot watch cgroup %s (%s): it is looked up on every open",
                            pv_cgroup_key(cg), g_strerror(-r));
        return false;
}
