/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The values of a config, one at a time: names, free text, prefixes,
 * services, expiry times and syslog facilities.  Each parser returns NULL
 * or the reason the value is refused, worded to follow "SETTING VALUE".
 */

#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <zone/proto.h>
#include <zone/utf8.h>

#include "conf_priv.h"

#define NAME_MAX_LEN 31
#define IFNAME_MAX 15

/*
 * Free text (labels, reasons, approvals) ends up in syslog lines and in
 * the printed config: valid UTF-8, no control characters.
 */
const char *conf_text_problem(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	unsigned int cp;
	size_t n;

	if (*s == '\0')
		return "must not be empty";
	if (left > max)
		return "is too long";
	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
		n = zone_utf8_len(p, left, &cp);
		if (n == 0)
			return "is not valid UTF-8";
		p += n;
		left -= n;
	}
	return NULL;
}

size_t conf_utf8_chars(const char *s)
{
	size_t n = 0;

	/* every byte but a continuation byte starts a character */
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* [a-z0-9][a-z0-9_-]{0,30} */
bool conf_name_valid(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 0; s[i]; i++) {
		if (i >= NAME_MAX_LEN)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	}
	return true;
}

/* Interface names as the kernel takes them, narrowed to a safe set. */
bool conf_ifname_valid(const char *s)
{
	size_t i;

	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; s[i]; i++) {
		if (i >= IFNAME_MAX)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	}
	return true;
}

/*
 * Why zone_prefix_parse() refused @text: a well-formed prefix with bits
 * set past its length gets its own message, since it is the likely typo.
 */
const char *conf_prefix_problem(const char *text)
{
	struct zone_addr addr;
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : 0;
	char *end;
	unsigned long bits;

	if (!slash || len >= sizeof(buf))
		return "is not an address or prefix";
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (zone_addr_parse(buf, &addr) < 0 || slash[1] < '0' ||
	    slash[1] > '9' || (slash[1] == '0' && slash[2] != '\0'))
		return "is not an address or prefix";
	errno = 0;
	bits = strtoul(slash + 1, &end, 10);
	if (errno || *end || bits > (addr.family == AF_INET ? 32u : 128u))
		return "is not an address or prefix";
	return "has host bits set past its prefix length";
}

/* "tcp/25", "udp/123" or "tcp/8000-8010". */
static const char *parse_port(const char *p, unsigned int *ret)
{
	unsigned int v = 0;
	const char *start = p;

	if (*p == '0')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > 65535)
			return NULL;
	}
	if (p == start)
		return NULL;
	*ret = v;
	return p;
}

const char *conf_parse_service(const char *text, struct zone_service *ret)
{
	const char *slash = strchr(text, '/');
	unsigned int first;
	unsigned int last;
	const char *p;
	int proto;

	if (!slash)
		return "it is not proto/port or proto/first-last";
	/* lower case only: the config is printed back as it is written */
	for (p = text; p < slash; p++)
		if (*p < 'a' || *p > 'z')
			return "the protocol must be tcp or udp";
	proto = zone_proto_number(text, (size_t)(slash - text));
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return "the protocol must be tcp or udp";
	ret->proto = (uint8_t)proto;
	p = parse_port(slash + 1, &first);
	if (!p)
		return "ports must be 1..65535";
	last = first;
	if (*p == '-') {
		p = parse_port(p + 1, &last);
		if (!p)
			return "ports must be 1..65535";
	}
	if (*p != '\0')
		return "it is not proto/port or proto/first-last";
	if (last < first)
		return "the range is reversed";
	ret->port_first = (uint16_t)first;
	ret->port_last = (uint16_t)last;
	return NULL;
}

static bool digits(const char *p, size_t n, int *ret)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*ret = v;
	return true;
}

static int days_in_month(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* "YYYY-MM-DD" into @tm; false when it is not a real date. */
static bool parse_date(const char *s, struct tm *tm)
{
	int y;
	int m;
	int d;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	return true;
}

/* "Z", "+09:00" or "-05:30" into seconds east of UTC. */
static bool parse_offset(const char *s, long *ret)
{
	int h;
	int m;

	if (strcmp(s, "Z") == 0) {
		*ret = 0;
		return true;
	}
	if ((s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &h) ||
	    s[3] != ':' || !digits(s + 4, 2, &m) || s[6] != '\0' || h > 23 ||
	    m > 59)
		return false;
	*ret = (s[0] == '-' ? -1L : 1L) * (h * 3600L + m * 60L);
	return true;
}

/*
 * The last second the kernel's clock can express: `meta time` is
 * nanoseconds since the epoch in 64 bits, which ends in July 2554.  A
 * later expiry would wrap around into the past in the ruleset and close
 * the channel at once while explain still said allow.
 */
#define CONF_TIME_MAX ((time_t)(UINT64_MAX / 1000000000ull))

/* The instant @t of an expiry, or why the kernel cannot hold it. */
static const char *expires_range(time_t t, time_t *ret)
{
	if (t < 0)
		return "is before 1970";
	if (t > CONF_TIME_MAX)
		return "is past 2554-07-21T23:34:33Z, the last second the "
		       "kernel's clock (meta time) can hold";
	*ret = t;
	return NULL;
}

/*
 * not_before: ISO 8601 "2027-04-01" (the first instant of that day, local
 * time) or a date-time with its UTC offset, as for expires.
 */
const char *conf_parse_not_before(const char *s, time_t *ret)
{
	struct tm tm;
	time_t t;

	if (strlen(s) != 10)
		return conf_parse_expires(s, ret);
	if (!parse_date(s, &tm))
		return "is not an ISO 8601 date (YYYY-MM-DD) or date-time";
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return "is out of range";
	return expires_range(t, ret);
}

/*
 * ISO 8601 "2027-03-31" (the end of that day, local time: the first
 * instant of the next local day) or "2027-03-31T18:00:00+09:00" / "...Z".
 * Returns NULL or why it is refused.
 */
const char *conf_parse_expires(const char *s, time_t *ret)
{
	struct tm tm;
	long off;
	int h;
	int mi;
	int sec;
	time_t t;

	if (strlen(s) < 10 || !parse_date(s, &tm))
		return "is not an ISO 8601 date (YYYY-MM-DD) or date-time";
	if (s[10] == '\0') {
		tm.tm_mday++;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1)
			return "is out of range";
		return expires_range(t, ret);
	}
	if (s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec) || h > 23 || mi > 59 || sec > 59)
		return "is not an ISO 8601 date (YYYY-MM-DD) or date-time";
	if (s[19] == '\0')
		return "needs a UTC offset (Z or +09:00) after the time";
	if (!parse_offset(s + 19, &off))
		return "has a malformed UTC offset (use Z or +09:00)";
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return "is out of range";
	return expires_range(t - off, ret);
}

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "auth", LOG_AUTH },	  { "authpriv", LOG_AUTHPRIV },
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* conf_facility_lookup - the facility called @name; false when none is */
bool conf_facility_lookup(const char *name, int *ret_facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcmp(facilities[i].name, name) == 0) {
			*ret_facility = facilities[i].facility;
			return true;
		}
	}
	return false;
}

/* conf_facility_name - the config name of a syslog facility, or NULL */
const char *conf_facility_name(int facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (facilities[i].facility == facility)
			return facilities[i].name;
	}
	return NULL;
}
