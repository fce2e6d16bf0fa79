#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/forward.sh [O]: forwarding through the gateway with a policy of
# 100,000 prefixes, six ways in the same run, side by side:
#
#   none       no ruleset at all (no conntrack either): the ceiling
#   conntrack  a table with only "ct state established,related accept"
#   nft-maps   the hand-written nft ruleset of bench/apply.sh, the
#              reference of the new-flow target: a source interval map
#              into the ct mark, a destination interval verdict map to a
#              chain per destination zone, and there a ct mark verdict map
#              of the sources that zone accepts
#   nft-persrc a faster hand-written nft ruleset, for comparison: the
#              source interval verdict map jumps to a chain per source
#              zone, and each holds an interval verdict map of the
#              destinations that zone may reach (no ct mark at all)
#   zoned      zoned's own table, compiled from the same 100,000 prefixes
#   iptables   the same policy as one iptables rule per prefix (a source
#              and a destination classification chain, then the pairs)
#
# The hand-written rulesets only classify; zoned's table does what they
# do plus what doc/design.md 3 asks (anti-spoofing, the ct mark that records
# the admitting rule, per-pair counters, logged drops).
#
# The load column is the time to load each ruleset; zoned's includes
# parsing and checking its config.
#
# and two loads, each from one core in the lgwan leaf to the lgwan-wan leaf
# (an allowed pair, so every packet is forwarded):
#
#   established  one UDP flow that has seen its reply (bench/udpflood):
#                after the first packet only the conntrack fast path and
#                "ct state established" and zoned's interface binding
#                matter; target >= 99% of conntrack alone
#   new flows    every packet a flow no packet before it had (bench/flowgen,
#                changing source address and port): every packet is
#                classified by the whole policy; target >= 1.2x nft-maps
#                and >= 1.1x nft-persrc
#
# The sink drops the packets in its prerouting hook and counts them; the
# rate is packets that crossed the gateway per second of sending.  The
# 100,000 extra prefixes are /28s of 100.64.0.0/10, alternating between
# lgwan-wan and public-system, so that no two merge into one interval.
#
# The generator and the gateway share the cores, so a packet's whole path
# costs sender time: the rates compare per-packet cost, and nothing is
# lost.  "conntrack" (a table that only turns conntrack on) separates the
# cost of conntrack from the cost of classification.  Each figure is the
# median of REPEAT (5) rounds; each round measures every variant in turn,
# zoned's by reloading the table zoned wrote (as nft lists it), and sends
# NEWRUNS (3) bursts of new flows to each, flushing conntrack in between:
# one burst lasts well under a second, too short to time alone.
#
# Root only; everything runs in namespaces the harness creates.  SECONDS_RUN
# (default 3) is the length of each established run, NEWFLOWS (default
# 150000) the number of new flows per burst (below nf_conntrack_max).
# VARIANTS (a list) measures only those (zoned-nobind, zoned's table
# without the established packets' binding, and zoned-names, bound by
# the interfaces' names only, are measured only when asked for);
# PERF=PREFIX records a cpu-clock
# profile of the generator's core during each variant's runs (perf(1)),
# and bench/perfshare.py prints from them the share of each packet's cost
# that the forward chain takes (a share, unlike a rate, holds on a busy
# machine).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${1:-${O:-build}}
ZONED=${ZONED:-$(cd "$top/$O" 2>/dev/null && pwd)/zoned}
BENCH=$(cd "$top/$O" 2>/dev/null && pwd)/bench
export ZONED
SECONDS_RUN=${SECONDS_RUN:-3}
REPEAT=${REPEAT:-5}
NEWRUNS=${NEWRUNS:-3}
# The generator, and so the whole path of its packets, runs on this core.
CPU=${CPU:-$(($(nproc) - 1))}
NEWFLOWS=${NEWFLOWS:-150000}
PREFIXES=${PREFIXES:-100000}
ZT_START_TIMEOUT=120
# shellcheck source=../tests/shell/lib.sh
. "$top/tests/shell/lib.sh"
# shellcheck source=lib.sh
. "$top/bench/lib.sh"

for b in udpflood flowgen; do
	bench_bin "$BENCH/$b" || exit 1
