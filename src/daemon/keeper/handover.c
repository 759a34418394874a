/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hand-overs of the connection between keepers: the upgrade (re-executing
 * the binary with the fds kept and described in $PROCVIEWD_RESUME) and the
 * return from systemd's fd store after a keeper was killed.
 */
#include "handover.h"
#include "keeper-workers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdstore.h"
#include "log.h"

static void set_cloexec(int fd, bool on)
{
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0)
                fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

void pv_keeper_keep_fds(Keeper *k, bool keep)
{
        set_cloexec(k->fuse_fd, !keep);
        set_cloexec(k->state_fd, !keep);
        for (unsigned i = 0; i < k->n_workers; i++) {
                set_cloexec(k->workers[i].journal_fd, !keep);
                if (k->workers[i].ready_fd >= 0)
                        set_cloexec(k->workers[i].ready_fd, !keep);
        }
        for (guint i = 0; i < k->orphans->len; i++)
                set_cloexec(g_array_index(k->orphans, Orphan, i).fd, !keep);
}

void pv_keeper_upgrade(Keeper *k)
{
        GString *env = g_string_new(NULL);

        g_string_append_printf(env, "fuse=%d state=%d workers=", k->fuse_fd, k->state_fd);
        for (unsigned i = 0; i < k->n_workers; i++)
                g_string_append_printf(env, "%s%d:%d:%d:%d:%" G_GUINT64_FORMAT, i ? "," : "",
                                       (int)k->workers[i].pid, k->workers[i].journal_fd,
                                       k->workers[i].ready_fd, k->workers[i].retiring,
                                       k->workers[i].gen);
        g_string_append(env, " orphans=");
        for (guint i = 0; i < k->orphans->len; i++)
                g_string_append_printf(env, "%s%d:%" G_GUINT64_FORMAT, i ? "," : "",
                                       g_array_index(k->orphans, Orphan, i).fd,
                                       g_array_index(k->orphans, Orphan, i).gen);
        pv_log_info("upgrade: executing %s", k->exe);
        pv_keeper_keep_fds(k, true);
        setenv(RESUME_ENV, env->str, 1);
        g_string_free(env, TRUE);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(k->exe, k->argv);
        pv_log_error("cannot execute %s: %m; this keeper goes on", k->exe);
        unsetenv(RESUME_ENV);
        pv_keeper_block_signals(NULL);
        pv_keeper_keep_fds(k, false);
}

static bool fd_valid(int fd)
{
        return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

/* Takes over from the keeper that executed us. Returns 0, or -EINVAL on a bad hand-over. */
int pv_keeper_resume_from_env(Keeper *k, const char *env)
{
        g_auto(GStrv) parts = g_strsplit(env, " ", -1);
        for (char **p = parts; *p; p++) {
                if (g_str_has_prefix(*p, "fuse="))
                        k->fuse_fd = atoi(*p + 5);
                else if (g_str_has_prefix(*p, "state="))
                        k->state_fd = atoi(*p + 6);
                else if (g_str_has_prefix(*p, "workers=") && (*p)[8]) {
                        g_auto(GStrv) ws = g_strsplit(*p + 8, ",", -1);
                        for (char **w = ws; *w && k->n_workers < MAX_WORKERS; w++) {
                                int pid, jfd, rfd, retiring;
                                guint64 gen;
                                if (sscanf(*w, "%d:%d:%d:%d:%" G_GUINT64_FORMAT, &pid, &jfd, &rfd,
                                           &retiring, &gen) != 5 ||
                                    !fd_valid(jfd))
                                        return -EINVAL;
                                k->workers[k->n_workers++] = (KWorker){
                                    .pid = pid,
                                    .gen = gen,
                                    .journal_fd = jfd,
                                    .ready_fd = fd_valid(rfd) ? rfd : -1,
                                    .served = !fd_valid(rfd), /* its ready pipe is gone */
                                    .started_us = g_get_monotonic_time() - 60 * G_USEC_PER_SEC,
                                    .old = true,
                                };
                                /* the old binary's workers go once ours serves */
                                if (retiring)
                                        pv_keeper_retire(&k->workers[k->n_workers - 1]);
                        }
                } else if (g_str_has_prefix(*p, "orphans=") && (*p)[8]) {
                        g_auto(GStrv) os = g_strsplit(*p + 8, ",", -1);
                        for (char **o = os; *o; o++) {
                                Orphan orphan = {.fd = -1};
                                if (sscanf(*o, "%d:%" G_GUINT64_FORMAT, &orphan.fd, &orphan.gen) ==
                                        2 &&
                                    fd_valid(orphan.fd))
                                        g_array_append_val(k->orphans, orphan);
                        }
                }
        }
        if (!fd_valid(k->fuse_fd) || !fd_valid(k->state_fd))
                return -EINVAL;
        return 0;
}

/*
 * Takes the connection back from systemd's fd store (a keeper was killed):
 * the killed workers' requests come from their stored journals, or from the
 * kernel where it resends. Returns 0, or -EINVAL (logged).
 */
int pv_keeper_resume_from_fdstore(Keeper *k, GArray *jfds, GArray *jgens)
{
        int r;

        r = pv_state_map(k->state_fd, &k->state);
        if (r < 0 || k->state->init_len == 0) {
                pv_log_error("the fd store's state is unusable: %s",
                             g_strerror(r < 0 ? -r : EINVAL));
                return -EINVAL;
        }
        pv_log_info("procviewd %s keeper took %s back from the fd store", PV_VERSION,
                    k->opts->mountpoint);
        /* the killed workers' requests: from their journals, or from the kernel */
        bool resend = !k->opts->recovery_journal && (k->state->kernel_flags & PV_FUSE_HAS_RESEND);
        for (guint i = 0; i < jfds->len; i++) {
                Orphan o = {.fd = g_array_index(jfds, int, i),
                            .gen = g_array_index(jgens, uint64_t, i)};
                g_array_append_val(k->orphans, o);
        }
        if (resend) {
                pv_keeper_notify_resend(k);
                for (guint i = 0; i < k->orphans->len; i++) {
                        close(g_array_index(k->orphans, Orphan, i).fd);
                        pv_fdstore_remove_journal(g_array_index(k->orphans, Orphan, i).gen);
                }
                g_array_set_size(k->orphans, 0);
        }
        /* generations go on past every journal we hold */
        for (guint i = 0; i < k->orphans->len; i++)
                k->state->next_generation =
                    MAX(k->state->next_generation, g_array_index(k->orphans, Orphan, i).gen + 1);
        return 0;
}
