#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/apply.sh [O] [SIZES]: time zoned's applier against nft -f.
#
# For each size N (default 1000 10000 100000 prefixes), in throwaway
# network namespaces only:
#   - zoned: bench/nftgen applies a model of N prefixes (one batch, table
#     created), then the same model with 1% of the prefixes moved to
#     another segment (an element-only batch);
#   - nft: nft -f of the equivalent hand-written ruleset (a source interval
#     map, a destination interval verdict map) into an empty namespace,
#     then nft -f of the 1%-changed ruleset as a full replace;
#   - nft same: nft -f of a ruleset shaped like zoned's own (one interval
#     verdict map looked up twice), to separate the gain of the shape from
#     the gain of skipping nft's parser.
# Each figure is the best of $REPEAT runs (default 3; 2 for N >= 100000),
# since other work on the machine only ever adds time.  Prints a table
# with the ratios; targets: full apply <= 0.5x nft -f at 100k and never
# slower, 1% re-apply <= 0.1x.  A size above 10,000 is refused while any
# process on the host listens to nftables events (nft_listeners in
# bench/lib.sh).  Needs root.
set -u

O=${1:-build}
SIZES=${2:-"1000 10000 100000"}
top=$(cd "$(dirname "$0")/.." && pwd)
gen=$(cd "$O" 2>/dev/null && pwd)/bench/nftgen
[ "$(id -u)" -eq 0 ] || { echo "bench/apply.sh: needs root (namespaces)"; exit 77; }
command -v nft >/dev/null || { echo "bench/apply.sh: nft not installed"; exit 77; }
# shellcheck source=lib.sh
. "$top/bench/lib.sh"
bench_bin "$gen" || exit 1

pfx=zbench$$
work=$(mktemp -d "${TMPDIR:-/tmp}/zbench.XXXXXX") || exit 1
nss=
cleanup() {
	local ns
	for ns in $nss; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

netns_new() {
	ip netns add "$1" || exit 1
	nss="$nss $1"
}

netns_del() {
	ip netns del "$1" 2>/dev/null
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

min() {
	if [ -z "$1" ] || [ "$2" -lt "$1" ] 2>/dev/null; then echo "$2"; else echo "$1"; fi
}

# one zoned round in a fresh namespace: prints "FULL PCT" (ms, rounded)
zoned_round() {
	local n=$1 ns=${pfx}z out
	netns_new "$ns"
	out=$(ip netns exec "$ns" "$gen" "$n" "$work/full.nft" "$work/chg.nft" \
		"$work/same.nft" "$work/same-chg.nft") ||
		{ echo "nftgen failed" >&2; netns_del "$ns"; exit 1; }
	netns_del "$ns"
	echo "$out" | awk '/^zoned full/ { f = $3 } /^zoned 1pct/ { p = $3 }
		END { printf "%d %d\n", f + 0.5, p + 0.5 }'
}

# one nft round in a fresh namespace: prints "FULL REPLACE" (ms) for
# $work/$1.nft then $work/$2.nft
nft_round() {
	local ns=${pfx}n t0 t1 t2
	netns_new "$ns"
	t0=$(now_ms)
	ip netns exec "$ns" nft -f "$work/$1.nft" || { echo "nft -f failed" >&2; exit 1; }
	t1=$(now_ms)
	ip netns exec "$ns" nft -f "$work/$2.nft" || { echo "nft -f failed" >&2; exit 1; }
	t2=$(now_ms)
	netns_del "$ns"
	echo "$((t1 - t0)) $((t2 - t1))"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'
}

printf '%-8s %9s %9s %6s %9s %6s  %9s %9s %6s\n' prefixes "zoned" "nft -f" ratio \
	"nft same" ratio "zoned 1%" "nft -f" ratio
rc=0
for n in $SIZES; do
	# no load above 10k prefixes while anything listens to nftables
	# events: its notifications would take GBs outside any limit
	if ! nft_listeners_say bench/apply.sh "$n"; then
		printf '%-8s refused (see above)\n' "$n"
		rc=1
		continue
	fi
	rep=${REPEAT:-3}
	[ "$n" -ge 100000 ] && rep=${REPEAT:-2}
	zf= zp= nf= np= sf=
	for _ in $(seq "$rep"); do
		read -r f p < <(zoned_round "$n")
		zf=$(min "$zf" "$f")
		zp=$(min "$zp" "$p")
		read -r f p < <(nft_round full chg)
		nf=$(min "$nf" "$f")
		np=$(min "$np" "$p")
		read -r f p < <(nft_round same same-chg)
		sf=$(min "$sf" "$f")
	done
	rf=$(ratio "$zf" "$nf")
	rs=$(ratio "$zf" "$sf")
	rp=$(ratio "$zp" "$np")
	printf '%-8s %9s %9s %6s %9s %6s  %9s %9s %6s\n' "$n" "$zf" "$nf" "$rf" \
		"$sf" "$rs" "$zp" "$np" "$rp"
	awk -v r="$rf" 'BEGIN { exit !(r > 1) }' && rc=1
done
echo "(ms, best of runs.  zoned: first apply into an empty namespace;"
echo " nft -f: the hand-written source map + destination verdict map;"
echo " nft same: nft -f of a table shaped like zoned's (one map, looked up"
echo " twice); zoned 1%: element-only re-apply vs nft -f full replace)"
exit $rc
