# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# bench/lib.sh: shell helpers shared by bench/forward.sh and bench/scale.sh,
# sourced after tests/shell/lib.sh (bench/apply.sh uses nft_listeners
# alone).  They read these globals:
#
#   PREFIXES  how many extra prefixes gen_prefixes writes
#   SRCS DST PORT CPU BENCH  the new-flow load of run_newflows (bench/flowgen
#             from the lgwan leaf to the lgwan-wan leaf, on core CPU)

# bench_bin PATH: true when the bench binary PATH exists and was linked
# after the libzone.a beside its directory; else says how to build it.  A
# stale nftgen, linked against an older libzone, once wrote empty maps,
# and every row of nft -f beside it failed for no reason it showed.
bench_bin() {
	local lib
	lib=$(dirname "$1")/../libzone.a
	if [ ! -x "$1" ]; then
		echo "no $1: make O=$(dirname "$(dirname "$1")") bench-bins" >&2
		return 1
	fi
	if [ "$lib" -nt "$1" ]; then
		echo "$1 is older than $lib: make O=$(dirname "$(dirname "$1")") bench-bins" >&2
		return 1
	fi
}

# The extra prefixes, one "PREFIX SEGMENT" a line.
gen_prefixes() {
	awk -v n="$PREFIXES" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = 100 * 16777216 + 64 * 65536 + i * 16
			printf "%d.%d.%d.%d/28 %s\n", int(a / 16777216) % 256,
				int(a / 65536) % 256, int(a / 256) % 256, a % 256,
				(i % 2) ? "pubsys" : "lgwanwan"
		}
	}'
}

make_zoned_conf() {
	local seg list
	for seg in lgwanwan pubsys; do
		# shellcheck disable=SC2034 # read by the eval below
		list=$(awk -v s="$seg" '$2 == s { printf ", \"%s\"", $1 }' \
			"$ZT_DIR/extra")
		eval "ZT_NETS_$seg=\"\$ZT_NETS_$seg\$list\""
	done
	zt_conf_std "$ZT_DIR/zoned.conf" alpha enforce
}

sink_rx() {
	zt_ns lgwanwan nft list counter inet sink pkts | awk '/packets/ {print $2}'
}

# run_newflows COUNT: rate of COUNT one-packet flows
run_newflows() {
	local before after out secs sent
	zt_gw conntrack -F >/dev/null 2>&1
	before=$(sink_rx)
	out=$(zt_ns lgwan taskset -c "$CPU" "$BENCH/flowgen" "$SRCS" "$DST" "$PORT" "$1")
	sleep 0.5
	after=$(sink_rx)
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	sent=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	echo "$((after - before)) $sent $secs"
}

# sink_setup: count and drop the load in the lgwan-wan leaf before the
# stack would answer it
sink_setup() {
	zt_ns lgwanwan nft -f - <<-NFT
		table inet sink {
			counter pkts { }
			chain pre {
				type filter hook prerouting priority -400;
				udp dport $PORT counter name pkts drop
			}
		}
	NFT
}

# nft_listeners: the sockets of any network namespace on the host that
# listen to NFNLGRP_NFTABLES (group 7: bit 0x40 of the Groups column of
# /proc/PID/net/netlink, protocol 12 NETLINK_NETFILTER), one a line.
# The kernel tests for listeners per protocol, not per namespace, and
# while any exists the commit of every nf_tables transaction, in every
# namespace, builds a notification in an 8 KiB buffer for the elements it
# adds and holds them all until the commit ends (kmalloc-8k grew by 9 GB
# during nft -f of the 100,000-prefix ruleset, by 20 GB at 1M), allocated
# without __GFP_ACCOUNT (so outside any memory cgroup) and inside one
# system call that SIGKILL does not stop.  So the benches load more than
# NFT_LISTENER_MAX prefixes only when this prints nothing.
NFT_LISTENER_MAX=10000
nft_listeners() {
	local p ino seen=' ' sk eth pid groups _
	for p in /proc/[0-9]*; do
		ino=$(readlink "$p/ns/net" 2>/dev/null) || continue
		case $seen in *" $ino "*) continue ;; esac
		seen="$seen$ino "
		while read -r sk eth pid groups _; do
			[ "$eth" = 12 ] && [ $((0x$groups & 0x40)) -ne 0 ] &&
				echo "$ino portid $pid (seen through ${p#/proc/}" \
					"$(cat "$p/comm" 2>/dev/null))"
		done <"$p/net/netlink" 2>/dev/null
	done
	: "$sk"
}

# nft_listeners_say WHAT N: print why WHAT at N prefixes is refused (on
# stderr) and return 1 when N > NFT_LISTENER_MAX and a listener exists
nft_listeners_say() {
	local l
	[ "$2" -gt "$NFT_LISTENER_MAX" ] || return 0
	l=$(nft_listeners)
	[ -n "$l" ] || return 0
	echo "$1: refused at $2 prefixes: a process listens to nftables" \
		"events ($(echo "$l" | head -n 1)$([ "$(echo "$l" | wc -l)" -gt 1 ] &&
		echo ", and $(($(echo "$l" | wc -l) - 1)) more")), so the kernel" \
		"would hold 8 KiB notification buffers for the elements" \
		"(9 GB for nft -f at 100,000 prefixes), outside any memory" \
		"cgroup, in one commit that cannot be stopped" >&2
	return 1
}
