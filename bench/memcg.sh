# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The MEMCG_ globals are read by the scripts that source this file:
# shellcheck disable=SC2034
#
# bench/memcg.sh: run one benchmark step in a memory cgroup of its own with
# a hard limit, sourced by bench/scale.sh.  A step that needs more memory
# than the limit is stopped alone (the cgroup's OOM killer, or an ENOMEM
# the step reports) and the bench says so, instead of the whole machine
# running out of memory; and the cgroup's peak tells what the step needed,
# its kernel memory included.
#
# The kernel charges a task's user pages to its memory cgroup, and its
# kernel allocations made with __GFP_ACCOUNT too: nf_tables accounts its
# tables, chains, rules, sets and set elements (and the transaction that
# builds them) to the cgroup of the process sending the batch, so the
# table a step loads stays charged to that step's cgroup until it is
# freed.  At the limit the kernel reclaims, then fails the allocation or
# kills a task of that cgroup only ("Memory" in
# Documentation/admin-guide/cgroup-v2.rst, and
# Documentation/admin-guide/cgroup-v1/memory.rst, of the kernel's
# sources).  Both hierarchies are used:
#
#   v2  made under the cgroup2 root (memory enabled in its
#       cgroup.subtree_control): memory.max, memory.swap.max = 0,
#       memory.oom.group = 1; peak from memory.peak (Linux 5.19) or
#       sampled memory.current; kernel part sampled from memory.stat;
#       out of memory from memory.events (oom_kill, max)
#   v1  made under this shell's own memory cgroup: memory.limit_in_bytes
#       (and memory.memsw.limit_in_bytes where swap is accounted); peak
#       from memory.max_usage_in_bytes and memory.kmem.max_usage_in_bytes;
#       out of memory from memory.oom_control (oom_kill) and
#       memory.failcnt
#
# Not all the kernel memory a step causes is charged to it: socket
# buffers are not, and the commit of nft -f loading a ruleset of 1M
# elements took 16-20 GB more than its cgroup's peak (nf_tables' event
# notifications, built when any process listens to them; see
# bench/scale.sh).  So while a step runs its watcher also reads the
# host's MemAvailable, and kills the step's processes (those in its
# cgroup, all started by the step) and says so when it falls below
# MEMCG_HOST_FLOOR_MB (3072), or by more than the step's limit and
# MEMCG_UNCHARGED_MB (2048) from where it was when the step started.  A
# process inside a system call dies only when the call returns: this
# does not stop an allocation the kernel makes inside one call.
#
#   memcg_init                   find the hierarchy: MEMCG_VER=1|2, or
#                                return 1 with the reason in MEMCG_WHY
#   memcg_new NAME LIMIT_MB      make the cgroup, print its path
#   memcg_exec CG CMD...         run CMD inside CG (it execs: same PID)
#   memcg_watch_start CG DIR [LIMIT_MB]  start CG's watcher (results
#                                under DIR; LIMIT_MB as given to memcg_new)
#   memcg_watch_end CG DIR       stop it; set MEMCG_PEAK_KB,
#                                MEMCG_KERNEL_KB, MEMCG_OOM (0/1),
#                                MEMCG_HOSTLOW (0/1)
#   memcg_run CG DIR OUT LIMIT_MB CMD...  memcg_exec under a watcher,
#                                output to OUT; MEMCG_RC is CMD's status
#   memcg_del CG                 remove it (its processes must have ended)
#   memcg_avail_mb               the host's MemAvailable in MiB

MEMCG_VER=
MEMCG_PARENT=
MEMCG_WHY=
MEMCG_HOST_FLOOR_MB=${MEMCG_HOST_FLOOR_MB:-3072}
MEMCG_UNCHARGED_MB=${MEMCG_UNCHARGED_MB:-2048}
MEMCG_PREFIX=zoned-bench.$$

memcg_avail_mb() {
	memcg__avail
	echo "$MEMCG_AVAIL"
}

# MEMCG_AVAIL: MemAvailable in MiB, without a fork
memcg__avail() {
	local k v _
	while read -r k v _; do
		if [ "$k" = MemAvailable: ]; then
			MEMCG_AVAIL=$((v / 1024))
			return
		fi
	done </proc/meminfo
}

memcg_init() {
	local dev mnt type opts _ v2root='' v1root='' path
	while read -r dev mnt type opts _; do
		case $type in
		cgroup2)
			[ -z "$v2root" ] && v2root=$mnt ;;
		cgroup)
			case ",$opts," in
			*,memory,*) v1root=$mnt ;;
			esac ;;
		esac
	done </proc/self/mounts
	: "$dev"
	if [ -n "$v2root" ] &&
		grep -qw memory "$v2root/cgroup.controllers" 2>/dev/null; then
		if ! grep -qw memory "$v2root/cgroup.subtree_control"; then
			echo +memory >"$v2root/cgroup.subtree_control" 2>/dev/null
		fi
		if grep -qw memory "$v2root/cgroup.subtree_control"; then
			MEMCG_VER=2 MEMCG_PARENT=$v2root
			return 0
		fi
		MEMCG_WHY="cannot enable the memory controller in $v2root/cgroup.subtree_control"
		return 1
	fi
	if [ -n "$v1root" ]; then
		path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
		if [ -w "$v1root$path" ] && [ -e "$v1root$path/memory.limit_in_bytes" ]; then
			MEMCG_VER=1 MEMCG_PARENT=$v1root$path
			return 0
		fi
		MEMCG_WHY="the memory cgroup $v1root$path is not writable"
		return 1
	fi
	MEMCG_WHY="no memory cgroup controller is mounted (cgroup v2 with memory, or cgroup v1 memory)"
	return 1
}

