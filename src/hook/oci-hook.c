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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <glib.h>

#include "common/fileio.h"
#include "common/mountinfo.h"
#include "oci-bind.h"
#include "oci-log.h"
#include "oci-ns.h"
#include "oci-path.h"
#include "oci-state.h"
#include "oci-timeout.h"

/*
 * The /proc files runc accepts as mount destinations (libcontainer
 * checkProcMount), bound when the mount serves them: a file procviewd starts
 * serving needs no change here. Other runtimes may be laxer.
 */
static const char *const proc_files[] = {
    "cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg", "slabinfo",
};

#define SYS_CPU_DIR "sys/devices/system/cpu"
#define SYS_NODE_DIR "sys/devices/system/node"
#define SHARED_MSG "on a shared mount, the bind would propagate beyond the container"

static char *opt_root = NULL;
static gboolean opt_no_sys = FALSE;
static gboolean opt_debug = FALSE;
static int opt_timeout = 5;

void pv_oci_log(int prio, const char *fmt, ...)
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
 * Reads the OCI state from stdin: the container's id and its bundle
 * directory (new strings, g_free()). Logs why not. Returns 0 or -errno.
 */
static int read_state(char **ret_id, char **ret_bundle)
{
        g_autofree char *state = NULL;
        size_t len = 0;
        int r;

        r = pv_read_fd(STDIN_FILENO, &state, &len);
        if (r < 0) {
                pv_oci_log(LOG_WARNING, "cannot read the OCI state from stdin: %s", g_strerror(-r));
                return r;
        }
        r = pv_oci_parse_state(state, len, ret_id, ret_bundle);
        if (r < 0) {
                pv_oci_log(LOG_WARNING, "stdin is not an OCI state with a bundle");
                return r;
        }
        return 0;
}

/*
 * Reads the bundle's config.json: the rootfs (a new string, g_free()) and
 * whether the container turned the hook off. Logs why not. Returns 0 or
 * -errno.
 */
static int read_config(const char *id, const char *bundle, char **ret_rootfs, bool *ret_disabled)
{
        g_autofree char *config_path = g_build_filename(bundle, "config.json", NULL);
        g_autofree char *config = NULL;
        size_t len = 0;
        int r;

        r = pv_read_file_at(AT_FDCWD, config_path, &config, &len);
        if (r < 0) {
                pv_oci_log(LOG_WARNING, "container %s: cannot read %s: %s", id, config_path,
                           g_strerror(-r));
                return r;
        }
        r = pv_oci_parse_config(config, len, bundle, ret_rootfs, ret_disabled);
        if (r < 0) {
                pv_oci_log(LOG_WARNING, "container %s: %s has no root.path", id, config_path);
                return r;
        }
        return 0;
}

/*
 * Whether the hook runs where its mounts are the container's alone: in a
 * mount namespace that can be told apart from the host's. Logs why not.
 * Returns 0 or -errno.
 */
static int check_mount_ns(const char *id)
{
        int r = pv_oci_in_host_mount_ns();

        if (r < 0) {
                pv_oci_log(LOG_ERR,
                           "container %s: cannot tell whether this is the host's mount namespace "
                           "(/proc/1/ns/mnt: %s), nothing mounted: the container keeps the "
                           "kernel's /proc files",
                           id, g_strerror(-r));
                return r;
        }
        if (r > 0) {
                pv_oci_log(LOG_ERR,
                           "container %s: running in the host's mount namespace; the hook "
                           "belongs to the createContainer stage, nothing mounted",
                           id);
                return -EINVAL;
        }
        return 0;
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
                pv_oci_log(LOG_WARNING, "container %s: cannot probe %s: %s, nothing mounted", id,
                           opt_root, g_strerror(-r));
                return r;
        }
        switch (state) {
        case PV_MOUNT_LIVE:
                return 0;
        case PV_MOUNT_DEAD:
                pv_oci_log(LOG_WARNING,
                           "container %s: %s is a dead procview mount (procviewd gone, %s), "
                           "nothing mounted: the container keeps the host's /proc",
                           id, opt_root, g_strerror(ENOTCONN));
                return -ENOTCONN;
        case PV_MOUNT_HUNG:
                pv_oci_log(
                    LOG_WARNING,
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
                pv_oci_log(LOG_WARNING,
                           "container %s: no procview mount at %s and no readable %s: %s (is "
                           "procviewd running?), nothing mounted: the container keeps the "
                           "host's /proc",
                           id, opt_root, probe, g_strerror(err));
                return -err;
        }
        pv_oci_log(LOG_INFO, "container %s: %s is not a procview mount, binding the files it holds",
                   id, opt_root);
        return 0;
}

/*
 * Binds every file of proc_files the mount serves over the container's
 * /proc; logs each failure. Returns how many were bound.
 */
