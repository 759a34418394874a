/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fdstore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define LISTEN_FDS_START 3

static int notify(const char *msg, const int *fds, unsigned n_fds)
{
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 4)];
        } control;
        struct iovec iov = {.iov_base = (void *)msg, .iov_len = strlen(msg)};
        struct msghdr mh = {.msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1};
        size_t len;
        int fd, r = 0;

        if (!path || !*path)
                return 0;
        len = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path) || n_fds > 4)
                return -EINVAL;
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract socket */
        mh.msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
        if (n_fds > 0) {
                memset(&control, 0, sizeof(control));
                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        }
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                r = -errno;
        close(fd);
        return r;
}

int pv_fdstore_take(int *ret_fuse_fd, int *ret_state_fd, GArray *journal_fds, GArray *journal_gens)
{
        const char *pid = getenv("LISTEN_PID");
        const char *n = getenv("LISTEN_FDS");
        const char *names = getenv("LISTEN_FDNAMES");
        int fuse_fd = -1, state_fd = -1;

        if (!pid || !n || !names || strtol(pid, NULL, 10) != getpid())
                return -ENOENT;
        g_auto(GStrv) name = g_strsplit(names, ":", -1);
        long count = strtol(n, NULL, 10);
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        for (long i = 0; i < count && i < 1024; i++) {
                int fd = LISTEN_FDS_START + (int)i;
                const char *nm = i < (long)g_strv_length(name) ? name[i] : "";
                fcntl(fd, F_SETFD, FD_CLOEXEC);
                if (strcmp(nm, "fuse") == 0 && fuse_fd < 0)
                        fuse_fd = fd;
                else if (strcmp(nm, "state") == 0 && state_fd < 0)
                        state_fd = fd;
                else if (g_str_has_prefix(nm, "journal-")) {
                        uint64_t gen = g_ascii_strtoull(nm + 8, NULL, 10);
                        g_array_append_val(journal_fds, fd);
                        g_array_append_val(journal_gens, gen);
                } else
                        close(fd);
        }
        if (fuse_fd < 0 || state_fd < 0) {
                if (fuse_fd >= 0)
                        close(fuse_fd);
                if (state_fd >= 0)
                        close(state_fd);
                return -ENOENT;
        }
        *ret_fuse_fd = fuse_fd;
        *ret_state_fd = state_fd;
        return 0;
}

void pv_fdstore_put(int fuse_fd, int state_fd)
{
        int r = notify("FDSTORE=1\nFDNAME=fuse", &fuse_fd, 1);
        if (r == 0)
                r = notify("FDSTORE=1\nFDNAME=state", &state_fd, 1);
        if (r < 0)
                pv_log_warning("cannot hand the FUSE connection to systemd's fd store: %s "
                               "(FileDescriptorStoreMax= unset?), a killed keeper loses the mount",
                               g_strerror(-r));
}

void pv_fdstore_put_journal(int fd, uint64_t generation)
{
        char msg[64];
        snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=journal-%" PRIu64, generation);
        int r = notify(msg, &fd, 1);
        if (r < 0)
                pv_log_debug("cannot keep a journal in systemd's fd store: %s, ignoring",
                             g_strerror(-r));
}

void pv_fdstore_remove_journal(uint64_t generation)
{
        char msg[64];
        snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=journal-%" PRIu64, generation);
        notify(msg, NULL, 0);
}

void pv_fdstore_remove(void)
{
        notify("FDSTOREREMOVE=1\nFDNAME=fuse", NULL, 0);
        notify("FDSTOREREMOVE=1\nFDNAME=state", NULL, 0);
}
