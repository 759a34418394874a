/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal, the keeper's saved INIT and a worker's take-over of an
 * initialised connection, against a fake device: one end of a SOCK_SEQPACKET
 * pair plays the kernel (each write is one request, each reply one message),
 * the other is the worker's /dev/fuse fd.
 */
#include <errno.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "journal.h"
#include "pv-check.h"
#include "serve/worker.h"

#define INIT_UNIQUE 2

typedef struct Request {
        struct fuse_in_header h;
        union {
                struct fuse_init_in init;
                struct fuse_getattr_in getattr;
                struct fuse_forget_in forget;
        };
} Request;

static size_t make_init(Request *r, uint32_t flags, uint32_t flags2)
{
        memset(r, 0, sizeof(*r));
        r->h.len = sizeof(r->h) + sizeof(r->init);
        r->h.opcode = FUSE_INIT;
        r->h.unique = INIT_UNIQUE;
        r->init.major = 7;
        r->init.minor = 38;
        r->init.max_readahead = 131072;
        r->init.flags = flags;
        r->init.flags2 = flags2;
        return r->h.len;
}

static size_t make_getattr(Request *r, uint64_t unique, uint64_t ino)
{
        memset(r, 0, sizeof(*r));
        r->h.len = sizeof(r->h) + sizeof(r->getattr);
        r->h.opcode = FUSE_GETATTR;
        r->h.unique = unique;
        r->h.nodeid = ino;
        return r->h.len;
}

static void test_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct stat st = {.st_ino = ino, .st_mode = S_IFREG | 0444, .st_nlink = 1};
        fuse_reply_attr(req, &st, 1.0);
}

static const struct fuse_lowlevel_ops test_ops = {.getattr = test_getattr};

static struct fuse_session *new_session(void)
{
        char *argv[] = {"test-takeover", NULL};
        struct fuse_args args = FUSE_ARGS_INIT(1, argv);
        struct fuse_session *se = fuse_session_new(&args, &test_ops, sizeof(test_ops), NULL);
        /* fuse_session_new() appends to args, which then own heap copies */
        fuse_opt_free_args(&args);
        ck_assert_ptr_nonnull(se);
        return se;
}

