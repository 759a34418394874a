/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/nsfs.h>

#include "fileio.h"
#include "parse-proc.h"
#include "procfs.h"
#include "worker.h"

#ifndef PV_SANITIZED
#define PV_SANITIZED 0
#endif

/* The one capability a worker keeps (see confine.h). */
#define KEPT_CAP CAP_SYS_PTRACE

/* System calls allowed whatever their arguments, by name. */
static const char allowed[] =
    /* files the worker holds or opened read-only */
    "read readv pread64 preadv write writev close close_range dup dup3 fcntl lseek fstat "
    "newfstatat statx fstatfs statfs getdents64 readlinkat readlink faccessat faccessat2 access "
    "poll ppoll inotify_init1 inotify_add_watch inotify_rm_watch pidfd_open eventfd2 signalfd4 "
    "pipe2 "
    /* the reaper's set of pidfds (reaper.h), made before the filter: adding and waiting only */
    "epoll_ctl epoll_wait epoll_pwait "
    /* memory and threads */
    "brk mmap munmap mprotect madvise mremap futex set_robust_list rseq clone3 clone exit "
    "exit_group sched_yield sched_getaffinity membarrier set_tid_address restart_syscall "
    /* signals (kill and tgkill take their rules below) */
    "rt_sigprocmask rt_sigaction rt_sigreturn sigaltstack rt_sigtimedwait "
    /* who and when */
    "getpid gettid getppid getuid geteuid getgid getegid getresuid getresgid clock_gettime "
    "clock_getres clock_nanosleep nanosleep gettimeofday time getrandom uname sysinfo getrusage "
    "getrlimit "
    /* netlink sockets: answers */
    "recvfrom recvmsg setsockopt getsockopt getsockname";

/*
 * What the sanitizers' run-time adds: reports (openat of any kind) with the
 * symbolizer it starts, and the leak checker's stop of every thread by ptrace
 * from a helper task.
 */
static const char sanitizer_extra[] =
    "ptrace wait4 waitid getcwd mincore sched_getparam sched_getscheduler unlink unlinkat "
    "prlimit64 ioctl prctl kill tgkill tkill openat open getdents stat lstat "
    /* a report's symbols come from llvm-symbolizer, a child it talks to through pipes */
    "fork vfork execve pipe dup2 setsid";

/* The last words of a worker that made a call its filter forbids: async-signal-safe only. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
        char line[96] = "procviewd: error: worker: system call ";
        size_t n = strlen(line);
        char digits[12];
        int len = 0;
        unsigned v = (unsigned)si->si_syscall;

        do
                digits[len++] = (char)('0' + v % 10);
        while ((v /= 10) > 0 && len < (int)sizeof(digits));
        while (len > 0)
                line[n++] = digits[--len];
        static const char tail[] = " is not in its seccomp allow-list\n";
        memcpy(line + n, tail, sizeof(tail) - 1);
        n += sizeof(tail) - 1;
        if (write(STDERR_FILENO, line, n) < 0) {
                /* nothing else to tell it to */
        }
        syscall(SYS_exit_group, PV_WORKER_EXIT_SYSCALL);
}

static int add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args,
               const struct scmp_arg_cmp *args)
{
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0; /* not a call of this architecture */
        return seccomp_rule_add_array(ctx, action, nr, n_args, args);
}

/* Allows every call of the space-separated list names. */
static int add_names(scmp_filter_ctx ctx, const char *names)
{
        g_auto(GStrv) v = g_strsplit(names, " ", -1);
        int r = 0;
        for (char **n = v; *n && r == 0; n++)
                if (**n)
                        r = add(ctx, SCMP_ACT_ALLOW, *n, 0, NULL);
        return r;
}

#define ADD(ctx, action, name, ...)                                                                \
        add(ctx, action, name,                                                                     \
            sizeof((struct scmp_arg_cmp[]){__VA_ARGS__}) / sizeof(struct scmp_arg_cmp),            \
            (struct scmp_arg_cmp[]){__VA_ARGS__})

