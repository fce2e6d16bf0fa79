# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The ZT_P4_/ZT_P6_ tables are read through eval (zt__addr), and the
# globals are read by the tests that source this file:
# shellcheck disable=SC2034
#
# Namespace test harness for zoned (doc/design.md section 8).  Sourced by the
# tests tests/shell/<name>_0, which are bash scripts run as root by
# tests/shell/run.
#
# The topology: one gateway namespace ($ZT_GW) and one leaf namespace per
# zone and attachment, each joined to the gateway by a veth pair (gateway
# side "gw-<seg>", leaf side "eth0"), with IPv4 and IPv6 addresses from
# private and documentation ranges.  Nothing is ever sent outside these
# namespaces, and the host's nftables, sysctls and /dev/log are never
# touched: zoned runs inside the gateway namespace and inside a private
# mount namespace whose /dev/log is the harness's own syslog receiver.
#
#   seg       tier/kind        IPv4            IPv6              conf networks
#   jumin     resident         10.1.0.0/24     fd00:1::/64       10.1/16 fd00:1::/48
#   lgwan     lgwan            10.2.0.0/24     fd00:2::/64       10.2/16 fd00:2::/48
#   lgwan2    (lgwan, 2nd if)  10.2.1.0/24     fd00:2:0:1::/64   (in lgwan's networks)
#   naibu     internet         10.3.0.0/24     fd00:3::/64       10.3/16 fd00:3::/48
#   lgwanwan  lgwan-wan        172.16.0.0/24   fd00:16::/64      172.16/12 fd00:16::/48
#   pubsys    public-system    198.51.100.0/24 2001:db8:51::/64  same /24, 2001:db8:51::/48
#   seccloud  security-cloud   192.0.2.0/24    2001:db8:2::/64   same /24, 2001:db8:2::/48
#   inet      internet         203.0.113.0/24  2001:db8:113::/64 (none: the catch-all)
#
# The gateway is .1 (::1) on each link; every leaf holds hosts .10 .11 .12
# and .25 (::10 ...) and runs a TCP+UDP echo server on $ZT_PORTS.  lgwan2
# is a second leaf of the lgwan zone (its second interface), so that
# intra-zone traffic crosses the gateway too.
#
# Quick reference (see each function's comment):
#   zt_topology                     build it all, register cleanup
#   zt_conf_std OUT [PROFILE] [MODE] [CHANNELS]   standard config
#   zt_conf TEMPLATE|- OUT          substitute @VAR@ placeholders, 0600 root
#   zt_syslog_start                 /dev/log receiver (zt_topology calls it)
#   zt_zoned_start CONF [ARGS]      start zoned, wait for READY=1
#   zt_zoned_stop                   SIGTERM, exit status, sanitizer check
#   zt_zoned ARGS                   run zoned in the foreground (e.g. -t)
#   zt_zonectl ARGS                 zonectl on the test's socket
#   zt_gw CMD / zt_ns SEG CMD       run a command in a namespace
#   zt_log_mark; zt_wait_log RE [T] wait for a syslog line after the mark
#   zt_expect ok|blocked PROTO SRC DST PORT; zt_plan_run   batched probes
#   zt_tcp_ok / zt_tcp_blocked / zt_udp_ok / zt_udp_blocked SRC DST PORT
#   zt_tcp6_ok ... zt_udp6_blocked  the same over IPv6
#   zt_spoof SRC FORGED DST PORT    forged source, returns 0 if dropped
#   zt_forge SEG SPEC               forged address on a leaf, for zt_expect
#   zt_fail MSG; zt_done            record a failure; exit with the verdict
#
# Addresses are written SEG or SEG.N (host N, default 10), e.g. lgwan.25,
# SEG@ADDR (any address the leaf SEG holds), or as plain addresses (not
# for a source: a probe needs its leaf).  PROTO is tcp, udp, tcp6 or udp6.

ZT_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ZT_SEGS="jumin lgwan lgwan2 naibu lgwanwan pubsys seccloud inet"
ZT_PORTS=${ZT_PORTS:-22,25,80,123,443,3389,5900,8080,8443,9000}
ZT_PROBE_TIMEOUT=${ZT_PROBE_TIMEOUT:-1.5}
ZT_START_TIMEOUT=${ZT_START_TIMEOUT:-30}
ZT_HOSTS="10 11 12 25"

ZT_P4_jumin=10.1.0
ZT_P6_jumin=fd00:1:
ZT_P4_lgwan=10.2.0
ZT_P6_lgwan=fd00:2:
ZT_P4_lgwan2=10.2.1
ZT_P6_lgwan2=fd00:2:0:1:
ZT_P4_naibu=10.3.0
ZT_P6_naibu=fd00:3:
ZT_P4_lgwanwan=172.16.0
ZT_P6_lgwanwan=fd00:16:
ZT_P4_pubsys=198.51.100
ZT_P6_pubsys=2001:db8:51:
ZT_P4_seccloud=192.0.2
ZT_P6_seccloud=2001:db8:2:
ZT_P4_inet=203.0.113
ZT_P6_inet=2001:db8:113:

