#!/bin/bash
# A container's load averages are the kernel's fold of its own runnable tasks
# every 5 s from its start (or from procviewd's, when it started earlier), found
# by procviewd's scan before anybody reads them: the first read after 65 s of two
# busy loops shows what the kernel's formula gives, an 8 s burst never shows
# 2.00, and a container older than the daemon begins at 0.
. "$(dirname "$0")/common.sh"
require_root_fuse_v1
trap cleanup EXIT

PRE=pvt-pre-$$
LONG=pvt-long-$$
BURST=pvt-burst-$$
cg_create "$PRE"
cg_create "$LONG"
cg_create "$BURST"
busy() { in_cg "$1" sh -c 'while :; do :; done' & } # busy NAME: one busy loop in NAME
la() { in_cg "$1" cat "$MNT/proc/loadavg"; }
# in_range VALUE LOW HIGH
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

# --- (c) a container busy before the daemon starts begins at 0, as the host's load at boot
busy "$PRE"
sleep 2
start_daemon
pre=$(la "$PRE")
echo "older container at the daemon's start: $pre"
[ "$(echo "$pre" | cut -d' ' -f1-3)" = "0.00 0.00 0.00" ] && pass "a container older than the daemon begins at 0" ||
	fail "older container at start: '$pre', want 0.00 0.00 0.00"

# --- (a) two busy loops in a fresh cgroup, never read until 65 s later
t0=$(date +%s.%N)
busy "$LONG"
busy "$LONG"

# --- (b) an 8 s burst of two busy loops, 20 s later, read 2 s into it and after it
sleep 20
busy "$BURST"
busy "$BURST"
sleep 2
during=$(la "$BURST")
sleep 6
cg_kill_all "$BURST"
while [ -s "$CG_ROOT/pids/$BURST/cgroup.procs" ]; do sleep 0.1; done
after=$(la "$BURST")
echo "burst, 2 s in: $during; at its end: $after"
# the kernel folds 0 or 1 ticks of 2 in the first 2 s: 0.00 or 0.16
in_range "${during%% *}" 0 0.3 && pass "2 s into the burst the 1-minute load is ${during%% *}, far below 2" ||
	fail "2 s into the burst: '$during'"
# 8 s span one or two ticks: 0.16 or 0.31
in_range "${after%% *}" 0.1 0.45 && pass "at the burst's end the 1-minute load is ${after%% *}" ||
	fail "at the burst's end: '$after', want 0.16 to 0.31"

# --- (a) the first read, 65 s after the loops started
sleep "$(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN { s = t0 + 65.5 - now; if (s < 0) s = 0; print s }')"
long=$(la "$LONG")
later=$(la "$BURST")
pre=$(la "$PRE")
echo "after $(awk -v t0="$t0" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t0 }') s of 2 busy loops, first read: $long"
echo "40 s after the burst: $later"
echo "older container after 65 s: $pre"
read -r l1 l5 l15 rt last <<< "$long"
# 13 ticks of 2 from 0 by the kernel's integer formula: 1.33 0.39 0.14 (12 ticks: 1.24)
in_range "$l1" 1.08 1.58 && pass "the 1-minute load is $l1 (the kernel's formula: 1.33)" ||
	fail "1-minute load $l1, want 1.33 +- 0.25"
in_range "$l5" 0.2 0.6 && in_range "$l15" 0.05 0.3 && pass "the 5- and 15-minute loads are $l5 and $l15" ||
	fail "5- and 15-minute loads $l5 $l15, want below 0.6 and 0.3"
running=${rt%/*}
[ "$running" -ge 2 ] && pass "R/T counts the busy loops ($rt)" || fail "R/T '$rt'"
newest=$(sort -n "$CG_ROOT/pids/$LONG/tasks" | tail -1)
[ "$last" -gt 0 ] && [ "$last" -ge "$newest" ] && pass "the last pid is the container's newest or a later one ($last)" ||
	fail "last pid $last, the cgroup's newest is $newest"
# one or two ticks of 2, then 7 or 8 idle ticks: 0.08 to 0.17
in_range "${later%% *}" 0.03 0.25 && pass "40 s after the burst the 1-minute load fell to ${later%% *}" ||
	fail "40 s after the burst: '$later'"
# 13 ticks of 1 from the daemon's start: 0.66; primed it would be 1.00
in_range "${pre%% *}" 0.45 0.85 && pass "the older container's load climbed from 0 to ${pre%% *}" ||
	fail "older container: '$pre', want about 0.66"

finish
