/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * procview-oci-hook: an OCI createContainer hook (podman, CRI-O, runc
 * config.json) that bind-mounts procviewd's views over the container's /proc
 * files and /sys/devices/system/cpu.
 *
 * runtime-spec config.md: createContainer hooks run in the container
 * namespaces after the runtime has set up the mount namespace and the
 * config's mounts, before pivot_root. So the rootfs is still reachable at the
 * host path of root.path, its proc and sysfs are mounted, the host's
 * /var/lib/procview is visible in the copied mount table, and mounts made here
 * belong to the container alone.
 *
 * The hook must never stop a container from starting: whatever goes wrong is
 * logged (stderr, syslog) and the exit status is 0.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/magic.h>

#include <glib.h>

#include "common/fileio.h"
#include "common/mountinfo.h"
#include "oci-path.h"
#include "oci-state.h"

/*
 * The /proc files runc accepts as mount destinations (libcontainer
 * checkProcMount), bound when the mount serves them: a file procviewd starts
 * serving needs no change here. Other runtimes may be laxer.
 */
static const char *const proc_files[] = {
    "cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg", "slabinfo",
};

#define SYS_CPU_DIR "sys/devices/system/cpu"
#define SHARED_MSG "on a shared mount, the bind would propagate beyond the container"

static char *opt_root = NULL;
static gboolean opt_no_sys = FALSE;
static gboolean opt_debug = FALSE;
static int opt_timeout = 5;

static void hook_log(int prio, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void hook_log(int prio, const char *fmt, ...)
{
        g_autofree char *msg = NULL;
        va_list ap;

        if (prio == LOG_DEBUG && !opt_debug)
                return;
        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        fprintf(stderr, "procview-oci-hook: %s\n", msg);
        syslog(prio, "%s", msg);
}

/*
 * Whether mounting on the open fd would propagate to other mount namespaces:
 * a container whose config shares a mount with the host (a bind of the
 * host's /sys with "rshared", rootfsPropagation "shared") would otherwise
 * get our bind mount over the host's own path. Returns 1, 0, or -errno
 * (-EOPNOTSUPP before Linux 5.8, which has no STATX_MNT_ID).
 */
static int on_shared_mount(int fd)
{
        g_autofree char *mountinfo = NULL;
        struct statx stx;
        int r;

        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        r = pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL);
        if (r < 0)
                return r;
        return pv_oci_mountinfo_is_shared(mountinfo, stx.stx_mnt_id);
}

/*
 * Bind-mounts src over rootfs/rel, which must be a file (or with want_dir a
 * directory) on a file system of type fs_magic: the container's own procfs
 * or sysfs. Anything else means the container did not mount proc/sys there,
 * and covering a file of its image would be wrong. Returns 0, -ENOENT when
 * there is no such target, -EMEDIUMTYPE for a target of another type, or
 * -errno from mount(2).
 */
static int bind_view(int rootfd, const char *src, const char *rel, unsigned long fs_magic,
                     bool want_dir)
{
        _cleanup_close_ int fd = -1, newfd = -1;
        char fdpath[64];
        struct statfs sfs;
        struct stat st;
        int r;

        r = pv_oci_open_in_root(rootfd, rel, &fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
                return -errno;
        if ((want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) ||
            (unsigned long)sfs.f_type != fs_magic)
                return -EMEDIUMTYPE;
        r = on_shared_mount(fd);
        if (r > 0)
                return -EXDEV;
        if (r < 0)
                hook_log(LOG_DEBUG, "propagation of /%s unknown: %s, ignoring", rel,
                         g_strerror(-r));

        /* Mount on the fd's magic link: exactly the inode checked above. */
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
        if (mount(src, fdpath, NULL, MS_BIND, NULL) < 0)
                return -errno;

        /*
         * A bind mount keeps the source mount's flags (procviewd mounts
         * read-only), so this is belt and braces; a failure is harmless.
         * The old fd still names the covered inode: reopen to reach the new
         * mount's root.
         */
        if (pv_oci_open_in_root(rootfd, rel, &newfd) == 0) {
                snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", newfd);
                if (mount(NULL, fdpath, NULL,
                          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          NULL) < 0)
                        hook_log(LOG_DEBUG, "read-only remount of /%s: %s, ignoring", rel,
                                 g_strerror(errno));
        }
        return 0;
}

/* Whether pid is a kernel thread: PF_KTHREAD (include/linux/sched.h) in its flags. */
#define PF_KTHREAD_FLAG 0x00200000u

static bool is_kernel_thread(pid_t pid)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
        g_autofree char *text = NULL;
        unsigned long flags;
        size_t len;

        if (pv_read_file_at(AT_FDCWD, path, &text, &len) < 0)
                return false;
        /* comm may hold spaces and parentheses: the fields go on after the last ')' */
        const char *p = strrchr(text, ')');
        if (!p)
                return false;
        /* state ppid pgrp session tty_nr tpgid flags */
        if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
                return false;
        return (flags & PF_KTHREAD_FLAG) != 0;
}