# The networks each segment declares in the config (tests may override).
: "${ZT_NETS_jumin:=\"10.1.0.0/16\", \"fd00:1::/48\"}"
: "${ZT_NETS_lgwan:=\"10.2.0.0/16\", \"fd00:2::/48\"}"
: "${ZT_NETS_naibu:=\"10.3.0.0/16\", \"fd00:3::/48\"}"
: "${ZT_NETS_lgwanwan:=\"172.16.0.0/12\", \"fd00:16::/48\"}"
: "${ZT_NETS_pubsys:=\"198.51.100.0/24\", \"2001:db8:51::/48\"}"
: "${ZT_NETS_seccloud:=\"192.0.2.0/24\", \"2001:db8:2::/48\"}"
: "${ZT_NETS_inet:=}"
: "${ZT_NETS_lgwan2:=}"

ZT=${ZT:-zt$$-}
ZT_GW=${ZT}gw
ZT_DIR=
ZT_PIDS=
ZT_NSS=
ZT_SYSLOG_PID=
ZT_ZONED_PID=
ZT_ZONED_ERR=
ZT_ZONED_RUNS=0
ZT_LOG_FROM=0
ZT_PROBE_SEQ=0
ZT_FAILURES=0

if [ -x /usr/bin/python3 ]; then
	ZT_PY=/usr/bin/python3
else
	ZT_PY=$(command -v python3)
fi
ZT_TRAFFIC=$ZT_LIBDIR/zt_traffic.py

# ---------------------------------------------------------------- verdicts

# zt_log MSG: a progress line on stdout (the runner shows it on failure)
zt_log() {
	echo "zt: $*"
}

# zt_fail MSG: record a failure and go on; zt_done turns it into exit 1
zt_fail() {
	echo "FAIL: $*"
	ZT_FAILURES=$((ZT_FAILURES + 1))
}

# zt_die MSG: fail and stop the test now
zt_die() {
	echo "FAIL: $*"
	exit 1
}

# zt_skip REASON: exit 77, loudly; in CI a skip is a failure (exit 1)
zt_skip() {
	if [ -n "${CI:-}" ]; then
		echo "FAIL: cannot run in CI: $*"
		exit 1
	fi
	echo "SKIP: $*"
	echo "########################################################" >&2
	echo "## SKIPPED $(basename "$0"): $*" >&2
	echo "## namespace tests need root: sudo make check" >&2
	echo "########################################################" >&2
	exit 77
}

# zt_require_root: skip (exit 77) when not root or tools are missing
zt_require_root() {
	local t
	[ "$(id -u)" -eq 0 ] || zt_skip "not root"
	for t in ip nft unshare nsenter timeout; do
		command -v "$t" >/dev/null || zt_skip "$t not installed"
	done
	[ -n "$ZT_PY" ] || zt_skip "python3 not installed"
	[ -n "${ZONED:-}" ] && [ -x "$ZONED" ] ||
		zt_die "ZONED is not set to the zoned binary (${ZONED:-unset})"
	ZONED=$(cd "$(dirname "$ZONED")" && pwd)/$(basename "$ZONED")
	if [ -n "${ZONECTL:-}" ] && [ -x "$ZONECTL" ]; then
		ZONECTL=$(cd "$(dirname "$ZONECTL")" && pwd)/$(basename "$ZONECTL")
	fi
}

# zt_done: print the verdict and exit (1 if zt_fail was called)
zt_done() {
	if [ "$ZT_FAILURES" -ne 0 ]; then
		echo "$(basename "$0"): $ZT_FAILURES failure(s)"
		exit 1
	fi
	echo "$(basename "$0"): ok"
	exit 0
}

# ---------------------------------------------------------------- topology

# zt_gw CMD...: run CMD in the gateway namespace
zt_gw() {
	ip netns exec "$ZT_GW" "$@"
}

# zt_ns SEG CMD...: run CMD in the leaf namespace of SEG (or "gw")
zt_ns() {
	local seg=$1
	shift
	ip netns exec "$ZT$seg" "$@"
}

# zt_bg CMD...: start CMD in the background and remember its PID for
# cleanup; $! is that PID afterwards.  The background subshell execs CMD,
# so that the PID is CMD's own: a subshell that ran CMD as its child would
# die of zt_cleanup's kill and leave CMD running, holding the runner's
# output open.  A shell function cannot be exec'd: zt_ns and zt_gw are
# run as the ip netns exec they stand for (which execs CMD in turn), any
# other function is refused.
zt_bg() {
	case $1 in
	zt_ns)
		set -- ip netns exec "$ZT$2" "${@:3}"
		;;
	zt_gw)
		set -- ip netns exec "$ZT_GW" "${@:2}"
		;;
	esac
	[ "$(type -t "$1")" = file ] ||
		zt_die "zt_bg: $1 is not a program that can be exec'd"
	exec "$@" &
	ZT_PIDS="$! $ZT_PIDS"
}

zt__netns_add() {
	ip netns add "$1" || zt_die "cannot create namespace $1"
	ZT_NSS="$ZT_NSS $1"
	ip -n "$1" link set lo up
	# Tentative (DAD) addresses cannot be used at once: skip DAD.
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
}

