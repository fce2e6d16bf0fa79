#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Traffic and syslog helpers for the namespace tests (tests/shell/lib.sh).

Every mode runs inside a network namespace that the test created; nothing
here ever talks to an address outside those namespaces.

  serve   --log FILE --ports P,P,...     TCP and UDP listeners (v4 and v6) that
                                         log every token they receive and
                                         echo it back
  probe   --timeout S                    read "ID PROTO DST PORT SRC" lines on
                                         stdin, run them all at once, print
                                         "ID RESULT DETAIL"
  stream  DST PORT --seconds S           one long TCP ping-pong stream
  newconn DST PORT --seconds S           new TCP connections back to back
  flood   DST PORT --seconds S           new UDP flows and TCP SYNs back to back
                                         (for forbidden destinations)
  ping    DST --ttl N                    one ICMP echo request with that TTL
                                         (hop limit); prints "reply FROM",
                                         "exceeded FROM", "unreachable FROM"
                                         or "timeout"
  syslogd --dir D [--stamps]             /dev/log, journal and NOTIFY_SOCKET
                                         receiver (in a private mount ns);
                                         --stamps also writes each alert
                                         line with the kernel's time of
                                         its arrival to syslog.stamps
"""

import argparse
import errno
import os
import re
import select
import socket
import sys
import threading
import time

LOCK = threading.Lock()


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def log_line(f, text):
    with LOCK:
        f.write(text + "\n")
        f.flush()


# ---------------------------------------------------------------- serve

def serve_tcp_conn(conn, peer, port, logf):
    conn.settimeout(10)
    try:
        log_line(logf, "tcp-accept %d %s" % (port, peer[0]))
        buf = b""
        while b"\n" not in buf:
            data = conn.recv(4096)
            if not data:
                return
            buf += data
        line, _, rest = buf.partition(b"\n")
        words = line.decode(errors="replace").split()
        if len(words) == 2 and words[0] == "stream":
            log_line(logf, "tcp %d %s %s" % (port, peer[0], words[1]))
            serve_stream(conn, rest)
            return
        token = words[0] if words else "-"
        log_line(logf, "tcp %d %s %s" % (port, peer[0], token))
        conn.sendall(("ok %s\n" % token).encode())
    except OSError:
        pass
    finally:
        conn.close()


def serve_stream(conn, rest):
    """Echo everything back until the client closes."""
    conn.settimeout(30)
    if rest:
        conn.sendall(rest)
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


def bind_dual(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    return s


IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)


def bind_udp(fam, port):
    """A UDP socket that learns each datagram's destination address."""
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
        s.bind(("::", port))
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        s.bind(("0.0.0.0", port))
    return s


def udp_echo(s, port, logf):
    """Echo a datagram from the address it was sent to.

    A socket bound to the wildcard would answer from whatever source the
    routing picks; from another of the leaf's addresses that answer is a
    new flow, not a reply, and the gateway rightly drops it.
    """
    data, anc, _, peer = s.recvmsg(65536, 256)
    token = data.decode(errors="replace").split()
    token = token[0] if token else "-"
    log_line(logf, "udp %d %s %s" % (port, unmap(peer[0]), token))
    reply = []
    for level, typ, cdata in anc:
        if level == socket.IPPROTO_IP and typ == IP_PKTINFO:
            # struct in_pktinfo: ifindex, spec_dst, addr -> send from addr
            reply = [(socket.IPPROTO_IP, IP_PKTINFO,
                      b"\0" * 4 + cdata[8:12] + b"\0" * 4)]
        elif level == socket.IPPROTO_IPV6 and typ == socket.IPV6_PKTINFO:
            # struct in6_pktinfo: addr, ifindex -> send from addr
            reply = [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO,
                      cdata[0:16] + b"\0" * 4)]
    try:
        s.sendmsg([("ok %s\n" % token).encode()], reply, 0, peer)
    except OSError:
        pass


def unmap(addr):
    return addr[7:] if addr.startswith("::ffff:") else addr


def cmd_serve(args):
    logf = open(args.log, "a")
    ports = [int(p) for p in args.ports.split(",") if p]
    socks = {}
    for port in ports:
        t = bind_dual(socket.SOCK_STREAM, port)
        t.listen(128)
        socks[t.fileno()] = ("tcp", port, t)
        for fam in (socket.AF_INET, socket.AF_INET6):
            u = bind_udp(fam, port)
            socks[u.fileno()] = ("udp", port, u)
    if args.ready:
        open(args.ready, "w").close()
    poller = select.poll()
    for fd in socks:
        poller.register(fd, select.POLLIN)
    while True:
        for fd, _ in poller.poll():
            kind, port, s = socks[fd]
            if kind == "udp":
                udp_echo(s, port, logf)
                continue
            conn, peer = s.accept()
            peer = (unmap(peer[0]),) + peer[1:]
            threading.Thread(target=serve_tcp_conn, daemon=True,
                             args=(conn, peer, port, logf)).start()


