/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protocol and service names, in one place so that alerts, zonectl and
 * the normalised config never spell the same protocol two ways.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <zone/proto.h>

/*
 * A protocol is printed with its first name here, as /etc/protocols and
 * conntrack spell it; "icmpv6", as people write it, is only read.
 */
static const struct {
	const char *name;
	uint8_t proto;
} proto_names[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "ipv6-icmp", IPPROTO_ICMPV6 },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
	{ "udplite", IPPROTO_UDPLITE },
	{ "dccp", IPPROTO_DCCP },
};

#define N_PROTO_NAMES (sizeof(proto_names) / sizeof(proto_names[0]))

const char *zone_proto_name(uint8_t proto, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < N_PROTO_NAMES; i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	snprintf(buf, size, "%u", proto);
	return buf;
}

int zone_proto_number(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < N_PROTO_NAMES; i++)
		if (strlen(proto_names[i].name) == len &&
		    strncasecmp(name, proto_names[i].name, len) == 0)
			return proto_names[i].proto;
	return -ENOENT;
}

bool zone_proto_has_ports(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return true;
	default:
		return false;
	}
}

char *zone_service_format(const struct zone_service *svc, char *buf,
			  size_t size)
{
	char num[4];
	const char *proto = zone_proto_name(svc->proto, num, sizeof(num));

	if (svc->port_first == svc->port_last)
		snprintf(buf, size, "%s/%u", proto, svc->port_first);
	else
		snprintf(buf, size, "%s/%u-%u", proto, svc->port_first,
			 svc->port_last);
	return buf;
}
