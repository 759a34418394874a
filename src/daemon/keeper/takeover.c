/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "takeover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "connections.h"
#include "keeper-workers.h"
#include "log.h"

#define REQUEST "takeover"
#define SERVING "serving"
/* fuse, state and the orphans' journals */
#define MAX_FDS (2 + 16)
/* how long either side waits for the other's message */
#define IO_TIMEOUT_S 5

static int control_address(const Keeper *k, struct sockaddr_un *sa)
{
        g_autofree char *path = pv_connections_file(k->opts->mountpoint, "control");

        *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        strcpy(sa->sun_path, path);
        return 0;
}

static void set_timeout(int fd, int seconds)
{
        struct timeval tv = {.tv_sec = seconds};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int pv_takeover_listen(Keeper *k)
{
        struct sockaddr_un sa;
        struct stat st;
        mode_t old_mask;
        int fd, r;

        r = control_address(k, &sa);
        if (r == 0 && g_mkdir_with_parents(PV_CONNECTIONS_DIR, 0755) < 0)
                r = -errno;
        if (r < 0)
                goto fail;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                r = -errno;
                goto fail;
        }
        /* a keeper we took over from, or one killed, left its socket: ours replaces it */
        unlink(sa.sun_path);
        old_mask = umask(0177);
        r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0 ? -errno : 0;
        umask(old_mask);
        if (r == 0 && stat(sa.sun_path, &st) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                goto fail;
        }
        k->control_fd = fd;
        k->control_ino = st.st_ino;
        return 0;
fail:
        pv_log_warning("no control socket for %s (%s): a procviewd started on it later cannot "
                       "take over from this one",
                       k->opts->mountpoint, g_strerror(-r));
        return r;
}

void pv_takeover_close(Keeper *k)
{
        struct sockaddr_un sa;
        struct stat st;

        if (k->control_fd < 0)
                return;
        /* the keeper that took over from us has bound its own there */
        if (control_address(k, &sa) == 0 && stat(sa.sun_path, &st) == 0 &&
            st.st_ino == k->control_ino)
                unlink(sa.sun_path);
        close_fd(&k->control_fd);
}

/* True when pid lives in our pid namespace (and so is no container's process). */
static bool in_our_pidns(pid_t pid)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/ns/pid", (int)pid);
        struct stat a, b;

        return stat("/proc/self/ns/pid", &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
               a.st_dev == b.st_dev;
}

