/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer entry for the nftables monitor (daemon/nftmon.c): the input is
 * a datagram of ruleset notifications, walked by libmnl into the monitor's
 * message callback, which gathers changes to zoned's table into drift and
 * keeps the list of other tables' forward chains (names from outside,
 * printed later by zonectl audit).  Seeds: fuzz/mkseeds.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zone/diag.h>
#include <zone/ruleset.h>

#include "../daemon/nftmon_int.h"
#include "../daemon/reload.h"
#include "../daemon/stats.h"
#include "../daemon/ctwatch.h"
#include "../daemon/nftmon.h"
#include "../daemon/zoned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* --- what nftmon.c calls in the daemon (libzone's session: fake_nft.o) --- */

int zoned_reapply_nosweep(struct zoned *z, const char *why)
{
	(void)z;
	(void)why;
	return 0;
}

int ctwatch_sweep(struct zoned *z)
{
	(void)z;
	return 0;
}

#include "../tests/unit/fake_daemon.h"
#include "../tests/unit/fake_nft.h"
#include "fuzz_abi.h"
#include "fuzz_model.h"

static struct zoned z;
static struct zone_nft nft;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	z.nft = &nft;
	z.stats = stats_new();
	z.alerts = (struct alerts *)&z; /* only the fake alert_emit sees it */
	z.mon = calloc(1, sizeof(*z.mon));
	if (!z.stats || !z.mon)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_copy(data, size);
	size_t i;

	if (!buf)
		return 0;
	FUZZ_ABI_GUARD(mon_datagram(&z, buf, size));
	if (z.mon->n_hooks > NFTMON_MAX_HOOKS)
		abort();
	/* every name kept is a NUL-terminated string of its field */
	for (i = 0; i < z.mon->n_hooks; i++)
		if (!memchr(z.mon->hooks[i].chain, '\0',
			    sizeof(z.mon->hooks[i].chain)) ||
		    !memchr(z.mon->hooks[i].table, '\0',
			    sizeof(z.mon->hooks[i].table)))
			abort();
	fake_alerts_clear();
	return 0;
}