# ---------------------------------------------------------------- probe

def make_sock(dst, kind, src):
    s = socket.socket(family_of(dst), kind)
    if src and src != "-":
        s.bind((src, 0))
    return s


def probe_tcp(dst, port, src, token, timeout):
    s = make_sock(dst, socket.SOCK_STREAM, src)
    s.settimeout(timeout)
    try:
        s.connect((dst, port))
        s.sendall((token + "\n").encode())
        buf = b""
        while b"\n" not in buf:
            data = s.recv(4096)
            if not data:
                break
            buf += data
        if buf.decode(errors="replace").strip() == "ok " + token:
            return "ok", "echoed"
        return "error", "bad-reply:%r" % buf[:40]
    except socket.timeout:
        return "timeout", "-"
    except ConnectionRefusedError:
        return "refused", "-"
    except OSError as e:
        return "error", errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def probe_udp(dst, port, src, token, timeout):
    s = make_sock(dst, socket.SOCK_DGRAM, src)
    deadline = time.monotonic() + timeout
    # UDP has no retransmission of its own: resend the same token every
    # 250 ms, so that one datagram lost in a burst does not fail a probe.
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout", "-"
            s.sendto((token + "\n").encode(), (dst, port))
            s.settimeout(min(left, 0.25))
            try:
                data = s.recv(4096)
            except socket.timeout:
                continue
            if data.decode(errors="replace").strip() == "ok " + token:
                return "ok", "echoed"
    except ConnectionRefusedError:
        return "refused", "-"
    except OSError as e:
        return "error", errno.errorcode.get(e.errno, str(e.errno))
    finally:
        s.close()


def cmd_probe(args):
    jobs = []
    for line in sys.stdin:
        w = line.split()
        if len(w) < 5:
            continue
        jobs.append(w[:5])
    results = {}

    def run(job):
        pid, proto, dst, port, src = job
        fn = probe_tcp if proto == "tcp" else probe_udp
        results[pid] = fn(dst, int(port), src, pid, args.timeout)

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for job in jobs:
        res, detail = results[job[0]]
        print(job[0], res, detail)


# ---------------------------------------------------------------- streams

def cmd_stream(args):
    """A TCP ping-pong that must never stall: prints "stream ok" or why not."""
    s = make_sock(args.dst, socket.SOCK_STREAM, args.src)
    s.settimeout(args.stall)
    chunk = b"z" * 1024
    rounds = 0
    worst = 0.0
    try:
        s.connect((args.dst, args.port))
        s.sendall(("stream %s\n" % args.token).encode())
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            # --until: the test says when it has seen enough, not a clock
            if args.until and os.path.exists(args.until):
                break
            t0 = time.monotonic()
            s.sendall(chunk)
            got = 0
            while got < len(chunk):
                data = s.recv(len(chunk) - got)
                if not data:
                    raise ConnectionResetError("closed by peer")
                got += len(data)
            worst = max(worst, time.monotonic() - t0)
            rounds += 1
            time.sleep(0.005)
    except (OSError, socket.timeout) as e:
        print("stream fail rounds=%d worst_ms=%d error=%s" %
              (rounds, worst * 1000, type(e).__name__))
        return 1
    finally:
        s.close()
    print("stream ok rounds=%d worst_ms=%d" % (rounds, worst * 1000))
    return 0


def cmd_newconn(args):
    """New allowed TCP connections back to back; all must succeed quickly."""
    n = 0
    bad = 0
    worst = 0.0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        res, _ = probe_tcp(args.dst, args.port, args.src,
                           "%s-%d" % (args.token, n), args.stall)
        dt = time.monotonic() - t0
        worst = max(worst, dt)
        n += 1
        # A dropped SYN is retransmitted after 1 s: that is a cut, too.
        if res != "ok" or dt >= 0.9:
            bad += 1
        time.sleep(0.01)
    print("newconn %s count=%d bad=%d worst_ms=%d" %
          ("ok" if bad == 0 and n > 0 else "fail", n, bad, worst * 1000))
    return 0 if bad == 0 and n > 0 else 1


