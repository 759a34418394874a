/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* procviewd: parse options, set up, run the FUSE loop; one exit. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "common/fileio.h"
#include "daemon.h"
#include "fs.h"
#include "log.h"
#include "sampler.h"

#ifndef PV_DEFAULT_MOUNTPOINT
#define PV_DEFAULT_MOUNTPOINT "/var/lib/procview"
#endif

static void usage(FILE *f)
{
        fprintf(
            f,
            "Usage: procviewd [OPTIONS] [MOUNTPOINT]\n"
            "\n"
            "Serve /proc and /sys CPU files that show every reader its own container,\n"
            "computed from the container's cgroups (v1, v2 or hybrid).\n"
            "Default MOUNTPOINT: %s (created if missing).\n"
            "\n"
            "Options:\n"
            "  -f, --foreground        stay in the foreground, log to stderr\n"
            "  -d, --debug             log every failed lookup and request (implies -f)\n"
            "      --cpu-view=MODE     cpuset: show every CPU of the container's cpuset (default)\n"
            "                          quota:  show only the first ceil(quota/period) of them\n"
            "  -h, --help              show this help and exit\n"
            "  -V, --version           show the version and exit\n"
            "\n"
            "Files: proc/{meminfo,cpuinfo,stat,diskstats,uptime,loadavg,swaps} and\n"
            "sys/devices/system/cpu/{online,possible,present,offline,cpuN/online}.\n"
            "Bind-mount them over /proc/meminfo etc. in a container; see procviewd(8).\n",
            PV_DEFAULT_MOUNTPOINT);
}

/* Returns 0 to run, 1 to exit successfully (help, version), -EINVAL on bad usage. */
static int parse_options(int argc, char **argv, PvOptions *o)
{
        enum { OPT_CPU_VIEW = 256, OPT_HOST_PROC, OPT_SYS_CPU, OPT_INTERVAL };
        static const struct option longopts[] = {
            {"foreground", no_argument, NULL, 'f'},
            {"debug", no_argument, NULL, 'd'},
            {"cpu-view", required_argument, NULL, OPT_CPU_VIEW},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, 'V'},
            /* for tests: read the host's files from elsewhere */
            {"host-proc", required_argument, NULL, OPT_HOST_PROC},
            {"sys-cpu-dir", required_argument, NULL, OPT_SYS_CPU},
            {"sample-interval", required_argument, NULL, OPT_INTERVAL},
            {0},
        };
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":fdhV", longopts, NULL)) != -1) {
                switch (opt) {
                case 'f':
                        o->foreground = true;
                        break;
                case 'd':
                        o->debug = true;
                        o->foreground = true;
                        break;
                case OPT_CPU_VIEW:
                        if (strcmp(optarg, "cpuset") == 0)
                                o->cpu_view = PV_CPU_VIEW_CPUSET;
                        else if (strcmp(optarg, "quota") == 0)
                                o->cpu_view = PV_CPU_VIEW_QUOTA;
                        else {
                                fprintf(
                                    stderr,
                                    "procviewd: --cpu-view must be 'cpuset' or 'quota', not '%s'\n",
                                    optarg);
                                return -EINVAL;
                        }
                        break;
                case OPT_HOST_PROC:
                        g_free(o->host_proc);
                        o->host_proc = g_strdup(optarg);
                        break;
                case OPT_SYS_CPU:
                        g_free(o->sys_cpu_dir);
                        o->sys_cpu_dir = g_strdup(optarg);
                        break;
                case OPT_INTERVAL: {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*end || v < 1 || v > 3600) {
                                fprintf(stderr,
                                        "procviewd: --sample-interval takes 1 to 3600 seconds, not "
                                        "'%s'\n",
                                        optarg);
                                return -EINVAL;
                        }
                        o->sample_interval_s = (unsigned)v;
                        break;
                }
                case 'h':
                        usage(stdout);
                        return 1;
                case 'V':
                        printf("procviewd %s\n", PV_VERSION);
                        return 1;
                case ':':
                        fprintf(stderr, "procviewd: option '%s' needs an argument (see --help)\n",
                                argv[optind - 1]);
                        return -EINVAL;
                default:
                        if (optopt)
                                fprintf(stderr, "procviewd: unknown option '-%c' (see --help)\n",
                                        optopt);
                        else
                                fprintf(stderr, "procviewd: unknown option '%s' (see --help)\n",
                                        argv[optind - 1]);
                        return -EINVAL;
                }
        }
        if (optind < argc - 1) {
                fprintf(stderr,
                        "procviewd: one mount point expected, got '%s' and '%s' (see --help)\n",
                        argv[optind], argv[optind + 1]);
                return -EINVAL;
        }
        o->mountpoint = g_strdup(optind < argc ? argv[optind] : PV_DEFAULT_MOUNTPOINT);
        return 0;
}