zt__leaf() {
	local seg=$1 ns=$ZT$1 p4 p6 h
	eval "p4=\$ZT_P4_$seg; p6=\$ZT_P6_$seg"
	zt__netns_add "$ns"
	ip -n "$ZT_GW" link add "gw-$seg" type veth peer name eth0 netns "$ns" ||
		zt_die "cannot create veth for $seg"
	ip -n "$ZT_GW" -batch - <<-EOF || zt_die "cannot set up gw-$seg"
		addr add $p4.1/24 dev gw-$seg
		addr add $p6:1/64 dev gw-$seg nodad
		link set gw-$seg up
	EOF
	for h in $ZT_HOSTS; do
		echo "addr add $p4.$h/24 dev eth0"
		echo "addr add $p6:$h/64 dev eth0 nodad"
	done | ip -n "$ns" -batch - || zt_die "cannot address $seg"
	ip -n "$ns" -batch - <<-EOF || zt_die "cannot route $seg"
		link set eth0 up
		route add default via $p4.1
		route add default via $p6:1
	EOF
}

# zt_serve SEG PORTS: start an echo server (TCP+UDP, v4+v6) in SEG
zt_serve() {
	zt__serve "$1" "$2"
	zt__serve_wait "$1" "$2"
}

zt__serve() {
	zt_bg ip netns exec "$ZT$1" "$ZT_PY" "$ZT_TRAFFIC" serve \
		--log "$ZT_DIR/serve-$1.log" --ports "$2" \
		--ready "$ZT_DIR/serve-$1.$2.ready" \
		</dev/null 2>>"$ZT_DIR/serve-$1.err"
}

zt__serve_wait() {
	local i
	for i in $(seq 200); do
		[ -e "$ZT_DIR/serve-$1.$2.ready" ] && return 0
		sleep 0.05
	done
	zt_die "echo server in $1 did not start: $(cat "$ZT_DIR/serve-$1.err")"
}

# zt_topology: build the gateway and all leaves, start the echo servers and
# the syslog receiver, and register zt_cleanup on EXIT, INT and TERM
zt_topology() {
	local seg
	zt_require_root
	ZT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zt.XXXXXX") || zt_die "mktemp"
	chmod 0700 "$ZT_DIR"
	trap zt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	zt__netns_add "$ZT_GW"
	zt_gw sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null
	for seg in $ZT_SEGS; do
		zt__leaf "$seg"
	done
	for seg in $ZT_SEGS; do
		zt__serve "$seg" "$ZT_PORTS"
	done
	for seg in $ZT_SEGS; do
		zt__serve_wait "$seg" "$ZT_PORTS"
	done
	zt_syslog_start
	zt_log "topology ${ZT}* up, work dir $ZT_DIR"
}

# zt_cleanup: stop what the test started (by PID only), delete its
# namespaces and files.  Runs on exit; a sanitizer report or a zoned that
# will not stop turns the exit status into a failure.
zt_cleanup() {
	local rc=$? pid ns i alive
	trap - EXIT INT TERM
	if [ -n "$ZT_ZONED_PID" ]; then
		zt_zoned_stop >/dev/null || rc=1
	fi
	for pid in $ZT_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for i in $(seq 20); do
		alive=
		for pid in $ZT_PIDS; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for pid in $ZT_PIDS; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	# A process still inside the test's namespaces escaped the PID list
	# (a background subshell's child, say): it would outlive the test and
	# keep the runner's output open.  Said, stopped and failed.
	for ns in $ZT_NSS; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			echo "FAIL: left running in $ns: $pid" \
				"$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
			kill -KILL "$pid" 2>/dev/null
			rc=1
		done
	done
	for ns in $ZT_NSS; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "$ZT_DIR" ] && [ -d "$ZT_DIR" ]; then
		if zt__sanitizer_errors "$ZT_DIR"/zoned.*.err; then
			rc=1
		fi
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
			zt__dump_logs
		fi
		if [ -n "${ZT_KEEP:-}" ]; then
			echo "zt: kept $ZT_DIR"
		else
			rm -rf "$ZT_DIR"
		fi
	fi
	exit "$rc"
}

zt__sanitizer_errors() {
	local f found=1
	for f in "$@"; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then
			echo "FAIL: sanitizer report in $(basename "$f"):"
			grep -E -A30 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
				"$f" | head -60
			found=0
		fi
	done
	return $found
}

zt__dump_logs() {
	local f
	for f in "$ZT_DIR"/zoned.*.err "$ZT_DIR"/syslog.log; do
		[ -s "$f" ] || continue
		echo "---- last lines of $(basename "$f")"
		tail -n 40 "$f"
	done
}

# ---------------------------------------------------------------- addresses

# zt__addr SPEC [4|6]: set REPLY to the address of SEG, SEG.N or a literal
# address (no subshell: the matrix tests call it hundreds of times)
zt__addr() {
	local spec=$1 fam=${2:-4} seg host p
	case $spec in
	*@*)
		REPLY=${spec#*@}
		return 0
		;;
	*:* | [0-9]*.[0-9]*.[0-9]*.[0-9]*)
		REPLY=$spec
		return 0
		;;
	esac
	seg=${spec%%.*}
	host=10
	[ "$seg" != "$spec" ] && host=${spec#*.}
	eval "p=\${ZT_P${fam}_$seg:-}"
	[ -n "$p" ] || zt_die "zt_addr: unknown segment '$seg'"
	if [ "$fam" = 6 ]; then
		REPLY=$p:$host
	else
		REPLY=$p.$host
	fi
}

