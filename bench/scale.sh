#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/scale.sh [O] [SIZES]: how zoned's costs grow with the policy, from
# 1,000 to 1,000,000 prefixes (SIZES, default "1000 10000 100000 1000000"),
# beside nft -f of the equivalent hand-written ruleset.  For each size:
#
#   applier   bench/nftgen in a throwaway namespace: zoned's compiler and
#             applier on a model of N prefixes (no config parsing): the
#             full apply, the 1% re-apply (an element-only batch) and the
#             process's peak RSS
#   nft -f    the hand-written source map + destination verdict map that
#             nftgen writes (as bench/apply.sh): full load, the 1%-changed
#             ruleset as a full replace, and nft's peak RSS
#   zoned     the daemon in the test topology with N extra prefixes in its
#             config (bench/lib.sh, as bench/forward.sh): start to READY
#             (parse, check, compile, apply, sweep), the 1% change by
#             SIGHUP to its "applied" line, VmHWM from /proc/PID/status
#             while it runs, and the new-flow rate through its table
#             (bench/flowgen, lgwan -> lgwan-wan, median of NEWRUNS bursts)
#
# then a table with the growth factor per decade of each column.  The
# daemon reads at most 64 MiB of config (ZONE_CONF_MAX_SIZE in
# libzone/include/zone/conf.h): a size whose config is larger is reported
# as refused, not measured.
#
# nft -f runs only up to NFT_MAX_PREFIXES prefixes (default 100000 on a
# machine with less than 32 GB of RAM, else no bound): loading the
# hand-written ruleset at 1M prefixes filled 23 GB of kernel slab on such
# a machine and drove it out of memory, which no address-space limit on
# the nft process prevents.  Above the bound its columns read "skip" and
# the reason is printed.  Within it, nft -f has at most NFT_MEM_MB (6144)
# MiB of address space, and is reported as "oom" when it needs more.
# NEWRUNS (3) bursts of NEWFLOWS (100000) new flows per size; SCALE_RAW=1
# also prints the raw figures.  Root only; everything runs in namespaces
# it creates.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${1:-${O:-build}}
SIZES=${2:-"1000 10000 100000 1000000"}
ZONED=${ZONED:-$(cd "$top/$O" 2>/dev/null && pwd)/zoned}
BENCH=$(cd "$top/$O" 2>/dev/null && pwd)/bench
export ZONED
NEWRUNS=${NEWRUNS:-3}
NEWFLOWS=${NEWFLOWS:-100000}
CPU=${CPU:-$(($(nproc) - 1))}
CONF_MAX=$((64 << 20))
NFT_MEM_MB=${NFT_MEM_MB:-6144}
mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
if [ "$mem_kb" -lt $((32 * 1000 * 1000)) ]; then
	NFT_MAX_PREFIXES=${NFT_MAX_PREFIXES:-100000}
else
	NFT_MAX_PREFIXES=${NFT_MAX_PREFIXES:-}
fi
ZT_START_TIMEOUT=300
# shellcheck source=../tests/shell/lib.sh
. "$top/tests/shell/lib.sh"
# shellcheck source=lib.sh
. "$top/bench/lib.sh"

for b in nftgen flowgen maxrss; do
	[ -x "$BENCH/$b" ] || zt_die "no $BENCH/$b (make O=$O bench)"
done
command -v conntrack >/dev/null || zt_die "conntrack(8) is not installed"

SRC=$(zt_addr lgwan)
SRCS=$SRC,$(zt_addr lgwan.11),$(zt_addr lgwan.12),$(zt_addr lgwan.25)
DST=$(zt_addr lgwanwan)
PORT=7000

# nft_capped NS FILE: nft -f FILE in NS under a NFT_MEM_MB address space
nft_capped() {
	ip netns exec "$1" bash -c 'ulimit -v $(($1 * 1024)) &&
		exec "$2" nft -f "$3"' nft_capped "$NFT_MEM_MB" "$BENCH/maxrss" \
		"$2" 2>&1
}

# nft_failure OUTPUT: "oom" when nft ran out of its address space, else
# "fail" (the output goes to stderr)
nft_failure() {
	if echo "$1" | grep -qiE 'memory|killed|signal'; then
		echo oom
	else
		echo "$1" | head -n 5 >&2
		echo fail
	fi
}