def cmd_flood(args):
    """New UDP flows and TCP SYNs to a forbidden destination, back to back.

    Whether anything got through is read from the server's log, not here.
    """
    fam = family_of(args.dst)
    pending = []
    n = 0
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        u = make_sock(args.dst, socket.SOCK_DGRAM, args.src)
        try:
            u.sendto(("%s-u%d\n" % (args.token, n)).encode(),
                     (args.dst, args.port))
        except OSError:
            pass
        u.close()
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setblocking(False)
        if args.src and args.src != "-":
            t.bind((args.src, 0))
        try:
            t.connect((args.dst, args.port))
        except OSError:
            pass
        pending.append(t)
        if len(pending) > 200:
            pending.pop(0).close()
        n += 1
        time.sleep(0.004)
    time.sleep(0.5)
    for t in pending:
        t.close()
    print("flood sent=%d" % n)
    return 0


# ---------------------------------------------------------------- syslogd

FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
              "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit",
              "alert", "clock", "local0", "local1", "local2", "local3",
              "local4", "local5", "local6", "local7"]
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info",
              "debug"]
SYSLOG_RE = re.compile(r"^<(\d+)>(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )?(.*)$",
                       re.S)


def syslog_text(data):
    """'<PRI>TIMESTAMP tag: msg' -> 'facility.severity tag: msg'."""
    text = data.decode("utf-8", errors="replace").rstrip("\n\0")
    m = SYSLOG_RE.match(text)
    if not m:
        return "unknown.unknown " + text
    pri = int(m.group(1))
    fac = FACILITIES[pri >> 3] if (pri >> 3) < len(FACILITIES) else "?"
    return "%s.%s %s" % (fac, SEVERITIES[pri & 7], m.group(2))


def journal_text(data):
    """Native journal datagram -> one 'KEY=value KEY=value' line."""
    fields = []
    i = 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            nl = len(data)
        line = data[i:nl]
        if b"=" in line:
            fields.append(line.decode("utf-8", errors="replace"))
            i = nl + 1
            continue
        # KEY\n<le64 size><value>\n
        key = line.decode(errors="replace")
        size = int.from_bytes(data[nl + 1:nl + 9], "little")
        val = data[nl + 9:nl + 9 + size].decode("utf-8", errors="replace")
        fields.append("%s=%s" % (key, val.replace("\n", "\\n")))
        i = nl + 9 + size + 1
    return " ".join(fields)