# zt_addr SPEC [4|6]: print the address for SEG, SEG.N or a literal address
zt_addr() {
	zt__addr "$@"
	echo "$REPLY"
}

# zt_seg_of SPEC: the leaf a SEG, SEG.N or SEG@ADDR spec lives in
zt_seg_of() {
	echo "${1%%[.@]*}"
}

# ---------------------------------------------------------------- config

# zt_conf TEMPLATE|- OUT: write OUT (root-owned, 0600) from TEMPLATE (or
# stdin), replacing @IF_seg@ (gateway interface), @A4_seg@ / @A6_seg@
# (host .10), @A4_seg_N@ / @A6_seg_N@ (host N), @NETS_seg@ (the config
# networks), @DIR@ (the test's work dir)
zt_conf() {
	local tpl=$1 out=$2 seg h sedf
	sedf=$ZT_DIR/conf.sed
	: >"$sedf"
	for seg in $ZT_SEGS; do
		echo "s|@IF_${seg}@|gw-$seg|g" >>"$sedf"
		echo "s|@NETS_${seg}@|$(eval echo "\$ZT_NETS_$seg" | sed 's/[|&]/\\&/g')|g" >>"$sedf"
		echo "s|@A4_${seg}@|$(zt_addr "$seg" 4)|g" >>"$sedf"
		echo "s|@A6_${seg}@|$(zt_addr "$seg" 6)|g" >>"$sedf"
		for h in $ZT_HOSTS; do
			echo "s|@A4_${seg}_$h@|$(zt_addr "$seg.$h" 4)|g" >>"$sedf"
			echo "s|@A6_${seg}_$h@|$(zt_addr "$seg.$h" 6)|g" >>"$sedf"
		done
	done
	echo "s|@DIR@|$ZT_DIR|g" >>"$sedf"
	(
		umask 077
		if [ "$tpl" = - ]; then
			sed -f "$sedf" >"$out.tmp"
		else
			sed -f "$sedf" "$tpl" >"$out.tmp"
		fi
	) || return 1
	chown 0:0 "$out.tmp" && chmod 0600 "$out.tmp" && mv -f "$out.tmp" "$out"
}

zt__conf_seg() {
	local seg=$1 key=$2 kind=$3 label=$4 last=$5 nets
	eval "nets=\$ZT_NETS_$seg"
	printf '  { name = "%s"; %s = "%s"; ' "$seg" "$key" "$kind"
	[ -n "$label" ] && printf 'label = "%s"; ' "$label"
	if [ "$seg" = lgwan ]; then
		printf 'interfaces = [ "gw-lgwan", "gw-lgwan2" ]'
	else
		printf 'interfaces = [ "gw-%s" ]' "$seg"
	fi
	[ -n "$nets" ] && printf '; networks = [ %s ]' "$nets"
	printf '; }%s\n' "$last"
}

# zt_extra_28s N: N /28s of 100.64.0.0/10 in address order, one a line
# as 'w "CIDR"' (lgwan-wan's) and 'p "CIDR"' (the public systems') in
# turn, so that no two merge: elements of zoned's hash map net4
zt_extra_28s() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = 100 * 16777216 + 64 * 65536 + i * 16
			printf "%s \"%d.%d.%d.%d/28\"\n", (i % 2) ? "p" : "w",
				int(a / 16777216) % 256, int(a / 65536) % 256,
				int(a / 256) % 256, a % 256
		}
	}'
}

# zt_conf_std OUT [PROFILE] [MODE] [CHANNELS]: the standard config of the
# topology.  CHANNELS is the body of "channels = ( ... );" (libconfig, may
# use @placeholders@, see zt_conf); "-" reads it from stdin.  Profiles other
# than alpha get a profile_approved.  ZT_CONF_EXTRA is appended verbatim;
# ZT_CONF_GATEWAY replaces the gateway block (default: nobody, nowhere).
ZT_GW_NOBODY='gateway = { management = ( ); outbound = ( ); };'
zt_conf_std() {
	local out=$1 profile=${2:-alpha} mode=${3:-enforce} ch=${4:-}
	[ "$ch" = - ] && ch=$(cat)
	{
		echo "# generated by tests/shell/lib.sh for ${ZT}*"
		echo "profile = \"$profile\";"
		[ "$profile" != alpha ] &&
			echo "profile_approved = \"CISO TEST-$profile\";"
		echo "mode = \"$mode\";"
		echo "zones = ("
		zt__conf_seg jumin tier resident "住民情報系" ","
		zt__conf_seg lgwan tier lgwan "LGWAN接続系" ","
		zt__conf_seg naibu tier internet "内部情報系" ""
		echo ");"
		echo "attachments = ("
		zt__conf_seg lgwanwan kind lgwan-wan "" ","
		zt__conf_seg pubsys kind public-system "" ","
		zt__conf_seg seccloud kind security-cloud "" ","
		zt__conf_seg inet kind internet "" ""
		echo ");"
		if [ -n "$ch" ]; then
			echo "channels = ("
			echo "$ch"
			echo ");"
		fi
		echo 'alerts = { facility = "authpriv"; };'
		echo "${ZT_CONF_GATEWAY:-$ZT_GW_NOBODY}"
		[ -n "${ZT_CONF_EXTRA:-}" ] && echo "$ZT_CONF_EXTRA"
	} | zt_conf - "$out"
}

