/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A thread waiting on an epoll set of pidfds, reporting the tasks that exit. */
#include "reaper.h"

#include <errno.h>
#include <glib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* The key of the eventfd that stops the thread; pidfds' keys are the owner's. */
#define STOP_KEY UINT64_MAX
/* Events taken per wait: a burst of exits is reported in a few system calls. */
#define BATCH 64

struct PvReaper {
        int epfd;
        int stop_fd; /* eventfd: written once to stop the thread */
        PvReapFn fn;
        void *data;
        GThread *thread; /* NULL: not started */
};

PvReaper *pv_reaper_new(PvReapFn fn, void *data)
{
        int epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0)
                return NULL;
        int stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = STOP_KEY};
        if (stop_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, stop_fd, &ev) < 0) {
                if (stop_fd >= 0)
                        close(stop_fd);
                close(epfd);
                return NULL;
        }
        PvReaper *r = g_new0(PvReaper, 1);
        r->epfd = epfd;
        r->stop_fd = stop_fd;
        r->fn = fn;
        r->data = data;
        return r;
}

static gpointer reaper_main(gpointer data)
{
        PvReaper *r = data;
        struct epoll_event ev[BATCH];

        for (;;) {
                int n = epoll_wait(r->epfd, ev, BATCH, -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return NULL; /* cannot happen with a valid set; the sweeps remain */
                }
                for (int i = 0; i < n; i++) {
                        if (ev[i].data.u64 == STOP_KEY)
                                return NULL;
                        r->fn(r->data, ev[i].data.u64);
                }
        }
}

int pv_reaper_start(PvReaper *r)
{
        GError *err = NULL;
        if (!r)
                return -ENOSYS;
        r->thread = g_thread_try_new("pv-reaper", reaper_main, r, &err);
        if (!r->thread) {
                g_error_free(err);
                return -EAGAIN;
        }
        return 0;
}

void pv_reaper_free(PvReaper *r)
{
        if (!r)
                return;
        if (r->thread) {
                uint64_t one = 1;
                /* an eventfd's counter takes a write of 1 unless near overflow: never here */
                while (write(r->stop_fd, &one, sizeof(one)) < 0 && errno == EINTR)
                        continue;
                g_thread_join(r->thread);
        }
        close(r->stop_fd);
        close(r->epfd);
        g_free(r);
}

int pv_reaper_watch(PvReaper *r, int pidfd, uint64_t key)
{
        if (!r)
                return -ENOSYS;
        /*
         * One report per pidfd: a pidfd stays readable once its task exited,
         * and its owner may keep it open a while after the report (a
         * request still using it), which must not make the thread spin.
         */
        struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = key};
        if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0)
                return -errno;
        return 0;
}
