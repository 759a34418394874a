/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small libc-only file helpers shared by the daemon core and libprocview. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "text.h"

/* Closes *fd if it is >= 0; for __attribute__((cleanup)). */
static inline void pv_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ __attribute__((cleanup(pv_closep)))

/* Frees *(void **)p; for __attribute__((cleanup)). */
static inline void pv_freep(void *p)
{
        free(*(void **)p);
}
#define _cleanup_free_ __attribute__((cleanup(pv_freep)))

/*
 * Reads the whole file at dirfd/path (dirfd may be AT_FDCWD) into a new
 * NUL-terminated malloc()ed buffer, until a read returns 0 (files of /proc
 * and cgroupfs have no size to go by, and may come a page per read).
 * Returns 0 or -errno; *ret and *ret_len untouched on failure. ret_len may be NULL.
 */
int pv_read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len);

/*
 * Reads the first size - 1 bytes at most of dirfd/path (one read: what a
 * kernel file gives first) into buf, NUL-terminated: for the head of a long
 * list or record. Returns the bytes read (> 0), -ENODATA for an empty file,
 * or -errno.
 */
ssize_t pv_read_head_at(int dirfd, const char *path, char *buf, size_t size);

/*
 * Reads an open fd (a pipe, stdin) from its position until a read returns 0
 * into a new NUL-terminated malloc()ed buffer.
 * Returns 0 or -errno; *ret and *ret_len untouched on failure. ret_len may be NULL.
 */
int pv_read_fd(int fd, char **ret, size_t *ret_len);

/*
 * Reads the whole content of an open file that the kernel produces in one
 * piece (a single-record seq_file such as meminfo, stat, /proc/PID/cgroup and
 * cgroup counter files, or a sysfs attribute) with one pread() at offset 0,
 * which makes it generate fresh content: an fd kept open gives current values
 * at the cost of one syscall instead of three. When the text does not fit,
 * it is read again from 0 into a larger buffer, so the result is always one
 * snapshot, also while other threads pread the same fd.
 * Not for files with one record per CPU, disk or mount: see pv_pread_records().
 * Returns 0, -EFBIG past 64 MiB, or -errno; *ret and *ret_len untouched on failure.
 */
int pv_pread_all(int fd, char **ret, size_t *ret_len);

/*
 * Reads an open file from offset 0 until a read returns 0: for seq_files with
 * one record per item (cpuinfo, diskstats, swaps, mountinfo), which return at
 * most a page per read. Concurrent callers on one fd must be serialised (the
 * seq_file has one position), or they get a mix of two generations.
 * Returns 0 or -errno; *ret and *ret_len untouched on failure.
 */
int pv_pread_records(int fd, char **ret, size_t *ret_len);
