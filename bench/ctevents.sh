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
#   2. zoned in monitor mode: forbidden UDP flows jumin -> naibu, one at a
#      time; time from the packet's send to the violation line in syslog
#      (median and 90th percentile).  Then enforce mode: the same for the
#      deny line of a dropped attempt (NFLOG, 100 ms kernel batching).
#
# Root only; everything runs in namespaces the harness creates.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
O=${1:-${O:-build}}
ZONED=${ZONED:-$(cd "$top/$O" 2>/dev/null && pwd)/zoned}
FLOWGEN=${FLOWGEN:-$(cd "$top/$O" 2>/dev/null && pwd)/bench/flowgen}
export ZONED
FLOWS=${FLOWS:-100000}
PROBES=${PROBES:-40}
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
zt_zoned_start "$ZT_DIR/enforce.conf" || zt_die "zoned did not start"
before=$(zt_gw conntrack -C)
ip netns exec "$ZT_GW" conntrack -E -e NEW -b 33554432 >"$ZT_DIR/ct-e.out" \
	2>"$ZT_DIR/ct-e.err" &
ctpid=$!
sleep 0.5
# CPU time (utime + stime, clock ticks) of a process
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
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

# ------------------------------------------------------------ 2. latency
cat >"$ZT_DIR/lat.py" <<'PY'
import socket, statistics, sys, time
log, event, src, dst, first, n = sys.argv[1], sys.argv[2], sys.argv[3], \
    sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
f = open(log)
f.seek(0, 2)
lat = []
for i in range(n):
    port = first + i
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, port))
    # violations are keyed by source port, denials by destination port
    want = ("sport=%d" % port) if event == "violation" else ("dport=%d" % port)
    t0 = time.monotonic()
    s.sendto(b"lat\n", (dst, port))
    end = t0 + 3
    got = None
    buf = ""
    while time.monotonic() < end and got is None:
        chunk = f.read()
        if chunk:
            buf += chunk
            for line in buf.split("\n"):
                if (" %s " % event) in line and (want + " ") in line + " ":
                    got = time.monotonic() - t0
            buf = buf[buf.rfind("\n") + 1:]
        else:
            time.sleep(0.0005)
    s.close()
    if got is not None:
        lat.append(got * 1000)
    time.sleep(0.05)
if not lat:
    print("%s: no alert seen" % event)
    sys.exit(1)
lat.sort()
print("%s latency over %d/%d flows: median %.1f ms, p90 %.1f ms, max %.1f ms"
      % (event, len(lat), n, statistics.median(lat),
         lat[int(len(lat) * 0.9) - 1 if len(lat) >= 10 else -1], lat[-1]))
PY
zt_gw nft delete table inet zoned 2>/dev/null
zt_zoned_start "$ZT_DIR/monitor.conf" || zt_die "zoned (monitor) did not start"
zt_ns jumin "$ZT_PY" "$ZT_DIR/lat.py" "$ZT_DIR/syslog.log" violation \
	10.1.0.10 10.3.0.10 41000 "$PROBES"
zt_zoned_stop >/dev/null
zt_zoned_start "$ZT_DIR/enforce.conf" || zt_die "zoned (enforce) did not start"
zt_ns jumin "$ZT_PY" "$ZT_DIR/lat.py" "$ZT_DIR/syslog.log" deny \
	10.1.0.11 10.3.0.11 42000 "$PROBES"
zt_zoned_stop >/dev/null
exit 0