# ---------------------------------------------------------------- syslog

# zt_syslog_start: a private mount namespace whose /dev is a small tmpfs
# (the real device nodes bound in) with the harness's datagram socket at
# /dev/log, so that zoned's syslog(3) lands in $ZT_DIR/syslog.log as
# "facility.severity tag[pid]: message".  The host's /dev and /dev/log are
# not touched.  If the host runs journald, its native socket is hidden the
# same way (journal fields land in $ZT_DIR/journal.log).  The receiver also
# listens on $ZT_DIR/notify.sock for sd_notify (notify.log, "pid=N READY=1").
# With ZT_SYSLOG_STAMPS set (the benchmarks), each line is also written to
# $ZT_DIR/syslog.stamps after the kernel's time of its arrival.
# Every process that must log here is started through zt_in_logns.
zt_syslog_start() {
	local journal='' i token
	[ -n "$ZT_SYSLOG_PID" ] && return 0
	[ -d /run/systemd/journal ] && journal=/run/systemd/journal/socket
	# shellcheck disable=SC2016
	zt_bg unshare -m --propagation private bash -c '
		set -e
		d=$1 nd=$1/newdev
		mkdir -p "$nd"
		mount -t tmpfs -o mode=0755,nosuid zt-dev "$nd"
		for n in null zero full random urandom tty; do
			[ -e "/dev/$n" ] || continue
			touch "$nd/$n"
			mount --bind "/dev/$n" "$nd/$n"
		done
		mkdir "$nd/pts" "$nd/shm"
		[ -d /dev/pts ] && mount --rbind /dev/pts "$nd/pts"
		[ -d /dev/shm ] && mount --bind /dev/shm "$nd/shm"
		ln -s /proc/self/fd "$nd/fd"
		ln -s fd/0 "$nd/stdin"
		ln -s fd/1 "$nd/stdout"
		ln -s fd/2 "$nd/stderr"
		ln -s pts/ptmx "$nd/ptmx"
		mount --move "$nd" /dev
		if [ -n "$4" ]; then
			mount -t tmpfs -o mode=0755 zt-journal /run/systemd/journal
			exec "$2" "$3" syslogd --dir "$d" --journal "$4" $5
		fi
		exec "$2" "$3" syslogd --dir "$d" $5
	' zt-syslogd "$ZT_DIR" "$ZT_PY" "$ZT_TRAFFIC" "$journal" \
		"${ZT_SYSLOG_STAMPS:+--stamps}" \
		</dev/null >"$ZT_DIR/syslogd.err" 2>&1
	ZT_SYSLOG_PID=$!
	for i in $(seq 100); do
		[ -e "$ZT_DIR/syslogd.ready" ] && break
		kill -0 "$ZT_SYSLOG_PID" 2>/dev/null ||
			zt_die "syslog receiver died: $(cat "$ZT_DIR/syslogd.err")"
		sleep 0.05
	done
	[ -e "$ZT_DIR/syslogd.ready" ] || zt_die "syslog receiver did not start"
	# Prove the path end to end, from the namespace zoned will run in.
	token=zt-probe-$$-$RANDOM
	zt_in_logns ip netns exec "$ZT_GW" "$ZT_PY" -c "
import syslog
syslog.openlog('zt-harness', 0, syslog.LOG_AUTHPRIV)
syslog.syslog(syslog.LOG_NOTICE, '$token')" ||
		zt_die "cannot write to /dev/log in the private mount namespace"
	zt_wait_log "^authpriv\.notice zt-harness: $token\$" 5 ||
		zt_die "syslog line did not arrive through /dev/log"
}

# zt_in_logns CMD...: run CMD (exec'd) in the receiver's mount namespace
zt_in_logns() {
	nsenter -t "$ZT_SYSLOG_PID" -m "$@"
}

# zt_log_mark: later zt_wait_log/zt_log_count only look at newer lines
zt_log_mark() {
	ZT_LOG_FROM=$(wc -l <"$ZT_DIR/syslog.log")
}

# zt_log_since: the syslog lines after the mark
zt_log_since() {
	tail -n +"$((ZT_LOG_FROM + 1))" "$ZT_DIR/syslog.log"
}