proc_kb() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# The applier and nft -f, each in a fresh namespace: "ZF ZP ZKB NF NP NKB"
# (bench/maxrss gives the peak RSS of each)
applier_round() {
	local n=$1 ns=${ZT}scale out zf zp zkb nf np nkb
	ip netns add "$ns" || return 1
	ZT_NSS="$ZT_NSS $ns"
	out=$(ip netns exec "$ns" "$BENCH/maxrss" "$BENCH/nftgen" "$n" \
		"$ZT_DIR/full.nft" "$ZT_DIR/chg.nft" 2>&1) ||
		{ ip netns del "$ns"; echo "$out" >&2; return 1; }
	ip netns del "$ns"
	zf=$(echo "$out" | awk '/^zoned full/ { printf "%d", $3 + 0.5 }')
	zp=$(echo "$out" | awk '/^zoned 1pct/ { printf "%d", $3 + 0.5 }')
	zkb=$(echo "$out" | sed -n 's/^maxrss .*kb=\([0-9]*\).*/\1/p')
	if [ -n "$NFT_MAX_PREFIXES" ] && [ "$n" -gt "$NFT_MAX_PREFIXES" ]; then
		echo "$zf $zp $zkb skip skip skip"
		return
	fi
	ip netns add "$ns" || return 1
	# nft -f needs some GiB at 1M prefixes: bound its address space, so
	# that the process is stopped first ("oom" in the table; any other
	# failure is "fail", with nft's message on stderr)
	if out=$(nft_capped "$ns" "$ZT_DIR/full.nft"); then
		nf=$(echo "$out" | sed -n 's/^maxrss ms=\([0-9]*\).*/\1/p')
		nkb=$(echo "$out" | sed -n 's/^maxrss .*kb=\([0-9]*\).*/\1/p')
		if out=$(nft_capped "$ns" "$ZT_DIR/chg.nft"); then
			np=$(echo "$out" | sed -n 's/^maxrss ms=\([0-9]*\).*/\1/p')
		else
			np=$(nft_failure "$out")
		fi
	else
		nf=$(nft_failure "$out")
		np=$nf nkb=-
		[ "$nf" = oom ] && nkb=">$NFT_MEM_MB"
	fi
	ip netns del "$ns"
	echo "$zf $zp $zkb ${nf:--} ${np:--} ${nkb:--}"
}

# The 1%-changed config: every hundredth extra prefix to the other segment.
moved_conf() {
	awk '{ if (NR % 100 == 0) $2 = ($2 == "pubsys") ? "lgwanwan" : "pubsys"
		print }' "$ZT_DIR/extra.full" >"$ZT_DIR/extra"
	ZT_NETS_lgwanwan=$nets_lgwanwan ZT_NETS_pubsys=$nets_pubsys
	make_zoned_conf
}