/*
 * Whether path is where a procview file system is mounted, from mountinfo
 * alone: asking the mount itself would wait on the daemon serving it.
 */
static bool is_procview_mount(const char *path)
{
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *real_dir = realpath(dir, NULL);
        g_autofree char *text = NULL;
        if (!real_dir || pv_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL) < 0)
                return false;
        g_autofree char *want = g_build_filename(real_dir, base, NULL);
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
                g_auto(GStrv) f = g_strsplit(*l, " ", -1);
                if (g_strv_length(f) < 5 || !g_str_equal(f[4], want))
                        continue;
                const char *sep = strstr(*l, " - ");
                if (sep && g_str_has_prefix(sep + 3, "fuse.procview "))
                        return true;
        }
        return false;
}

/* Creates the mount point if missing; detaches a dead mount a crashed daemon left behind. */
static int prepare_mountpoint(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0) {
                if (errno == ENOTCONN) {
                        pv_log_warning("%s: a previous procviewd left a dead mount, detaching it",
                                       path);
                        if (umount2(path, MNT_DETACH) < 0)
                                return -errno;
                        return prepare_mountpoint(path);
                }
                if (errno != ENOENT)
                        return -errno;
                if (g_mkdir_with_parents(path, 0755) < 0)
                        return -errno;
                return 0;
        }
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        /* A live procview mount there: another procviewd serves it; do not stack a second. */
        if (is_procview_mount(path))
                return -EBUSY;
        return 0;
}

/*
 * Every container holds a directory fd per controller and per level of its
 * cgroup path (about 18 for /kubepods/pod/container on v1) and keeps its
 * counter files open: ask for room for tens of thousands of containers (root
 * may raise the hard limit), else take the hard limit.
 */
static void raise_fd_limit(void)
{
        const rlim_t want = 1 << 19;
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
                return;
        struct rlimit big = {.rlim_cur = want, .rlim_max = rl.rlim_max > want ? rl.rlim_max : want};
        if (setrlimit(RLIMIT_NOFILE, &big) == 0)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                pv_log_debug("cannot raise the open file limit: %m, ignoring");
}

static int daemon_setup(PvDaemon *d)
{
        struct stat st;
        g_autofree char *stat_text = NULL;
        int r;

        raise_fd_limit();
        d->clk_tck = sysconf(_SC_CLK_TCK);
        if (d->clk_tck <= 0)
                d->clk_tck = 100;
        d->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d->proc_fd < 0)
                return -errno;
        d->host_fd = open(d->opts.host_proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d->host_fd < 0)
                return -errno;
        if (stat("/proc/self/ns/pid", &st) < 0)
                return -errno;
        d->self_pidns_ino = st.st_ino;

        r = pv_host_open(d);
        if (r < 0)
                return r;
        r = pv_host_read(d, PV_HOST_STAT, &stat_text, NULL);
        if (r < 0)
                return r;
        const char *bt = strstr(stat_text, "\nbtime ");
        d->host_btime_s = bt ? g_ascii_strtoull(bt + 7, NULL, 10) : 0;

        r = pv_hierarchy_open(&d->hier);
        if (r < 0)
                return r;
        g_mutex_init(&d->containers_lock);
        d->containers = g_hash_table_new(g_str_hash, g_str_equal);
        d->callers = pv_caller_cache_new();
        g_mutex_init(&d->handles_lock);
        d->handles = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_mutex_init(&d->sampler_lock);
        g_cond_init(&d->sampler_cond);
        return 0;
}

static void daemon_teardown(PvDaemon *d)
{
        pv_sampler_stop(d);
        if (d->handles) {
                pv_fs_free_handles(d);
                g_hash_table_destroy(d->handles);
        }
        if (d->containers) {
                pv_registry_clear(d);
                g_hash_table_destroy(d->containers);
        }
        pv_caller_cache_free(d->callers);
        pv_hierarchy_close(&d->hier);
        if (d->proc_fd >= 0)
                close(d->proc_fd);
        pv_host_close(d);
        if (d->host_fd >= 0)
                close(d->host_fd);
        g_free(d->opts.mountpoint);
        g_free(d->opts.host_proc);
        g_free(d->opts.sys_cpu_dir);
}

