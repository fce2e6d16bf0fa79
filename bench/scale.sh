#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/scale.sh [O] [SIZES]: how zoned's costs grow with the policy, from
# 1,000 to 1,000,000 prefixes (SIZES, default "1000 10000 100000 1000000"),
# beside nft -f of the equivalent hand-written ruleset.  For each size:
#
#   applier   bench/nftgen in a throwaway namespace: zoned's compiler and
#             applier on a model of N prefixes (no config parsing): the
#             full apply, the 1% re-apply (an element-only batch)
#   nft -f    the hand-written source map + destination verdict map that
#             nftgen writes (as bench/apply.sh): full load, then the
#             1%-changed ruleset as a full replace
#   zoned     the daemon in the test topology with N extra prefixes in its
#             config (bench/lib.sh, as bench/forward.sh): start to READY
#             (parse, check, compile, apply, sweep), the 1% change by
#             SIGHUP to its "applied" line, VmHWM from /proc/PID/status;
#             then stopped, with its table left in force, and a new one
#             started on the same config: the restart (an upgrade, a
#             systemctl restart) to READY and its own VmHWM.  The memory
#             target holds for the higher of the two processes.
#
# then the new-flow rate through the daemon's table of each size
# (bench/flowgen, lgwan -> lgwan-wan), taken in NEWROUNDS interleaved
# rounds (each round starts zoned on every size's config in turn, the
# order reversed every other round), so that a machine shared with other
# work slows every size alike; the drop from the first size is the median
# of the ratios within each round.
#
# Each step that loads a table or builds one (nftgen, each nft -f, the
# daemon with its table) runs in a memory cgroup of its own with a hard
# limit of SCALE_MEM_MB (6000) MiB (bench/memcg.sh, cgroup v2 or v1): the
# kernel charges nf_tables' objects to the cgroup of the process that
# loads them, so a step that needs more is killed alone and reported as
# "STEP: out of memory at N MiB (limit L)" instead of driving the machine
# out of memory (nft -f of a 1M ruleset once filled 23 GB of kernel slab
# on a 24 GB machine).  Every step also gets the cgroup's peak, user and
# kernel memory together (and the kernel part alone), beside the
# processes' own peak RSS.
#
# Not all the kernel memory a step causes is charged to its cgroup: while
# any process on the host, in any namespace, listens to nftables events
# (zoned's own monitor does), the commit of a transaction builds uncharged
# notifications of the elements it adds, in 8 KiB buffers, and frees them
# only when it ends: nft -f of the 1M ruleset so took 16-20 GB beyond its
# cgroup's 3 GB on a 24 GB machine (killing it did not stop the commit),
# and at 100,000 prefixes 9 GB.  So a step above 10,000 prefixes starts
# only when no such listener exists (nft_listeners), one above 100,000
# only when the host has also SCALE_MIN_FREE_MB (10240) MiB available,
# else it is reported as refused; and a watcher kills a step (it reads
# "host") when the host's available memory falls by more than the limit
# and 2 GiB (bench/memcg.sh), which helps against a listener that appears
# during the step only once its commit has ended.  With no memory cgroup
# to use, the script says so and refuses every size above 100,000.
#
# The tables carry the growth factor per decade of each column ("x10"
# rows: from the size above, whose ratio they name) and the 1-minute load
# average while each row was measured; the issue's scale targets are
# printed as met or not.  NEWROUNDS (3) rounds of NEWRUNS (1) bursts of
# NEWFLOWS (100000) new flows per size; PARTS ("apply daemon flows") names
# the parts to run; SCALE_RAW=1 also prints the raw figures.  Root only;
# everything runs in namespaces it creates.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${1:-${O:-build}}
SIZES=${2:-"1000 10000 100000 1000000"}
ZONED=${ZONED:-$(cd "$top/$O" 2>/dev/null && pwd)/zoned}
BENCH=$(cd "$top/$O" 2>/dev/null && pwd)/bench
export ZONED
PARTS=${PARTS:-apply daemon flows}
NEWROUNDS=${NEWROUNDS:-3}
NEWRUNS=${NEWRUNS:-1}
NEWFLOWS=${NEWFLOWS:-100000}
CPU=${CPU:-$(($(nproc) - 1))}
CONF_MAX=$((64 << 20))
SCALE_MEM_MB=${SCALE_MEM_MB:-6000}
SCALE_MIN_FREE_MB=${SCALE_MIN_FREE_MB:-10240}
UNCONFINED_MAX=100000
ZT_START_TIMEOUT=600
# shellcheck source=../tests/shell/lib.sh
. "$top/tests/shell/lib.sh"
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
# shellcheck source=memcg.sh
. "$top/bench/memcg.sh"