# zt_wait_log REGEX [TIMEOUT]: wait until a line after the mark matches
# (grep -E); prints it and returns 0, or returns 1 after TIMEOUT seconds
zt_wait_log() {
	local re=$1 timeout=${2:-10} end
	end=$(($(date +%s%N) + ${timeout%.*} * 1000000000))
	while :; do
		if zt_log_since | grep -E -m1 -- "$re"; then
			return 0
		fi
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# zt_log_count REGEX: how many lines after the mark match
zt_log_count() {
	zt_log_since | grep -cE -- "$1"
}

# ---------------------------------------------------------------- zoned

# zt_zoned ARGS: run zoned in the foreground in the gateway namespace (and
# the syslog mount namespace); returns its exit status
zt_zoned() {
	zt_in_logns ip netns exec "$ZT_GW" "$ZONED" "$@"
}

# zt_zoned_start CONF [ARGS]: start zoned -d -f CONF -s $ZT_DIR/zoned.sock
# -S $ZT_DIR/state ARGS in the gateway and wait for READY=1 on the notify socket.  Sets
# ZT_ZONED_PID and ZT_ZONED_ERR (its stderr).  Returns 1 if zoned exits or
# is not ready in $ZT_START_TIMEOUT seconds.
zt_zoned_start() {
	local conf=$1 i
	shift
	[ -z "$ZT_ZONED_PID" ] || zt_die "zt_zoned_start: zoned already running"
	ZT_ZONED_RUNS=$((ZT_ZONED_RUNS + 1))
	ZT_ZONED_ERR=$ZT_DIR/zoned.$ZT_ZONED_RUNS.err
	# Not through zt_in_logns: a backgrounded function would be a subshell
	# and $! its PID, not zoned's.
	NOTIFY_SOCKET=$ZT_DIR/notify.sock nsenter -t "$ZT_SYSLOG_PID" -m \
		ip netns exec "$ZT_GW" "$ZONED" -d -f "$conf" \
		-s "$ZT_DIR/zoned.sock" -S "$ZT_DIR/state" "$@" \
		</dev/null >"$ZT_ZONED_ERR" 2>&1 &
	ZT_ZONED_PID=$!
	for i in $(seq $((ZT_START_TIMEOUT * 10))); do
		if grep -qE "^pid=$ZT_ZONED_PID .*READY=1" "$ZT_DIR/notify.log" \
			2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$ZT_ZONED_PID" 2>/dev/null; then
			wait "$ZT_ZONED_PID"
			echo "zt: zoned exited with status $? before it was ready:"
			tail -n 30 "$ZT_ZONED_ERR"
			ZT_ZONED_PID=
			return 1
		fi
		sleep 0.1
	done
	echo "zt: zoned not ready after ${ZT_START_TIMEOUT}s:"
	tail -n 30 "$ZT_ZONED_ERR"
	return 1
}

# zt_zoned_signal SIG: send SIG to the running zoned
zt_zoned_signal() {
	[ -n "$ZT_ZONED_PID" ] && kill -"$1" "$ZT_ZONED_PID"
}

# zt_zoned_stop: SIGTERM zoned, wait up to 15 s; returns its exit status
# (1 if it had to be killed or printed a sanitizer report)
zt_zoned_stop() {
	local pid=$ZT_ZONED_PID rc i
	[ -n "$pid" ] || return 0
	ZT_ZONED_PID=
	kill -TERM "$pid" 2>/dev/null
	# 60 s: on a loaded shared machine a stop has taken over 15 s; past
	# 15 s say where zoned waits, so that a real hang can be told apart
	for i in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$i" -eq 150 ] &&
			echo "zt: zoned still stopping after 15 s, waiting in" \
				"$(cat "/proc/$pid/wchan" 2>/dev/null)" \
				"$(tr '\n' ' ' <"/proc/$pid/stack" 2>/dev/null)"
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		echo "zt: zoned did not stop on SIGTERM"
		return 1
	fi
	wait "$pid"
	rc=$?
	if zt__sanitizer_errors "$ZT_ZONED_ERR"; then
		return 1
	fi
	return $rc
}

# zt_zonectl ARGS: zonectl talking to the test's zoned
zt_zonectl() {
	"$ZONECTL" -s "$ZT_DIR/zoned.sock" "$@"
}

# zt_nft_table: print the inet zoned table in the gateway (empty if none)
zt_nft_table() {
	zt_gw nft list table inet zoned 2>/dev/null
}

# zt_nft_gen: the ruleset generation of the gateway (NFT_MSG_GETGEN),
# which every commit moves by one
zt_nft_gen() {
	zt_gw "$ZT_PY" -c '
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
s.bind((0, 0))
# NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN, NLM_F_REQUEST
s.send(struct.pack("=IHHIIBBH", 20, (10 << 8) | 16, 1, 1, 0, 0, 0, 0))
d = s.recv(65536)
off = 20
while off + 4 <= len(d):
    alen, atype = struct.unpack_from("=HH", d, off)
    if alen < 4:
        break
    if atype & 0x7fff == 1:  # NFTA_GEN_ID
        print(struct.unpack_from(">I", d, off + 4)[0])
    off += (alen + 3) & ~3
'
}

# ---------------------------------------------------------------- traffic

# zt_expect ok|blocked|arrives PROTO SRC DST PORT [LABEL]: add one probe to
# the plan.  SRC and DST are SEG or SEG.N (or DST an address); the probe is
# sent from SRC's address (bound) to DST.  "ok" means the payload reached
# the server in DST and the echo came back; "blocked" means the connection
# timed out and the server never saw the payload; "arrives" only that the
# server saw it (for sources whose replies are routed elsewhere).
zt_expect() {
	local exp=$1 proto=$2 src=$3 dst=$4 port=$5 label=${6:-} fam=4 p sa
	case $exp in
	ok | blocked | arrives) ;;
	*) zt_die "zt_expect: bad verdict $exp" ;;
	esac
	case $proto in
	tcp | udp) ;;
	tcp6 | udp6) fam=6 ;;
	*) zt_die "zt_expect: bad protocol $proto" ;;
	esac
	p=${proto%6}
	ZT_PROBE_SEQ=$((ZT_PROBE_SEQ + 1))
	zt__addr "$src" "$fam"
	sa=$REPLY
	zt__addr "$dst" "$fam"
	echo "z$$x$ZT_PROBE_SEQ $exp $p ${src%%[.@]*} $sa $REPLY $port ${label:-$proto $src->$dst}" \
		>>"$ZT_DIR/plan"
}

