/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "journal.h"

#include <errno.h>
#include <linux/fuse.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC 0x70765354u /* "pvST" */

/*
 * Per-slot bookkeeping, in the first page of the journal; the read buffers
 * follow, page aligned. Written by one thread each, read by the next worker
 * once the writer is dead.
 */
typedef struct SlotControl {
        uint64_t answered; /* unique of the last request of this slot that got its reply */
} SlotControl;

#define CONTROL_SIZE ((size_t)4096)
#define MAX_SLOTS (CONTROL_SIZE / sizeof(SlotControl))

int pv_state_create(int *ret_fd, PvKeeperState **ret_state)
{
        PvKeeperState *s = NULL;
        int fd = memfd_create("procview-state", MFD_CLOEXEC);
        int r;

        if (fd < 0)
                return -errno;
        if (ftruncate(fd, sizeof(PvKeeperState)) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        s = mmap(NULL, sizeof(PvKeeperState), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (s == MAP_FAILED) {
                r = -errno;
                close(fd);
                return r;
        }
        s->magic = STATE_MAGIC;
        s->next_generation = 1;
        *ret_fd = fd;
        *ret_state = s;
        return 0;
}

int pv_state_map(int fd, PvKeeperState **ret_state)
{
        struct stat st;
        PvKeeperState *s = NULL;

        if (fstat(fd, &st) < 0)
                return -errno;
        if ((size_t)st.st_size != sizeof(PvKeeperState))
                return -EINVAL;
        s = mmap(NULL, sizeof(PvKeeperState), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (s == MAP_FAILED)
                return -errno;
        if (s->magic != STATE_MAGIC || s->init_len > PV_STATE_INIT_MAX) {
                munmap(s, sizeof(PvKeeperState));
                return -EINVAL;
        }
        *ret_state = s;
        return 0;
}

void pv_state_unmap(PvKeeperState *s)
{
        if (s)
                munmap(s, sizeof(PvKeeperState));
}

int pv_state_save_init(PvKeeperState *s, const void *req, size_t len)
{
        const struct fuse_in_header *h = req;
        const struct fuse_init_in *in = (const void *)(h + 1);
        uint64_t flags;

        /* the oldest kernels send a shorter fuse_init_in: need major..flags */
        if (len < sizeof(*h) + 4 * sizeof(uint32_t) || len > PV_STATE_INIT_MAX || h->len != len ||
            h->opcode != FUSE_INIT)
                return -EINVAL;
        flags = in->flags;
        if ((flags & PV_FUSE_INIT_EXT) && len >= sizeof(*h) + offsetof(struct fuse_init_in, unused))
                flags |= (uint64_t)in->flags2 << 32;
        memcpy(s->init, req, len);
        s->kernel_flags = flags;
        s->init_answered = 0;
        s->init_len = (uint32_t)len;
        return 0;
}

static size_t journal_size(unsigned n_slots)
{
        return CONTROL_SIZE + (size_t)n_slots * PV_JOURNAL_SLOT_SIZE;
}

int pv_journal_create(unsigned n_slots, PvJournal *ret)
{
        PvJournal j = {.n_slots = n_slots};
        int r;

        if (n_slots == 0 || n_slots > MAX_SLOTS)
                return -EINVAL;
        j.fd = memfd_create("procview-journal", MFD_CLOEXEC);
        if (j.fd < 0)
                return -errno;
        j.map_size = journal_size(n_slots);
        /* sparse: only the pages requests are read into are ever allocated */
        if (ftruncate(j.fd, (off_t)j.map_size) < 0) {
                r = -errno;
                close(j.fd);
                return r;
        }
        j.map = mmap(NULL, j.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, j.fd, 0);
        if (j.map == MAP_FAILED) {
                r = -errno;
                close(j.fd);
                return r;
        }
        *ret = j;
        return 0;
}

int pv_journal_map(int fd, PvJournal *ret)
{
        PvJournal j = {.fd = fd};
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if ((size_t)st.st_size < journal_size(1) ||
            ((size_t)st.st_size - CONTROL_SIZE) % PV_JOURNAL_SLOT_SIZE != 0)
                return -EINVAL;
        j.n_slots = (unsigned)(((size_t)st.st_size - CONTROL_SIZE) / PV_JOURNAL_SLOT_SIZE);
        if (j.n_slots > MAX_SLOTS)
                return -EINVAL;
        j.map_size = (size_t)st.st_size;
        j.map = mmap(NULL, j.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (j.map == MAP_FAILED)
                return -errno;
        *ret = j;
        return 0;
}

void pv_journal_unmap(PvJournal *j, bool close_fd)
{
        if (j->map)
                munmap(j->map, j->map_size);
        j->map = NULL;
        if (close_fd && j->fd >= 0)
                close(j->fd);
        j->fd = -1;
}

void *pv_journal_slot(const PvJournal *j, unsigned i)
{
        return (char *)j->map + CONTROL_SIZE + (size_t)i * PV_JOURNAL_SLOT_SIZE;
}

static SlotControl *control(const PvJournal *j, unsigned i)
{
        return (SlotControl *)j->map + i;
}

void pv_journal_begin(const PvJournal *j, unsigned i)
{
        struct fuse_in_header *h = pv_journal_slot(j, i);
        /* the kernel writes a nonzero length here when it hands over a request */
        __atomic_store_n(&h->len, 0, __ATOMIC_RELEASE);
}

void pv_journal_answered(const PvJournal *j, unsigned i, uint64_t unique)
{
        __atomic_store_n(&control(j, i)->answered, unique, __ATOMIC_RELEASE);
}

bool pv_journal_pending(const PvJournal *j, unsigned i, const void **ret_req, size_t *ret_len)
{
        const struct fuse_in_header *h = pv_journal_slot(j, i);
        uint32_t len = __atomic_load_n(&h->len, __ATOMIC_ACQUIRE);

        if (len < sizeof(*h) || len > PV_JOURNAL_SLOT_SIZE)
                return false;
        if (h->unique == __atomic_load_n(&control(j, i)->answered, __ATOMIC_ACQUIRE))
                return false;
        switch (h->opcode) {
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
        case FUSE_INTERRUPT:
        case FUSE_INIT:
                return false;
        default:
                break;
        }
        *ret_req = h;
        *ret_len = len;
        return true;
}

unsigned pv_journal_count_pending(const PvJournal *j)
{
        unsigned n = 0;
        const void *req;
        size_t len;

        for (unsigned i = 0; i < j->n_slots; i++)
                n += pv_journal_pending(j, i, &req, &len);
        return n;
}