for b in nftgen flowgen maxrss; do
	bench_bin "$BENCH/$b" || exit 1
done
command -v conntrack >/dev/null || zt_die "conntrack(8) is not installed"

SRC=$(zt_addr lgwan)
SRCS=$SRC,$(zt_addr lgwan.11),$(zt_addr lgwan.12),$(zt_addr lgwan.25)
DST=$(zt_addr lgwanwan)
PORT=7000

load1() {
	cut -d' ' -f1 /proc/loadavg
}

# note MSG: a line printed now (on stderr: the rounds' stdout is their
# figures) and again under the tables
note() {
	echo "$*" >&2
	echo "$*" >>"$ZT_DIR/notes"
}

# step_ok N NAME: whether a step may start at N prefixes: above
# NFT_LISTENER_MAX only with no nftables listener anywhere on the host
# (nft_listeners in bench/lib.sh); above UNCONFINED_MAX only with a memory
# cgroup and SCALE_MIN_FREE_MB available (waiting up to 2 minutes for a
# namespace just deleted to be freed)
step_ok() {
	local n=$1 avail l
	if ! l=$(nft_listeners_say "$2" "$n" 2>&1); then
		note "$l"
		return 1
	fi
	[ "$n" -le "$UNCONFINED_MAX" ] && return 0
	if [ -z "$MEMCG_VER" ]; then
		note "$2: refused at $n prefixes: no memory cgroup ($MEMCG_WHY)"
		return 1
	fi
	for _ in $(seq 120); do
		avail=$(memcg_avail_mb)
		[ "$avail" -ge "$SCALE_MIN_FREE_MB" ] && break
		sleep 1
	done
	echo "$2 at $n prefixes: $avail MiB available" \
		"(load $(load1)); $(free -g | awk '/^Mem:/ { print $7 }') GiB by free -g" >&2
	if [ "$avail" -lt "$SCALE_MIN_FREE_MB" ]; then
		note "$2: not run at $n prefixes: $avail MiB available" \
			"(< SCALE_MIN_FREE_MB $SCALE_MIN_FREE_MB)"
		return 1
	fi
}

# label NAME: what a step's cgroup NAME is called in the notes
label() {
	case $1 in
	nftgen) echo bench/nftgen ;;
	nft-full) echo "nft -f" ;;
	nft-1pct) echo "nft -f (1% replace)" ;;
	flows) echo "zoned (new flows)" ;;
	*) echo "$1" ;;
	esac
}

# step NAME N CMD...: run CMD as one step, in its own memory cgroup when
# there is one; sets S_RC, S_OUT (its output), S_PEAK_KB and S_KERN_KB
# ("-" without a cgroup) and S_FAIL ("" on success, else "oom", "host"
# or "fail"), and notes a failure
step() {
	local name=$1 n=$2 cg
	shift 2
	S_OUT=$ZT_DIR/step.out S_PEAK_KB=- S_KERN_KB=- S_FAIL='' S_RC=0
	if [ -z "$MEMCG_VER" ]; then
		"$@" >"$S_OUT" 2>&1 || S_RC=$?
	else
		cg=$(memcg_new "$name" "$SCALE_MEM_MB") ||
			zt_die "cannot make a memory cgroup under $MEMCG_PARENT"
		memcg_run "$cg" "$ZT_DIR/memcg.$name" "$S_OUT" "$SCALE_MEM_MB" "$@"
		S_RC=$MEMCG_RC S_PEAK_KB=$MEMCG_PEAK_KB S_KERN_KB=$MEMCG_KERNEL_KB
		memcg_del "$cg"
		if [ "$MEMCG_HOSTLOW" = 1 ]; then
			S_FAIL=host
			note "$(label "$name"): stopped at $n prefixes: the host's" \
				"available memory fell by more than the limit, outside" \
				"the step's cgroup (its peak $((S_PEAK_KB >> 10)) MiB)"
			return
		fi
		if [ "$MEMCG_OOM" = 1 ]; then
			S_FAIL=oom
			note "$(label "$name"): out of memory at $((S_PEAK_KB >> 10)) MiB" \
				"(limit $SCALE_MEM_MB) at $n prefixes"
			return
		fi
	fi
	if [ "$S_RC" -ne 0 ]; then
		S_FAIL=fail
		note "$(label "$name"): failed (status $S_RC) at $n prefixes: $(head -n 3 "$S_OUT")"
	fi
}