static unsigned bind_proc_files(const char *id, int rootfd)
{
        unsigned mounted = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(proc_files); i++) {
                g_autofree char *src = g_build_filename(opt_root, "proc", proc_files[i], NULL);
                g_autofree char *rel = g_build_filename("proc", proc_files[i], NULL);
                int r;

                if (access(src, F_OK) < 0) {
                        pv_oci_log(LOG_DEBUG, "%s: %s, ignoring", src, g_strerror(errno));
                        continue;
                }
                r = pv_oci_bind_view(rootfd, src, rel, PROC_SUPER_MAGIC, false);
                if (r < 0) {
                        pv_oci_log(LOG_WARNING, "container %s: cannot bind %s on /%s: %s", id, src,
                                   rel,
                                   r == -EMEDIUMTYPE ? "not a procfs file"
                                   : r == -EXDEV     ? SHARED_MSG
                                                     : g_strerror(-r));
                        continue;
                }
                mounted++;
        }
        return mounted;
}

/* Binds the view's directory dir over the container's; logs a failure. Returns 0 or -errno. */
static int bind_sys_dir(const char *id, int rootfd, const char *dir)
{
        g_autofree char *src = g_build_filename(opt_root, dir, NULL);
        int r;

        r = pv_oci_bind_view(rootfd, src, dir, SYSFS_MAGIC, true);
        /* a kernel without NUMA has no node directory to cover */
        if (r == -ENOENT && strcmp(dir, SYS_NODE_DIR) == 0)
                pv_oci_log(LOG_DEBUG, "container %s: no /%s, ignoring", id, dir);
        else if (r < 0)
                pv_oci_log(LOG_WARNING, "container %s: cannot bind %s on /%s: %s", id, src, dir,
                           r == -EMEDIUMTYPE ? "not a sysfs directory"
                           : r == -EXDEV     ? SHARED_MSG
                                             : g_strerror(-r));
        return r;
}

/*
 * The hook's work: read the state and the config, check where it runs and
 * what it would bind, then bind. Its return value is only reported, never
 * the exit status.
 */
static int run(void)
{
        g_autofree char *id = NULL, *bundle = NULL, *rootfs = NULL;
        _cleanup_close_ int rootfd = -1;
        bool disabled = false;
        unsigned mounted;
        int r;

        r = read_state(&id, &bundle);
        if (r < 0)
                return r;
        r = read_config(id, bundle, &rootfs, &disabled);
        if (r < 0)
                return r;
        if (disabled) {
                pv_oci_log(LOG_INFO, "container %s: %s=true, nothing mounted", id,
                           PV_OCI_ANNOTATION_DISABLE);
                return 0;
        }
        r = check_mount_ns(id);
        if (r < 0)
                return r;
        r = views_usable(id);
        if (r < 0)
                return r;

        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                r = -errno;
                pv_oci_log(LOG_WARNING, "container %s: cannot open rootfs %s: %s", id, rootfs,
                           g_strerror(-r));
                return r;
        }
        mounted = bind_proc_files(id, rootfd);
        if (!opt_no_sys && bind_sys_dir(id, rootfd, SYS_CPU_DIR) == 0)
                mounted++;
        if (!opt_no_sys && bind_sys_dir(id, rootfd, SYS_NODE_DIR) == 0)
                mounted++;

        pv_oci_log(LOG_INFO, "container %s: %u procview views mounted from %s", id, mounted,
                   opt_root);
        return 0;
}

/*
 * The views' mount point without --root: $PROCVIEW_ROOT, else MOUNTPOINT of
 * the settings file that also moves the daemon and the LXC hook, else the
 * build's default. One file moves them all.
 */
static char *default_root(void)
{
        const char *env = getenv("PROCVIEW_ROOT");
        g_autofree char *text = NULL;

        if (env && env[0] == '/')
                return g_strdup(env);
        /* malloc()ed: g_free() frees it (GLib 2.46 and later use the system allocator) */
        if (pv_read_file_at(AT_FDCWD, PV_SETTINGS_FILE, &text, NULL) == 0) {
                char *root = pv_oci_settings_root(text);

                if (root)
                        return root;
        }
        return g_strdup(PV_DEFAULT_MOUNTPOINT);
}

int main(int argc, char **argv)
{
        g_autoptr(GOptionContext) ctx = NULL;
        g_autoptr(GError) error = NULL;
        GOptionEntry entries[] = {
            {"root", 'r', 0, G_OPTION_ARG_FILENAME, &opt_root,
             "procviewd's mount point (default: $PROCVIEW_ROOT, else MOUNTPOINT "
             "in " PV_SETTINGS_FILE ", else " PV_DEFAULT_MOUNTPOINT ")",
             "DIR"},
            {"no-sys", 0, 0, G_OPTION_ARG_NONE, &opt_no_sys,
             "do not mount over /sys/devices/system/cpu and node", NULL},
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
                pv_oci_log(LOG_ERR, "%s, nothing mounted", error->message);
                return EXIT_SUCCESS;
        }
        if (!opt_root)
                opt_root = default_root();
        if (opt_timeout <= 0)
                opt_timeout = 5;

        pv_oci_run_with_timeout(run, opt_timeout);
        g_free(opt_root);
        closelog();
        return EXIT_SUCCESS;
}
