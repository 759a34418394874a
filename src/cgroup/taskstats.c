/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "taskstats.h"

#include <errno.h>
#include <linux/cgroupstats.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fileio.h"

/* A request: headers plus one attribute of up to 16 bytes of payload. */
typedef struct NlRequest {
        struct nlmsghdr n;
        struct genlmsghdr g;
        char attrs[32];
} NlRequest;

int pv_taskstats_socket(void)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
        if (fd < 0)
                return -errno;
        /* a bounded wait: the daemon must not hang on a kernel that never answers */
        struct timeval tv = {.tv_sec = 1};
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        return fd;
}

static void put_attr(NlRequest *req, unsigned short type, const void *data, unsigned short len)
{
        struct nlattr *a = (struct nlattr *)((char *)req + NLMSG_ALIGN(req->n.nlmsg_len));
        a->nla_type = type;
        a->nla_len = (unsigned short)(NLA_HDRLEN + len);
        memcpy((char *)a + NLA_HDRLEN, data, len);
        req->n.nlmsg_len = NLMSG_ALIGN(req->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/*
 * Sends req and receives its answer into buf. Returns the length of the
 * first message's payload after the genetlink header (attributes), or
 * -errno (a netlink error message becomes its error code).
 */
static int transact(int sock, NlRequest *req, char *buf, size_t len, struct nlattr **ret_attrs)
{
        static const unsigned seq0 = 1;
        req->n.nlmsg_seq = seq0;
        /*
         * An unconnected netlink socket sends to the kernel (port 0) without an
         * address: the worker's seccomp filter allows sendto() with none only.
         */
        if (send(sock, req, req->n.nlmsg_len, 0) < 0)
                return -errno;
        ssize_t n;
        do
                n = recv(sock, buf, len, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? -ETIMEDOUT : -errno;
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (!NLMSG_OK(h, (size_t)n))
                return -EBADMSG;
        if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                return e->error < 0 ? e->error : -EBADMSG;
        }
        if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
                return -EBADMSG;
        *ret_attrs = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
        return (int)(h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

/* The attribute of type in [a, a + len), or NULL. */
static struct nlattr *find_attr(struct nlattr *a, int len, unsigned short type)
{
        while (len >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
                if ((a->nla_type & NLA_TYPE_MASK) == type)
                        return a;
                len -= NLA_ALIGN(a->nla_len);
                a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
        }
        return NULL;
}

int pv_taskstats_family(void)
{
        _cleanup_close_ int sock = pv_taskstats_socket();
        NlRequest req = {};
        char buf[4096];
        struct nlattr *attrs;

        if (sock < 0)
                return 0;
        req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
        req.n.nlmsg_type = GENL_ID_CTRL;
        req.n.nlmsg_flags = NLM_F_REQUEST;
        req.g.cmd = CTRL_CMD_GETFAMILY;
        req.g.version = 1;
        put_attr(&req, CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME, sizeof(TASKSTATS_GENL_NAME));
        int len = transact(sock, &req, buf, sizeof(buf), &attrs);
        if (len < 0)
                return 0;
        struct nlattr *id = find_attr(attrs, len, CTRL_ATTR_FAMILY_ID);
        if (!id || id->nla_len < NLA_HDRLEN + sizeof(uint16_t))
                return 0;
        uint16_t v;
        memcpy(&v, (char *)id + NLA_HDRLEN, sizeof(v));
        return v;
}

int pv_cgroupstats_get(int sock, int family, int dirfd, PvCgroupStats *ret)
{
        NlRequest req = {};
        char buf[1024];
        struct nlattr *attrs;
        uint32_t fd = (uint32_t)dirfd;

        if (family <= 0)
                return -EOPNOTSUPP;
        req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
        req.n.nlmsg_type = (uint16_t)family;
        req.n.nlmsg_flags = NLM_F_REQUEST;
        req.g.cmd = CGROUPSTATS_CMD_GET;
        req.g.version = TASKSTATS_GENL_VERSION;
        put_attr(&req, CGROUPSTATS_CMD_ATTR_FD, &fd, sizeof(fd));
        int len = transact(sock, &req, buf, sizeof(buf), &attrs);
        if (len < 0)
                return len;
        struct nlattr *a = find_attr(attrs, len, CGROUPSTATS_TYPE_CGROUP_STATS);
        if (!a || a->nla_len < NLA_HDRLEN + sizeof(struct cgroupstats))
                return -EBADMSG;
        struct cgroupstats cs;
        memcpy(&cs, (char *)a + NLA_HDRLEN, sizeof(cs));
        ret->running = cs.nr_running;
        ret->uninterruptible = cs.nr_uninterruptible;
        ret->total =
            cs.nr_sleeping + cs.nr_running + cs.nr_stopped + cs.nr_uninterruptible + cs.nr_io_wait;
        return 0;
}
