#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/ctlat.py: the timing half of bench/ctevents.sh.
#
#   alert STAMPS EVENT SRC DST FIRST N [GAP]
#       N forbidden UDP flows SRC -> DST, one at a time, GAP seconds apart
#       (default 0.02), flow i from port FIRST + i; waits for the EVENT
#       line of each in STAMPS (the harness's syslog.stamps: the kernel's
#       time each line reached the syslog socket) and prints the time from
#       the packet's send to that arrival: median, p99, max, and how many
#       never came within 2 s ("lost"; a deny line over its class's
#       budget is only counted in a count= summary, so it is "lost" here).
#   sink PORT OUT
#       receive UDP on PORT; write "SEND_NS" (the sender's stamp) of each
#       datagram to OUT
#   source DST PORT SPORT GAP
#       send "time_ns" datagrams to DST:PORT from SPORT every GAP seconds
#       until killed
#   drift FLUSHES LEAKS [STAMPS]
#       FLUSHES: "T0 T1" per `nft flush ruleset` (before, after); LEAKS:
#       the sink's file.  For each flush, the forbidden packets that
#       crossed after it (and before the next): the table was gone from the
#       first to the last of them.  Prints p50, p95, max of that window,
#       and with STAMPS, of the time from the first of them to the drift
#       line's arrival in the syslog socket.
#
# Times are CLOCK_REALTIME in ns: the kernel stamps syslog datagrams with
# it, and it is shared by all network namespaces.
import socket
import statistics
import sys
import time


def pct(sorted_vals, p):
    """Nearest-rank percentile of a sorted list."""
    k = max(0, min(len(sorted_vals) - 1,
                   int(-(-p * len(sorted_vals) // 100)) - 1))
    return sorted_vals[k]


def cmd_alert(stamps, event, src, dst, first, n, gap=0.02):
    first, n, gap = int(first), int(n), float(gap)
    f = open(stamps)
    f.seek(0, 2)
    buf = ""
    seen = {}
    sent = {}
    word = " %s " % event
    key = "sport" if event == "violation" else "dport"

    def read_lines():
        nonlocal buf
        chunk = f.read()
        if not chunk:
            return
        buf += chunk
        lines = buf.split("\n")
        buf = lines.pop()
        for line in lines:
            stamp, _, text = line.partition(" ")
            if word not in text:
                continue
            for tok in text.split():
                if tok.startswith(key + "="):
                    try:
                        port = int(tok[len(key) + 1:])
                    except ValueError:
                        continue
                    if port not in seen:
                        sec, _, ns = stamp.partition(".")
                        seen[port] = int(sec) * 1000000000 + int(ns)

    for i in range(n):
        port = first + i
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, port))
        sent[port] = time.time_ns()
        s.sendto(b"lat\n", (dst, port))
        s.close()
        end = time.monotonic() + gap
        while time.monotonic() < end:
            read_lines()
            time.sleep(0.001)
    end = time.monotonic() + 2
    while len(seen) < n and time.monotonic() < end:
        read_lines()
        time.sleep(0.01)
    lat = sorted((seen[p] - sent[p]) / 1e6 for p in sent if p in seen)
    lost = n - len(lat)
    if not lat:
        print("%s: no alert seen (lost %d/%d)" % (event, lost, n))
        return 1
    print("%s latency over %d flows: median %.2f ms, p99 %.2f ms, "
          "max %.2f ms, lost %d" % (event, n, statistics.median(lat),
                                    pct(lat, 99), lat[-1], lost))
    return 0


def cmd_sink(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    f = open(out, "a")
    while True:
        data = s.recv(64)
        f.write(data.decode(errors="replace").strip() + "\n")
        f.flush()


def cmd_source(dst, port, sport, gap):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sport)))
    gap = float(gap)
    while True:
        try:
            s.sendto(b"%d\n" % time.time_ns(), (dst, int(port)))
        except OSError:
            pass
        time.sleep(gap)


def cmd_drift(flushes, leaks, stamps=None):
    fl = []
    for line in open(flushes):
        t0, t1 = line.split()
        fl.append((int(t0), int(t1)))
    lk = sorted(int(x) for x in open(leaks).read().split() if x.isdigit())
    drift = []
    if stamps:
        for line in open(stamps):
            stamp, _, text = line.partition(" ")
            if " drift " in text and "action=restored" in text:
                sec, _, ns = stamp.partition(".")
                drift.append(int(sec) * 1000000000 + int(ns))
    alert = []
    wins = []
    nft = []
    none = 0
    for i, (t0, t1) in enumerate(fl):
        nxt = fl[i + 1][0] if i + 1 < len(fl) else float("inf")
        got = [t for t in lk if t0 <= t < nxt]
        nft.append((t1 - t0) / 1e6)
        if not got:
            none += 1
            wins.append(0.0)
            continue
        wins.append((got[-1] - got[0]) / 1e6)
        d = [t for t in drift if got[0] <= t < nxt]
        if d:
            alert.append((d[0] - got[0]) / 1e6)
    if not wins:
        print("drift: no flush recorded")
        return 1
    wins.sort()
    print("drift repair over %d flushes (table gone, as traffic shows): "
          "p50 %.1f ms, p95 %.1f ms, max %.1f ms; %d with no packet through; "
          "nft flush ruleset itself took %.1f ms median"
          % (len(wins), statistics.median(wins), pct(wins, 95), wins[-1],
             none, statistics.median(nft)))
    if alert:
        alert.sort()
        print("drift alert (first packet through to the drift line) over %d "
              "flushes: p50 %.1f ms, p95 %.1f ms, max %.1f ms"
              % (len(alert), statistics.median(alert), pct(alert, 95),
                 alert[-1]))
    return 0


if __name__ == "__main__":
    cmds = {"alert": cmd_alert, "sink": cmd_sink, "source": cmd_source,
            "drift": cmd_drift}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__ if __doc__ else "usage: ctlat.py CMD ...")
    sys.exit(cmds[sys.argv[1]](*sys.argv[2:]) or 0)