/*
 * The mount namespace of the host, from a process known to live in it:
 * init (pid 1), or, where init cannot be looked at (reading a process's
 * ns/ links needs ptrace access to it, which a caller without
 * CAP_SYS_PTRACE over init or in a user namespace lacks), kthreadd (pid 2):
 * every kernel thread stays in the initial mount namespace. Pid 2 counts only
 * when it is a kernel thread (PF_KTHREAD in /proc/2/stat), which it is in the
 * host's pid namespace and nowhere else.
 * Returns 0 with the namespace file's st_dev and st_ino in *ret, or the
 * -errno of reading init's (the first witness).
 */
static int host_mount_ns(struct stat *ret)
{
        int r;

        if (stat("/proc/1/ns/mnt", ret) == 0)
                return 0;
        r = -errno;
        if (is_kernel_thread(2) && stat("/proc/2/ns/mnt", ret) == 0)
                return 0;
        return r;
}

/*
 * Whether this process shares the mount namespace of the host: the hook was
 * then configured for a stage that runs in the runtime namespace (prestart,
 * createRuntime), where its mounts would land on the host. A namespace that
 * cannot be told is not taken for the container's: the hook would bind the
 * views wherever it happens to run. Returns 1 (the host's), 0 (another), or
 * -errno when it cannot be told.
 */
static int in_host_mount_ns(void)
{
        struct stat self, host;
        int r;

        if (stat("/proc/self/ns/mnt", &self) < 0)
                return -errno;
        r = host_mount_ns(&host);
        if (r < 0)
                return r;
        return self.st_dev == host.st_dev && self.st_ino == host.st_ino;
}

/*
 * Whether the views at opt_root may be bound; logs why not. stat() and
 * access() cannot tell: on a dead FUSE mount they are answered from the
 * attributes the kernel cached (for an hour), and a container bound to it
 * would read ENOTCONN instead of the kernel's files. Returns 0 or -errno.
 */
static int views_usable(const char *id)
{
        g_autofree char *probe = g_build_filename(opt_root, "proc", "meminfo", NULL);
        /* Half the hook's time, so a hung daemon is named as such before the hook gives up. */
        int probe_ms = opt_timeout >= 4 ? 2000 : opt_timeout * 500;
        PvMountState state;
        struct statfs sfs;
        int r;

        r = pv_mount_probe(opt_root, probe_ms, &state);
        if (r < 0) {
                hook_log(LOG_WARNING, "container %s: cannot probe %s: %s, nothing mounted", id,
                         opt_root, g_strerror(-r));
                return r;
        }
        switch (state) {
        case PV_MOUNT_LIVE:
                return 0;
        case PV_MOUNT_DEAD:
                hook_log(LOG_WARNING,
                         "container %s: %s is a dead procview mount (procviewd gone, %s), "
                         "nothing mounted: the container keeps the host's /proc",
                         id, opt_root, g_strerror(ENOTCONN));
                return -ENOTCONN;
        case PV_MOUNT_HUNG:
                hook_log(LOG_WARNING,
                         "container %s: the procview mount %s did not answer within %d ms "
                         "(procviewd hung?), nothing mounted: the container keeps the host's /proc",
                         id, opt_root, probe_ms);
                return -ETIMEDOUT;
        case PV_MOUNT_NONE:
                break;
        }

        /*
         * No procview mount there: an empty directory when procviewd is not
         * running, or a plain tree of view files, which can neither die nor
         * hang. statfs() reaches the daemon of any other FUSE file system.
         */
        if (statfs(opt_root, &sfs) < 0 || access(probe, R_OK) < 0) {
                int err = errno;
                hook_log(LOG_WARNING,
                         "container %s: no procview mount at %s and no readable %s: %s (is "
                         "procviewd running?), nothing mounted: the container keeps the "
                         "host's /proc",
                         id, opt_root, probe, g_strerror(err));
                return -err;
        }
        hook_log(LOG_INFO, "container %s: %s is not a procview mount, binding the files it holds",
                 id, opt_root);
        return 0;
}

