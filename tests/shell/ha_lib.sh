# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034
#
# A gateway pair for the namespace tests (sourced after lib.sh): two
# gateway namespaces ${ZT}gw1 and ${ZT}gw2 that share each segment's link
# through a bridge in ${ZT}br, and a sync link of their own:
#
#   leaf SEG  eth0 --- l-SEG  [br-SEG in ${ZT}br]  g1-SEG --- gw-SEG  gw1
#                                                  g2-SEG --- gw-SEG  gw2
#   gw1 sync0 10.255.0.1/24 ----------------------- sync0 10.255.0.2/24 gw2
#
# The segments' gateway address (.1 of lib.sh's table, IPv4 only) is the
# virtual address keepalived moves; the gateways hold no other address on
# the segments.  keepalived, conntrackd and zoned run in each gateway with
# their files, pid files and sockets in $ZT_DIR, configured from the
# examples in conf/ (sed substitutions only, so that the shipped files are
# what runs), and are stopped by PID.  Nothing leaves the namespaces.
#
#   ha_topology SEG...        build it, register cleanup (lib.sh's)
#   ha_conntrackd_start N     conntrackd in gwN (foreground)
#   ha_keepalived_start N PRIO  keepalived in gwN (foreground, VRRP only)
#   ha_zoned_start N CONF     zoned in gwN, wait for READY=1
#   ha_gw N CMD...            run CMD in gwN
#   ha_zonectl N ARGS         zonectl on gwN's zoned
#   ha_holds N                gwN holds the virtual addresses
#   ha_wait_master N T        wait T seconds for it

HA_SEGS=
HA_TOP=$(cd "$ZT_LIBDIR/../.." && pwd)
HA_ADVERT=1		# keepalived's advert_int, seconds (conf/keepalived.conf)
declare -A HA_PID

ha_gw() {
	local n=$1
	shift
	ip netns exec "${ZT}gw$n" "$@"
}

# ha_topology SEG...: the pair, a bridge per segment, a leaf per segment
# with lib.sh's hosts and echo servers, and the syslog receiver
ha_topology() {
	local seg n p4 h
	zt_require_root
	ZT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zt.XXXXXX") || zt_die "mktemp"
	chmod 0700 "$ZT_DIR"
	trap zt_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	HA_SEGS="$*"
	ZT_GW=${ZT}gw1
	zt__netns_add "${ZT}br"
	for n in 1 2; do
		zt__netns_add "${ZT}gw$n"
		ha_gw "$n" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 >/dev/null
	done
	ip -n "${ZT}gw1" link add sync0 type veth peer name sync0 \
		netns "${ZT}gw2" || zt_die "cannot create the sync link"
	for n in 1 2; do
		ip -n "${ZT}gw$n" addr add "10.255.0.$n/24" dev sync0
		ip -n "${ZT}gw$n" link set sync0 up
	done
	for seg in $HA_SEGS; do
		eval "p4=\$ZT_P4_$seg"
		ip -n "${ZT}br" link add "br-$seg" type bridge ||
			zt_die "cannot create br-$seg"
		ip -n "${ZT}br" link set "br-$seg" up
		for n in 1 2; do
			ip -n "${ZT}br" link add "g$n-$seg" type veth peer \
				name "gw-$seg" netns "${ZT}gw$n" ||
				zt_die "cannot link gw$n to $seg"
			ip -n "${ZT}br" link set "g$n-$seg" master "br-$seg" up
			ip -n "${ZT}gw$n" link set "gw-$seg" up
		done
		zt__netns_add "$ZT$seg"
		ip -n "${ZT}br" link add "l-$seg" type veth peer name eth0 \
			netns "$ZT$seg" || zt_die "cannot link the $seg leaf"
		ip -n "${ZT}br" link set "l-$seg" master "br-$seg" up
		for h in $ZT_HOSTS; do
			echo "addr add $p4.$h/24 dev eth0"
		done | ip -n "$ZT$seg" -batch - || zt_die "cannot address $seg"
		ip -n "$ZT$seg" link set eth0 up
		ip -n "$ZT$seg" route add default via "$p4.1" ||
			zt_die "cannot route $seg"
		zt__serve "$seg" "$ZT_PORTS"
	done
	for seg in $HA_SEGS; do
		zt__serve_wait "$seg" "$ZT_PORTS"
	done
	zt_syslog_start
	umask 077
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$ZT_DIR/ha.key"
	zt_log "pair ${ZT}gw1/${ZT}gw2 up, segments $HA_SEGS, work dir $ZT_DIR"
}

