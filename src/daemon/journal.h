/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What outlives a worker: the keeper's shared state (the connection's saved
 * FUSE_INIT request) and each worker's journal of the requests it has read
 * from /dev/fuse and not answered yet. Both live in memfds the keeper holds,
 * mapped shared by the workers, so a worker killed at any instruction leaves
 * them behind intact.
 *
 * A journal is an array of slots, one per serving thread. A thread reads
 * each request straight into its slot (the kernel copies it there before
 * read() returns, so no kill can lose a request between the kernel and the
 * journal), then marks the slot answered when its reply was written. A
 * request read but not answered is "pending": a new worker answers it again.
 * Answering a request the kernel already completed is harmless: the kernel
 * finds no request with that id and the write fails with ENOENT.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read buffer size of one slot: libfuse's largest (256 pages + one page of headers). */
#define PV_JOURNAL_SLOT_SIZE ((size_t)(256 + 1) * 4096)

/* The saved INIT request is at most this long (a 6.x kernel sends 104 bytes). */
#define PV_STATE_INIT_MAX 512

/* kernel INIT flags (include/uapi/linux/fuse.h); not in Debian 12's headers */
#define PV_FUSE_INIT_EXT (1ULL << 30)
#define PV_FUSE_HAS_RESEND (1ULL << 39)
#define PV_FUSE_NOTIFY_RESEND 7

typedef struct PvKeeperState {
        uint32_t magic;
        uint32_t init_len;      /* bytes of the saved INIT request, 0 before the mount */
        uint32_t init_answered; /* a worker's reply to it reached the kernel */
        uint32_t reserved;
        uint64_t kernel_flags;    /* the INIT request's flags (flags2 << 32 | flags) */
        uint64_t next_generation; /* generation of the next worker (file handle ids) */
        unsigned char init[PV_STATE_INIT_MAX];
} PvKeeperState;

/*
 * Creates the state memfd (MFD_CLOEXEC) and maps it. Returns 0 or -errno;
 * *ret_fd and *ret_state are set only on success.
 */
int pv_state_create(int *ret_fd, PvKeeperState **ret_state);
/* Maps an existing state memfd (checks its size and magic). 0 or -errno. */
int pv_state_map(int fd, PvKeeperState **ret_state);
void pv_state_unmap(PvKeeperState *s);
/*
 * Stores a FUSE_INIT request read from the device and its flags.
 * -EINVAL if req is not a well-formed INIT request.
 */
int pv_state_save_init(PvKeeperState *s, const void *req, size_t len);

typedef struct PvJournal {
        int fd; /* the memfd; owned by whoever created or mapped it */
        unsigned n_slots;
        void *map;
        size_t map_size;
} PvJournal;

/* Creates a journal memfd of n_slots slots and maps it. 0 or -errno. */
int pv_journal_create(unsigned n_slots, PvJournal *ret);
/* Maps an existing journal memfd (takes no ownership of fd beyond storing it). 0 or -errno. */
int pv_journal_map(int fd, PvJournal *ret);
/* Unmaps; closes the fd too when close_fd. */
void pv_journal_unmap(PvJournal *j, bool close_fd);

/* Slot i's read buffer, PV_JOURNAL_SLOT_SIZE bytes. */
void *pv_journal_slot(const PvJournal *j, unsigned i);
/* Before reading the next request into slot i: it holds nothing pending. */
void pv_journal_begin(const PvJournal *j, unsigned i);
/* The request with id unique in slot i got its reply. */
void pv_journal_answered(const PvJournal *j, unsigned i, uint64_t unique);
/*
 * Whether slot i holds a request that was read and not answered and that
 * wants a reply (FORGET, BATCH_FORGET and INTERRUPT get none; INIT is the
 * keeper's). On true, *ret_req and *ret_len point into the slot.
 */
bool pv_journal_pending(const PvJournal *j, unsigned i, const void **ret_req, size_t *ret_len);
/* Number of pending slots. */
unsigned pv_journal_count_pending(const PvJournal *j);
