/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* procviewd: parse options, then run as the keeper (keeper.h); one exit. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/daemon.h"
#include "gather/fs-table.h"
#include "keeper/keeper.h"
#include "serve/worker.h"
#include "log.h"

#ifndef PV_DEFAULT_MOUNTPOINT
#define PV_DEFAULT_MOUNTPOINT "/var/lib/procview"
#endif

static void usage(FILE *f)
{
        g_autoptr(GString) files = g_string_new(NULL);
        g_autoptr(GString) runc = g_string_new(NULL);

        pv_fs_append_file_list(files, false, "\n  ");
        pv_fs_append_file_list(runc, true, "\n  ");
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
            "      --recovery=MODE     how a new worker answers the requests a dead one held:\n"
            "                          auto: FUSE_NOTIFY_RESEND where the kernel has it (Linux\n"
            "                          >= 6.9), else its journal (default); journal: always\n"
            "                          the journal\n"
            "      --scan-max=N        cgroups one scan for new containers visits every 5 s\n"
            "                          (default 4096; 0: no scan, loads start at first read)\n"
            "      --no-repair         do not repair running containers' mounts of a dead\n"
            "                          connection of this mount point (see REPAIR in\n"
            "                          procviewd(8))\n"
            "      --mount-ns=FILE     enter the mount namespace FILE first (e.g. /proc/1/ns/mnt\n"
            "                          from a container with the host's pids): the mount and\n"
            "                          every path are the node's, and the mount outlives this\n"
            "                          container; SIGHUP is ignored (start a new procviewd,\n"
            "                          which takes over), and a procviewd taken over from\n"
            "                          waits for SIGTERM instead of exiting\n"
            "      --no-seccomp        run the worker without its system-call filter (under\n"
            "                          valgrind, which cannot run one); it still drops its\n"
            "                          capabilities\n"
            "  -h, --help              show this help and exit\n"
            "  -V, --version           show the version and exit\n"
            "\n"
            "Files:\n"
            "  %s\n"
            "Bind-mount them over /proc/meminfo etc. in a container; runc accepts only\n"
            "  %s\n"
            "See procviewd(8).\n"
            "\n"
            "Signals: SIGHUP runs the binary now on disk without a gap (upgrade);\n"
            "SIGTERM or SIGINT unmount and stop. A worker process serves the files and is\n"
            "replaced at once when it dies; the mount and open files survive. While new\n"
            "workers cannot set up (two in a row), reads fail with EIO instead of waiting.\n"
            "A procviewd started on a mount point that another one serves takes it over.\n",
            PV_DEFAULT_MOUNTPOINT, files->str, runc->str);
}

enum {
        OPT_CPU_VIEW = 256,
        OPT_HOST_PROC,
        OPT_SYS_CPU,
        OPT_SYS_NODE,
        OPT_INTERVAL,
        OPT_RECOVERY,
        OPT_SCAN_MAX,
        OPT_NO_SECCOMP,
        OPT_NO_REPAIR,
        OPT_MOUNT_NS,
        OPT_PIDNS_NO_IOCTL,
        OPT_LIMITS_DIVISOR
};

/* Replaces the string option *dst with a copy of arg. */
static int set_string(char **dst, const char *arg)
{
        g_free(*dst);
        *dst = g_strdup(arg);
        return 0;
}

/* Takes the value of long option opt into o. Returns 0, or -EINVAL (said why). */
static int parse_value(int opt, const char *arg, PvOptions *o)
{
        char *end;
        unsigned long v;

        switch (opt) {
        case OPT_CPU_VIEW:
                if (strcmp(arg, "cpuset") == 0)
                        o->cpu_view = PV_OPT_CPU_VIEW_CPUSET;
                else if (strcmp(arg, "quota") == 0)
                        o->cpu_view = PV_OPT_CPU_VIEW_QUOTA;
                else {
                        pv_log_error("--cpu-view must be 'cpuset' or 'quota', not '%s'", arg);
                        return -EINVAL;
                }
                return 0;
        case OPT_RECOVERY:
                if (strcmp(arg, "auto") != 0 && strcmp(arg, "journal") != 0) {
                        pv_log_error("--recovery must be 'auto' or 'journal', not '%s'", arg);
                        return -EINVAL;
                }
                o->recovery_journal = strcmp(arg, "journal") == 0;
                return 0;
        case OPT_HOST_PROC:
                return set_string(&o->host_proc, arg);
        case OPT_SYS_CPU:
                return set_string(&o->sys_cpu_dir, arg);
        case OPT_SYS_NODE:
                return set_string(&o->sys_node_dir, arg);
        case OPT_MOUNT_NS:
                return set_string(&o->mount_ns, arg);
        case OPT_INTERVAL:
                v = strtoul(arg, &end, 10);
                if (*end || v < 1 || v > 3600) {
                        pv_log_error("--sample-interval takes 1 to 3600 seconds, not '%s'", arg);
                        return -EINVAL;
                }
                o->sample_interval_s = (unsigned)v;
                return 0;
        case OPT_SCAN_MAX:
                v = strtoul(arg, &end, 10);
                if (!*arg || *end || v > 1000000) {
                        pv_log_error("--scan-max takes 0 to 1000000, not '%s'", arg);
                        return -EINVAL;
                }
                o->scan_max = (unsigned)v;
                return 0;
        case OPT_LIMITS_DIVISOR:
                v = strtoul(arg, &end, 10);
                if (*end || v < 1 || v > 65536) {
                        pv_log_error("--debug-limits-divisor takes 1 to 65536, not '%s'", arg);
                        return -EINVAL;
                }
                o->limits_divisor = (unsigned)v;
                return 0;
        default:
                return -EINVAL;
        }
}

