/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONE_PROTO_H
#define ZONE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zone/model.h>

/* Longest text zone_service_format() writes, NUL included. */
#define ZONE_SERVICE_STRLEN 24

/**
 * zone_proto_name - the name alerts, explain and flows use for a protocol
 * @buf: holds the number when the protocol has no name here
 *
 * "tcp", "udp", "icmp", "ipv6-icmp" (as /etc/protocols and conntrack name
 * it), "sctp", "udplite", "dccp".  Returns a static string or @buf.
 */
const char *zone_proto_name(uint8_t proto, char *buf, size_t size);

/**
 * zone_proto_number - the protocol named by the @len bytes at @name, in
 * any case: one of the names zone_proto_name() gives, or "icmpv6"
 *
 * Returns the protocol number or -ENOENT.
 */
int zone_proto_number(const char *name, size_t len);

/**
 * zone_proto_has_ports - whether @proto's header starts with a source and
 * a destination port (tcp, udp, udplite, sctp, dccp)
 */
bool zone_proto_has_ports(uint8_t proto);

/**
 * zone_service_format - "tcp/25" or "udp/8000-8010", as the config writes
 * a service.  Returns @buf.
 */
char *zone_service_format(const struct zone_service *svc, char *buf,
			  size_t size);

#endif