/* The hook's work; its return value is only reported, never the exit status. */
static int run(void)
{
        g_autofree char *state = NULL, *config = NULL, *config_path = NULL;
        g_autofree char *id = NULL, *bundle = NULL, *rootfs = NULL;
        _cleanup_close_ int rootfd = -1;
        size_t state_len = 0, config_len = 0;
        unsigned mounted = 0;
        bool disabled = false;
        int r;

        r = pv_read_fd(STDIN_FILENO, &state, &state_len);
        if (r < 0) {
                hook_log(LOG_WARNING, "cannot read the OCI state from stdin: %s", g_strerror(-r));
                return r;
        }
        r = pv_oci_parse_state(state, state_len, &id, &bundle);
        if (r < 0) {
                hook_log(LOG_WARNING, "stdin is not an OCI state with a bundle");
                return r;
        }

        config_path = g_build_filename(bundle, "config.json", NULL);
        r = pv_read_file_at(AT_FDCWD, config_path, &config, &config_len);
        if (r < 0) {
                hook_log(LOG_WARNING, "container %s: cannot read %s: %s", id, config_path,
                         g_strerror(-r));
                return r;
        }
        r = pv_oci_parse_config(config, config_len, bundle, &rootfs, &disabled);
        if (r < 0) {
                hook_log(LOG_WARNING, "container %s: %s has no root.path", id, config_path);
                return r;
        }
        if (disabled) {
                hook_log(LOG_INFO, "container %s: %s=true, nothing mounted", id,
                         PV_OCI_ANNOTATION_DISABLE);
                return 0;
        }

        r = in_host_mount_ns();
        if (r < 0) {
                hook_log(LOG_ERR,
                         "container %s: cannot tell whether this is the host's mount namespace "
                         "(/proc/1/ns/mnt: %s), nothing mounted: the container keeps the "
                         "kernel's /proc files",
                         id, g_strerror(-r));
                return r;
        }
        if (r > 0) {
                hook_log(LOG_ERR,
                         "container %s: running in the host's mount namespace; the hook "
                         "belongs to the createContainer stage, nothing mounted",
                         id);
                return -EINVAL;
        }

        r = views_usable(id);
        if (r < 0)
                return r;

        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                hook_log(LOG_WARNING, "container %s: cannot open rootfs %s: %s", id, rootfs,
                         g_strerror(errno));
                return -errno;
        }

        for (size_t i = 0; i < G_N_ELEMENTS(proc_files); i++) {
                g_autofree char *src = g_build_filename(opt_root, "proc", proc_files[i], NULL);
                g_autofree char *rel = g_build_filename("proc", proc_files[i], NULL);

                if (access(src, F_OK) < 0) {
                        hook_log(LOG_DEBUG, "%s: %s, ignoring", src, g_strerror(errno));
                        continue;
                }
                r = bind_view(rootfd, src, rel, PROC_SUPER_MAGIC, false);
                if (r < 0) {
                        hook_log(LOG_WARNING, "container %s: cannot bind %s on /%s: %s", id, src,
                                 rel,
                                 r == -EMEDIUMTYPE ? "not a procfs file"
                                 : r == -EXDEV     ? SHARED_MSG
                                                   : g_strerror(-r));
                        continue;
                }
                mounted++;
        }

        if (!opt_no_sys) {
                g_autofree char *src = g_build_filename(opt_root, SYS_CPU_DIR, NULL);

                r = bind_view(rootfd, src, SYS_CPU_DIR, SYSFS_MAGIC, true);
                if (r < 0)
                        hook_log(LOG_WARNING, "container %s: cannot bind %s on /%s: %s", id, src,
                                 SYS_CPU_DIR,
                                 r == -EMEDIUMTYPE ? "not a sysfs directory"
                                 : r == -EXDEV     ? SHARED_MSG
                                                   : g_strerror(-r));
                else
                        mounted++;
        }

        hook_log(LOG_INFO, "container %s: %u procview views mounted from %s", id, mounted,
                 opt_root);
        return 0;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC), 0 when it has passed. */
