/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl flows: the live cross-zone flows conntrack holds, one line or
 * one JSON object each.  control.c streams the dump (see ctlcmd.h); this
 * file only writes the reply.
 */
#include <sys/socket.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <zone/addr.h>
#include <zone/proto.h>

#include "ctlcmd.h"
#include "ctwatch.h"
#include "json.h"

static void flow_text(const struct ctwatch_flow *f, FILE *out)
{
	char src[ZONE_PREFIX_STRLEN];
	char dst[ZONE_PREFIX_STRLEN];
	char buf[8];
	bool v6 = f->src.family == AF_INET6;

	zone_addr_format(&f->src, src, sizeof(src));
	zone_addr_format(&f->dst, dst, sizeof(dst));
	fprintf(out,
		"%-6s %s%s%s:%u -> %s%s%s:%u  %s -> %s  by %s  "
		"packets=%" PRIu64 " bytes=%" PRIu64 "\n",
		zone_proto_name(f->proto, buf, sizeof(buf)), v6 ? "[" : "", src,
		v6 ? "]" : "", f->sport, v6 ? "[" : "", dst, v6 ? "]" : "",
		f->dport, f->src_seg ? f->src_seg : "-",
		f->dst_seg ? f->dst_seg : "-",
		f->admitted_by[0] ? f->admitted_by : "(unmarked)", f->packets,
		f->bytes);
}

static void flow_json(const struct ctwatch_flow *f, struct json *j)
{
	char src[ZONE_PREFIX_STRLEN];
	char dst[ZONE_PREFIX_STRLEN];
	char buf[8];

	json_object(j, NULL);
	json_string(j, "proto", zone_proto_name(f->proto, buf, sizeof(buf)));
	json_string(j, "src", zone_addr_format(&f->src, src, sizeof(src)));
	json_uint(j, "sport", f->sport);
	json_string(j, "dst", zone_addr_format(&f->dst, dst, sizeof(dst)));
	json_uint(j, "dport", f->dport);
	json_string(j, "src_zone", f->src_seg);
	json_string(j, "dst_zone", f->dst_seg);
	json_string(j, "admitted_by",
		    f->admitted_by[0] ? f->admitted_by : NULL);
	json_uint(j, "packets", f->packets);
	json_uint(j, "bytes", f->bytes);
	json_end(j);
}

void ctl_flows_head(struct ctl_flows *f, bool json, FILE *out)
{
	f->json = json;
	f->n = 0;
	if (!json)
		return;
	json_start(&f->j, out);
	json_array(&f->j, NULL);
}

void ctl_flows_one(struct ctl_flows *f, const struct ctwatch_flow *flow,
		   FILE *out)
{
	f->n++;
	if (!f->json) {
		flow_text(flow, out);
		return;
	}
	f->j.out = out;
	flow_json(flow, &f->j);
}

void ctl_flows_tail(struct ctl_flows *f, int err, FILE *out)
{
	if (f->json) {
		f->j.out = out;
		json_finish(&f->j);
	} else if (f->n == 0 && err == 0) {
		fputs("no cross-zone flows\n", out);
	}
}
