/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/stat as a container sees it.
 *
 * Lines appear in the host's order. In place of the host's "cpu" and "cpuN"
 * lines come the container's: the aggregate "cpu" line, then one "cpuN" line
 * per visible CPU, N being the host CPU id. Each has the kernel's ten numbers
 * (user nice system idle iowait irq softirq steal guest guest_nice) in USER_HZ
 * ticks, formatted as fs/proc/stat.c does ("cpu " then " %llu" per value for
 * the aggregate, "cpu%d" then " %llu" per value for each CPU).
 *
 *   user, system  from the cgroup's per-CPU usage (v1 cpuacct.usage_percpu_user
 *                 and _sys), converted from ns to ticks per CPU, rounding down.
 *                 Without a per-CPU split (cgroup v2 cpu.stat), the cgroup's
 *                 user and system totals, in ticks, are spread evenly over the
 *                 visible CPUs; the remainder of the division goes one tick
 *                 each to the lowest ids.
 *   idle          container uptime in ticks minus user + system of that CPU,
 *                 at least 0: time the CPU did not run this container.
 *   nice, iowait, irq, softirq, steal, guest, guest_nice
 *                 0: cgroups count none of these per cgroup.
 *
 * Counters never go backwards. The memo keeps, per host CPU id, the last
 * values the container was shown; each value shown is max(new, memo), and the
 * memo is updated. A CPU that leaves the view keeps its memo, so it comes back
 * no lower than it left. The aggregate line is the sum of the memo over every
 * CPU this container has been shown: while the view does not change, that is
 * exactly the sum of the cpuN lines shown; when the cpuset shrinks, the
 * aggregate keeps what the departed CPUs had accumulated instead of dropping
 * (which would make top and mpstat compute negative deltas), and grows by the
 * increments of the CPUs still shown.
 *
 * Other lines:
 *   intr, ctxt, softirq  the host's: the kernel keeps no per-cgroup interrupt
 *                 or context-switch counts, and host counters are monotonic.
 *   btime         in->boot_time_s (the container's start).
 *   processes     in->processes, or the host's line when it is 0.
 *   procs_running, procs_blocked
 *                 in->tasks->running / ->uninterruptible, or the host's lines
 *                 when in->tasks is NULL.
 *
 * Malformed host text (no "cpu" line, a cpu line with a non-decimal field or
 * a non-numeric cpu id) gives -EINVAL; then out and memo are unchanged.
 */
#include <errno.h>
#include <inttypes.h>

#include "views.h"
#include "views-internal.h"

#define NSEC_PER_SEC UINT64_C(1000000000)

void pv_stat_memo_clear(PvStatMemo *memo)
{
        if (!memo)
                return;
        g_free(memo->cpu);
        *memo = (PvStatMemo){0};
}

static uint64_t ns_to_ticks(uint64_t ns, unsigned hz)
{
        return (uint64_t)((unsigned __int128)ns * hz / NSEC_PER_SEC);
}

typedef enum StatLine {
        L_COPY,
        L_CPU,   /* the aggregate: replaced by the container's cpu lines */
        L_CPU_N, /* a host cpuN line: dropped */
        L_BTIME,
        L_PROCESSES,
        L_RUNNING,
        L_BLOCKED,
} StatLine;

/* Checks that [p, end) is a list of blank-separated decimals. */
static bool all_decimals(const char *p, const char *end)
{
        uint64_t v;
        p = pv_skip_blanks(p, end);
        if (p == end)
                return false;
        while (p < end) {
                if (!pv_parse_dec(&p, end, &v))
                        return false;
                if (p < end && *p != ' ' && *p != '\t')
                        return false;
                p = pv_skip_blanks(p, end);
        }
        return true;
}

static int classify(const char *s, size_t len, StatLine *ret)
{
        const char *end = s + len;

        if (len >= 3 && memcmp(s, "cpu", 3) == 0) {
                const char *p = s + 3;
                uint64_t id;
                StatLine kind = L_CPU;
                if (p < end && *p != ' ') {
                        if (!pv_parse_dec(&p, end, &id) || id >= PV_CPU_MAX)
                                return -EINVAL;
                        kind = L_CPU_N;
                }
                if (!all_decimals(p, end))
                        return -EINVAL;
                *ret = kind;
                return 0;
        }
        if (pv_line_is_key(s, len, "btime"))
                *ret = L_BTIME;
        else if (pv_line_is_key(s, len, "processes"))
                *ret = L_PROCESSES;
        else if (pv_line_is_key(s, len, "procs_running"))
                *ret = L_RUNNING;
        else if (pv_line_is_key(s, len, "procs_blocked"))
                *ret = L_BLOCKED;
        else
                *ret = L_COPY;
        return 0;
}

static void memo_grow(PvStatMemo *memo, size_t n)
{
        if (memo->n_cpus >= n)
                return;
        memo->cpu = g_realloc_n(memo->cpu, n, sizeof(memo->cpu[0]));
        memset(memo->cpu + memo->n_cpus, 0, (n - memo->n_cpus) * sizeof(memo->cpu[0]));
        memo->n_cpus = n;
}

static void append_cpu_values(GString *out, const uint64_t v[3])
{
        /* user nice system idle iowait irq softirq steal guest guest_nice */
        g_string_append_printf(out, " %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", v[0],
                               v[1], v[2]);
}

/* Appends the aggregate and the visible CPUs' lines, updating the memo. */
static void append_cpu_lines(const PvStatInput *in, PvStatMemo *memo, GString *out)
{
        const PvCpuUsage *u = in->usage;
        unsigned hz = in->user_hz;
        unsigned n_visible = pv_cpuset_count(in->visible);
        bool percpu = u->percpu_user_ns && u->percpu_system_ns;
        uint64_t uptime = ns_to_ticks(in->container_uptime_ns, hz);
        uint64_t total_user = ns_to_ticks(u->user_ns, hz);
        uint64_t total_system = ns_to_ticks(u->system_ns, hz);
        int last = pv_cpuset_last(in->visible);
        g_autoptr(GString) lines = g_string_new(NULL);
        unsigned idx = 0;

        if (last >= 0)
                memo_grow(memo, (size_t)last + 1);

        for (int cpu = pv_cpuset_next(in->visible, 0); cpu >= 0;
             cpu = pv_cpuset_next(in->visible, (unsigned)cpu + 1), idx++) {
                uint64_t user, system;
                if (percpu) {
                        bool known = (size_t)cpu < u->n_cpus;
                        user = known ? ns_to_ticks(u->percpu_user_ns[cpu], hz) : 0;
                        system = known ? ns_to_ticks(u->percpu_system_ns[cpu], hz) : 0;
                } else {
                        user = total_user / n_visible + (idx < total_user % n_visible ? 1 : 0);
                        system =
                            total_system / n_visible + (idx < total_system % n_visible ? 1 : 0);
                }
                uint64_t v[3] = {user, system, pv_sub_sat(uptime, user + system)};
                for (int k = 0; k < 3; k++) {
                        v[k] = pv_max_u64(v[k], memo->cpu[cpu][k]);
                        memo->cpu[cpu][k] = v[k];
                }
                g_string_append_printf(lines, "cpu%d", cpu);
                append_cpu_values(lines, v);
                if (cpu + 1 >= PV_CPU_MAX)
                        break;
        }

        uint64_t sum[3] = {0, 0, 0};
        for (size_t i = 0; i < memo->n_cpus; i++)
                for (int k = 0; k < 3; k++)
                        sum[k] += memo->cpu[i][k];
        for (int k = 0; k < 3; k++) {
                sum[k] = pv_max_u64(sum[k], memo->total[k]);
                memo->total[k] = sum[k];
        }
        g_string_append(out, "cpu ");
        append_cpu_values(out, sum);
        g_string_append_len(out, lines->str, (gssize)lines->len);
}

int pv_stat_render(const char *host_stat, const PvStatInput *in, PvStatMemo *memo, GString *out)
{
        size_t pos = 0, len;
        const char *s;
        bool have_cpu = false;
        StatLine kind;
        int r;

        if (!host_stat || !in || !in->visible || !in->usage || !memo || !out || in->user_hz == 0)
                return -EINVAL;

        /* Validate everything first: on failure neither out nor memo may change. */
        while (pv_next_line(host_stat, &pos, &s, &len)) {
                r = classify(s, len, &kind);
                if (r < 0)
                        return r;
                have_cpu |= kind == L_CPU;
        }
        if (!have_cpu)
                return -EINVAL;

        bool cpu_done = false;
        pos = 0;
        while (pv_next_line(host_stat, &pos, &s, &len)) {
                (void)classify(s, len, &kind);
                switch (kind) {
                case L_CPU:
                        if (!cpu_done)
                                append_cpu_lines(in, memo, out);
                        cpu_done = true;
                        continue;
                case L_CPU_N:
                        continue;
                case L_BTIME:
                        g_string_append_printf(out, "btime %" PRIu64 "\n", in->boot_time_s);
                        continue;
                case L_PROCESSES:
                        if (in->processes == 0)
                                break;
                        g_string_append_printf(out, "processes %" PRIu64 "\n", in->processes);
                        continue;
                case L_RUNNING:
                        if (!in->tasks)
                                break;
                        g_string_append_printf(out, "procs_running %u\n", in->tasks->running);
                        continue;
                case L_BLOCKED:
                        if (!in->tasks)
                                break;
                        g_string_append_printf(out, "procs_blocked %u\n",
                                               in->tasks->uninterruptible);
                        continue;
                case L_COPY:
                        break;
                }
                g_string_append_len(out, s, (gssize)len);
                g_string_append_c(out, '\n');
        }
        return 0;
}