done
# the policy's tables are loaded whole: not while anything listens to
# nftables events (nft_listeners in bench/lib.sh)
nft_listeners_say bench/forward.sh "$PREFIXES" || exit 1
IPT=
for c in iptables-legacy-restore iptables-nft-restore; do
	command -v "$c" >/dev/null && IPT=$c && break
done
command -v conntrack >/dev/null || zt_die "conntrack(8) is not installed"

SRC=$(zt_addr lgwan)
SRCS=$SRC,$(zt_addr lgwan.11),$(zt_addr lgwan.12),$(zt_addr lgwan.25)
DST=$(zt_addr lgwanwan)
PORT=7000
SPORT=40000

# ---------------------------------------------------------------- policies

# The networks of every segment, "PREFIX SEGMENT", in address order.
all_prefixes() {
	{
		echo "10.1.0.0/16 jumin"
		echo "10.2.0.0/16 lgwan"
		echo "10.3.0.0/16 naibu"
		cat "$ZT_DIR/extra"
		echo "172.16.0.0/12 lgwanwan"
		echo "192.0.2.0/24 seccloud"
		echo "198.51.100.0/24 pubsys"
	}
}

# Segment ids for the hand-written and iptables rulesets.
seg_id() {
	case $1 in
	jumin) echo 1 ;; lgwan) echo 2 ;; naibu) echo 3 ;; lgwanwan) echo 4 ;;
	pubsys) echo 5 ;; seccloud) echo 6 ;; *) echo 7 ;;
	esac
}

# "SEGMENT ID ..." for awk
seg_ids() {
	local s
	for s in jumin lgwan naibu lgwanwan pubsys seccloud inet; do
		printf '%s %s ' "$s" "$(seg_id "$s")"
	done
}

# The ct mark value of a segment in the nft-maps ruleset.
seg_mark() {
	printf '0xa10000%02x' "$(seg_id "$1")"
}

# The allowed cells of the alpha matrix between these segments, "SRC DST"
# a line: lgwan <-> lgwan-wan, the internet tier -> security cloud, and
# traffic inside a zone.  (zoned's table has them from its verdict
# function; the hand-written rulesets spell them out.)
allowed_cells() {
	printf '%s\n' "lgwan lgwanwan" "lgwanwan lgwan" "naibu seccloud" \
		"lgwan lgwan" "jumin jumin" "naibu naibu" \
		"lgwanwan lgwanwan" "pubsys pubsys" "seccloud seccloud"
}

# bench/apply.sh's hand-written ruleset (bench/nftgen.c, write_nft), with
# the pair decision written out: interval maps and verdict maps.
make_nft_maps() {
	local d srcs
	{
		echo "table inet maps {"
		echo " map src4 { type ipv4_addr : mark; flags interval; elements = {"
		all_prefixes | awk -v ids="$(seg_ids)" '
			BEGIN { n = split(ids, a, " ")
				for (i = 1; i < n; i += 2) id[a[i]] = a[i + 1] }
			{ printf "  %s : 0xa10000%02x,\n", $1, id[$2] }'
		echo " } }"
		echo " map dst4 { type ipv4_addr : verdict; flags interval; elements = {"
		all_prefixes | awk '{ print "  " $1 " : goto to_" $2 "," }'
		echo " } }"
		for d in jumin lgwan naibu lgwanwan pubsys seccloud inet; do
			srcs=$(allowed_cells | while read -r a b; do
				[ "$b" = "$d" ] && printf '%s : accept, ' "$(seg_mark "$a")"
			done)
			if [ -n "$srcs" ]; then
				echo " chain to_$d { ct mark vmap { ${srcs%, } }; drop; }"
			else
				echo " chain to_$d { drop; }"
			fi
		done
		echo " chain forward_filter { type filter hook forward priority 0; policy drop;"
		echo "  ct state established,related accept"
		echo "  ct mark set $(seg_mark inet)"
		echo "  ct mark set ip saddr map @src4"
		echo "  ip daddr vmap @dst4"
		echo "  goto to_inet"
		echo " }"
		echo "}"
	} >"$ZT_DIR/maps.nft"
}