# zt_plan_run: run every probe of the plan at once (one prober per source
# namespace), compare with the expectations, report each mismatch with
# zt_fail and empty the plan.  Returns 0 if all matched.  The plan stays
# in $ZT_DIR/plan.last ("ID VERDICT PROTO SRCSEG SRC DST PORT LABEL"), the
# outcomes in $ZT_DIR/results ("ID ok|timeout|refused|error DETAIL") and
# the payloads the servers saw in $ZT_DIR/received.
zt_plan_run() {
	local plan=$ZT_DIR/plan seg bad=0 total=0 pids='' line
	[ -s "$plan" ] || return 0
	rm -f "$ZT_DIR"/probe-*
	for seg in $(awk '{print $4}' "$plan" | sort -u); do
		awk -v s="$seg" '$4 == s {print $1, $3, $6, $7, $5}' "$plan" \
			>"$ZT_DIR/probe-$seg.in"
		ip netns exec "$ZT$seg" "$ZT_PY" "$ZT_TRAFFIC" probe \
			--timeout "$ZT_PROBE_TIMEOUT" <"$ZT_DIR/probe-$seg.in" \
			>"$ZT_DIR/probe-$seg.out" 2>&1 &
		pids="$pids $!"
	done
	for seg in $pids; do
		wait "$seg"
	done
	cat "$ZT_DIR"/serve-*.log 2>/dev/null | awk '{print $4}' \
		>"$ZT_DIR/received"
	cat "$ZT_DIR"/probe-*.out >"$ZT_DIR/results"
	# One pass: results and received payloads first, then the plan.
	awk '
	FILENAME == ARGV[1] { got[$1] = $2; det[$1] = $3; next }
	FILENAME == ARGV[2] { seen[$1] = 1; next }
	{
		id = $1; want = $2
		label = $8
		for (i = 9; i <= NF; i++)
			label = label " " $i
		g = (id in got) ? got[id] : "nothing"
		if (want == "ok" && g == "ok")
			next
		# the gateway'"'"'s own output hook refuses a local sender: EPERM
		if (want == "blocked" && (g == "timeout" || det[id] == "EPERM") &&
		    !(id in seen))
			next
		if (want == "arrives" && (id in seen))
			next
		printf "%s (%s %s -> %s port %s): expected %s, got %s (%s, payload %s the server)\n", \
			label, $3, $5, $6, $7, want, g, det[id], \
			(id in seen) ? "reached" : "did not reach"
	}' "$ZT_DIR/results" "$ZT_DIR/received" "$plan" >"$ZT_DIR/mismatch" ||
		zt_die "zt_plan_run: cannot compare the results"
	total=$(wc -l <"$plan")
	while IFS= read -r line; do
		bad=$((bad + 1))
		zt_fail "$line"
	done <"$ZT_DIR/mismatch"
	mv -f "$plan" "$plan.last"
	zt_log "probes: $total run, $bad mismatched"
	[ "$bad" -eq 0 ]
}

zt__one() {
	local exp=$1 proto=$2 src=$3 dst=$4 port=$5
	zt_expect "$exp" "$proto" "$src" "$dst" "$port"
	zt_plan_run
}

# zt_tcp_ok SRC DST PORT (and the others): one probe, run at once; they
# call zt_fail on a mismatch and return non-zero
zt_tcp_ok() { zt__one ok tcp "$@"; }
zt_tcp_blocked() { zt__one blocked tcp "$@"; }
zt_udp_ok() { zt__one ok udp "$@"; }
zt_udp_blocked() { zt__one blocked udp "$@"; }
zt_tcp6_ok() { zt__one ok tcp6 "$@"; }
zt_tcp6_blocked() { zt__one blocked tcp6 "$@"; }
zt_udp6_ok() { zt__one ok udp6 "$@"; }
zt_udp6_blocked() { zt__one blocked udp6 "$@"; }

