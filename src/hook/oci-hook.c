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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/magic.h>

#include <glib.h>

#include "fileio.h"
#include "log.h"
#include "mountinfo.h"
#include "oci-bind.h"
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
/* Lines on stderr, which the runtime may pass on, carry no level ("NAME: MESSAGE"); syslog too. */
#define HOOK_NAME "procview-oci-hook"
#define HOOK_LOG (PV_LOG_STDERR | PV_LOG_SYSLOG)

static char *opt_root = NULL;
static gboolean opt_no_sys = FALSE;
static gboolean opt_debug = FALSE;
static int opt_timeout = 5;

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
                pv_log_warning("cannot read the OCI state from stdin: %s", g_strerror(-r));
                return r;
        }
        r = pv_oci_parse_state(state, len, ret_id, ret_bundle);
        if (r < 0) {
                pv_log_warning("stdin is not an OCI state with a bundle");
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
                pv_log_warning("container %s: cannot read %s: %s", id, config_path, g_strerror(-r));
                return r;
        }
        r = pv_oci_parse_config(config, len, bundle, ret_rootfs, ret_disabled);
        if (r < 0) {
                pv_log_warning("container %s: %s has no root.path", id, config_path);
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
                pv_log_error("container %s: cannot tell whether this is the host's mount namespace "
                             "(/proc/1/ns/mnt: %s), nothing mounted: the container keeps the "
                             "kernel's /proc files",
                             id, g_strerror(-r));
                return r;
        }
        if (r > 0) {
                pv_log_error("container %s: running in the host's mount namespace; the hook "
                             "belongs to the createContainer stage, nothing mounted",
                             id);
                return -EINVAL;
        }
        return 0;
}

/*
 * Opens the views at opt_root for binding (*ret_fd, O_PATH) when a live
 * procview mount is there; logs why not. stat() and access() cannot tell:
 * on a dead FUSE mount they are answered from the attributes the kernel
 * cached (for an hour), and a container bound to it would read ENOTCONN
 * instead of the kernel's files. Only procview's own file system is bound
 * from: a plain directory there (procviewd not running) or any other file
 * system gives nothing. Returns 0 or -errno.
 */
static int open_views(const char *id, int *ret_fd)
{
        /* Half the hook's time, so a hung daemon is named as such before the hook gives up. */
        int probe_ms = opt_timeout >= 4 ? 2000 : opt_timeout * 500;
        PvMountState state;
        int r;

        r = pv_mount_probe(opt_root, probe_ms, &state);
        if (r < 0) {
                pv_log_warning("container %s: cannot probe %s: %s, nothing mounted", id, opt_root,
                               g_strerror(-r));
                return r;
        }
        switch (state) {
        case PV_MOUNT_LIVE:
                break;
        case PV_MOUNT_DEAD:
                pv_log_warning("container %s: %s is a dead procview mount (procviewd gone, %s), "
                               "nothing mounted: the container keeps the host's /proc",
                               id, opt_root, g_strerror(ENOTCONN));
                return -ENOTCONN;
        case PV_MOUNT_HUNG:
                pv_log_warning(
                    "container %s: the procview mount %s did not answer within %d ms "
                    "(procviewd hung?), nothing mounted: the container keeps the host's /proc",
                    id, opt_root, probe_ms);
                return -ETIMEDOUT;
        case PV_MOUNT_NONE:
                pv_log_warning("container %s: no procview mount at %s (is procviewd running?), "
                               "nothing mounted: the container keeps the host's /proc",
                               id, opt_root);
                return -ENODEV;
        }

        r = pv_oci_open_views(opt_root, ret_fd);
        if (r < 0)
                pv_log_warning("container %s: cannot open the views at %s: %s, nothing "
                               "mounted: the container keeps the host's /proc",
                               id, opt_root,
                               r == -EMEDIUMTYPE ? "not a procview mount" : g_strerror(-r));
        return r;
}

/* Why pv_oci_bind_view() failed, for the log. */
static const char *bind_error(int r, const char *target_type)
{
        switch (r) {
        case -EMEDIUMTYPE:
                return target_type;
        case -EBUSY:
                return SHARED_MSG;
        case -EOPNOTSUPP:
                return "its mount cannot be found in mountinfo, so it may be a shared mount";
        case -ELOOP:
        case -EXDEV:
                return "a symlink, \"..\" or another mount on the way out of its tree";
        default:
                return g_strerror(-r);
        }
}

/*
 * Binds every file of proc_files the mount serves over the container's
 * /proc; logs each failure. Returns how many were bound.
 */
static unsigned bind_proc_files(const char *id, int rootfd, int viewsfd)
{
        unsigned mounted = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(proc_files); i++) {
                g_autofree char *rel = g_build_filename("proc", proc_files[i], NULL);
                int r = pv_oci_bind_view(rootfd, viewsfd, rel, PROC_SUPER_MAGIC, false,
                                         PV_OCI_MOUNT_ID_ANY);

                if (r == -ENOENT) {
                        pv_log_debug("container %s: no %s/%s or /%s, ignoring", id, opt_root, rel,
                                     rel);
                        continue;
                }
                if (r < 0) {
                        pv_log_warning("container %s: cannot bind %s/%s on /%s: %s", id, opt_root,
                                       rel, rel,
                                       bind_error(r, "not a procview file over a procfs file"));
                        continue;
                }
                mounted++;
        }
        return mounted;
}

