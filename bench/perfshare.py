#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
bench/perfshare.py PREFIX VARIANT...: what the forward hook's ruleset costs
per packet, from the profiles bench/forward.sh records with PERF=PREFIX
(PREFIX.VARIANT.ROUND.data, cpu-clock samples of the generator's core).

The generator's process carries the whole path of its packets (the send,
the gateway's forwarding and the sink's drop run in its softirqs), so the
share of its samples under nft_do_chain called from ip_forward is the
share of each packet's cost that the gateway's forward chain takes.  A
share, unlike a rate, does not move when other work takes the core: on a
shared machine it compares rulesets where the rates cannot.  Printed per
variant and generator (udpflood: one established flow; flowgen: new
flows), with the functions under the hook that take the most.
"""
import collections
import glob
import subprocess
import sys


def stacks(path, comm):
    out = subprocess.run(['perf', 'script', '-i', path, '--comm', comm,
                          '-F', 'comm,ip,sym'], capture_output=True,
                         text=True, check=False).stdout
    for block in out.split('\n\n'):
        lines = [l.strip() for l in block.strip().split('\n') if l.strip()]
        if len(lines) < 2:
            continue
        # "ADDR SYMBOL", innermost first
        yield [l.split(' ', 1)[1] if ' ' in l else '?' for l in lines[1:]]


def forward_frames(syms):
    """the frames under the forward hook's nft_do_chain, or None"""
    for i, s in enumerate(syms):
        if s == 'nf_hook_slow' and i + 1 < len(syms) and \
                syms[i + 1] == 'ip_forward':
            top = syms[:i]
            return top if 'nft_do_chain' in top else None
    return None


def main():
    prefix, variants = sys.argv[1], sys.argv[2:]
    for comm in ('udpflood', 'flowgen'):
        print('%s (%s): share of the generator\'s samples in the forward '
              'chain' % (comm, 'established' if comm == 'udpflood'
                         else 'new flows'))
        for v in variants:
            total = 0
            hook = 0
            funcs = collections.Counter()
            for path in sorted(glob.glob('%s.%s.*.data' % (prefix, v))):
                for syms in stacks(path, comm):
                    total += 1
                    top = forward_frames(syms)
                    if top is None:
                        continue
                    hook += 1
                    for f in set(top):
                        funcs[f] += 1
            if not total:
                continue
            best = ', '.join('%s %.2f%%' % (f, 100.0 * n / total)
                             for f, n in funcs.most_common(7)
                             if f not in ('nft_do_chain_inet',))
            print('  %-13s %6.2f%% of %6d samples: %s' %
                  (v, 100.0 * hook / total, total, best))


if __name__ == '__main__':
    main()