/* Returns 0 to run, 1 to exit successfully (help, version), -EINVAL on bad usage (said why). */
static int parse_options(int argc, char **argv, PvOptions *o)
{
        static const struct option longopts[] = {
            {"foreground", no_argument, NULL, 'f'},
            {"debug", no_argument, NULL, 'd'},
            {"cpu-view", required_argument, NULL, OPT_CPU_VIEW},
            {"recovery", required_argument, NULL, OPT_RECOVERY},
            {"scan-max", required_argument, NULL, OPT_SCAN_MAX},
            {"no-seccomp", no_argument, NULL, OPT_NO_SECCOMP},
            {"no-repair", no_argument, NULL, OPT_NO_REPAIR},
            {"mount-ns", required_argument, NULL, OPT_MOUNT_NS},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, 'V'},
            /* for tests: read the host's files from elsewhere */
            {"host-proc", required_argument, NULL, OPT_HOST_PROC},
            {"sys-cpu-dir", required_argument, NULL, OPT_SYS_CPU},
            {"sys-node-dir", required_argument, NULL, OPT_SYS_NODE},
            {"sample-interval", required_argument, NULL, OPT_INTERVAL},
            /* for tests: the path kernels before 6.11 take to a pid namespace's init */
            {"debug-pidns-no-ioctl", no_argument, NULL, OPT_PIDNS_NO_IOCTL},
            /* for tests: the caps on open files and their text, divided by N */
            {"debug-limits-divisor", required_argument, NULL, OPT_LIMITS_DIVISOR},
            {0},
        };
        int opt, r;

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
                case OPT_NO_SECCOMP:
                        o->no_seccomp = true;
                        break;
                case OPT_NO_REPAIR:
                        o->no_repair = true;
                        break;
                case OPT_CPU_VIEW:
                case OPT_RECOVERY:
                case OPT_HOST_PROC:
                case OPT_SYS_CPU:
                case OPT_SYS_NODE:
                case OPT_MOUNT_NS:
                case OPT_INTERVAL:
                case OPT_SCAN_MAX:
                case OPT_LIMITS_DIVISOR:
                        r = parse_value(opt, optarg, o);
                        if (r < 0)
                                return r;
                        break;
                case OPT_PIDNS_NO_IOCTL:
                        o->pidns_no_ioctl = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 1;
                case 'V':
                        printf("procviewd %s\n", PV_VERSION);
                        return 1;
                case ':':
                        pv_log_error("option '%s' needs an argument (see --help)",
                                     argv[optind - 1]);
                        return -EINVAL;
                default:
                        if (optopt)
                                pv_log_error("unknown option '-%c' (see --help)", optopt);
                        else
                                pv_log_error("unknown option '%s' (see --help)", argv[optind - 1]);
                        return -EINVAL;
                }
        }
        if (optind < argc - 1) {
                pv_log_error("one mount point expected, got '%s' and '%s' (see --help)",
                             argv[optind], argv[optind + 1]);
                return -EINVAL;
        }
        o->mountpoint = g_strdup(optind < argc ? argv[optind] : PV_DEFAULT_MOUNTPOINT);
        return 0;
}

int main(int argc, char **argv)
{
        PvOptions o = {
            .cpu_view = PV_OPT_CPU_VIEW_CPUSET,
            .host_proc = g_strdup("/proc"),
            .sys_cpu_dir = g_strdup("/sys/devices/system/cpu"),
            .sys_node_dir = g_strdup("/sys/devices/system/node"),
            .sample_interval_s = 5,
            .idle_expiry_s = 600,
            .scan_max = 4096,
            .limits_divisor = 1,
        };
        int status;
        int r;

        r = parse_options(argc, argv, &o);
        if (r != 0) {
                status = r > 0 ? EXIT_SUCCESS : 2; /* 2: bad usage */
                goto out;
        }
        pv_log_setup("procviewd", PV_LOG_STDERR | PV_LOG_STDERR_LEVEL, o.debug);
        status = pv_keeper_main(&o, argv, pv_worker_main);
out:
        g_free(o.mountpoint);
        g_free(o.host_proc);
        g_free(o.sys_cpu_dir);
        g_free(o.sys_node_dir);
        g_free(o.mount_ns);
        return status;
}