/* Sends text with fds (n of them) on fd. 0 or -errno. */
static int send_with_fds(int fd, const char *text, const int *fds, unsigned n)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
                struct cmsghdr align;
        } u = {0};
        struct iovec iov = {.iov_base = (void *)text, .iov_len = strlen(text)};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};

        if (n > 0) {
                msg.msg_control = u.buf;
                msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        }
        return sendmsg(fd, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

void pv_takeover_accept(Keeper *k)
{
        g_autoptr(GString) text = g_string_new(NULL);
        int fds[MAX_FDS];
        unsigned n = 0;
        struct ucred cr;
        socklen_t len = sizeof(cr);
        char req[32] = "";
        ssize_t got;
        int fd;

        fd = accept4(k->control_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return;
        set_timeout(fd, 1); /* a peer that says nothing holds the keeper up for 1 s at most */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || cr.uid != 0 ||
            !in_our_pidns(cr.pid)) {
                pv_log_warning("control socket: refused pid %d (uid %u): only root of the "
                               "host's pid namespace may take over",
                               (int)cr.pid, (unsigned)cr.uid);
                goto refuse;
        }
        got = recv(fd, req, sizeof(req) - 1, 0);
        if (got != (ssize_t)strlen(REQUEST) || memcmp(req, REQUEST, strlen(REQUEST)) != 0)
                goto refuse;
        if (k->peer_fd >= 0 || k->stopping || k->handed_over || !k->state) {
                pv_log_warning("control socket: refused a take-over by pid %d: %s", (int)cr.pid,
                               k->peer_fd >= 0 ? "another one is under way" : "stopping");
                goto refuse;
        }
        fds[n++] = k->fuse_fd;
        fds[n++] = k->state_fd;
        g_string_append(text, "fuse state orphans=");
        for (guint i = 0; i < k->orphans->len && n < MAX_FDS; i++) {
                const Orphan *o = &g_array_index(k->orphans, Orphan, i);
                fds[n++] = o->fd;
                g_string_append_printf(text, "%s%" G_GUINT64_FORMAT, i ? "," : "", o->gen);
        }
        if (send_with_fds(fd, text->str, fds, n) < 0) {
                pv_log_warning("control socket: cannot hand over to pid %d: %m", (int)cr.pid);
                goto refuse;
        }
        k->peer_fd = fd;
        k->peer_pid = cr.pid;
        k->handover_us = g_get_monotonic_time();
        pv_log_info("handing %s over to the procviewd of pid %d; serving until it serves",
                    k->opts->mountpoint, (int)cr.pid);
        return;
refuse:
        send_with_fds(fd, "busy", NULL, 0);
        close(fd);
}

void pv_takeover_peer_event(Keeper *k, gint64 now)
{
        char buf[32] = "";
        ssize_t got = recv(k->peer_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

        if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
                if (now - k->handover_us <= PV_TAKEOVER_TIMEOUT_US)
                        return;
                pv_log_warning("the procviewd of pid %d did not serve within %d s: serving on",
                               (int)k->peer_pid, (int)(PV_TAKEOVER_TIMEOUT_US / G_USEC_PER_SEC));
        } else if (got == (ssize_t)strlen(SERVING) && memcmp(buf, SERVING, got) == 0) {
                pv_log_info("the procviewd of pid %d serves %s: this keeper leaves it mounted "
                            "and %s",
                            (int)k->peer_pid, k->opts->mountpoint,
                            k->opts->mount_ns ? "waits for SIGTERM" : "exits");
                k->handed_over = true;
                k->stopping = true;
                /* the journals went with the connection */
                for (guint i = 0; i < k->orphans->len; i++)
                        close(g_array_index(k->orphans, Orphan, i).fd);
                g_array_set_size(k->orphans, 0);
        } else {
                pv_log_warning("the procviewd of pid %d went away before it served: serving on",
                               (int)k->peer_pid);
                /* requests its worker took die with it: the kernel sends them again */
                if (k->resend)
                        pv_keeper_notify_resend(k);
        }
        close_fd(&k->peer_fd);
}

int pv_takeover_request(Keeper *k)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
                struct cmsghdr align;
        } u;
        char text[512];
        struct iovec iov = {.iov_base = text, .iov_len = sizeof(text) - 1};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf)};
        struct sockaddr_un sa;
        int fds[MAX_FDS], n = 0, r;
        ssize_t got;
        int fd;

        r = control_address(k, &sa);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        set_timeout(fd, IO_TIMEOUT_S);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            send(fd, REQUEST, strlen(REQUEST), MSG_NOSIGNAL) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        got = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (got < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        text[got] = '\0';
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
                        memcpy(fds, CMSG_DATA(c), sizeof(int) * n);
                }
        if (n < 2 || !g_str_has_prefix(text, "fuse state orphans=") ||
            (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
                for (int i = 0; i < n; i++)
                        close(fds[i]);
                close(fd);
                return -EBUSY;
        }
        k->fuse_fd = fds[0];
        k->state_fd = fds[1];
        g_auto(GStrv) gens = g_strsplit(text + strlen("fuse state orphans="), ",", -1);
        for (int i = 2; i < n; i++) {
                Orphan o = {.fd = fds[i]};
                o.gen = gens[i - 2] ? g_ascii_strtoull(gens[i - 2], NULL, 10) : 0;
                g_array_append_val(k->orphans, o);
        }
        k->takeover_fd = fd;
        return 0;
}

void pv_takeover_announce(Keeper *k)
{
        if (k->takeover_fd < 0)
                return;
        if (send(k->takeover_fd, SERVING, strlen(SERVING), MSG_NOSIGNAL) < 0)
                pv_log_warning("cannot tell the keeper taken over from that we serve: %m");
        close_fd(&k->takeover_fd);
}
