/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The keeper's answer when no worker can start: EIO to every request,
 * read from its own clone of the connection.
 */
#include "keeper-refuse.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"

/* requests read at most per call, so that signals and workers' readiness are not held up */
#define REFUSE_BATCH 256

/* Whether the kernel waits for a reply to this request (FORGETs and INTERRUPT get none). */
static bool wants_reply(const struct fuse_in_header *h)
{
        switch (h->opcode) {
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
        case FUSE_INTERRUPT:
        case FUSE_INIT: /* the kernel's, once: a worker answered it */
                return false;
        default:
                return true;
        }
}

/* Answers request unique with EIO on fd; a request the kernel gave up on (ENOENT) is no error. */
static void answer_eio(int fd, uint64_t unique)
{
        struct fuse_out_header out = {.len = sizeof(out), .error = -EIO, .unique = unique};
        if (write(fd, &out, sizeof(out)) < 0 && errno != ENOENT)
                pv_log_debug("cannot answer request %llu: %m", (unsigned long long)unique);
}

/* Answers with EIO what dead workers had read and not answered (journal recovery). */
static void refuse_orphans(Keeper *k)
{
        for (guint o = 0; o < k->orphans->len; o++) {
                PvJournal j;
                if (pv_journal_map(g_array_index(k->orphans, Orphan, o).fd, &j) < 0)
                        continue;
                for (unsigned i = 0; i < j.n_slots; i++) {
                        const void *req;
                        size_t len;
                        if (!pv_journal_pending(&j, i, &req, &len))
                                continue;
                        uint64_t unique = ((const struct fuse_in_header *)req)->unique;
                        /* the dead worker read it from fuse_fd: the kernel waits for it there */
                        answer_eio(k->fuse_fd, unique);
                        pv_journal_answered(&j, i, unique);
                        k->refused++;
                }
                pv_journal_unmap(&j, false);
        }
}

/* Whether the keeper must answer: no worker serves, and workers keep failing to start. */
static bool must_refuse(const Keeper *k)
{
        if (k->stopping || k->mount_gone || k->failed_starts < REFUSE_AFTER_FAILED_STARTS)
                return false;
        for (unsigned i = 0; i < k->n_workers; i++)
                if (k->workers[i].served)
                        return false;
        /* before INIT's reply the kernel sends no other request */
        return k->state && __atomic_load_n(&k->state->init_answered, __ATOMIC_ACQUIRE);
}

/* Opens a clone of the connection of our own, non-blocking: a worker may read the request. */
static int clone_connection(const Keeper *k)
{
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        uint32_t master = (uint32_t)k->fuse_fd;
        if (ioctl(fd, FUSE_DEV_IOC_CLONE, &master) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

static void start_refusing(Keeper *k)
{
        int fd = clone_connection(k);
        if (fd < 0) {
                pv_log_error("cannot clone the FUSE connection to answer readers: %s",
                             g_strerror(-fd));
                return;
        }
        k->refuse_fd = fd;
        k->refuse_buf = g_malloc(PV_JOURNAL_SLOT_SIZE);
        k->refusing = true;
        k->refused = 0;
        pv_log_error("%u workers in a row could not start: every read gets EIO until one serves",
                     k->failed_starts);
        refuse_orphans(k);
}

static void stop_refusing(Keeper *k)
{
        close_fd(&k->refuse_fd);
        g_clear_pointer(&k->refuse_buf, g_free);
        k->refusing = false;
        if (!k->stopping && !k->mount_gone)
                pv_log_info("a worker serves again: %lu requests got EIO meanwhile", k->refused);
}

int pv_keeper_refuse_fd(Keeper *k)
{
        bool refuse = must_refuse(k);
        if (refuse && !k->refusing)
                start_refusing(k);
        else if (!refuse && k->refusing)
                stop_refusing(k);
        return k->refusing ? k->refuse_fd : -1;
}

void pv_keeper_refuse_requests(Keeper *k)
{
        if (!k->refusing || !must_refuse(k))
                return; /* a worker became ready meanwhile: it answers */
        for (unsigned n = 0; n < REFUSE_BATCH; n++) {
                /* the kernel refuses reads shorter than its largest request */
                ssize_t len = read(k->refuse_fd, k->refuse_buf, PV_JOURNAL_SLOT_SIZE);
                if (len < 0) {
                        if (errno == ENODEV) /* unmounted, or the connection aborted */
                                k->mount_gone = true;
                        else if (errno != EAGAIN && errno != EINTR && errno != ENOENT)
                                pv_log_error("reading /dev/fuse: %m");
                        return;
                }
                const struct fuse_in_header *h = k->refuse_buf;
                if ((size_t)len < sizeof(*h) || !wants_reply(h))
                        continue;
                answer_eio(k->refuse_fd, h->unique);
                k->refused++;
        }
}
