/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer entry for the NFLOG receiver (daemon/nflog.c): the input is a
 * datagram as the kernel would deliver it on the log group, walked by
 * libmnl into the receiver's message callback, which validates, decodes,
 * judges and aggregates it.  Seeds: fuzz/mkseeds.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/nflog_int.h"
#include "../daemon/stats.h"
#include "../daemon/zoned.h"
#include "../tests/unit/fake_daemon.h"
#include "fuzz_model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct zoned z;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	z.model = fuzz_model("enforce");
	z.stats = stats_new();
	z.alerts = (struct alerts *)&z; /* only the fake alert_emit sees it */
	z.nflog = calloc(1, sizeof(*z.nflog));
	if (!z.stats || !z.nflog)
		abort();
	z.nflog->tfd = -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	nflog_datagram(&z, buf, size);
	/* the aggregation stays bounded whatever arrives */
	if (z.nflog->n_keys > NFLOG_MAX_KEYS)
		abort();
	/* now and then a window ends, as the one-second tick would */
	if (size && data[0] == 0xff)
		nflog_tick(&z, -1, 0, NULL);
	fake_alerts_clear();
	return 0;
}