memcg_new() {
	local cg=$MEMCG_PARENT/$MEMCG_PREFIX.$1 b=$(($2 << 20))
	mkdir "$cg" || return 1
	if [ "$MEMCG_VER" = 2 ]; then
		echo "$b" >"$cg/memory.max" || return 1
		[ -e "$cg/memory.swap.max" ] && echo 0 >"$cg/memory.swap.max"
		echo 1 >"$cg/memory.oom.group"
	else
		echo "$b" >"$cg/memory.limit_in_bytes" || return 1
		[ -e "$cg/memory.memsw.limit_in_bytes" ] &&
			echo "$b" >"$cg/memory.memsw.limit_in_bytes"
	fi
	echo "$cg"
}

memcg_exec() {
	sh -c 'echo $$ >"$1/cgroup.procs" || exit 125; shift; exec "$@"' \
		memcg_exec "$@"
}

# the watcher: sample until DIR/stop exists (or DIR or CG is gone: the
# script was stopped); DIR/result gets "PEAK_BYTES KERNEL_BYTES HOSTLOW"
memcg__watch() {
	local cg=$1 dir=$2 cur peak=0 kern=0 k v sum low=0 pid floor
	memcg__avail
	floor=$((MEMCG_AVAIL - ${3:-0} - MEMCG_UNCHARGED_MB))
	[ "$floor" -lt "$MEMCG_HOST_FLOOR_MB" ] && floor=$MEMCG_HOST_FLOOR_MB
	while [ ! -e "$dir/stop" ] && [ -d "$dir" ] && [ -d "$cg" ]; do
		if [ "$MEMCG_VER" = 2 ]; then
			read -r cur <"$cg/memory.current"
			[ "$cur" -gt "$peak" ] && peak=$cur
			# "kernel" (Linux 5.18), else the sum of its parts
			sum=0
			while read -r k v; do
				case $k in
				kernel) sum=$v; break ;;
				slab | kernel_stack | pagetables | percpu | sock | vmalloc)
					sum=$((sum + v)) ;;
				esac
			done <"$cg/memory.stat"
			[ "$sum" -gt "$kern" ] && kern=$sum
		fi
		memcg__avail
		if [ "$low" = 0 ] && [ "$MEMCG_AVAIL" -lt "$floor" ]; then
			low=1
			echo "memcg: the host has $MEMCG_AVAIL MiB available" \
				"(< $floor): killing the step in $cg" >&2
		fi
		# again at every sample: the step may not have entered its
		# cgroup yet, or may fork
		if [ "$low" = 1 ]; then
			while read -r pid; do
				kill -KILL "$pid" 2>/dev/null
			done <"$cg/cgroup.procs"
		fi
		sleep 0.1
	done
	[ -d "$cg" ] || return
	if [ "$MEMCG_VER" = 2 ]; then
		[ -e "$cg/memory.peak" ] && read -r peak <"$cg/memory.peak"
	else
		read -r peak <"$cg/memory.max_usage_in_bytes"
		[ -e "$cg/memory.kmem.max_usage_in_bytes" ] &&
			read -r kern <"$cg/memory.kmem.max_usage_in_bytes"
	fi
	echo "$peak $kern $low" >"$dir/result"
}

memcg_watch_start() {
	mkdir -p "$2"
	rm -f "$2/stop" "$2/result"
	memcg__watch "$1" "$2" "${3:-0}" &
	MEMCG_WATCH_PID=$!
}

memcg_watch_end() {
	local cg=$1 dir=$2 peak kern k v oom=0 fail=0
	: >"$dir/stop"
	wait "$MEMCG_WATCH_PID"
	read -r peak kern MEMCG_HOSTLOW <"$dir/result"
	MEMCG_PEAK_KB=$((peak >> 10)) MEMCG_KERNEL_KB=$((kern >> 10))
	if [ "$MEMCG_VER" = 2 ]; then
		while read -r k v; do
			case $k in
			oom_kill) oom=$v ;;
			max) fail=$v ;;
			esac
		done <"$cg/memory.events"
	else
		while read -r k v; do
			[ "$k" = oom_kill ] && oom=$v
		done <"$cg/memory.oom_control"
		read -r fail <"$cg/memory.failcnt"
	fi
	# killed by the cgroup's OOM killer, or the limit was reached and
	# the step failed (an allocation in the kernel returned ENOMEM)
	MEMCG_OOM=0
	if [ "$oom" -gt 0 ] ||
		{ [ "${MEMCG_RC:-0}" -ne 0 ] && [ "$fail" -gt 0 ]; }; then
		MEMCG_OOM=1
	fi
}

memcg_run() {
	local cg=$1 dir=$2 out=$3 lim=$4 pid
	shift 4
	MEMCG_RC=0
	memcg_watch_start "$cg" "$dir" "$lim"
	memcg_exec "$cg" "$@" >"$out" 2>&1 &
	pid=$!
	wait "$pid" || MEMCG_RC=$?
	memcg_watch_end "$cg" "$dir"
}

memcg_del() {
	for _ in $(seq 50); do
		rmdir "$1" 2>/dev/null && return 0
		[ -d "$1" ] || return 0
		sleep 0.1
	done
	echo "memcg: cannot remove $1" >&2
	return 1
}