# ha__bg N NAME CMD...: start CMD in gwN and the log mount namespace,
# stdout/stderr to $ZT_DIR/NAME.gwN.err; HA_PID[NAME.N] is its PID
ha__bg() {
	local n=$1 name=$2
	shift 2
	nsenter -t "$ZT_SYSLOG_PID" -m ip netns exec "${ZT}gw$n" "$@" \
		</dev/null >"$ZT_DIR/$name.gw$n.err" 2>&1 &
	HA_PID[$name.$n]=$!
	ZT_PIDS="$! $ZT_PIDS"
}

# ha_conntrackd_conf N: conf/conntrackd.conf for gwN
ha_conntrackd_conf() {
	local n=$1 me=10.255.0.$1 peer=10.255.0.$((3 - $1))
	sed -e "s|IPv4_address 10.255.0.1\t|IPv4_address $me\t|" \
		-e "s|IPv4_Destination_Address 10.255.0.2|IPv4_Destination_Address $peer|" \
		-e "s|Interface eth9|Interface sync0|" \
		-e "s|LockFile /var/lock/conntrack.lock|LockFile $ZT_DIR/ct.gw$n.lock|" \
		-e "s|Path /var/run/conntrackd.ctl|Path $ZT_DIR/ct.gw$n.ctl|" \
		"$HA_TOP/conf/conntrackd.conf" >"$ZT_DIR/conntrackd.gw$n.conf"
	grep -q "IPv4_address $me" "$ZT_DIR/conntrackd.gw$n.conf" &&
		grep -q "Path $ZT_DIR/ct.gw$n.ctl" "$ZT_DIR/conntrackd.gw$n.conf" ||
		zt_die "conf/conntrackd.conf no longer has the lines the test rewrites"
}

ha_conntrackd_start() {
	local n=$1 i
	ha_conntrackd_conf "$n"
	ha__bg "$n" conntrackd conntrackd -C "$ZT_DIR/conntrackd.gw$n.conf"
	for i in $(seq 100); do
		[ -S "$ZT_DIR/ct.gw$n.ctl" ] && return 0
		kill -0 "${HA_PID[conntrackd.$n]}" 2>/dev/null ||
			zt_die "conntrackd in gw$n died: $(cat "$ZT_DIR/conntrackd.gw$n.err")"
		sleep 0.05
	done
	zt_die "conntrackd in gw$n did not start"
}

# ha_keepalived_conf N PRIO: conf/keepalived.conf for gwN, the segments'
# interfaces in place of eth1..eth3 (lib.sh's first three segments)
ha_keepalived_conf() {
	local n=$1 prio=$2 i=1 seg p4 sedf
	sedf=$ZT_DIR/ka.gw$n.sed
	{
		echo "s|router_id zoned-gw1|router_id zoned-gw$n|"
		echo "s|interface eth9|interface sync0|"
		echo "s|priority 150|priority $prio|"
		echo "s|advert_int 1\t|advert_int $HA_ADVERT\t|"
		# the test dir's path is not the root-only path keepalived's
		# script security wants
		echo "/enable_script_security/d"
		echo "s|\"/etc/zoned/ha-notify \\([a-z]*\\)\"|\"$HA_TOP/conf/ha-notify \\1 $ZT_DIR/conntrackd.gw$n.conf\"|"
		# more segments than the example's three: more addresses (the
		# appends first, while the lines still read eth3)
		for seg in $HA_SEGS; do
			if [ $i -gt 3 ]; then
				eval "p4=\$ZT_P4_$seg"
				echo "/^\t\t10.3.0.1\/16 dev eth3\$/a $p4.1/24 dev gw-$seg"
				echo "/^\t\teth3\$/a gw-$seg"
			fi
			i=$((i + 1))
		done
		i=1
		for seg in $HA_SEGS; do
			[ $i -le 3 ] || break
			echo "s|dev eth$i\$|dev gw-$seg|"
			echo "s|^\t\teth$i\$|\t\tgw-$seg|"
			i=$((i + 1))
		done
		echo "s|/16 dev|/24 dev|"
	} >"$sedf"
	sed -f "$sedf" "$HA_TOP/conf/keepalived.conf" >"$ZT_DIR/keepalived.gw$n.conf"
	grep -q "interface sync0" "$ZT_DIR/keepalived.gw$n.conf" &&
		grep -q "ha-notify primary $ZT_DIR" "$ZT_DIR/keepalived.gw$n.conf" ||
		zt_die "conf/keepalived.conf no longer has the lines the test rewrites"
}