static int ms_left(const struct timespec *deadline)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
                       (deadline->tv_nsec - now.tv_nsec) / 1000000;
        return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Runs run() in a child and waits at most opt_timeout seconds: a hung
 * procviewd blocks every lookup on its mount, and a container start must not
 * hang with it. The child shares our mount namespace, so its mounts are the
 * container's.
 *
 * A task waiting on a FUSE request the daemon has already read waits
 * uninterruptibly, SIGKILL or not, until the daemon answers or dies (fuse
 * request_wait_answer()). So after the kill the child is waited for only
 * briefly, and it never holds our stdout or stderr: runtimes wait for a
 * hook's output pipes to close, not only for its exit. Its output comes
 * through a pipe that we copy to stderr.
 */
static void run_with_timeout(void)
{
        struct timespec deadline;
        bool timed_out = false;
        int out[2];
        pid_t pid;

        if (pipe2(out, O_CLOEXEC) < 0) {
                hook_log(LOG_WARNING, "pipe: %s, running inline", g_strerror(errno));
                (void)run();
                return;
        }
        pid = fork();
        if (pid < 0) {
                hook_log(LOG_WARNING, "fork: %s, running inline", g_strerror(errno));
                close(out[0]);
                close(out[1]);
                (void)run();
                return;
        }
        if (pid == 0) {
                if (dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0)
                        _exit(1);
                _exit(run() < 0 ? 1 : 0);
        }
        close(out[1]);

        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += opt_timeout;
        for (;;) {
                struct pollfd p = {.fd = out[0], .events = POLLIN};
                int r = poll(&p, 1, ms_left(&deadline));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r == 0) {
                        timed_out = true;
                        break;
                }
                if (r < 0)
                        break;
                char buf[4096];
                ssize_t n = read(out[0], buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break; /* the child has exited */
                if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
                        /* stderr gone: the child's messages also went to syslog */
                }
        }
        close(out[0]);

        if (timed_out) {
                hook_log(LOG_WARNING, "procview views did not answer within %d s, giving up",
                         opt_timeout);
                kill(pid, SIGKILL);
                for (int i = 0; i < 20; i++) {
                        if (waitpid(pid, NULL, WNOHANG) != 0)
                                return;
                        usleep(50 * 1000);
                }
                hook_log(LOG_WARNING,
                         "helper %d is blocked in a request to the views and ends when "
                         "procviewd answers or exits; not waiting for it",
                         (int)pid);
                return;
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

int main(int argc, char **argv)
{
        g_autoptr(GOptionContext) ctx = NULL;
        g_autoptr(GError) error = NULL;
        GOptionEntry entries[] = {
            {"root", 'r', 0, G_OPTION_ARG_FILENAME, &opt_root,
             "procviewd's mount point (default " PV_DEFAULT_MOUNTPOINT ")", "DIR"},
            {"no-sys", 0, 0, G_OPTION_ARG_NONE, &opt_no_sys,
             "do not mount over /sys/devices/system/cpu", NULL},
            {"timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout,
             "give up after SECONDS when the views do not answer (default 5)", "SECONDS"},
            {"debug", 'd', 0, G_OPTION_ARG_NONE, &opt_debug, "log every step", NULL},
            {NULL},
        };

        openlog("procview-oci-hook", LOG_PID, LOG_DAEMON);

        ctx = g_option_context_new("- mount procview views into an OCI container");
        g_option_context_set_summary(ctx, "Reads the OCI state on stdin; use as a createContainer "
                                          "hook. Always exits 0.");
        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                /* A bad hook entry must not break container starts either. */
                hook_log(LOG_ERR, "%s, nothing mounted", error->message);
                return EXIT_SUCCESS;
        }
        if (!opt_root)
                opt_root = g_strdup(PV_DEFAULT_MOUNTPOINT);
        if (opt_timeout <= 0)
                opt_timeout = 5;

        run_with_timeout();
        g_free(opt_root);
        closelog();
        return EXIT_SUCCESS;
}
