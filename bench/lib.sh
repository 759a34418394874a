# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Sourced by run-bench.sh: the cgroups of the reader and of the loadavg
# containers, the daemons under test (start, stop, their CPU time and memory)
# and the cleanup that undoes all of it. Uses run-bench.sh's settings
# (CONTROLLERS, MEM_LIMIT, PROCVIEWD, LXCFS, have_procviewd), its scratch
# directory $tmp and its hierarchy roots ROOTS.
# shellcheck shell=bash disable=SC2153,SC2154

declare -A daemon_pid=()
mounts=()
cgroup_dirs=()      # the reader's cgroups (one per hierarchy)
load_parents=()     # parents of the loadavg containers' cgroups
spawn_pid=
fg_pid=             # a long foreground step, run as "cmd & wait" so signals interrupt it

die() {
        echo "run-bench: $*" >&2
        exit 1
}

# stop_pid PID [SIGNAL]: signals, waits up to 5 s, then kills.
stop_pid() {
        local pid=$1 i
        kill "-${2:-TERM}" "$pid" 2>/dev/null || return 0
        for ((i = 0; i < 50; i++)); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
}

rmdir_retry() {
        local i
        for ((i = 0; i < 20; i++)); do
                rmdir "$@" 2>/dev/null && return 0
                # A killed task leaves its cgroup only once fully reaped.
                sleep 0.1
        done
        rmdir "$@" || true
}

# Removes the reader's cgroups (cgroup_dirs).
remove_reader_cgroups() {
        local d
        for d in "${cgroup_dirs[@]}"; do
                rmdir_retry "$d"
        done
        cgroup_dirs=()
}

remove_load_cgroups() {
        local p
        for p in "${load_parents[@]}"; do
                [[ -d $p ]] || continue
                (cd "$p" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\0' |
                        xargs -0 -r rmdir 2>/dev/null) || true
                rmdir_retry "$p"
        done
        load_parents=()
}

stop_daemons() {
        local name m
        for name in "${!daemon_pid[@]}"; do
                stop_pid "${daemon_pid[$name]}"
        done
        daemon_pid=()
        for m in "${mounts[@]}"; do
                if mountpoint -q "$m"; then
                        fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" || true
                fi
                rmdir "$m" 2>/dev/null || true
        done
        mounts=()
}

# Runs a command in the background and waits for it: bash runs a trap only
# after a foreground command ends, but interrupts "wait" at once.
run_fg() {
        local rc=0
        "$@" &
        fg_pid=$!
        wait "$fg_pid" || rc=$?
        fg_pid=
        return "$rc"
}

cleanup() {
        [[ -n $fg_pid ]] && stop_pid "$fg_pid" KILL
        fg_pid=
        [[ -n $spawn_pid ]] && stop_pid "$spawn_pid"
        spawn_pid=
        [[ -n ${ns_pid:-} ]] && stop_pid "$ns_pid" KILL
        ns_pid=
        stop_daemons
        remove_load_cgroups
        remove_reader_cgroups
        rm -f "$tmp"/*.log "$tmp"/*.pid "$tmp"/*.out
        rmdir "$tmp" 2>/dev/null || true
}

# The directory of each distinct hierarchy carrying one of CONTROLLERS, the
# unified one when the host has no v1 hierarchy at all.
hierarchy_roots() {
        local c roots=() seen=" "
        for c in "${CONTROLLERS[@]}"; do
                local r
                r=$(awk -v c="$c" '$3 == "cgroup" {
                        n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' /proc/mounts)
                [[ -n $r && $seen != *" $r "* ]] || continue
                seen+="$r "
                roots+=("$r")
        done
        if ((${#roots[@]} == 0)); then
                [[ -f /sys/fs/cgroup/cgroup.controllers ]] || die "no cgroup hierarchy found"
                roots=(/sys/fs/cgroup)
        fi
        printf '%s\n' "${roots[@]}"
}


# Creates NAME under every hierarchy; prints the directories. A v1 cpuset must
# get cpus and mems before it accepts tasks: copy the parent's.
make_cgroup() {
        local name=$1 r d
        for r in "${ROOTS[@]}"; do
                d=$r/$name
                mkdir "$d"
                echo "$d"
                if [[ -f $d/cpuset.cpus && ! -f $d/cgroup.controllers ]]; then
                        cat "$r/cpuset.cpus" >"$d/cpuset.cpus"
                        cat "$r/cpuset.mems" >"$d/cpuset.mems"
                fi
        done
}

set_mem_limit() {
        local d
        for d in "$@"; do
                if [[ -f $d/memory.limit_in_bytes ]]; then
                        echo "$MEM_LIMIT" >"$d/memory.limit_in_bytes"
                elif [[ -f $d/memory.max ]]; then
                        echo "$MEM_LIMIT" >"$d/memory.max"
                fi
        done
}

# Replaces the calling subshell (call it in "$(...)" or "&") by the command
# run as the init of a new pid namespace inside the reader's cgroups: both
# daemons then compute the container view of that cgroup (procviewd and lxcfs
# take the cgroup of the reader's pid-namespace init). unshare ignores SIGTERM
# and its child, a namespace init, has no handler: stop it with SIGKILL.
exec_in_container() {
        local d
        for d in "${cgroup_dirs[@]}"; do
                echo "$BASHPID" >"$d/cgroup.procs"
        done
        exec unshare --pid --fork --kill-child "$@"
}

wait_for_file() {
        local file=$1 pid=$2 i
        for ((i = 0; i < 100; i++)); do
                [[ -e $file ]] && return 0
                kill -0 "$pid" 2>/dev/null || return 1
                sleep 0.1
        done
        return 1
}

# start NAME READY-FILE COMMAND...: starts a daemon mounting on $tmp/NAME.
start_daemon() {
        local name=$1 ready=$2
        shift 2
        mkdir -p "$tmp/$name"
        mounts+=("$tmp/$name")
        "$@" >"$tmp/$name.log" 2>&1 &
        daemon_pid[$name]=$!
        if ! wait_for_file "$tmp/$name/$ready" "${daemon_pid[$name]}"; then
                cat "$tmp/$name.log" >&2
                die "$name did not come up"
        fi
}

start_procviewd() {
        ((have_procviewd)) && start_daemon procviewd proc/meminfo "$PROCVIEWD" -f "$tmp/procviewd"
        return 0
}

start_lxcfs() {
        # -l: lxcfs serves the host's loadavg unless told to virtualize it.
        start_daemon lxcfs proc/meminfo "$LXCFS" -f -l -p "$tmp/lxcfs.pid" "$tmp/lxcfs"
}

rss_kb() {
        awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

cpu_ticks() {
        # utime + stime (fields 14, 15), counted after the ")" ending comm.
        sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# daemon_procs NAME: the daemon's processes, procviewd's keeper and its worker.
daemon_procs() {
        local pid=${daemon_pid[$1]}
        echo "$pid"
        [[ $1 = procviewd* ]] && pgrep -P "$pid"
        return 0
}

# sum_over NAME FN: FN summed over the daemon's processes.
sum_over() {
        local p total=0
        for p in $(daemon_procs "$1"); do
                total=$((total + $("$2" "$p")))
        done
        echo "$total"
}
