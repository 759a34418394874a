/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pv_stat_render called up to four times on one host text with one memo and
 * changing visible sets and usage. On success: one aggregate "cpu " line
 * first among the cpu lines, then one "cpuN" line per visible CPU in
 * ascending order, each with exactly ten decimals; no value shown for a CPU
 * (or the aggregate) is lower than the one shown for it by an earlier call.
 * On failure: -EINVAL, out and memo unchanged. pv_parse_stat_btime on the
 * same text: -ENOENT exactly when no line starts with the word "btime", and
 * the out-parameter untouched on failure.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

#include "fuzz-input.h"
#include "parse-proc.h"
#include "views/views.h"

#define ROUNDS 4

/* The ten values of a cpu line after its label; false when the line has not exactly ten. */
static bool ten_values(const char *p, uint64_t v[10])
{
        for (int i = 0; i < 10; i++) {
                if (*p != ' ')
                        return false;
                p++;
                if (*p < '0' || *p > '9')
                        return false;
                char *end;
                v[i] = strtoull(p, &end, 10);
                p = end;
        }
        return *p == '\0';
}

/* Whether a line of text starts with the word "btime" (followed by a blank, or ending there). */
static bool has_btime_line(const char *text)
{
        for (const char *line = text; line;) {
                if (strncmp(line, "btime", 5) == 0 &&
                    (line[5] == '\0' || isspace((unsigned char)line[5])))
                        return true;
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return false;
}

static void check_btime(const char *text)
{
        uint64_t bt = 77;
        int r = pv_parse_stat_btime(text, &bt);
        FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
        FUZZ_CHECK((r == -ENOENT) == !has_btime_line(text));
        if (r < 0)
                FUZZ_CHECK(bt == 77);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        FuzzParams in;
        char *text = fuzz_split(data, size, &in);
        PvStatMemo memo = {0};
        uint64_t last_total[10] = {0};
        /* the last values shown per CPU, for the CPUs the harness tracks (ids < 256) */
        static uint64_t last[256][10];
        memset(last, 0, sizeof(last));

        unsigned rounds = 1 + fuzz_u8(&in) % ROUNDS;
        for (unsigned round = 0; round < rounds; round++) {
                PvCpuSet visible;
                fuzz_cpuset(&in, &visible);
                PvCpuUsage usage = {
                    .user_ns = fuzz_u64(&in),
                    .system_ns = fuzz_u64(&in),
                };
                uint8_t n_percpu = fuzz_u8(&in);
                if (n_percpu) {
                        usage.n_cpus = n_percpu % 80;
                        usage.percpu_user_ns = calloc(usage.n_cpus + 1, sizeof(uint64_t));
                        usage.percpu_system_ns = calloc(usage.n_cpus + 1, sizeof(uint64_t));
                        for (size_t i = 0; i < usage.n_cpus; i++) {
                                usage.percpu_user_ns[i] = fuzz_u64(&in);
                                usage.percpu_system_ns[i] = fuzz_u64(&in);
                        }
                }
                PvTaskCounts tasks = {.running = fuzz_u32(&in), .uninterruptible = fuzz_u32(&in)};
                uint8_t flags = fuzz_u8(&in);
                PvStatInput si = {
                    .visible = &visible,
                    .usage = &usage,
                    .tasks = flags & 1 ? &tasks : NULL,
                    .container_uptime_ns = fuzz_u64(&in),
                    .boot_time_s = fuzz_u64(&in),
                    .processes = fuzz_u64(&in),
                    /* sysconf(_SC_CLK_TCK): 100 on Linux; 0 must be refused */
                    .user_hz = flags & 2 ? fuzz_u32(&in) % 2000 : 100,
                };

                PvStatMemo before = memo;
                uint64_t(*before_cpu)[3] = NULL;
                if (memo.n_cpus) {
                        before_cpu = malloc(memo.n_cpus * sizeof(memo.cpu[0]));
                        memcpy(before_cpu, memo.cpu, memo.n_cpus * sizeof(memo.cpu[0]));
                }
                GString *out = g_string_new("prefix\n");
                int r = pv_stat_render(text, &si, &memo, out);
                if (r < 0) {
                        FUZZ_CHECK(r == -EINVAL);
                        FUZZ_CHECK(strcmp(out->str, "prefix\n") == 0);
                        FUZZ_CHECK(memo.n_cpus == before.n_cpus && memo.cpu == before.cpu);
                        FUZZ_CHECK(memcmp(memo.total, before.total, sizeof(memo.total)) == 0);
                        FUZZ_CHECK(!memo.n_cpus || memcmp(before_cpu, memo.cpu,
                                                          memo.n_cpus * sizeof(memo.cpu[0])) == 0);
                } else {
                        size_t n;
                        char **lines = fuzz_lines(out->str + strlen("prefix\n"), &n);
                        bool seen_total = false;
                        int prev = -1;
                        unsigned n_cpu_lines = 0;
                        for (size_t i = 0; i < n; i++) {
                                uint64_t v[10];
                                if (strncmp(lines[i], "cpu", 3) != 0)
                                        continue;
                                if (lines[i][3] == ' ') {
                                        FUZZ_CHECK(!seen_total && prev < 0);
                                        seen_total = true;
                                        FUZZ_CHECK(
                                            ten_values(lines[i] + 4, v)); /* "cpu " then " %llu" */
                                        for (int k = 0; k < 10; k++)
                                                FUZZ_CHECK(v[k] >= last_total[k]);
                                        memcpy(last_total, v, sizeof(v));
                                        continue;
                                }
                                char *end;
                                long id = strtol(lines[i] + 3, &end, 10);
                                FUZZ_CHECK(end != lines[i] + 3 && id > prev);
                                FUZZ_CHECK(pv_cpuset_has(&visible, (unsigned)id));
                                FUZZ_CHECK(ten_values(end, v));
                                if (id < 256) {
                                        for (int k = 0; k < 10; k++)
                                                FUZZ_CHECK(v[k] >= last[id][k]);
                                        memcpy(last[id], v, sizeof(v));
                                }
                                prev = (int)id;
                                n_cpu_lines++;
                        }
                        FUZZ_CHECK(seen_total);
                        FUZZ_CHECK(n_cpu_lines == pv_cpuset_count(&visible));
                        fuzz_lines_free(lines);
                }
                free(before_cpu);
                g_string_free(out, TRUE);
                pv_cpu_usage_clear(&usage);
        }
        pv_stat_memo_clear(&memo);
        check_btime(text);
        free(text);
        return 0;
}
