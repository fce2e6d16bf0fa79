#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/ctevents.sh [O]: conntrack event handling, zoned's watcher against
# `conntrack -E`, side by side on one generated burst of new flows; then
# the time from a forbidden flow's first packet to its alert line.
#
#   1. zoned (enforce) and `conntrack -E -e NEW` (same 32 MiB buffer)
#      listen in the gateway while bench/flowgen, in the lgwan leaf, sends
#      FLOWS one-packet UDP flows to lgwan-wan (allowed: every one becomes
#      a conntrack entry and a NEW event) flat out from one core.  Both
#      report how many events they handled and how long they took; the
#      difference to the entries created is what each lost.
#   2. zoned in monitor mode: PROBES (200) forbidden UDP flows jumin ->
#      naibu, one every 20 ms; time from the packet's send to the violation
#      line's arrival in the syslog socket (median, p99, max, lost).  Then
#      enforce mode: the same for the deny line of a dropped attempt
#      (NFLOG, 100 ms kernel batching).
#   3. drift repair: DRIFTS (30) times `nft flush ruleset` in the gateway
#      while a forbidden stream runs; how long each left the gateway
#      without its table, as the packets that crossed show (p50, p95).
#
# Root only; everything runs in namespaces the harness creates.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${1:-${O:-build}}
ZONED=${ZONED:-$(cd "$top/$O" 2>/dev/null && pwd)/zoned}
FLOWGEN=${FLOWGEN:-$(cd "$top/$O" 2>/dev/null && pwd)/bench/flowgen}
export ZONED
FLOWS=${FLOWS:-100000}
PROBES=${PROBES:-200}
DENY_PROBES=${DENY_PROBES:-20}
DRIFTS=${DRIFTS:-30}
PARTS=${PARTS:-"events latency drift"}
rc=0
# the syslog receiver stamps each line with its arrival (ctlat.py)
export ZT_SYSLOG_STAMPS=1
. "$top/tests/shell/lib.sh"

[ -x "$FLOWGEN" ] || zt_die "no flowgen at $FLOWGEN (make O=$O bench)"
command -v conntrack >/dev/null || zt_die "conntrack(8) is not installed"
# four sources of 64512 ports each, and room left in the conntrack table
[ "$FLOWS" -le 250000 ] || zt_die "FLOWS may be at most 250000"
zt_topology
zt_conf_std "$ZT_DIR/enforce.conf" alpha enforce
zt_conf_std "$ZT_DIR/monitor.conf" alpha monitor

# The sink drops the burst before it would answer with ICMP errors.
zt_ns lgwanwan nft -f - <<-'NFT'
table inet sink {
	chain pre { type filter hook prerouting priority -400; udp dport 7000 drop; }
}
NFT

# ------------------------------------------------------------ 1. throughput
# CPU time (utime + stime, clock ticks) of a process
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

