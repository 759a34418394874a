/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * pv-memhog MIB READY-FILE: charges MIB MiB of anonymous memory to the
 * caller's memory cgroup, creates READY-FILE once every page is resident,
 * then sleeps until a signal ends it.
 *
 * Each page is written with a non-zero byte: a page that is only read maps
 * the shared zero page and charges nothing, and memory cgroups charge anon
 * pages at the first write fault (Documentation/admin-guide/cgroup-v2.rst,
 * "Memory Ownership").
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        char *end = NULL;
        unsigned long mib;
        size_t len, page, off;
        unsigned char *mem;
        int fd;

        if (argc != 3) {
                fprintf(stderr, "usage: %s MIB READY-FILE\n", argv[0]);
                return 2;
        }
        errno = 0;
        mib = strtoul(argv[1], &end, 10);
        if (errno != 0 || end == argv[1] || *end != '\0' || mib == 0 || mib > 1UL << 20) {
                fprintf(stderr, "%s: bad size '%s'\n", argv[0], argv[1]);
                return 2;
        }

        len = (size_t)mib << 20;
        page = (size_t)sysconf(_SC_PAGESIZE);
        mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) {
                fprintf(stderr, "%s: mmap: %s\n", argv[0], strerror(errno));
                return 1;
        }
        /* one fault per page, whatever the guest's transparent huge page setting */
        (void)madvise(mem, len, MADV_NOHUGEPAGE);
        for (off = 0; off < len; off += page)
                mem[off] = 0xa5;

        fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                fprintf(stderr, "%s: %s: %s\n", argv[0], argv[2], strerror(errno));
                return 1;
        }
        close(fd);

        for (;;)
                pause();
}
