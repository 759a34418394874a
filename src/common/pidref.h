/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A process or thread held so that its exit is seen and a reuse of its pid
 * cannot be mistaken for it: a pidfd, or where the kernel gives none (a
 * thread that is not its process's main thread before Linux 6.9, any task
 * before 5.3) an O_PATH fd of its /proc directory. That directory holds the
 * kernel's struct pid of the task it was opened for, not the number: once
 * the task is gone, lookups below it fail, even if the number was reused.
 */

#include <stdbool.h>
#include <sys/types.h>

typedef struct PvPidRef {
        int fd; /* -1: none */
        bool is_pidfd;
} PvPidRef;

/*
 * Pins the task pid names now, through proc_fd (a dirfd of /proc) where no
 * pidfd can be had. The caller must know pid is not reused meanwhile (a
 * reader blocked in its request) or check what it pinned.
 * Returns 0, -ESRCH (gone) or -errno; *ret untouched on failure.
 */
int pv_pidref_open(int proc_fd, pid_t pid, PvPidRef *ret);

/* Whether the pinned task is still running (not yet exited). */
bool pv_pidref_alive(const PvPidRef *ref);

/*
 * A new pidfd of the process the thread tid belongs to (its Tgid), for
 * watching an exit where the thread itself gets none. The same
 * precondition as pv_pidref_open. Returns the fd, or -errno.
 */
int pv_pidfd_of_process(int proc_fd, pid_t tid);

/* Closes ref's fd, if any, and sets it to -1. */
void pv_pidref_close(PvPidRef *ref);