# ha_keepalived_start N PRIO: keepalived, VRRP only, in the foreground
ha_keepalived_start() {
	local n=$1
	ha_keepalived_conf "$n" "$2"
	ha__bg "$n" keepalived keepalived --dont-fork --log-console \
		--log-detail --vrrp --use-file "$ZT_DIR/keepalived.gw$n.conf" \
		--pid "$ZT_DIR/ka.gw$n.pid" --vrrp_pid "$ZT_DIR/ka-vrrp.gw$n.pid" \
		--checkers_pid "$ZT_DIR/ka-chk.gw$n.pid" --dont-respawn
}

# ha_keepalived_kill N: SIGKILL gwN's keepalived, the VRRP child first
# (its PID from the pid file the test told it to write): a child that
# outlived its parent would be told to stop and send its goodbye advert,
# a graceful handover that a crash never gives
ha_keepalived_kill() {
	local n=$1 child
	child=$(cat "$ZT_DIR/ka-vrrp.gw$n.pid" 2>/dev/null)
	[ -n "$child" ] && kill -KILL "$child" 2>/dev/null
	# no "Killed" job notice: the death is the point
	disown "${HA_PID[keepalived.$n]}" 2>/dev/null
	kill -KILL "${HA_PID[keepalived.$n]}" 2>/dev/null
}

# ha_zoned_start N CONF: zoned in gwN; waits for its READY=1
ha_zoned_start() {
	local n=$1 conf=$2 i pid
	NOTIFY_SOCKET=$ZT_DIR/notify.sock ha__bg "$n" zoned "$ZONED" -d \
		-f "$conf" -s "$ZT_DIR/zoned.gw$n.sock" -S "$ZT_DIR/state.gw$n"
	pid=${HA_PID[zoned.$n]}
	for i in $(seq $((ZT_START_TIMEOUT * 10))); do
		grep -qE "^pid=$pid .*READY=1" "$ZT_DIR/notify.log" 2>/dev/null &&
			return 0
		kill -0 "$pid" 2>/dev/null ||
			zt_die "zoned in gw$n exited: $(tail -n 20 "$ZT_DIR/zoned.gw$n.err")"
		sleep 0.1
	done
	zt_die "zoned in gw$n not ready"
}

ha_zonectl() {
	local n=$1
	shift
	"$ZONECTL" -s "$ZT_DIR/zoned.gw$n.sock" "$@"
}

# ha_holds N: true when gwN holds the first segment's virtual address
ha_holds() {
	local seg p4
	seg=${HA_SEGS%% *}
	eval "p4=\$ZT_P4_$seg"
	ha_gw "$1" ip -4 addr show dev "gw-$seg" | grep -q " $p4.1/"
}

# ha_wait_master N TIMEOUT: wait until gwN holds the addresses
ha_wait_master() {
	local i
	for i in $(seq $(($2 * 10))); do
		ha_holds "$1" && return 0
		sleep 0.1
	done
	return 1
}

# ha_log N REGEX: syslog lines after the mark from gwN's zoned
ha_log() {
	zt_log_since | grep -E "zoned\[${HA_PID[zoned.$1]}\]: " | grep -E -- "$2"
}

# ha_wait_log N REGEX TIMEOUT
ha_wait_log() {
	local i
	for i in $(seq $(($3 * 10))); do
		ha_log "$1" "$2" | head -n 1 | grep . && return 0
		sleep 0.1
	done
	return 1
}
