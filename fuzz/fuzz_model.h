/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_FUZZ_MODEL_H
#define ZONED_FUZZ_MODEL_H

/*
 * The model the daemon-side fuzzers judge their input against: three
 * zones, two attachments and a channel, so that every verdict (intra-zone,
 * matrix allow, channel, deny) can be reached.
 */

#include <stdio.h>
#include <stdlib.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

static const char fuzz_conf[] =
	"profile = \"alpha\";\n"
	"mode = \"%s\";\n"
	"zones = (\n"
	"  { name = \"jumin\"; tier = \"resident\"; label = \"J\";\n"
	"    interfaces = [ \"eth1\" ];\n"
	"    networks = [ \"10.1.0.0/16\", \"fd00:1::/48\" ]; },\n"
	"  { name = \"lgwan\"; tier = \"lgwan\"; interfaces = [ \"eth2\" ];\n"
	"    networks = [ \"10.2.0.0/16\", \"fd00:2::/48\" ]; },\n"
	"  { name = \"naibu\"; tier = \"internet\"; interfaces = [ \"eth3\" ];\n"
	"    networks = [ \"10.3.0.0/16\", \"fd00:3::/48\" ]; }\n"
	");\n"
	"attachments = (\n"
	"  { name = \"lgwanwan\"; kind = \"lgwan-wan\"; interfaces = [ \"eth4\" ];\n"
	"    networks = [ \"172.16.0.0/12\", \"fd00:16::/48\" ]; },\n"
	"  { name = \"internet\"; kind = \"internet\"; interfaces = [ \"eth5\" ]; }\n"
	");\n"
	"channels = (\n"
	"  { name = \"relay\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\";\n"
	"    from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ];\n"
	"    services = [ \"udp/25\", \"tcp/25\" ]; reason = \"r\";\n"
	"    approved = \"a\"; }\n"
	");\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

/* fuzz_model - load the model in @mode ("enforce", "monitor") or abort */
static inline struct zone_model *fuzz_model(const char *mode)
{
	struct zone_diag *diag = zone_diag_new();
	struct zone_model *m = NULL;
	char text[4096];

	snprintf(text, sizeof(text), fuzz_conf, mode);
	if (!diag || zone_conf_load_string(text, "fuzz.conf", diag, &m) < 0) {
		fprintf(stderr, "fuzz model: %s\n",
			diag && zone_diag_count(diag) ?
				zone_diag_line(diag, 0) : "no memory");
		abort();
	}
	zone_diag_free(diag);
	return m;
}

/*
 * fuzz_copy - the input in a buffer aligned for netlink headers; libmnl
 * walks it as the kernel's datagrams would be walked
 */
static inline void *fuzz_copy(const uint8_t *data, size_t size)
{
	static long buf[65536 / sizeof(long)];

	if (size > sizeof(buf))
		return NULL;
	memcpy(buf, data, size);
	return buf;
}

#endif