/* The next reply the fake kernel got, within timeout_ms; its length or 0 when none came. */
static size_t kernel_reply(int kfd, int timeout_ms, void *buf, size_t size)
{
        struct pollfd p = {.fd = kfd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
                return 0;
        ssize_t n = read(kfd, buf, size);
        ck_assert_int_gt(n, 0);
        return (size_t)n;
}

typedef struct Fixture {
        int kfd, dfd; /* kernel end, device end */
        int state_fd;
        PvKeeperState *state;
        PvJournal journal;
} Fixture;

static void fixture_init(Fixture *f, bool init_answered)
{
        int sv[2];
        Request init;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        f->kfd = sv[0];
        f->dfd = sv[1];
        ck_assert_int_eq(pv_state_create(&f->state_fd, &f->state), 0);
        size_t len = make_init(&init, FUSE_ASYNC_READ | PV_FUSE_INIT_EXT, 0);
        ck_assert_int_eq(pv_state_save_init(f->state, &init, len), 0);
        f->state->init_answered = init_answered;
        ck_assert_int_eq(pv_journal_create(PV_WORKER_THREADS + 1, &f->journal), 0);
}

START_TEST(test_state_saves_init_and_flags)
{
        PvKeeperState *s, *again;
        Request init;
        int fd;

        ck_assert_int_eq(pv_state_create(&fd, &s), 0);
        /* flags2 counts only with FUSE_INIT_EXT: bit 39 is FUSE_HAS_RESEND (Linux >= 6.9) */
        size_t len = make_init(&init, PV_FUSE_INIT_EXT, 1u << (39 - 32));
        ck_assert_int_eq(pv_state_save_init(s, &init, len), 0);
        ck_assert(s->kernel_flags & PV_FUSE_HAS_RESEND);
        ck_assert_uint_eq(s->init_len, len);
        len = make_init(&init, 0, 1u << (39 - 32));
        ck_assert_int_eq(pv_state_save_init(s, &init, len), 0);
        ck_assert(!(s->kernel_flags & PV_FUSE_HAS_RESEND));

        /* not an INIT, or a length that disagrees with the header */
        len = make_getattr(&init, 8, 1);
        ck_assert_int_eq(pv_state_save_init(s, &init, len), -EINVAL);
        len = make_init(&init, 0, 0);
        ck_assert_int_eq(pv_state_save_init(s, &init, len - 4), -EINVAL);

        /* a second mapping (the next worker's) sees what the first wrote */
        ck_assert_int_eq(pv_state_map(fd, &again), 0);
        ck_assert_uint_eq(again->init_len, s->init_len);
        ck_assert_int_eq(memcmp(again->init, s->init, s->init_len), 0);
        pv_state_unmap(again);
        pv_state_unmap(s);
        close(fd);

        /* anything but a state memfd is refused */
        fd = memfd_create("not-a-state", MFD_CLOEXEC);
        ck_assert_int_eq(ftruncate(fd, 100), 0);
        ck_assert_int_eq(pv_state_map(fd, &s), -EINVAL);
        close(fd);
}
END_TEST

START_TEST(test_journal_pending_and_answered)
{
        PvJournal j, other;
        Request r;
        const void *req;
        size_t len;

        ck_assert_int_eq(pv_journal_create(3, &j), 0);
        ck_assert_uint_eq(pv_journal_count_pending(&j), 0);

        /* as the kernel would: a request copied into slot 0 */
        len = make_getattr(&r, 100, 1);
        memcpy(pv_journal_slot(&j, 0), &r, len);
        ck_assert(pv_journal_pending(&j, 0, &req, &len));
        ck_assert_uint_eq(((const struct fuse_in_header *)req)->unique, 100);

        /* a FORGET gets no reply: nothing to answer again */
        memset(&r, 0, sizeof(r));
        r.h.len = sizeof(r.h) + sizeof(r.forget);
        r.h.opcode = FUSE_FORGET;
        r.h.unique = 101;
        memcpy(pv_journal_slot(&j, 1), &r, r.h.len);
        ck_assert(!pv_journal_pending(&j, 1, &req, &len));

        /* a dead worker's journal, mapped by the next one */
        ck_assert_int_eq(pv_journal_map(j.fd, &other), 0);
        ck_assert_uint_eq(other.n_slots, 3);
        ck_assert_uint_eq(pv_journal_count_pending(&other), 1);

        /* an answer for another id leaves it pending; its own answer clears it */
        pv_journal_answered(&j, 0, 99);
        ck_assert_uint_eq(pv_journal_count_pending(&other), 1);
        pv_journal_answered(&j, 0, 100);
        ck_assert_uint_eq(pv_journal_count_pending(&other), 0);

        /* begin: the slot waits for its next request */
        len = make_getattr(&r, 102, 1);
        memcpy(pv_journal_slot(&j, 2), &r, len);
        ck_assert_uint_eq(pv_journal_count_pending(&other), 1);
        pv_journal_begin(&j, 2);
        ck_assert_uint_eq(pv_journal_count_pending(&other), 0);
        pv_journal_unmap(&other, false);
        pv_journal_unmap(&j, true);

        /* a memfd of the wrong size is no journal */
        int fd = memfd_create("not-a-journal", MFD_CLOEXEC);
        ck_assert_int_eq(ftruncate(fd, 5000), 0);
        ck_assert_int_eq(pv_journal_map(fd, &other), -EINVAL);
        close(fd);
        ck_assert_int_eq(pv_journal_create(0, &j), -EINVAL);
}
END_TEST

START_TEST(test_first_worker_answers_init)
{
        Fixture f;
        unsigned char buf[4096];

        fixture_init(&f, false);
        struct fuse_session *se = new_session();
        ck_assert_int_eq(pv_worker_take_over(se, f.dfd, f.state, &f.journal, NULL, 0), 0);
        size_t n = kernel_reply(f.kfd, 1000, buf, sizeof(buf));
        const struct fuse_out_header *out = (const void *)buf;
        ck_assert_uint_ge(n, sizeof(*out) + 8);
        ck_assert_uint_eq(out->unique, INIT_UNIQUE);
        ck_assert_int_eq(out->error, 0);
        ck_assert_uint_eq(f.state->init_answered, 1);
        fuse_session_destroy(se);
}
END_TEST

START_TEST(test_next_worker_drops_init_reply_and_serves)
{
        Fixture f;
        unsigned char buf[4096];
        Request r;

        fixture_init(&f, true);
        struct fuse_session *se = new_session();
        ck_assert_int_eq(pv_worker_take_over(se, f.dfd, f.state, &f.journal, NULL, 0), 0);
        /* the kernel has its INIT reply already: a second one would be a protocol error */
        ck_assert_uint_eq(kernel_reply(f.kfd, 200, buf, sizeof(buf)), 0);

        /* negotiated all the same: libfuse answers EIO to anything before an INIT */
        size_t len = make_getattr(&r, 40, 7);
        struct fuse_buf fb = {.mem = &r, .size = len};
        fuse_session_process_buf(se, &fb);
        size_t n = kernel_reply(f.kfd, 1000, buf, sizeof(buf));
        const struct fuse_out_header *out = (const void *)buf;
        const struct fuse_attr_out *attr = (const void *)(out + 1);
        ck_assert_uint_eq(n, sizeof(*out) + sizeof(*attr));
        ck_assert_int_eq(out->error, 0);
        ck_assert_uint_eq(out->unique, 40);
        ck_assert_uint_eq(attr->attr.ino, 7);
        fuse_session_destroy(se);
}
END_TEST

START_TEST(test_orphans_answered_once)
{
        Fixture f;
        PvJournal orphan;
        unsigned char buf[4096];
        Request r;

        fixture_init(&f, true);
        ck_assert_int_eq(pv_journal_create(3, &orphan), 0);
        size_t len = make_getattr(&r, 100, 5); /* read, never answered */
        memcpy(pv_journal_slot(&orphan, 0), &r, len);
        len = make_getattr(&r, 98, 6); /* answered before the worker died */
        memcpy(pv_journal_slot(&orphan, 1), &r, len);
        pv_journal_answered(&orphan, 1, 98);

        struct fuse_session *se = new_session();
        ck_assert_int_eq(pv_worker_take_over(se, f.dfd, f.state, &f.journal, &orphan.fd, 1), 1);
        size_t n = kernel_reply(f.kfd, 1000, buf, sizeof(buf));
        const struct fuse_out_header *out = (const void *)buf;
        ck_assert_uint_gt(n, sizeof(*out));
        ck_assert_uint_eq(out->unique, 100);
        ck_assert_int_eq(out->error, 0);
        ck_assert_uint_eq(((const struct fuse_attr_out *)(out + 1))->attr.ino, 5);
        /* nothing else: the answered request is not answered twice */
        ck_assert_uint_eq(kernel_reply(f.kfd, 200, buf, sizeof(buf)), 0);
        /* and the orphan journal says so, for the keeper */
        ck_assert_uint_eq(pv_journal_count_pending(&orphan), 0);
        fuse_session_destroy(se);
        pv_journal_unmap(&orphan, true);
}
END_TEST

static Suite *takeover_suite(void)
{
        Suite *s = suite_create("takeover");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_state_saves_init_and_flags);
        tcase_add_test(tc, test_journal_pending_and_answered);
        tcase_add_test(tc, test_first_worker_answers_init);
        tcase_add_test(tc, test_next_worker_drops_init_reply_and_serves);
        tcase_add_test(tc, test_orphans_answered_once);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return pv_check_run(takeover_suite());
}