# The daemon: "START_MS RELOAD_MS HWM_KB RSS_KB NEWFLOWS_PER_S", or "-"s
daemon_round() {
	local n=$1 t0 t1 hwm rss rate i rates
	PREFIXES=$n gen_prefixes >"$ZT_DIR/extra.full"
	cp "$ZT_DIR/extra.full" "$ZT_DIR/extra"
	ZT_NETS_lgwanwan=$nets_lgwanwan ZT_NETS_pubsys=$nets_pubsys
	make_zoned_conf
	if [ "$(stat -c %s "$ZT_DIR/zoned.conf")" -gt "$CONF_MAX" ]; then
		echo "refused refused - - -"
		return
	fi
	zt_gw nft flush ruleset
	t0=$(date +%s%N)
	zt_zoned_start "$ZT_DIR/zoned.conf" >&2 || { echo "- - - - -"; return; }
	t1=$(date +%s%N)
	local start_ms=$(((t1 - t0) / 1000000))
	cp "$ZT_DIR/zoned.conf" "$ZT_DIR/zoned.conf.full"
	moved_conf
	zt_log_mark
	: >"$ZT_DIR/mark"
	local before
	before=$(grep -c 'applied from .*(SIGHUP' "$ZT_ZONED_ERR")
	t0=$(date +%s%N)
	zt_zoned_signal HUP
	for i in $(seq 6000); do
		[ "$(grep -c 'applied from .*(SIGHUP' "$ZT_ZONED_ERR")" -gt "$before" ] &&
			break
		sleep 0.01
	done
	t1=$(date +%s%N)
	local reload_ms=$(((t1 - t0) / 1000000))
	hwm=$(proc_kb "$ZT_ZONED_PID" VmHWM)
	rss=$(proc_kb "$ZT_ZONED_PID" VmRSS)
	# the table stays in force when zoned stops; the load runs without
	# zoned's watchers, as in bench/forward.sh
	zt_zoned_stop >&2
	rates=
	for i in $(seq "$NEWRUNS"); do
		read -r rx _ secs <<<"$(run_newflows "$NEWFLOWS")"
		[ -n "${SCALE_RAW:-}" ] && echo "newflows: $rx $secs" >&2
		rates="$rates $(awk -v r="$rx" -v s="$secs" \
			'BEGIN { printf "%d", (s > 0 ? r / s : 0) }')"
	done
	rate=$(echo "$rates" | tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	zt_gw nft flush ruleset
	echo "$start_ms $reload_ms $hwm $rss $rate"
}

zt_topology
sink_setup || zt_die "cannot set up the sink"
nets_lgwanwan=$ZT_NETS_lgwanwan
nets_pubsys=$ZT_NETS_pubsys
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $SIZES; do
	if [ -n "$NFT_MAX_PREFIXES" ] && [ "$n" -gt "$NFT_MAX_PREFIXES" ]; then
		echo "nft -f skipped at $n prefixes (NFT_MAX_PREFIXES=$NFT_MAX_PREFIXES," \
			"$((mem_kb / 1024)) MiB of RAM): at 1M prefixes it once filled" \
			"23 GB of kernel slab and drove the machine out of memory"
	fi
done

results=$ZT_DIR/scale.txt
: >"$results"
for n in $SIZES; do
	zt_log "$n prefixes"
	read -r zf zp zkb nf np nkb < <(applier_round "$n") ||
		zt_die "applier round failed at $n"
	read -r ds dr dh drss rate < <(daemon_round "$n")
	echo "$n $zf $zp $zkb $nf $np $nkb $ds $dr $dh $drss $rate" >>"$results"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${SCALE_RAW:-}" ] && cat "$results"

echo
awk '
function kb(x) { return x ~ /^[0-9]+$/ ? sprintf("%.1f", x / 1024) : x }
function r(a, b) {
	if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0)
		return sprintf("%.2f", a / b)
	return "-"
}
function g(col, i) { return i > 1 ? r(v[i, col], v[i - 1, col]) : "" }
{ n++; for (c = 1; c <= NF; c++) v[n, c] = $c }
END {
	printf "%-8s | %8s %8s %7s | %8s %8s %7s | %6s %6s | %8s %8s %7s %7s %9s\n",
		"prefixes", "apply", "1%", "MiB", "nft -f", "nft 1%", "MiB",
		"ratio", "1%", "start", "1% HUP", "HWM", "RSS", "new/s"
	for (i = 1; i <= n; i++) {
		printf "%-8s | %8s %8s %7s | %8s %8s %7s | %6s %6s | %8s %8s %7s %7s %9s\n",
			v[i, 1], v[i, 2], v[i, 3], kb(v[i, 4]), v[i, 5], v[i, 6],
			kb(v[i, 7]), r(v[i, 2], v[i, 5]), r(v[i, 3], v[i, 6]),
			v[i, 8], v[i, 9], kb(v[i, 10]), kb(v[i, 11]), v[i, 12]
		if (i > 1)
			printf "%-8s | %8s %8s %7s | %8s %8s %7s | %6s %6s | %8s %8s %7s %7s %9s\n",
				"  x10", g(2, i), g(3, i), g(4, i), g(5, i), g(6, i),
				g(7, i), "", "", g(8, i), g(9, i), g(10, i), g(11, i),
				g(12, i)
	}
	printf "\n(ms; MiB of peak RSS.  apply/1%%/MiB: zoned'\''s applier alone\n"
	printf " (bench/nftgen); nft -f: the hand-written ruleset, 1%% as a full\n"
	printf " replace; ratio: applier / nft -f; start: the daemon from exec to\n"
	printf " READY, parsing its config included; 1%% HUP: SIGHUP to its applied\n"
	printf " line; HWM/RSS: VmHWM and VmRSS of the daemon after both; new/s:\n"
	printf " new flows per second through its table; x10: growth per decade)\n"
	# the targets of the 1M row, and the new-flow drop from the first size
	for (i = 1; i <= n; i++) {
		if (v[i, 1] == 1000000)
			printf "target at 1M: applier <= 0.15x nft -f: %s\n", r(v[i, 2], v[i, 5])
		if (v[i, 1] == 1000000 || v[i, 1] == 100000)
			printf "target at %d: daemon HWM %s MiB (<= %d)\n", v[i, 1],
				kb(v[i, 10]), v[i, 1] == 1000000 ? 64 : 32
	}
	if (n > 1 && v[1, 12] ~ /^[0-9]+$/ && v[n, 12] ~ /^[0-9]+$/)
		printf "new-flow rate at %s against %s: %.1f%% (target >= 85%%)\n",
			v[n, 1], v[1, 1], 100 * v[n, 12] / v[1, 12]
}' "$results"
zt_done
