/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core.h"

int pv_lib_current_cpuset(PvCpuSet *ret)
{
        PvCpuSet set;
        int r = pv_lib_read_cpuset("", 0, &set);
        if (r == 0 && pv_cpuset_count(&set) > 0) {
                *ret = set;
                return 0;
        }
        /*
         * No cpuset hierarchy visible (a container without cgroupfs): the
         * kernel keeps every task's affinity inside its cpuset, so the
         * affinity mask is the best truth left. The raw syscall avoids any
         * interposed wrapper.
         */
        pv_cpuset_zero(&set);
        long n = syscall(SYS_sched_getaffinity, 0, sizeof(set.bits), set.bits);
        if (n < 0)
                return -errno;
        if (pv_cpuset_count(&set) == 0)
                return -ENOENT;
        *ret = set;
        return 0;
}

unsigned pv_lib_current_count(void)
{
        PvCpuSet set;
        uint64_t quota = 0, period = 0;
        unsigned n;

        /*
         * secure_getenv(): a setuid or file-capability program (AT_SECURE)
         * must not size itself by a number its unprivileged caller set.
         */
        if (pv_lib_parse_cpus_override(secure_getenv("PROCVIEW_CPUS"), &n) == 0)
                return n;
        n = pv_lib_current_cpuset(&set) == 0 ? pv_cpuset_count(&set) : 0;
        if (pv_lib_read_quota("", 0, &quota, &period) < 0)
                quota = 0;
        if (n == 0) {
                /*
                 * Nothing readable at all: the online CPUs. Read here rather
                 * than through sysconf(), which the preload interposes.
                 */
                PvCpuSet online;
                if (pv_lib_read_cpulist_at(AT_FDCWD, "/sys/devices/system/cpu/online", &online) ==
                    0)
                        n = pv_cpuset_count(&online);
        }
        return pv_lib_effective_count(n, quota, period);
}