/* The rules whose arguments matter. Returns 0 or a negative libseccomp error. */
static int add_argument_rules(scmp_filter_ctx ctx, pid_t self)
{
        const uint32_t allow = SCMP_ACT_ALLOW;
        const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);
        const scmp_datum_t writing = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
        /* NS_GET_PARENT: a reader's tenant (tenant.h), an fd of a namespace it is in */
        static const unsigned long ioctls[] = {FIONREAD, TCGETS, NS_GET_TGID_FROM_PIDNS,
                                               NS_GET_PARENT};
        int r = 0;

        /* the sanitizers' run-time allows these wholly (sanitizer_extra) */
        if (!PV_SANITIZED) {
                r = ADD(ctx, allow, "openat", SCMP_A2(SCMP_CMP_MASKED_EQ, writing, 0));
                r = r ?: ADD(ctx, allow, "kill", SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
                r = r ?: ADD(ctx, allow, "tgkill", SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self));
                /* a read of a limit only */
                r = r ?: ADD(ctx, allow, "prlimit64", SCMP_A2(SCMP_CMP_EQ, 0));
                r = r ?: ADD(ctx, allow, "prctl", SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
                r = r ?: ADD(ctx, allow, "prctl", SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME));
                for (size_t i = 0; i < G_N_ELEMENTS(ioctls) && r == 0; i++)
                        r = ADD(ctx, allow, "ioctl", SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
        }
        /* the pid namespace scanner lowers its own priority (caller-pidns.c) */
        r = r
                ?: ADD(ctx, allow, "setpriority", SCMP_A0(SCMP_CMP_EQ, PRIO_PROCESS),
                       SCMP_A1(SCMP_CMP_EQ, 0));
        /* libraries that try openat2 first fall back to openat on ENOSYS */
        r = r ?: add(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", 0, NULL);
        /* taskstats: generic netlink sockets, messages to the kernel (no address) only */
        r = r
                ?: ADD(ctx, allow, "socket", SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                       SCMP_A2(SCMP_CMP_EQ, NETLINK_GENERIC));
        r = r ?: ADD(ctx, eperm, "socket", SCMP_A0(SCMP_CMP_NE, AF_NETLINK));
        r = r
                ?: ADD(ctx, eperm, "socket", SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
                       SCMP_A2(SCMP_CMP_NE, NETLINK_GENERIC));
        r = r ?: ADD(ctx, allow, "sendto", SCMP_A4(SCMP_CMP_EQ, 0));
        r = r ?: add(ctx, eperm, "connect", 0, NULL);
        return r;
}

/* The allow-list, loaded into every thread. Returns 0 or -errno. */
static int load_filter(void)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
        int r;

        if (!ctx)
                return -ENOMEM;
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
        /* a call through another ABI (int 0x80, x32) is refused as any unknown one */
        r = r ?: seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
        r = r ?: add_names(ctx, allowed);
        if (PV_SANITIZED)
                r = r ?: add_names(ctx, sanitizer_extra);
        r = r ?: add_argument_rules(ctx, getpid());
        r = r ?: seccomp_load(ctx);
        seccomp_release(ctx);
        return r > 0 ? -EINVAL : r;
}

/* Whether the calling process runs one thread, from /proc/self/status. */
static int single_threaded(void)
{
        g_autofree char *text = NULL;
        int r = pv_read_file_at(AT_FDCWD, "/proc/self/status", &text, NULL);
        if (r < 0)
                return r;
        unsigned n;
        return pv_parse_status_count(text, "Threads", &n) == 0 && n == 1;
}

/* Drops every capability but KEPT_CAP from the bounding, permitted and effective sets. */
static int drop_capabilities(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2] = {};

        for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
                if (cap != KEPT_CAP && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                        return -errno;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        /* uid 0 gains nothing by exec or by a uid change either (CAP_SETPCAP: before capset) */
        if (prctl(PR_SET_SECUREBITS,
                  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
                  0, 0, 0) < 0)
                return -errno;
        data[CAP_TO_INDEX(KEPT_CAP)].effective = CAP_TO_MASK(KEPT_CAP);
        data[CAP_TO_INDEX(KEPT_CAP)].permitted = CAP_TO_MASK(KEPT_CAP);
        if (syscall(SYS_capset, &h, data) < 0)
                return -errno;
        return 0;
}

int pv_worker_confine(bool filter)
{
        struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
        int r;

        r = single_threaded();
        if (r <= 0)
                return r < 0 ? r : -EBUSY;
        r = drop_capabilities();
        if (r < 0)
                return r;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (!filter)
                return 0;
        if (sigaction(SIGSYS, &sa, NULL) < 0)
                return -errno;
        return load_filter();
}