maxrss_of() {
	sed -n "s/^maxrss .*$1=\([0-9]*\).*/\1/p" "$S_OUT"
}

# The applier and nft -f, each in a fresh namespace:
# "ZF ZP ZHWM ZCG ZK NF NP NHWM NCG NK NPCG LOAD" (ms, KiB; LOAD the
# highest 1-minute load average seen at the steps' starts)
applier_round() {
	local n=$1 ns=${ZT}scale zf=- zp=- zhwm=- zcg=- zk=- nf=- np=- nhwm=-
	local ncg=- nk=- npcg=- ld S_FAIL=''
	ld=$(load1)
	if step_ok "$n" nftgen; then
		ip netns add "$ns" || return 1
		ZT_NSS="$ZT_NSS $ns"
		step nftgen "$n" ip netns exec "$ns" "$BENCH/maxrss" \
			"$BENCH/nftgen" "$n" "$ZT_DIR/full.nft" "$ZT_DIR/chg.nft"
		ip netns del "$ns"
		if [ -z "$S_FAIL" ]; then
			zf=$(awk '/^zoned full/ { printf "%d", $3 + 0.5 }' "$S_OUT")
			zp=$(awk '/^zoned 1pct/ { printf "%d", $3 + 0.5 }' "$S_OUT")
			zhwm=$(maxrss_of kb)
		else
			zf=$S_FAIL zp=$S_FAIL
		fi
		zcg=$S_PEAK_KB zk=$S_KERN_KB
	fi
	# nft -f needs the files nftgen wrote
	if [ -z "$S_FAIL" ] && [ "$zf" != - ] && step_ok "$n" "nft -f"; then
		ld="$ld $(load1)"
		ip netns add "$ns" || return 1
		step nft-full "$n" ip netns exec "$ns" "$BENCH/maxrss" \
			nft -f "$ZT_DIR/full.nft"
		nf=${S_FAIL:-$(maxrss_of ms)} ncg=$S_PEAK_KB nk=$S_KERN_KB
		[ -z "$S_FAIL" ] && nhwm=$(maxrss_of kb)
		if [ -z "$S_FAIL" ] && step_ok "$n" "nft -f 1%"; then
			ld="$ld $(load1)"
			step nft-1pct "$n" ip netns exec "$ns" "$BENCH/maxrss" \
				nft -f "$ZT_DIR/chg.nft"
			np=${S_FAIL:-$(maxrss_of ms)} npcg=$S_PEAK_KB
		fi
		ip netns del "$ns"
	fi
	rm -f "$ZT_DIR/full.nft" "$ZT_DIR/chg.nft"
	ld=$(echo "$ld" | tr ' ' '\n' | sort -n | tail -n 1)
	echo "$zf $zp $zhwm $zcg $zk $nf $np $nhwm $ncg $nk $npcg $ld"
}

# The 1%-changed config: every hundredth extra prefix to the other segment.
moved_conf() {
	awk '{ if (NR % 100 == 0) $2 = ($2 == "pubsys") ? "lgwanwan" : "pubsys"
		print }' "$ZT_DIR/extra.full" >"$ZT_DIR/extra"
	ZT_NETS_lgwanwan=$nets_lgwanwan ZT_NETS_pubsys=$nets_pubsys
	make_zoned_conf
}

# zoned_cg_start NAME CONF: zoned on CONF in a memory cgroup of its own
# (its kernel table is charged there too), under a watcher
ZCG=
zoned_cg_start() {
	local real=$ZONED rc=0
	ZONED=$ZT_DIR/zoned-memcg
	if [ -n "$MEMCG_VER" ]; then
		ZCG=$(memcg_new "$1" "$SCALE_MEM_MB") ||
			zt_die "cannot make a memory cgroup under $MEMCG_PARENT"
		memcg_watch_start "$ZCG" "$ZT_DIR/memcg.$1" "$SCALE_MEM_MB"
		# ip netns exec mounts a sysfs of its own, without the
		# cgroup file system: zoned joins its cgroup through a
		# descriptor of cgroup.procs opened here, before the exec
		exec 9>"$ZCG/cgroup.procs"
		printf '#!/bin/sh\necho $$ >&9 || exit 125\nexec 9>&-\nexec "%s" "$@"\n' \
			"$real" >"$ZONED"
	else
		printf '#!/bin/sh\nexec "%s" "$@"\n' "$real" >"$ZONED"
	fi
	chmod 0755 "$ZONED"
	zt_zoned_start "$2" >&2 || rc=1
	[ -n "$MEMCG_VER" ] && exec 9>&-
	ZONED=$real
	return $rc
}