# zt_spoof SRC FORGED DST PORT [PROTO]: from leaf SRC, send a probe whose
# source is FORGED (SEG.N of another segment, or an address), which the
# leaf temporarily holds.  Returns 0 if it was dropped (the server never
# saw it), 1 if it arrived.  Does not call zt_fail itself.
zt_spoof() {
	local src=$1 forged=$2 dst=$3 port=$4 proto=${5:-udp} fam=4 a sseg
	local saved=$ZT_FAILURES id
	case $proto in *6) fam=6 ;; esac
	sseg=$(zt_seg_of "$src")
	a=$(zt_addr "$forged" "$fam")
	if [ "$fam" = 6 ]; then
		ip -n "$ZT$sseg" addr add "$a/128" dev eth0 nodad
	else
		ip -n "$ZT$sseg" addr add "$a/32" dev eth0
	fi
	ZT_PROBE_SEQ=$((ZT_PROBE_SEQ + 1))
	id=z$$x$ZT_PROBE_SEQ
	echo "$id blocked ${proto%6} $sseg $a $(zt_addr "$dst" "$fam") $port spoof $sseg as $a" \
		>>"$ZT_DIR/plan"
	zt_plan_run >/dev/null
	ip -n "$ZT$sseg" addr del "$a/$([ "$fam" = 6 ] && echo 128 || echo 32)" dev eth0
	if [ "$ZT_FAILURES" -ne "$saved" ]; then
		ZT_FAILURES=$saved
		return 1
	fi
	return 0
}

# zt_forge SEG SPEC [4|6]: give leaf SEG an address it does not own (SPEC
# as for zt_addr, e.g. lgwan.99) and print it, for zt_expect SEG@ADDR:
# a packet from it leaves SEG's link with a forged source.  Removed with
# the namespace.
zt_forge() {
	local fam=${3:-4}
	zt__addr "$2" "$fam"
	if [ "$fam" = 6 ]; then
		ip -n "$ZT$1" addr add "$REPLY/128" dev eth0 nodad
	else
		ip -n "$ZT$1" addr add "$REPLY/32" dev eth0
	fi || zt_die "cannot add $REPLY to $1"
	echo "$REPLY"
}

# zt_traffic SEG MODE ARGS: run a zt_traffic.py mode (stream, newconn,
# flood) in SEG in the foreground
zt_traffic() {
	local seg=$1
	shift
	ip netns exec "$ZT$seg" "$ZT_PY" "$ZT_TRAFFIC" "$@"
}

# zt_received_from PORT ADDR: how many TCP accepts and UDP datagrams the
# servers logged on PORT from ADDR
zt_received_from() {
	cat "$ZT_DIR"/serve-*.log 2>/dev/null |
		awk -v p="$1" -v a="$2" '$2 == p && $3 == a && $1 != "tcp"' | wc -l
}

# ---------------------------------------------------------------- matrix

# zt_role SEG: the tier or attachment kind of a leaf, as a letter of the
# doc/design.md section 1 matrix (R L I W P S N)
zt_role() {
	case ${1%%.*} in
	jumin) REPLY=R ;;
	lgwan | lgwan2) REPLY=L ;;
	naibu) REPLY=I ;;
	lgwanwan) REPLY=W ;;
	pubsys) REPLY=P ;;
	seccloud) REPLY=S ;;
	inet) REPLY=N ;;
	*) zt_die "zt_role: unknown segment $1" ;;
	esac
}

# zt_matrix_verdict SRC DST: set REPLY to ok or blocked, the default
# verdict (no channels, every profile) for a new flow from SRC to DST:
# inside one zone allowed; lgwan tier <-> lgwan-wan allowed; internet tier
# -> security-cloud allowed; everything else crossing zones dropped
zt_matrix_verdict() {
	local a b
	zt_role "$1"
	a=$REPLY
	zt_role "$2"
	b=$REPLY
	case $a$b in
	LL | LW | WL | IS) REPLY=ok ;;
	*) REPLY=blocked ;;
	esac
	# Two different segments of one role are two zones, except lgwan2,
	# which is the lgwan zone's second interface.
	case $a$b in RR | II | WW | PP | SS | NN) REPLY=blocked ;; esac
}

# zt_matrix_plan [TCPPORT] [UDPPORT] [VERDICT]: plan a probe for every
# ordered pair of leaves, TCP and UDP, IPv4 and IPv6, expecting the
# default matrix (or VERDICT for every pair, e.g. ok in monitor mode)
zt_matrix_plan() {
	local tport=${1:-443} uport=${2:-123} force=${3:-} s d v
	for s in $ZT_SEGS; do
		for d in $ZT_SEGS; do
			[ "$s" = "$d" ] && continue
			if [ -n "$force" ]; then
				v=$force
			else
				zt_matrix_verdict "$s" "$d"
				v=$REPLY
			fi
			zt_expect "$v" tcp "$s" "$d" "$tport"
			zt_expect "$v" udp "$s" "$d" "$uport"
			zt_expect "$v" tcp6 "$s" "$d" "$tport"
			zt_expect "$v" udp6 "$s" "$d" "$uport"
		done
	done
}

# zt_gw_ifnames_in NS: interfaces named as the gateway's (veth pairs, the
# peers zpeerN) in namespace NS, so that a listing of zoned's table loads
# there: nft resolves set flowbind's interface indexes by name
zt_gw_ifnames_in() {
	local ifn n=0
	for ifn in $(zt_gw ip -o link show |
		awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2 }'); do
		n=$((n + 1))
		ip -n "$1" link add "$ifn" type veth peer name "zpeer$n" ||
			return 1
	done
}
