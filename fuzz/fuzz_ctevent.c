/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer entry for the conntrack event watcher (daemon/ctwatch.c and
 * ctwatch_judge.c): the input is a datagram of NEW/DESTROY events, walked
 * by libmnl into the event callback, which parses it with
 * libnetfilter_conntrack, judges the flow and raises violation,
 * flow-start and flow-end.  Deletes and re-marks are stubbed: a fuzzer
 * must never touch a real flow.  Seeds: fuzz/mkseeds.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include <zone/addr.h>

#include "../daemon/ctwatch_priv.h"
#include "../daemon/stats.h"
#include "../daemon/zoned.h"
#include "../tests/unit/fake_daemon.h"
#include "fuzz_abi.h"
#include "fuzz_model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct zoned z;

/*
 * The delete of a violating flow and the re-mark of an allowed one
 * (ct_remark()): never sent to the kernel here.  The watcher asks nothing
 * else of conntrack on the path of an event.
 */
int nfct_query(struct nfct_handle *h, const enum nf_conntrack_query query,
	       const void *data)
{
	(void)h;
	(void)data;
	if (query != NFCT_Q_DESTROY && query != NFCT_Q_UPDATE)
		abort();
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	z.model = fuzz_model("enforce");
	z.stats = stats_new();
	z.alerts = (struct alerts *)&z; /* only the fake alert_emit sees it */
	z.ct = calloc(1, sizeof(*z.ct));
	if (!z.stats || !z.ct)
		abort();
	/* the gateway's own address; no refresh (getifaddrs) while fuzzing */
	z.ct->local = calloc(1, sizeof(*z.ct->local));
	if (!z.ct->local || zone_addr_parse("10.3.0.1", z.ct->local) < 0)
		abort();
	z.ct->n_local = 1;
	clock_gettime(CLOCK_MONOTONIC, &z.ct->local_at);
	z.ct->local_at.tv_sec += 1000000;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	FUZZ_ABI_GUARD(ct_event_datagram(&z, buf, size));
	/* the table of flows told about stays bounded */
	if (z.ct->n_entries > CT_MAX_ENTRIES)
		abort();
	fake_alerts_clear();
	return 0;
}