# zoned_cg_end NAME N: stop zoned (if it still runs) and its watcher;
# S_FAIL and S_PEAK_KB/S_KERN_KB as step() sets them
zoned_cg_end() {
	local name=$1 n=$2
	MEMCG_RC=0
	zt_zoned_stop >&2 || MEMCG_RC=1
	S_FAIL='' S_PEAK_KB=- S_KERN_KB=-
	[ -n "$ZCG" ] || return 0
	memcg_watch_end "$ZCG" "$ZT_DIR/memcg.$name"
	S_PEAK_KB=$MEMCG_PEAK_KB S_KERN_KB=$MEMCG_KERNEL_KB
	memcg_del "$ZCG"
	ZCG=
	if [ "$MEMCG_HOSTLOW" = 1 ]; then
		S_FAIL=host
		note "$(label "$name"): stopped at $n prefixes: the host's" \
			"available memory fell by more than the limit, outside" \
			"the step's cgroup (its peak $((S_PEAK_KB >> 10)) MiB)"
	elif [ "$MEMCG_OOM" = 1 ]; then
		S_FAIL=oom
		note "$(label "$name"): out of memory at $((S_PEAK_KB >> 10)) MiB" \
			"(limit $SCALE_MEM_MB) at $n prefixes"
	fi
}

# daemon_conf N: zoned.conf with N extra prefixes, kept as zoned.conf.N for
# the new-flow rounds; 1 if the daemon would refuse it
daemon_conf() {
	PREFIXES=$1 gen_prefixes >"$ZT_DIR/extra.full"
	cp "$ZT_DIR/extra.full" "$ZT_DIR/extra"
	ZT_NETS_lgwanwan=$nets_lgwanwan ZT_NETS_pubsys=$nets_pubsys
	make_zoned_conf
	if [ "$(stat -c %s "$ZT_DIR/zoned.conf")" -gt "$CONF_MAX" ]; then
		note "zoned: config refused at $1 prefixes (more than $CONF_MAX bytes)"
		return 1
	fi
	cp "$ZT_DIR/zoned.conf" "$ZT_DIR/zoned.conf.$1"
}

# The daemon: "START_MS RELOAD_MS HWM_KB CG_KB KERN_KB LOAD", or "-"s
daemon_round() {
	local n=$1 t0 t1 hwm=- ld start_ms reload_ms=- before end peak kern
	local restart_ms=fail rhwm=-
	daemon_conf "$n" || { echo "refused refused - - - - - -"; return; }
	step_ok "$n" zoned || { echo "- - - - - - - -"; return; }
	ld=$(load1)
	zt_gw nft flush ruleset
	t0=$(date +%s%N)
	if ! zoned_cg_start zoned "$ZT_DIR/zoned.conf"; then
		zoned_cg_end zoned "$n"
		echo "${S_FAIL:-fail} - - $S_PEAK_KB $S_KERN_KB $ld - -"
		return
	fi
	t1=$(date +%s%N)
	start_ms=$(((t1 - t0) / 1000000))
	moved_conf
	before=$(grep -c 'applied from .*(SIGHUP' "$ZT_ZONED_ERR")
	ld="$ld $(load1)"
	t0=$(date +%s%N)
	end=$((t0 + ZT_START_TIMEOUT * 1000000000))
	zt_zoned_signal HUP
	while [ "$(date +%s%N)" -lt "$end" ] && kill -0 "$ZT_ZONED_PID" 2>/dev/null; do
		if [ "$(grep -c 'applied from .*(SIGHUP' "$ZT_ZONED_ERR")" -gt "$before" ]; then
			t1=$(date +%s%N)
			reload_ms=$(((t1 - t0) / 1000000))
			break
		fi
		sleep 0.01
	done
	kill -0 "$ZT_ZONED_PID" 2>/dev/null && hwm=$(proc_kb "$ZT_ZONED_PID" VmHWM)
	zoned_cg_end zoned "$n"
	[ -n "$S_FAIL" ] && reload_ms=$S_FAIL
	[ "$reload_ms" = - ] && note "zoned: no applied line after SIGHUP at $n prefixes"
	peak=$S_PEAK_KB kern=$S_KERN_KB
	# restart: a new zoned adopts the table the last one left in force
	# (zoned(8), The table), as after an upgrade or systemctl restart
	ld="$ld $(load1)"
	t0=$(date +%s%N)
	if zoned_cg_start restart "$ZT_DIR/zoned.conf"; then
		t1=$(date +%s%N)
		restart_ms=$(((t1 - t0) / 1000000))
		rhwm=$(proc_kb "$ZT_ZONED_PID" VmHWM)
	fi
	zoned_cg_end restart "$n"
	[ -n "$S_FAIL" ] && restart_ms=$S_FAIL
	zt_gw nft flush ruleset
	ld=$(echo "$ld" | tr ' ' '\n' | sort -n | tail -n 1)
	echo "$start_ms $reload_ms $hwm $peak $kern $ld $restart_ms $rhwm"
}

