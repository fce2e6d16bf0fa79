/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protocol and service names, in one place so that alerts, zonectl and
 * the normalised config never spell the same protocol two ways.
 */

#include <netinet/in.h>
#include <stdio.h>

#include <zone/proto.h>

const char *zone_proto_name(uint8_t proto, char *buf, size_t size)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_DCCP:
		return "dccp";
	default:
		snprintf(buf, size, "%u", proto);
		return buf;
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
