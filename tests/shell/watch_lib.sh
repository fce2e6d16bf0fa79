# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers shared by the watcher tests (tests/shell/watch_*_0), on top of
# lib.sh: find alerts by event word and key=value words in any order.

# wt_find EVENT KEY=VALUE...: print the syslog lines after the mark whose
# event word is EVENT and that hold every KEY=VALUE word given
wt_find() {
	local ev=$1
	shift
	zt_log_since | awk -v ev="$ev" -v want="$*" '
	BEGIN { n = split(want, w, " ") }
	{
		e = 0
		for (i = 1; i < NF; i++)
			if ($i ~ /:$/) { e = i + 1; break }
		if (!e || $e != ev)
			next
		for (j = 1; j <= n; j++) {
			found = 0
			for (i = e + 1; i <= NF; i++)
				if ($i == w[j]) { found = 1; break }
			if (!found)
				next
		}
		print
	}'
}

# wt_count EVENT KEY=VALUE...: how many such lines
wt_count() {
	wt_find "$@" | wc -l
}

# wt_wait TIMEOUT EVENT KEY=VALUE...: wait for such a line; prints the
# first and returns 0, or returns 1 after TIMEOUT seconds
wt_wait() {
	# %.0f, not %d: mawk's %d stops at 2^31 ns, about 2.1 s
	local timeout=$1 end out
	shift
	end=$(($(date +%s%N) + $(echo "$timeout" | awk '{printf "%.0f", $1 * 1e9}')))
	while :; do
		out=$(wt_find "$@")
		if [ -n "$out" ]; then
			echo "$out" | head -n 1
			return 0
		fi
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# wt_val LINE KEY: the value of KEY in the alert LINE
wt_val() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# wt_stream NAME SRC DST PORT SECONDS: a TCP ping-pong stream from leaf
# SRC (SEG.N) to DST (SEG.N or an address) in the background; its verdict
# ("stream ok ..." or "stream fail ...") lands in $ZT_DIR/NAME.out
wt_stream() {
	local name=$1 src=$2 dst=$3 port=$4 secs=$5 fam=4
	case $dst in *:*) fam=6 ;; esac
	zt_bg ip netns exec "$ZT$(zt_seg_of "$src")" "$ZT_PY" "$ZT_TRAFFIC" \
		stream "$(zt_addr "$dst" $fam)" "$port" \
		--src "$(zt_addr "$src" $fam)" --seconds "$secs" --stall 2 \
		--token "wt-$name" >"$ZT_DIR/$name.out" 2>&1
	eval "WT_PID_$name=\$!"
}

# wt_stream_until NAME SRC DST PORT: like wt_stream, but the stream runs
# until wt_stream_stop NAME (at most 600 s): a test that waits on events,
# not on a clock, also holds on a slow (emulated) machine
wt_stream_until() {
	local name=$1 src=$2 dst=$3 port=$4 fam=4
	case $dst in *:*) fam=6 ;; esac
	zt_bg ip netns exec "$ZT$(zt_seg_of "$src")" "$ZT_PY" "$ZT_TRAFFIC" \
		stream "$(zt_addr "$dst" $fam)" "$port" \
		--src "$(zt_addr "$src" $fam)" --seconds 600 --stall 2 \
		--until "$ZT_DIR/$name.stop" --token "wt-$name" \
		>"$ZT_DIR/$name.out" 2>&1
	eval "WT_PID_$name=\$!"
}

# wt_stream_stop NAME: end the stream NAME of wt_stream_until after its
# current round
wt_stream_stop() {
	: >"$ZT_DIR/$1.stop"
}

# wt_stream_alive NAME: the stream NAME is still running
wt_stream_alive() {
	local pid
	eval "pid=\$WT_PID_$1"
	kill -0 "$pid" 2>/dev/null
}

# wt_stream_wait NAME: wait for the stream NAME and set WT_VERDICT to its
# verdict line (not in a $(...) subshell: only this shell can wait for it)
wt_stream_wait() {
	local pid
	eval "pid=\$WT_PID_$1"
	wait "$pid" 2>/dev/null
	WT_VERDICT=$(cat "$ZT_DIR/$1.out")
}

# wt_stream_started NAME: wait (up to 5 s) until the server saw stream NAME
wt_stream_started() {
	local i
	for i in $(seq 100); do
		grep -qs " wt-$1\$" "$ZT_DIR"/serve-*.log && return 0
		sleep 0.05
	done
	return 1
}

# wt_foreign_accept: a table of another tool in the gateway that tracks
# connections and accepts every forwarded packet (conntrack is off in a
# namespace until some rule needs it)
wt_foreign_accept() {
	zt_gw nft -f - <<-'NFT'
	table inet zt_accept_all {
		chain pass {
			type filter hook forward priority 10; policy accept;
			ct state new,established,related counter accept
		}
	}
	NFT
}
