# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/lib.sh: shell helpers shared by bench/forward.sh and bench/scale.sh,
# sourced after tests/shell/lib.sh.  They read these globals:
#
#   PREFIXES  how many extra prefixes gen_prefixes writes
#   SRCS DST PORT CPU BENCH  the new-flow load of run_newflows (bench/flowgen
#             from the lgwan leaf to the lgwan-wan leaf, on core CPU)

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