def journal_syslog_line(data, anc):
    """A native journal datagram as the line journald would forward to
    syslog ('facility.severity ident[pid]: MESSAGE'), so that tests read
    alerts from syslog.log whether or not the host runs journald."""
    fields = {}
    i = 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            nl = len(data)
        line = data[i:nl]
        if b"=" in line:
            key, _, val = line.partition(b"=")
            i = nl + 1
        else:
            size = int.from_bytes(data[nl + 1:nl + 9], "little")
            key, val = line, data[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        fields[key.decode(errors="replace")] = \
            val.decode("utf-8", errors="replace")
    pid = "?"
    for level, typ, cdata in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = str(int.from_bytes(cdata[0:4], "little"))
    fac = int(fields.get("SYSLOG_FACILITY", "1"))
    sev = int(fields.get("PRIORITY", "6")) & 7
    return "%s.%s %s[%s]: %s" % (
        FACILITIES[fac] if fac < len(FACILITIES) else "?", SEVERITIES[sev],
        fields.get("SYSLOG_IDENTIFIER", "?"), pid, fields.get("MESSAGE", ""))


def bind_dgram(path, passcred=False):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if passcred:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(path)
    os.chmod(path, 0o666)
    return s


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def rx_stamp(anc):
    """The SO_TIMESTAMPNS of a datagram as 'SEC.NSEC', or the time now."""
    for level, typ, cdata in anc:
        if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and \
                len(cdata) >= 16:
            sec = int.from_bytes(cdata[0:8], "little")
            nsec = int.from_bytes(cdata[8:16], "little")
            return "%d.%09d" % (sec, nsec)
    t = time.time_ns()
    return "%d.%09d" % (t // 1000000000, t % 1000000000)


def cmd_syslogd(args):
    socks = {}
    out = {}
    socks["syslog"] = bind_dgram("/dev/log")
    out["syslog"] = open(os.path.join(args.dir, "syslog.log"), "a")
    if args.journal:
        socks["journal"] = bind_dgram(args.journal, True)
        out["journal"] = open(os.path.join(args.dir, "journal.log"), "a")
    socks["notify"] = bind_dgram(os.path.join(args.dir, "notify.sock"), True)
    out["notify"] = open(os.path.join(args.dir, "notify.log"), "a")
    byfd = {s.fileno(): k for k, s in socks.items()}
    stamps = None
    if args.stamps:
        # The kernel's receive time (CLOCK_REALTIME), taken when the line
        # is queued on the socket: the receiver's own delay is left out.
        for k in ("syslog", "journal"):
            if k in socks:
                socks[k].setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        stamps = open(os.path.join(args.dir, "syslog.stamps"), "a")
    open(os.path.join(args.dir, "syslogd.ready"), "w").close()
    poller = select.poll()
    for fd in byfd:
        poller.register(fd, select.POLLIN)
    credsz = socket.CMSG_SPACE(12)
    while True:
        for fd, _ in poller.poll():
            kind = byfd[fd]
            data, anc, _, _ = socks[kind].recvmsg(1 << 20, credsz + 64)
            line = None
            if kind == "syslog":
                text = syslog_text(data)
                line = text
            elif kind == "journal":
                text = journal_text(data)
                line = journal_syslog_line(data, anc)
                out["syslog"].write(line + "\n")
                out["syslog"].flush()
            else:
                pid = "?"
                for level, typ, cdata in anc:
                    if level == socket.SOL_SOCKET and \
                            typ == socket.SCM_CREDENTIALS:
                        pid = str(int.from_bytes(cdata[0:4], "little"))
                text = "pid=%s %s" % (pid, " ".join(
                    data.decode(errors="replace").split("\n")))
            out[kind].write(text + "\n")
            out[kind].flush()
            if stamps is not None and line is not None:
                stamps.write("%s %s\n" % (rx_stamp(anc), line))
                stamps.flush()


# ---------------------------------------------------------------- ping

def icmp_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big")
                for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return (~total) & 0xffff


def cmd_ping(args):
    """One echo request with a given TTL, as ping -t and traceroute send
    it; what comes back is classified by its ICMP type (raw socket: the
    tests run as root)."""
    v6 = ":" in args.dst
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
    s = socket.socket(fam, socket.SOCK_RAW, proto)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, args.ttl)
    else:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, args.ttl)
    ident = os.getpid() & 0xffff
    body = bytes([128 if v6 else 8, 0, 0, 0]) + ident.to_bytes(2, "big") + \
        (1).to_bytes(2, "big") + b"zt-ping"
    if not v6:
        body = body[:2] + icmp_checksum(body).to_bytes(2, "big") + body[4:]
    s.sendto(body, (args.dst, 0))
    end = time.monotonic() + args.timeout
    kinds6 = {129: "reply", 3: "exceeded", 1: "unreachable"}
    kinds4 = {0: "reply", 11: "exceeded", 3: "unreachable"}
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            print("timeout")
            return 1
        data, peer = s.recvfrom(2048)
        if not v6:
            data = data[(data[0] & 0x0f) * 4:]
        kind = (kinds6 if v6 else kinds4).get(data[0])
        if kind == "reply" and data[4:6] != ident.to_bytes(2, "big"):
            continue
        if kind is None:
            continue
        print(kind, peer[0])
        return 0


# ---------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--log", required=True)
    s.add_argument("--ports", required=True)
    s.add_argument("--ready")
    s = sub.add_parser("probe")
    s.add_argument("--timeout", type=float, default=1.5)
    for name in ("stream", "newconn", "flood"):
        s = sub.add_parser(name)
        s.add_argument("dst")
        s.add_argument("port", type=int)
        s.add_argument("--src", default="-")
        s.add_argument("--seconds", type=float, default=5)
        s.add_argument("--stall", type=float, default=3)
        s.add_argument("--token", default="zt-" + name)
        if name == "stream":
            # stop once this file exists (--seconds stays the upper bound)
            s.add_argument("--until")
    s = sub.add_parser("ping")
    s.add_argument("dst")
    s.add_argument("--ttl", type=int, default=64)
    s.add_argument("--timeout", type=float, default=3)
    s = sub.add_parser("syslogd")
    s.add_argument("--dir", required=True)
    s.add_argument("--journal")
    s.add_argument("--stamps", action="store_true")
    args = p.parse_args()
    fn = {"serve": cmd_serve, "probe": cmd_probe, "stream": cmd_stream,
          "newconn": cmd_newconn, "flood": cmd_flood, "ping": cmd_ping,
          "syslogd": cmd_syslogd}[args.cmd]
    sys.exit(fn(args) or 0)


if __name__ == "__main__":
    main()
