/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sysinfo-check: prints what sysinfo(2) and sysconf() tell an unmodified program. */
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

int main(void)
{
        struct sysinfo si;
        if (sysinfo(&si) < 0) {
                perror("sysinfo");
                return 1;
        }
        printf("totalram %llu\n", (unsigned long long)si.totalram * si.mem_unit);
        printf("freeram %llu\n", (unsigned long long)si.freeram * si.mem_unit);
        printf("phys_pages_bytes %llu\n", (unsigned long long)sysconf(_SC_PHYS_PAGES) *
                                              (unsigned long long)sysconf(_SC_PAGESIZE));
        printf("loads %.2f %.2f %.2f\n", si.loads[0] / 65536.0, si.loads[1] / 65536.0,
               si.loads[2] / 65536.0);
        printf("nprocs %d %d\n", get_nprocs(), get_nprocs_conf());
        return 0;
}