make_nft_persrc() {
	{
		echo "table inet persrc {"
		echo " map src { type ipv4_addr : verdict; flags interval; elements = {"
		all_prefixes | while read -r p s; do
			echo "  $p : jump from_$s,"
		done
		echo " } }"
		# Destinations each source zone may reach (the allowed cells).
		echo " map to_lgwan { type ipv4_addr : verdict; flags interval; elements = {"
		all_prefixes | awk '$2 == "lgwan" || $2 == "lgwanwan" { print "  " $1 " : accept," }'
		echo " } }"
		echo " map to_lgwanwan { type ipv4_addr : verdict; flags interval; elements = {"
		all_prefixes | awk '$2 == "lgwan" { print "  " $1 " : accept," }'
		echo " } }"
		echo " map to_naibu { type ipv4_addr : verdict; flags interval; elements = {"
		all_prefixes | awk '$2 == "seccloud" { print "  " $1 " : accept," }'
		echo " } }"
		for s in jumin pubsys seccloud; do
			echo " chain from_$s { drop; }"
		done
		for s in lgwan lgwanwan naibu; do
			echo " chain from_$s { ip daddr vmap @to_$s; drop; }"
		done
		echo " chain forward_filter { type filter hook forward priority 0; policy drop;"
		echo "  ct state established,related accept"
		echo "  ip saddr vmap @src"
		echo " }"
		echo "}"
	} >"$ZT_DIR/persrc.nft"
}

# Conntrack and nothing else: the cost every stateful ruleset starts from.
make_nft_ct() {
	cat >"$ZT_DIR/ct.nft" <<-EOF
		table inet ctonly {
			chain forward_filter {
				type filter hook forward priority 0; policy accept;
				ct state established,related accept
			}
		}
	EOF
}

make_iptables() {
	{
		echo "*filter"
		echo ":FORWARD DROP [0:0]"
		echo ":zsrc - [0:0]"
		echo ":zdst - [0:0]"
		for s in jumin lgwan naibu lgwanwan pubsys seccloud; do
			echo ":s_$s - [0:0]"
			echo ":d_$s - [0:0]"
		done
		echo "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"
		echo "-A FORWARD -j zsrc"
		echo "-A FORWARD -j zdst"
		all_prefixes | while read -r p s; do
			echo "-A zsrc -s $p -g s_$s"
			echo "-A zdst -d $p -g d_$s"
		done
		for s in jumin lgwan naibu lgwanwan pubsys seccloud; do
			id=$(seg_id "$s")
			echo "-A s_$s -j MARK --set-xmark $((id << 8))/0xff00"
			echo "-A d_$s -j MARK --set-xmark $id/0xff"
		done
		# The allowed cells: lgwan <-> lgwan-wan, internet tier -> seccloud.
		echo "-A FORWARD -m mark --mark 0x204/0xffff -j ACCEPT"
		echo "-A FORWARD -m mark --mark 0x402/0xffff -j ACCEPT"
		echo "-A FORWARD -m mark --mark 0x306/0xffff -j ACCEPT"
		echo "COMMIT"
	} >"$ZT_DIR/iptables.rules"
}

# ---------------------------------------------------------------- runs

# run_established: rate of one replied UDP flow
run_established() {
	local before after out sent secs
	zt_gw conntrack -F >/dev/null 2>&1
	# First packet, then the sink's answer makes the flow established.
	zt_ns lgwan "$ZT_PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$SRC', $SPORT))
s.sendto(b'x', ('$DST', $PORT))"
	zt_ns lgwanwan "$ZT_PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$DST', $PORT))
s.sendto(b'y', ('$SRC', $SPORT))"
	sleep 0.2
	before=$(sink_rx)
	out=$(zt_ns lgwan taskset -c "$CPU" "$BENCH/udpflood" "$SRC" "$SPORT" "$DST" "$PORT" \
		"$SECONDS_RUN")
	sleep 0.5
	after=$(sink_rx)
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	sent=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	echo "$((after - before)) $sent $secs"
}

clear_gw() {
	zt_gw nft flush ruleset
	if [ -n "$IPT" ]; then
		printf '*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n' | zt_gw "$IPT"
		zt_gw "${IPT%-restore}" -F 2>/dev/null
	fi
}