static const char *layout_name(PvCgroupLayout l)
{
        return l == PV_LAYOUT_V2 ? "v2 (unified)" : l == PV_LAYOUT_HYBRID ? "hybrid" : "v1";
}

static int run(PvDaemon *d, const char *argv0)
{
        char *fargv[] = {(char *)argv0, "-o", PV_FS_MOUNT_OPTIONS, d->opts.debug ? "-d" : NULL,
                         NULL};
        struct fuse_args args = FUSE_ARGS_INIT(d->opts.debug ? 4 : 3, fargv);
        struct fuse_session *se;
        int r;

        se = fuse_session_new(&args, &pv_fs_ops, sizeof(pv_fs_ops), d);
        fuse_opt_free_args(&args);
        if (!se) {
                pv_log_error("cannot create the FUSE session");
                return -EIO;
        }
        if (fuse_set_signal_handlers(se) < 0) {
                fuse_session_destroy(se);
                return -EIO;
        }
        if (fuse_session_mount(se, d->opts.mountpoint) < 0) {
                pv_log_error("cannot mount on %s (is /dev/fuse usable and are we root?)",
                             d->opts.mountpoint);
                fuse_remove_signal_handlers(se);
                fuse_session_destroy(se);
                return -EIO;
        }
        pv_log_info("serving %s (cgroups %s, cpu view %s)", d->opts.mountpoint,
                    layout_name(d->hier.layout),
                    d->opts.cpu_view == PV_CPU_VIEW_QUOTA ? "quota" : "cpuset");
        if (!d->opts.foreground) {
                pv_log_setup(false, d->opts.debug);
                if (fuse_daemonize(0) < 0) {
                        r = -EIO;
                        goto out;
                }
        }
        r = pv_sampler_start(d);
        if (r < 0) {
                pv_log_error("cannot start the loadavg sampler: %s", g_strerror(-r));
                goto out;
        }

        struct fuse_loop_config *cfg = fuse_loop_cfg_create();
        fuse_loop_cfg_set_clone_fd(cfg, 0);
        fuse_loop_cfg_set_max_threads(cfg, 64);
        r = fuse_session_loop_mt(se, cfg);
        fuse_loop_cfg_destroy(cfg);
        if (r < 0)
                pv_log_error("FUSE loop failed: %s", g_strerror(-r));
        else
                pv_log_info("unmounting %s", d->opts.mountpoint);
        r = r < 0 ? r : 0;
out:
        pv_sampler_stop(d);
        fuse_session_unmount(se);
        fuse_remove_signal_handlers(se);
        fuse_session_destroy(se);
        return r;
}

int main(int argc, char **argv)
{
        PvDaemon d = {
            .opts =
                {
                    .cpu_view = PV_CPU_VIEW_CPUSET,
                    .host_proc = g_strdup("/proc"),
                    .sys_cpu_dir = g_strdup("/sys/devices/system/cpu"),
                    .sample_interval_s = 5,
                    .idle_expiry_s = 600,
                },
            .proc_fd = -1,
            .host_fd = -1,
            .host_file_fd = {[0 ... _PV_HOST_MAX - 1] = -1},
        };
        int r;

        r = parse_options(argc, argv, &d.opts);
        if (r != 0) {
                daemon_teardown(&d);
                return r > 0 ? EXIT_SUCCESS : 2;
        }
        pv_log_setup(true, d.opts.debug);

        r = prepare_mountpoint(d.opts.mountpoint);
        if (r < 0) {
                fprintf(stderr, "procviewd: cannot use mount point %s: %s\n", d.opts.mountpoint,
                        r == -EBUSY ? "another procviewd serves it already" : g_strerror(-r));
                daemon_teardown(&d);
                return EXIT_FAILURE;
        }
        r = daemon_setup(&d);
        if (r < 0) {
                fprintf(stderr, "procviewd: cannot set up: %s%s\n", g_strerror(-r),
                        r == -ENOENT ? " (no cgroup hierarchy mounted?)" : "");
                daemon_teardown(&d);
                return EXIT_FAILURE;
        }
        r = run(&d, argv[0]);
        daemon_teardown(&d);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