/* Binds the view's directory dir over the container's; logs a failure. Returns 0 or -errno. */
static int bind_sys_dir(const char *id, int rootfd, int viewsfd, const char *dir)
{
        int r = pv_oci_bind_view(rootfd, viewsfd, dir, SYSFS_MAGIC, true, PV_OCI_MOUNT_ID_ANY);

        /* a kernel without NUMA has no node directory to cover */
        if (r == -ENOENT && strcmp(dir, SYS_NODE_DIR) == 0)
                pv_log_debug("container %s: no /%s, ignoring", id, dir);
        else if (r < 0)
                pv_log_warning("container %s: cannot bind %s/%s on /%s: %s", id, opt_root, dir, dir,
                               bind_error(r, "not a procview directory over a sysfs directory"));
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
        _cleanup_close_ int rootfd = -1, viewsfd = -1;
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
                pv_log_info("container %s: %s=true, nothing mounted", id,
                            PV_OCI_ANNOTATION_DISABLE);
                return 0;
        }
        r = check_mount_ns(id);
        if (r < 0)
                return r;
        r = open_views(id, &viewsfd);
        if (r < 0)
                return r;

        rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0) {
                r = -errno;
                pv_log_warning("container %s: cannot open rootfs %s: %s", id, rootfs,
                               g_strerror(-r));
                return r;
        }
        mounted = bind_proc_files(id, rootfd, viewsfd);
        if (!opt_no_sys && bind_sys_dir(id, rootfd, viewsfd, SYS_CPU_DIR) == 0)
                mounted++;
        if (!opt_no_sys && bind_sys_dir(id, rootfd, viewsfd, SYS_NODE_DIR) == 0)
                mounted++;

        pv_log_info("container %s: %u procview views mounted from %s", id, mounted, opt_root);
        return 0;
}

/*
 * The views' mount point without --root: MOUNTPOINT of the settings file
 * that also moves the daemon and the LXC hook, else the build's default. One
 * root-owned file moves them all; never the environment, which a runtime
 * may have filled from the container's config (see main()).
 */
static char *default_root(void)
{
        g_autofree char *text = NULL;

        /* malloc()ed: g_free() frees it (GLib 2.46 and later use the system allocator) */
        if (pv_read_file_at(AT_FDCWD, PV_SETTINGS_FILE, &text, NULL) == 0) {
                char *root = pv_oci_settings_root(text);

                if (root)
                        return root;
        }
        return g_strdup(PV_DEFAULT_MOUNTPOINT);
}

/*
 * The hook runs as root on the host's root file system, in the container's
 * mount namespace, and runc up to 1.2 starts createContainer hooks with the
 * container's own environment and its rootfs as working directory unless
 * the hook's entry gives an "env" of its own. Whatever that environment asks
 * of the dynamic loader (LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH: a library
 * shipped in the image, reached through /proc/self/cwd) has run before
 * main(), as root: nothing here can stop it. What stops it is the fixed,
 * non-empty "env" of every entry that starts the hook: the hooks.d file
 * (init/procview-hook.json.in) and the config.json examples of the docs. An
 * empty list would not do: the runtime spec's encoding drops it, and the
 * runtime then passes its own environment on.
 * Here the hook only makes sure that nothing later reads that environment
 * (glib, syslog, a helper it starts) and that no path is resolved against
 * the container's rootfs, and says so when an entry passed it the loader's
 * variables.
 */
static void drop_environment(void)
{
        static const char *const loader_vars[] = {"LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH"};
        bool loader = false;

        for (size_t i = 0; i < G_N_ELEMENTS(loader_vars); i++)
                loader = loader || getenv(loader_vars[i]) != NULL;
        clearenv();
        setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
        if (chdir("/") < 0)
                pv_log_warning("cannot change to /: %s", g_strerror(errno));
        if (loader)
                pv_log_error("started with LD_PRELOAD, LD_AUDIT or LD_LIBRARY_PATH set: the entry "
                             "that runs this hook passes on an environment (a container's?); give "
                             "it a fixed \"env\", as the installed hooks.d entry does");
}

int main(int argc, char **argv)
{
        g_autoptr(GOptionContext) ctx = NULL;
        g_autoptr(GError) error = NULL;
        GOptionEntry entries[] = {
            {"root", 'r', 0, G_OPTION_ARG_FILENAME, &opt_root,
             "procviewd's mount point (default: MOUNTPOINT in " PV_SETTINGS_FILE
             ", else " PV_DEFAULT_MOUNTPOINT ")",
             "DIR"},
            {"no-sys", 0, 0, G_OPTION_ARG_NONE, &opt_no_sys,
             "do not mount over /sys/devices/system/cpu and node", NULL},
            {"timeout", 't', 0, G_OPTION_ARG_INT, &opt_timeout,
             "give up after SECONDS when the views do not answer (default 5)", "SECONDS"},
            {"debug", 'd', 0, G_OPTION_ARG_NONE, &opt_debug, "log every step", NULL},
            {NULL},
        };

        pv_log_setup(HOOK_NAME, HOOK_LOG, false);
        drop_environment();

        ctx = g_option_context_new("- mount procview views into an OCI container");
        g_option_context_set_summary(ctx, "Reads the OCI state on stdin; use as a createContainer "
                                          "hook. Always exits 0.");
        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                /* A bad hook entry must not break container starts either. */
                pv_log_error("%s, nothing mounted", error->message);
                return EXIT_SUCCESS;
        }
        pv_log_setup(HOOK_NAME, HOOK_LOG, opt_debug);
        if (!opt_root)
                opt_root = default_root();
        if (opt_timeout <= 0)
                opt_timeout = 5;

        pv_oci_run_with_timeout(run, opt_timeout);
        g_free(opt_root);
        closelog();
        return EXIT_SUCCESS;
}