proc_kb() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# One visit of the new-flow rounds: zoned's table of N prefixes (loaded by
# the daemon in its cgroup, then left in force while zoned is stopped: the
# load runs without its watchers, as in bench/forward.sh), NEWRUNS bursts;
# prints the median rate and the load, or "-"
flows_visit() {
	local n=$1 rx secs rates='' ld
	[ -f "$ZT_DIR/zoned.conf.$n" ] || { echo "- -"; return; }
	step_ok "$n" "zoned (new flows)" || { echo "- -"; return; }
	zt_gw nft flush ruleset
	if ! zoned_cg_start flows "$ZT_DIR/zoned.conf.$n"; then
		zoned_cg_end flows "$n"
		echo "- -"
		return
	fi
	zoned_cg_end flows "$n"
	ld=$(load1)
	for _ in $(seq "$NEWRUNS"); do
		read -r rx _ secs <<<"$(run_newflows "$NEWFLOWS")"
		[ -n "${SCALE_RAW:-}" ] && echo "newflows $n: $rx $secs" >&2
		rates="$rates $(awk -v r="$rx" -v s="$secs" \
			'BEGIN { printf "%d", (s > 0 ? r / s : 0) }')"
	done
	zt_gw nft flush ruleset
	echo "$(echo "$rates" | tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') $ld"
}

if ! memcg_init; then
	MEMCG_VER=
	echo "########################################################" >&2
	echo "## bench/scale.sh: no memory cgroup: $MEMCG_WHY" >&2
	echo "## every step runs without a memory limit, and sizes above" >&2
	echo "## $UNCONFINED_MAX prefixes are refused (they can drive the" >&2
	echo "## machine out of memory)" >&2
	echo "########################################################" >&2
fi

# shellcheck disable=SC2317 # the exit trap
# the exit trap: the processes of this run's cgroups (zoned, in a round's
# subshell, all started by this script) and the cgroups, then zt_cleanup
scale_exit() {
	local rc=$? cg pid
	for cg in "$MEMCG_PARENT/$MEMCG_PREFIX".*; do
		[ -d "$cg" ] || continue
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null
		done <"$cg/cgroup.procs"
		memcg_del "$cg"
	done
	(exit "$rc")
	zt_cleanup
}
zt_topology
[ -n "$MEMCG_VER" ] && trap scale_exit EXIT
sink_setup || zt_die "cannot set up the sink"
nets_lgwanwan=$ZT_NETS_lgwanwan
nets_pubsys=$ZT_NETS_pubsys
: >"$ZT_DIR/notes"
if [ -n "$MEMCG_VER" ]; then
	echo "memory cgroup v$MEMCG_VER under $MEMCG_PARENT, $SCALE_MEM_MB MiB a step;" \
		"$(memcg_avail_mb) MiB available"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