setup_variant() {
	local t0
	t0=$(date +%s%N)
	case $1 in
	none) ;;
	conntrack) zt_gw nft -f "$ZT_DIR/ct.nft" || return 1 ;;
	nft-maps) zt_gw nft -f "$ZT_DIR/maps.nft" || return 1 ;;
	nft-persrc) zt_gw nft -f "$ZT_DIR/persrc.nft" || return 1 ;;
	zoned)
		if [ "${2:-}" = replay ]; then
			zt_gw nft -f "$ZT_DIR/zoned.nft" || return 1
		else
			zt_zoned_start "$ZT_DIR/zoned.conf" >/dev/null || return 1
			zt_zoned_stop || return 1	# the table stays in force
		fi
		;;
	iptables) zt_gw "$IPT" <"$ZT_DIR/iptables.rules" || return 1 ;;
	zoned-nobind)
		# zoned's table with the established packets' interface
		# binding taken out: what the binding costs
		sed 's/^\(\t*ct state established,related\) ct direction .* accept$/\1 accept/' \
			"$ZT_DIR/zoned.nft" | zt_gw nft -f - || return 1
		;;
	zoned-names)
		# zoned's table bound by the interfaces' names alone, without
		# the lookup by index before it: what the index saves (the
		# name lookup is then reached by a goto to flow_unbound)
		grep -q '@flowbind accept$' "$ZT_DIR/zoned.nft" ||
			zt_die "zoned's table has no binding by index"
		sed '/^\t*ct state established,related ct direction \. ct mark \. iif \. oif @flowbind accept$/d' \
			"$ZT_DIR/zoned.nft" | zt_gw nft -f - || return 1
		;;
	esac
	LOAD_MS=$((($(date +%s%N) - t0) / 1000000))
}

# ---------------------------------------------------------------- main

zt_topology
sink_setup || zt_die "cannot set up the sink"
gen_prefixes >"$ZT_DIR/extra"
make_zoned_conf
make_nft_ct
make_nft_maps
make_nft_persrc
make_iptables
zt_log "policy: $(wc -l <"$ZT_DIR/extra") extra prefixes, $(grep -c '^-A' "$ZT_DIR/iptables.rules") iptables rules"

# zoned next to the two it is held against: the machine drifts between
# fast and slow spells, and neighbours in a round share the spell.
variants="none zoned nft-maps conntrack nft-persrc"
[ -n "$IPT" ] && variants="$variants iptables"
# VARIANTS narrows the list (the targets need the first five).
variants=${VARIANTS:-$variants}

# zoned compiles and applies its table once; the rounds reload that very
# table, as nft lists it, so that every variant can be measured in turn
# (interleaved rounds even out a machine whose load drifts).
clear_gw
setup_variant zoned || zt_die "zoned could not apply the policy"
ZONED_LOAD_MS=$LOAD_MS
zt_nft_table | sed '/^\tflags /d' >"$ZT_DIR/zoned.nft"
grep -q 'chain' "$ZT_DIR/zoned.nft" || zt_die "cannot list zoned's table"

results=$ZT_DIR/results.txt
: >"$results"
for i in $(seq "$REPEAT"); do
	for v in $variants; do
		clear_gw
		if ! setup_variant "$v" replay; then
			zt_fail "cannot load the $v ruleset"
			continue
		fi
		case $v in zoned*) LOAD_MS=$ZONED_LOAD_MS ;; esac
		# PERF=PREFIX: a cpu-clock profile of the generator's core
		# during each variant's runs, in PREFIX.VARIANT.ROUND.data
		perf=
		if [ -n "${PERF:-}" ]; then
			perf record -q -e cpu-clock -C "$CPU" -g \
				-o "$PERF.$v.$i.data" &
			perf=$!
			sleep 0.5
		fi
		read -r est_rx est_sent est_s <<<"$(run_established)"
		# One rule per prefix is slow enough that fewer flows do.
		n=$NEWFLOWS
		[ "$v" = iptables ] && n=$((NEWFLOWS / 15))
		new_rx=0 new_sent=0 new_s=0
		for _ in $(seq "$NEWRUNS"); do
			read -r rx sent secs <<<"$(run_newflows "$n")"
			new_rx=$((new_rx + rx))
			new_sent=$((new_sent + sent))
			new_s=$(awk -v a="$new_s" -v b="$secs" 'BEGIN { print a + b }')
		done
		if [ -n "$perf" ]; then
			kill -INT "$perf"
			wait "$perf"
		fi
		echo "$v $LOAD_MS $est_rx $est_sent $est_s $new_rx $new_sent $new_s" >>"$results"
	done