bench_events() {
	zt_zoned_start "$ZT_DIR/enforce.conf" || zt_die "zoned did not start"
	before=$(zt_gw conntrack -C)
	ip netns exec "$ZT_GW" conntrack -E -e NEW -b 33554432 >"$ZT_DIR/ct-e.out" \
		2>"$ZT_DIR/ct-e.err" &
	ctpid=$!
	sleep 0.5
	zcpu0=$(cpu_ticks "$ZT_ZONED_PID")
	ccpu0=$(cpu_ticks "$ctpid")
	gen=$(zt_ns lgwan "$FLOWGEN" 10.2.0.10,10.2.0.11,10.2.0.12,10.2.0.25 \
		172.16.0.10 7000 "$FLOWS") || zt_die "flowgen failed"
	echo "generator: $gen"
	# Let both listeners drain.
	sleep 3
	after=$(zt_gw conntrack -C)
	hz=$(getconf CLK_TCK)
	zcpu=$(awk -v a="$zcpu0" -v b="$(cpu_ticks "$ZT_ZONED_PID")" -v hz="$hz" \
		'BEGIN { printf "%.2f", (b - a) / hz }')
	ccpu=$(awk -v a="$ccpu0" -v b="$(cpu_ticks "$ctpid")" -v hz="$hz" \
		'BEGIN { printf "%.2f", (b - a) / hz }')
	kill -INT "$ctpid"
	wait "$ctpid" 2>/dev/null
	zt_zoned_stop >/dev/null
	created=$((after - before))
	ct_events=$(wc -l <"$ZT_DIR/ct-e.out")
	ct_enobufs=$(grep -c ENOBUFS "$ZT_DIR/ct-e.err")
	zline=$(grep 'conntrack watcher:' "$ZT_ZONED_ERR" | tail -n 1)
	z_events=$(echo "$zline" | sed -n 's/.*watcher: \([0-9]*\) events.*/\1/p')
	z_secs=$(echo "$zline" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')
	z_over=$(echo "$zline" | sed -n 's/.*, \([0-9]*\) overruns.*/\1/p')
	gen_secs=$(echo "$gen" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	gen_rate=$(echo "$gen" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')

	echo
	echo "flows generated:        $FLOWS in ${gen_secs}s (${gen_rate}/s, one core)"
	echo "conntrack entries made: $created"
	printf '%-20s %8s %8s %10s %8s %8s %14s\n' listener events lost events/s \
		overruns cpu_s events/cpu_s
	awk -v e="$z_events" -v c="$created" -v s="$z_secs" -v o="$z_over" \
		-v cpu="$zcpu" 'BEGIN { printf "%-20s %8d %8d %10.0f %8d %8.2f %14.0f\n",
			"zoned ctwatch", e, (c > e ? c - e : 0), (s > 0 ? e / s : 0), o,
			cpu, (cpu > 0 ? e / cpu : 0) }'
	awk -v e="$ct_events" -v c="$created" -v o="$ct_enobufs" -v cpu="$ccpu" \
		'BEGIN { printf "%-20s %8d %8d %10s %8d %8.2f %14.0f\n",
			"conntrack -E -e NEW", e, (c > e ? c - e : 0), "-", o, cpu,
			(cpu > 0 ? e / cpu : 0) }'
	echo "(events/s: zoned's events over the time from its first to its last;"
	echo " events/cpu_s: events per second of the listener's own CPU time, its"
	echo " ceiling on one core; both had a 32 MiB receive buffer)"
}

# ------------------------------------------------------------ 2. latency
bench_latency() {
	# Each alert's time is the kernel's stamp on its arrival at the syslog
	# socket (ZT_SYSLOG_STAMPS), so the receiver's own delay is not counted.
	zt_gw nft delete table inet zoned 2>/dev/null
	zt_zoned_start "$ZT_DIR/monitor.conf" || zt_die "zoned (monitor) did not start"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	zt_ns jumin "$ZT_PY" "$top/bench/ctlat.py" alert "$ZT_DIR/syslog.stamps" \
		violation 10.1.0.10 10.3.0.10 41000 "$PROBES" || rc=1
	zt_zoned_stop >/dev/null
	zt_zoned_start "$ZT_DIR/enforce.conf" || zt_die "zoned (enforce) did not start"
	zt_ns jumin "$ZT_PY" "$top/bench/ctlat.py" alert "$ZT_DIR/syslog.stamps" \
		deny 10.1.0.11 10.3.0.11 42000 "$DENY_PROBES" 0.05 || rc=1
	zt_zoned_stop >/dev/null
}

# ------------------------------------------------------------ 3. drift
bench_drift() {
	# A table without the owner flag (as on kernels before 5.12, or when the
	# kernel refuses it) so that `nft flush ruleset` reaches it; a forbidden
	# UDP stream jumin -> naibu every 0.5 ms shows, by the packets that cross,
	# how long each flush left the gateway without its table.
	zt_gw nft delete table inet zoned 2>/dev/null
	export ZONED_NFT_NO_OWNER=1
	zt_zoned_start "$ZT_DIR/enforce.conf" || zt_die "zoned (no owner) did not start"
	unset ZONED_NFT_NO_OWNER
	: >"$ZT_DIR/leaks"
	# zt_bg: ip netns exec execs, so these are the PIDs of the two scripts
	zt_bg ip netns exec "${ZT}naibu" "$ZT_PY" "$top/bench/ctlat.py" sink 9400 \
		"$ZT_DIR/leaks"
	sinkpid=$!
	zt_bg ip netns exec "${ZT}jumin" "$ZT_PY" "$top/bench/ctlat.py" source \
		10.3.0.12 9400 40999 0.0005
	srcpid=$!
	sleep 0.5
	[ -s "$ZT_DIR/leaks" ] && echo "drift: forbidden packets cross before any flush!"
	: >"$ZT_DIR/leaks"
	: >"$ZT_DIR/flushes"
	for _ in $(seq "$DRIFTS"); do
		t0=$(date +%s%N)
		zt_gw nft flush ruleset
		t1=$(date +%s%N)
		echo "$t0 $t1" >>"$ZT_DIR/flushes"
		sleep 0.4
	done
	kill "$srcpid" "$sinkpid" 2>/dev/null
	wait "$srcpid" "$sinkpid" 2>/dev/null
	echo "drift alerts: $(grep -c ' drift .*action=restored' "$ZT_DIR/syslog.log")"
	"$ZT_PY" "$top/bench/ctlat.py" drift "$ZT_DIR/flushes" "$ZT_DIR/leaks" \
		"$ZT_DIR/syslog.stamps" || rc=1
	zt_zoned_stop >/dev/null
	[ -n "${CTLAT_KEEP:-}" ] && cp "$ZT_ZONED_ERR" "$ZT_DIR/flushes" "$ZT_DIR/leaks" "$CTLAT_KEEP"
}

for part in $PARTS; do
	case $part in
	events | latency | drift) "bench_$part" ;;
	*) zt_die "unknown part $part (events, latency, drift)" ;;
	esac
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $rc
