/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the keeper gets its FUSE connection: from the keeper that executed it
 * (an upgrade), from systemd's fd store (a keeper that died), or by mounting
 * afresh and reading the kernel's INIT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "connections.h"
#include "fdstore.h"
#include "journal.h"
#include "handover.h"
#include "keeper-mount.h"
#include "keeper-workers.h"
#include "log.h"
#include "mountinfo.h"
#include "mountpoint.h"
#include "preflight.h"
#include "takeover.h"

/* Mounts a fuse.procview file system on mp; returns its /dev/fuse fd or -errno. */
static int mount_fuse(const char *mp)
{
        g_autofree char *opts = NULL;
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        opts = g_strdup_printf("fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other,"
                               "default_permissions",
                               fd, (unsigned)getuid(), (unsigned)getgid());
        if (mount("procview", mp, "fuse.procview", MS_NOSUID | MS_NODEV | MS_RDONLY, opts) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Reads the INIT request the kernel queued at mount into the state. */
static int read_init(Keeper *k)
{
        /* the kernel refuses reads shorter than its largest request */
        g_autofree void *buf = g_malloc(PV_JOURNAL_SLOT_SIZE);
        ssize_t n;

        do
                n = read(k->fuse_fd, buf, PV_JOURNAL_SLOT_SIZE);
        while (n < 0 && (errno == EINTR || errno == ENOENT));
        if (n < 0)
                return -errno;
        return pv_state_save_init(k->state, buf, (size_t)n);
}

/* Notes the new connection at mp in its history (connections.h), for a later repair. */
static void remember_connection(const char *mp)
{
        g_auto(PvMountEntry) e = {0};

        if (pv_mount_find(mp, &e) < 0 || pv_connections_add(mp, pv_mount_devno(&e)) < 0)
                pv_log_warning("cannot note the connection of %s under %s: a later procviewd "
                               "will not repair containers' mounts of it",
                               mp, PV_CONNECTIONS_DIR);
}

/* Detaches unless in the foreground, logging to syslog from then on. */
static int daemonize(const PvOptions *opts)
{
        if (opts->foreground)
                return 0;
        pv_log_setup("procviewd", PV_LOG_SYSLOG, opts->debug);
        return fuse_daemonize(0) < 0 ? -EIO : 0; /* libfuse said why */
}

/*
 * When a live procviewd serves the mount point, takes its connection over
 * (takeover.h). Returns 0 once taken over, 1 when there is no live mount
 * there (mount anew), or -errno (said why).
 */
static int take_over_live(Keeper *k)
{
        const char *mp = k->opts->mountpoint;
        PvMountState state;
        int r;

        if (pv_mount_probe(mp, 3000, &state) < 0 || state != PV_MOUNT_LIVE)
                return 1; /* pv_mountpoint_prepare() says what is there */
        r = pv_takeover_request(k);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return 1; /* a procviewd without a control socket: refused as before */
        if (r == 0)
                r = pv_state_map(k->state_fd, &k->state);
        if (r < 0) {
                pv_log_error("cannot take over %s from the procviewd serving it: %s", mp,
                             g_strerror(-r));
                return r;
        }
        r = daemonize(k->opts);
        if (r < 0)
                return r;
        pv_log_info("procviewd %s keeper took over %s from the procviewd serving it", PV_VERSION,
                    mp);
        pv_fdstore_put(k->fuse_fd, k->state_fd);
        return 0;
}

/* Mounts on opts->mountpoint afresh, reads INIT and detaches unless in the foreground. */
static int mount_anew(Keeper *k)
{
        PvOptions *opts = k->opts;
        int r;

        r = pv_preflight_check();
        if (r < 0)
                return r; /* said why */
        /* a worker that cannot set up would leave every reader of the mount waiting */
        r = pv_keeper_rehearse_worker(k);
        if (r < 0)
                return r; /* said why */
        r = take_over_live(k);
        if (r <= 0)
                return r; /* took over, or said why not */
        r = pv_mountpoint_prepare(opts->mountpoint);
        if (r < 0)
                return r; /* said why */
        r = pv_state_create(&k->state_fd, &k->state);
        if (r < 0) {
                pv_log_error("cannot create the keeper's state: %s", g_strerror(-r));
                return r;
        }
        r = mount_fuse(opts->mountpoint);
        if (r < 0) {
                pv_log_error("cannot mount on %s: %s%s", opts->mountpoint, g_strerror(-r),
                             r == -EPERM ? " (procviewd needs root)" : "");
                return r;
        }
        k->fuse_fd = r;
        r = read_init(k);
        if (r < 0) {
                pv_log_error("no FUSE INIT from the kernel: %s", g_strerror(-r));
                umount2(opts->mountpoint, MNT_DETACH);
                return r;
        }
        r = daemonize(opts);
        if (r < 0)
                return r;
        pv_log_info("procviewd %s keeper mounted %s", PV_VERSION, opts->mountpoint);
        remember_connection(opts->mountpoint);
        pv_fdstore_put(k->fuse_fd, k->state_fd);
        return 0;
}

/* Takes over from the keeper that executed us, whose hand-over is in resume. */
static int take_over(Keeper *k, const char *resume)
{
        int r = pv_keeper_resume_from_env(k, resume);
        if (r == 0)
                r = pv_state_map(k->state_fd, &k->state);
        if (r < 0) {
                pv_log_error("cannot take over from the previous keeper: %s", g_strerror(-r));
                return r;
        }
        pv_keeper_keep_fds(k, false);
        pv_log_info("procviewd %s keeper took over %s", PV_VERSION, k->opts->mountpoint);
        return 0;
}

int pv_keeper_connect(Keeper *k, const char *resume)
{
        g_autoptr(GArray) jfds = g_array_new(FALSE, FALSE, sizeof(int));
        g_autoptr(GArray) jgens = g_array_new(FALSE, FALSE, sizeof(uint64_t));

        if (resume)
                return take_over(k, resume);
        if (pv_fdstore_take(&k->fuse_fd, &k->state_fd, jfds, jgens) == 0)
                return pv_keeper_resume_from_fdstore(k, jfds, jgens); /* said why */
        return mount_anew(k);
}