done
clear_gw

echo
echo "each round, packets/s (established, new flows):"
awk '{ printf "  %-10s %9.0f %9.0f\n", $1, ($5 > 0 ? $3 / $5 : 0), ($8 > 0 ? $6 / $8 : 0) }' "$results"
echo
echo "forwarding through the gateway, lgwan -> lgwan-wan, policy of $PREFIXES extra prefixes"
echo "(packets that crossed the gateway per second of sending; ratio to no ruleset)"
echo
awk -v ipt="${IPT:-none}" '
function rate(rx, s) { return s > 0 ? rx / s : 0 }
function ratio_median(R, x, y,    a, k, n) {
	n = 0
	for (k = 1; k <= runs[x] && k <= runs[y]; k++)
		if (R[y, k] > 0)
			a[++n] = 100 * R[x, k] / R[y, k]
	return n ? median(a, n) : 0
}
function median(a, n,    i, j, t) {
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
{
	if (!($1 in seen)) { order[++nv] = $1; seen[$1] = 1 }
	load[$1] = $2
	k = ++runs[$1]
	E[$1, k] = rate($3, $5)
	N[$1, k] = rate($6, $8)
}
END {
	for (i = 1; i <= nv; i++) {
		v = order[i]
		delete a; for (k = 1; k <= runs[v]; k++) a[k] = E[v, k]
		est[v] = median(a, runs[v])
		delete a; for (k = 1; k <= runs[v]; k++) a[k] = N[v, k]
		nw[v] = median(a, runs[v])
	}
	printf "  %-10s %8s  %14s %7s %7s  %14s %7s %7s\n", "ruleset",
		"load ms", "established/s", "/none", "/ct", "new flows/s",
		"/none", "/ct"
	for (i = 1; i <= nv; i++) {
		v = order[i]
		printf "  %-10s %8d  %14.0f %6.1f%% %6.1f%%  %14.0f %6.1f%% %6.1f%%\n",
			v, load[v], est[v], 100 * est[v] / est["none"],
			100 * est[v] / est["conntrack"], nw[v],
			100 * nw[v] / nw["none"], 100 * nw[v] / nw["conntrack"]
	}
	printf "\n  /none, /ct: ratio to no ruleset and to conntrack alone\n"
	# The targets as the median of the ratios within each round, which a slow
	# spell across a whole round does not move.
	if (runs["zoned"] && runs["zoned-nobind"])
		printf "  zoned with the established binding, against without: established %.1f%%, new flows %.1f%%\n",
			ratio_median(E, "zoned", "zoned-nobind"),
			ratio_median(N, "zoned", "zoned-nobind")
	if (runs["zoned"] && runs["conntrack"] && runs["nft-maps"] && runs["nft-persrc"]) {
		r = ratio_median(E, "zoned", "conntrack")
		printf "  target, established >= 99%% of conntrack: zoned %.1f%% (%s)\n",
			r, (r >= 99 ? "met" : "not met")
		r = ratio_median(N, "zoned", "nft-maps")
		printf "  target, new flows >= 1.2x nft-maps: zoned %.2fx (%s)\n",
			r / 100, (r >= 120 ? "met" : "not met")
		r = ratio_median(N, "zoned", "nft-persrc")
		printf "  target, new flows >= 1.1x nft-persrc: zoned %.2fx (%s)\n",
			r / 100, (r >= 110 ? "met" : "not met")
		if (runs["none"])
			printf "  zoned established: %.1f%% of none\n",
				ratio_median(E, "zoned", "none")
		printf "  zoned established: %.1f%% of nft-persrc\n",
			ratio_median(E, "zoned", "nft-persrc")
		printf "  (medians over %d rounds of the ratios within each round:\n", runs["zoned"]
		printf "  only those mean anything on a shared machine)\n"
	}
	printf "  iptables: %s, one rule per prefix\n", ipt
}' "$results"
if [ -n "${PERF:-}" ]; then
	echo
	# shellcheck disable=SC2086
	"$ZT_PY" "$top/bench/perfshare.py" "$PERF" $variants
fi
zt_done