results=$ZT_DIR/scale.txt
: >"$results"
for n in $SIZES; do
	zt_log "$n prefixes (load $(load1))"
	line="- - - - - - - - - - - -"
	if [ "${PARTS#*apply}" != "$PARTS" ]; then
		line=$(applier_round "$n") || zt_die "applier round failed at $n"
	fi
	read -r zf zp zhwm zcg zk nf np nhwm ncg nk npcg la <<<"$line"
	line="- - - - - - - -"
	if [ "${PARTS#*daemon}" != "$PARTS" ]; then
		line=$(daemon_round "$n")
	elif [ "${PARTS#*flows}" != "$PARTS" ]; then
		daemon_conf "$n"
	fi
	read -r ds dr dh dcg dk ld drs drh <<<"$line"
	echo "$n $zf $zp $zhwm $zcg $zk $nf $np $nhwm $ncg $nk $npcg $la" \
		"$ds $dr $dh $dcg $dk $ld $drs $drh" >>"$results"
done

# new flows: round r visits the sizes in order, r + 1 in reverse
flows=$ZT_DIR/flows.txt
: >"$flows"
order=$SIZES
[ "${PARTS#*flows}" = "$PARTS" ] && NEWROUNDS=0
for r in $(seq "$NEWROUNDS"); do
	zt_log "new-flow round $r of $NEWROUNDS (load $(load1))"
	for n in $order; do
		read -r rate lf < <(flows_visit "$n")
		echo "$r $n $rate $lf" >>"$flows"
	done
	order=$(echo "$order" | tr ' ' '\n' | tac | tr '\n' ' ')
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${SCALE_RAW:-}" ]; then
	cat "$results" "$flows"
fi

