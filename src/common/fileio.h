/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small libc-only file helpers shared by the daemon core and libprocview. */

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

/* Closes *fd if it is >= 0; for __attribute__((cleanup)). */
static inline void pv_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ __attribute__((cleanup(pv_closep)))

/*
 * Reads the whole file at dirfd/path (dirfd may be AT_FDCWD) into a new
 * NUL-terminated malloc()ed buffer. Reads until EOF with a growing buffer, so
 * files whose size is not known in advance (/proc, cgroupfs) are read once.
 * Returns 0 or -errno; *ret and *ret_len untouched on failure. ret_len may be NULL.
 */
int pv_read_file_at(int dirfd, const char *path, char **ret, size_t *ret_len);

/*
 * Reads the whole content of an open proc, sys or cgroup file from offset 0
 * with pread(), into a new NUL-terminated malloc()ed buffer. seq_file-backed
 * files regenerate their content for a read at offset 0, so an fd kept open
 * gives fresh values at the cost of one syscall instead of three; concurrent
 * callers on the same fd are safe (the kernel serialises them).
 * Returns 0 or -errno; *ret and *ret_len untouched on failure.
 */
int pv_pread_all(int fd, char **ret, size_t *ret_len);

/*
 * Reads a file holding one unsigned decimal number, or "max" (mapped to
 * UINT64_MAX). Returns 0, -errno from the read, or -EINVAL when malformed.
 */
int pv_read_u64_at(int dirfd, const char *path, uint64_t *ret);

/*
 * Parses one decimal number or "max" (-> UINT64_MAX) with optional
 * surrounding whitespace. The one place that maps "max". Returns 0 or -EINVAL.
 */
int pv_parse_u64_or_max(const char *text, uint64_t *ret);
