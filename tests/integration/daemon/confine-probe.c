/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * confine-probe ACTION [ARG]: confines itself as procviewd's worker does
 * (pv_worker_confine), then tries one thing a hijacked worker would, and
 * exits 0 when it worked, 1 when it failed with an error (printed), or the
 * worker's PV_WORKER_EXIT_SYSCALL when the filter ended it.
 *
 *   read PATH         open PATH read-only and read it        (allowed)
 *   write PATH        open PATH for writing                   (refused)
 *   create PATH       create PATH                             (refused)
 *   kill PID          kill(PID, SIGKILL)                      (refused)
 *   kill-self         kill(getpid(), 0)                       (allowed)
 *   ptrace PID        ptrace(PTRACE_ATTACH, PID)              (refused)
 *   inet              socket(AF_INET, SOCK_STREAM)            (EPERM)
 *   unix-connect PATH connect a unix stream socket to PATH    (EPERM)
 *   netlink-route     socket(AF_NETLINK, ..., NETLINK_ROUTE)  (EPERM)
 *   sendto-addr       sendto() with an address                (refused)
 *   exec PATH         execve(PATH)                            (refused)
 *   unshare           unshare(CLONE_NEWNS)                    (refused)
 *   chown PATH        fchownat(PATH)                          (refused)
 *   memfd             memfd_create()                          (refused)
 *   ioctl-tiocsti     ioctl(0, TIOCSTI)                       (refused)
 *   capset            capset() raising CAP_SYS_ADMIN              (refused)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "serve/confine.h"

static int result(long r, const char *what)
{
        if (r < 0) {
                printf("%s: %s\n", what, strerror(errno));
                return 1;
        }
        printf("%s: done\n", what);
        return 0;
}

int main(int argc, char **argv)
{
        const char *a = argc > 1 ? argv[1] : "";
        const char *arg = argc > 2 ? argv[2] : "";
        char buf[256];

        int r = pv_worker_confine(true);
        if (r < 0) {
                fprintf(stderr, "confine: %s\n", strerror(-r));
                return 2;
        }
        fflush(stdout);
        if (!strcmp(a, "read")) {
                int fd = open(arg, O_RDONLY | O_CLOEXEC);
                return result(fd < 0 ? -1 : read(fd, buf, sizeof(buf)), "read");
        }
        if (!strcmp(a, "write"))
                return result(open(arg, O_WRONLY | O_CLOEXEC), "open for writing");
        if (!strcmp(a, "create"))
                return result(open(arg, O_RDONLY | O_CREAT | O_CLOEXEC, 0644), "create");
        if (!strcmp(a, "kill"))
                return result(kill(atoi(arg), SIGKILL), "kill");
        if (!strcmp(a, "kill-self"))
                return result(kill(getpid(), 0), "kill self");
        if (!strcmp(a, "ptrace"))
                return result(ptrace(PTRACE_ATTACH, atoi(arg), 0, 0), "ptrace");
        if (!strcmp(a, "inet"))
                return result(socket(AF_INET, SOCK_STREAM, 0), "socket AF_INET");
        if (!strcmp(a, "netlink-route"))
                return result(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), "socket NETLINK_ROUTE");
        if (!strcmp(a, "unix-connect")) {
                struct sockaddr_un sa = {.sun_family = AF_UNIX};
                snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", arg);
                int s = socket(AF_UNIX, SOCK_STREAM, 0);
                if (s < 0)
                        return result(-1, "socket AF_UNIX");
                return result(connect(s, (struct sockaddr *)&sa, sizeof(sa)), "connect");
        }
        if (!strcmp(a, "sendto-addr")) {
                int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
                struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
                if (s < 0)
                        return result(-1, "socket NETLINK_GENERIC");
                return result(sendto(s, "", 0, 0, (struct sockaddr *)&nl, sizeof(nl)), "sendto");
        }
        if (!strcmp(a, "exec"))
                return result(execl(arg, arg, (char *)NULL), "execve");
        if (!strcmp(a, "unshare"))
                return result(syscall(SYS_unshare, 0x00020000), "unshare");
        if (!strcmp(a, "chown"))
                return result(fchownat(AT_FDCWD, arg, 0, 0, 0), "chown");
        if (!strcmp(a, "memfd"))
                return result(memfd_create("x", 0), "memfd_create");
        if (!strcmp(a, "ioctl-tiocsti")) {
                char c = 'x';
                return result(ioctl(0, TIOCSTI, &c), "ioctl TIOCSTI");
        }
        if (!strcmp(a, "capset")) {
                struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
                struct __user_cap_data_struct d[2] = {};
                d[0].effective = d[0].permitted = CAP_TO_MASK(CAP_SYS_ADMIN);
                return result(syscall(SYS_capset, &h, d), "capset");
        }
        fprintf(stderr, "unknown action %s\n", a);
        return 2;
}