echo
awk -v first="${SIZES%% *}" '
function mib(x) { return x ~ /^[0-9]+$/ ? sprintf("%.1f", x / 1024) : x }
function r(a, b) {
	if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0)
		return sprintf("%.2f", a / b)
	return "-"
}
function g(col, i) { return i > 1 ? r(v[i, col], v[i - 1, col]) : "" }
function med(s,   a, k, t, j) {
	k = split(s, a, " ")
	if (k == 0)
		return "-"
	for (j = 2; j <= k; j++)	# insertion sort: a few values
		for (t = j; t > 1 && a[t - 1] + 0 > a[t] + 0; t--) {
			x = a[t]; a[t] = a[t - 1]; a[t - 1] = x
		}
	return a[int((k + 1) / 2)]
}
FNR == 1 { file++ }
file == 1 { n++; for (c = 1; c <= NF; c++) v[n, c] = $c; row[$1] = n; next }
file == 2 && $3 ~ /^[0-9]+$/ {
	rate[$2] = rate[$2] " " $3
	rr[$1, $2] = $3
	if (!($2 in lmin) || $4 < lmin[$2]) lmin[$2] = $4
	if (!($2 in lmax) || $4 > lmax[$2]) lmax[$2] = $4
	rounds[$1] = 1
}
END {
	# per size: median rate, median of the within-round ratios to the first
	for (i = 1; i <= n; i++) {
		s = v[i, 1]; q = ""
		for (k in rounds)
			if ((k, s) in rr && (k, first) in rr && rr[k, first] > 0)
				q = q " " sprintf("%.4f", rr[k, s] / rr[k, first])
		v[i, 30] = (s in rate) ? med(rate[s]) : "-"
		v[i, 31] = q != "" ? sprintf("%.3f", med(q)) : "-"
		v[i, 32] = (s in lmin) ? lmin[s] "-" lmax[s] : "-"
		v[i, 33] = q
	}
	h = "%-9s | %7s %6s %7s %7s %6s | %8s %8s %7s %7s %6s %7s | %5s %5s | %5s\n"
	printf "zoned'\''s applier (bench/nftgen) and nft -f of the hand-written ruleset\n"
	printf h, "prefixes", "apply", "1%", "RSS", "cgroup", "kernel",
		"nft -f", "nft 1%", "RSS", "cgroup", "kernel", "cg 1%",
		"ratio", "1%", "load"
	for (i = 1; i <= n; i++) {
		printf h, v[i, 1], v[i, 2], v[i, 3], mib(v[i, 4]), mib(v[i, 5]),
			mib(v[i, 6]), v[i, 7], v[i, 8], mib(v[i, 9]), mib(v[i, 10]),
			mib(v[i, 11]), mib(v[i, 12]), r(v[i, 2], v[i, 7]),
			r(v[i, 3], v[i, 8]), v[i, 13]
		if (i > 1)
			printf h, sprintf("  x%g", v[i, 1] / v[i - 1, 1]), g(2, i), g(3, i), g(4, i), g(5, i),
				g(6, i), g(7, i), g(8, i), g(9, i), g(10, i),
				g(11, i), g(12, i), "", "", ""
	}
	h = "%-9s | %8s %8s %7s %7s %6s | %8s %7s | %5s || %9s %6s | %9s\n"
	printf "\nthe daemon (start, 1%% reload by SIGHUP, restart) and the new-flow rate through its table\n"
	printf h, "prefixes", "start", "1% HUP", "VmHWM", "cgroup", "kernel",
		"restart", "VmHWM", "load", "new/s", "of " first, "load"
	for (i = 1; i <= n; i++) {
		printf h, v[i, 1], v[i, 14], v[i, 15], mib(v[i, 16]),
			mib(v[i, 17]), mib(v[i, 18]), v[i, 20], mib(v[i, 21]),
			v[i, 19], v[i, 30], v[i, 31], v[i, 32]
		if (i > 1)
			printf h, sprintf("  x%g", v[i, 1] / v[i - 1, 1]), g(14, i), g(15, i), g(16, i),
				g(17, i), g(18, i), g(20, i), g(21, i), "", g(30, i), "", ""
	}
	printf "\n(ms; MiB.  apply, 1%%: zoned'\''s applier alone, no config parsing;\n"
	printf " nft -f: the hand-written ruleset, 1%% as a full replace; ratio:\n"
	printf " applier / nft -f.  RSS, VmHWM: peak RSS of the process (VmHWM of\n"
	printf " the daemon after its start and reload; of the next one after its\n"
	printf " restart onto the table left in force); cgroup: peak of the step'\''s\n"
	printf " memory cgroup, user and kernel memory with the table it loaded\n"
	printf " (and page cache of the files it wrote); kernel: its kernel part\n"
	printf " (v1: memory.kmem peak; v2: sampled); cg 1%%: the cgroup peak of\n"
	printf " nft -f'\''s 1%% replace.  start: exec to READY, config parsing\n"
	printf " included; 1%% HUP: SIGHUP to the applied line.  new/s: median of\n"
	printf " the rounds; of %s: median of the within-round ratios to %s\n", first, first
	printf " prefixes.  x10: growth per decade of sizes.  load: 1-minute load\n"
	printf " average at the row'\''s steps (highest; range over the rounds))\n\n"
	if (!(1000000 in row)) {
		printf "  target, applier <= 0.15x nft -f at 1M: not measured\n"
	} else {
		i = row[1000000]
		x = r(v[i, 2], v[i, 7])
		verdict = "not measured"
		if (x != "-")
			verdict = (x + 0 <= 0.15) ? "met" : "not met"
		printf "  target, applier <= 0.15x nft -f at 1M: %s (%s)\n", x, verdict
	}
	split("100000 32 1000000 64", tg, " ")
	for (k = 1; k < 4; k += 2) {
		s = tg[k]
		if (!(s in row)) {
			printf "  target, daemon VmHWM <= %d MiB at %d: not measured\n", tg[k + 1], s
			continue
		}
		# the higher of the two processes: start and reload, restart
		x = v[row[s], 16]
		if (v[row[s], 21] ~ /^[0-9]+$/ && !(x ~ /^[0-9]+$/ && x + 0 >= v[row[s], 21] + 0))
			x = v[row[s], 21]
		verdict = "not measured"
		if (x ~ /^[0-9]+$/)
			verdict = (x / 1024 <= tg[k + 1]) ? "met" : "not met"
		printf "  target, daemon VmHWM <= %d MiB at %d: %s MiB (%s)\n",
			tg[k + 1], s, mib(x), verdict
	}
	if (first == 1000 && (1000000 in row) && v[row[1000000], 31] != "-") {
		x = v[row[1000000], 31]
		verdict = (x + 0 >= 0.85) ? "met" : "not met"
		printf "  target, new flows at 1M >= 85%% of 1k: %.1f%% (%s; rounds:%s)\n",
			100 * x, verdict, v[row[1000000], 33]
	} else {
		printf "  target, new flows at 1M >= 85%% of 1k: not measured\n"
	}
}' "$results" "$flows"
if [ -s "$ZT_DIR/notes" ]; then
	echo
	cat "$ZT_DIR/notes"
fi
zt_done
