/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of control commands rendered from a model, without a socket
 * or a kernel: explain (ctl_explain.c) as text and JSON from the same
 * question, its refusals, the time-boxed channels of status and audit
 * (ctl_windows.c), the lines of zonectl flows (ctl_flows.c), and
 * what reload answers for each outcome of the daemon's reload
 * (ctl_reload.c; the reload itself is faked below).  The objects come
 * from the daemon archive.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>

#include "../../daemon/ctlcmd.h"
#include "../../daemon/ctlout.h"
#include "../../daemon/reload.h"
#include "../../daemon/ctwatch.h"
#include "../../daemon/zoned.h"

static const char conf[] =
	"profile = \"alpha\";\n"
	"zones = (\n"
	" { name = \"jumin\"; interfaces = [ \"e1\" ]; tier = \"resident\"; networks = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"lgwan\"; label = \"LGWAN接続系\"; interfaces = [ \"e2\" ]; tier = \"lgwan\"; networks = [ \"10.2.0.0/16\" ]; },\n"
	" { name = \"naibu\"; interfaces = [ \"e3\" ]; tier = \"internet\"; networks = [ \"10.3.0.0/16\" ]; }\n"
	");\n"
	"attachments = ( { name = \"inet\"; kind = \"internet\"; interfaces = [ \"e5\" ]; } );\n"
	"channels = ( { name = \"mail\"; kind = \"sanitize\"; from = \"naibu\"; to = \"lgwan\";\n"
	"  from_hosts = [ \"10.3.0.25\" ]; to_hosts = [ \"10.2.0.25\" ];\n"
	"  services = [ \"tcp/25\" ]; reason = \"relay \\\"x\\\"\"; approved = \"CISO-1\"; } );\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

struct reply {
	char *out;
	size_t out_len;
	char *err;
	size_t err_len;
	int status;
};

static struct zoned z;

static void setup(void)
{
	struct zone_diag *diag = zone_diag_new();
	int ret;

	/* explain prints times in local time: make it UTC */
	setenv("TZ", "UTC", 1);
	memset(&z, 0, sizeof(z));
	ck_assert_ptr_nonnull(diag);
	ret = zone_conf_load_string(conf, "test", diag, &z.model);
	if (ret < 0 && zone_diag_count(diag))
		ck_abort_msg("%s", zone_diag_line(diag, 0));
	zone_diag_free(diag);
}

static void teardown(void)
{
	ctl_shared_free(&z.print);
	zone_model_free(z.model);
}

/* explain ARGS..., as zonectl sends them; @json for --json */
static void explain(struct reply *r, bool json, const char *a0,
		    const char *a1, const char *a2, const char *a3)
{
	struct ctl_request req = { .cmd = CTL_CMD_EXPLAIN,
				   .argv = { a0, a1, a2, a3 } };
	struct ctl_out o = { .json = json, .fd = -1 };

	while (req.argc < 4 && req.argv[req.argc])
		req.argc++;
	memset(r, 0, sizeof(*r));
	o.out = open_memstream(&r->out, &r->out_len);
	o.err = open_memstream(&r->err, &r->err_len);
	ck_assert_ptr_nonnull(o.out);
	ck_assert_ptr_nonnull(o.err);
	json_start(&o.j, o.out);
	ctl_explain(&z, &req, &o);
	fclose(o.out);
	fclose(o.err);
	r->status = o.status;
}

static void reply_free(struct reply *r)
{
	free(r->out);
	free(r->err);
}

/* the running config asked for as a file (CTL_F_FILE): its descriptor */
static int config_file(void)
{
	struct ctl_request req = { .cmd = CTL_CMD_CONFIG, .flags = CTL_F_FILE };
	struct ctl_out o = { .fd = -1, .reply_fd = -1 };
	struct reply r;

	memset(&r, 0, sizeof(r));
	o.out = open_memstream(&r.out, &r.out_len);
	o.err = open_memstream(&r.err, &r.err_len);
	ck_assert_ptr_nonnull(o.out);
	ck_assert_ptr_nonnull(o.err);
	ctl_config(&z, &req, &o);
	fclose(o.out);
	fclose(o.err);
	ck_assert_int_eq(o.status, 0);
	ck_assert_uint_eq(r.out_len, 0); /* no text beside the file */
	ck_assert_uint_eq(r.err_len, 0);
	reply_free(&r);
	ck_assert_int_ge(o.reply_fd, 0);
	return o.reply_fd;
}

/*
 * The whole print, in a sealed file shared by the replies, each read-only
 * and from its own offset 0.
 */
START_TEST(test_config_as_a_file)
{
	struct stat st1, st2;
	char *want = NULL;
	size_t wlen = 0;
	FILE *w = open_memstream(&want, &wlen);
	char buf[65536];
	ssize_t n;
	int fd1, fd2;
	int seals;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(zone_model_print(z.model, w), 0);
	fclose(w);
	fd1 = config_file();
	fd2 = config_file();
	seals = fcntl(fd1, F_GET_SEALS);
	ck_assert_int_eq(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK),
			 F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK);
	ck_assert_int_lt(write(fd1, "x", 1), 0);
	ck_assert_int_eq(fstat(fd1, &st1), 0);
	ck_assert_int_eq(fstat(fd2, &st2), 0);
	ck_assert(st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev);
	ck_assert_uint_eq((size_t)st1.st_size, wlen);
	ck_assert_uint_lt(wlen, sizeof(buf));
	n = read(fd1, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)wlen);
	ck_assert(memcmp(buf, want, wlen) == 0);
	n = read(fd2, buf, sizeof(buf)); /* not moved by the first's read */
	ck_assert_int_eq(n, (ssize_t)wlen);
	close(fd1);
	close(fd2);
	free(want);
}
END_TEST

/*
 * Another policy in force is printed anew, even where nobody dropped the
 * print of the one before (reload.c does): a diff never gets the text of
 * a policy out of force.
 */
START_TEST(test_config_file_of_the_policy)
{
	struct zone_model *first = z.model;
	struct zone_diag *diag = zone_diag_new();
	const char *at = strstr(conf, "\"10.1.0.0/16\"");
	struct stat st1, st2;
	char buf[65536];
	char *text;
	char *want = NULL;
	size_t wlen = 0;
	FILE *w = open_memstream(&want, &wlen);
	ssize_t n;
	int fd1;
	int fd;

	ck_assert_ptr_nonnull(at);
	ck_assert_ptr_nonnull(diag);
	ck_assert_ptr_nonnull(w);
	/* kept open: the two files are alive at once, their inodes apart */
	fd1 = config_file();
	ck_assert_int_eq(fstat(fd1, &st1), 0);
	ck_assert_int_ge(asprintf(&text, "%.*s\"10.1.0.0/17\"%s",
				  (int)(at - conf), conf, at + 13),
			 0);
	ck_assert_int_eq(zone_conf_load_string(text, "t", diag, &z.model), 0);
	free(text);
	zone_diag_free(diag);
	ck_assert_int_eq(zone_model_print(z.model, w), 0);
	fclose(w);
	fd = config_file();
	ck_assert_int_eq(fstat(fd, &st2), 0);
	ck_assert(st1.st_ino != st2.st_ino);
	n = read(fd, buf, sizeof(buf));
	ck_assert_int_eq(n, (ssize_t)wlen);
	ck_assert(memcmp(buf, want, wlen) == 0);
	close(fd);
	close(fd1);
	free(want);
	zone_model_free(z.model);
	z.model = first;
}
END_TEST

START_TEST(test_explain_channel_text_and_json)
{
	struct reply r;

	explain(&r, false, "10.3.0.25", "10.2.0.25", "tcp/25", "at=1800000000");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out,
			 "from:     10.3.0.25 in zone naibu (naibu, internet)\n"
			 "to:       10.2.0.25 in zone lgwan (LGWAN接続系, lgwan)\n"
			 "at:       2027-01-15T08:00:00+0000\n"
			 "service:  tcp/25\n"
			 "verdict:  allow\n"
			 "rule:     channel\n"
			 "bound:    every packet, not only the first: in by e3 "
			 "out by e2; replies the other way\n"
			 "channel:  mail (sanitize, naibu -> lgwan)\n"
			 "reason:   relay \"x\"\n"
			 "approved: CISO-1\n");
	reply_free(&r);
	explain(&r, true, "10.3.0.25", "10.2.0.25", "tcp/25", "at=1800000000");
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(
		r.out,
		"{\"at\":\"2027-01-15T08:00:00+0000\","
		"\"src\":{\"addr\":\"10.3.0.25\",\"segment\":\"naibu\","
		"\"label\":\"naibu\",\"role\":\"internet\",\"zone\":true},"
		"\"dst\":{\"addr\":\"10.2.0.25\",\"segment\":\"lgwan\","
		"\"label\":\"LGWAN接続系\",\"role\":\"lgwan\",\"zone\":true},"
		"\"in\":null,\"out\":null,\"proto\":\"tcp\",\"dport\":25,"
		"\"verdict\":\"allow\",\"rule\":\"channel\","
		"\"matrix_rule\":\"channel\",\"isolated_by\":null,"
		"\"mode\":\"enforce\",\"gateway_rule\":null,"
		"\"channel\":{\"name\":\"mail\",\"kind\":\"sanitize\","
		"\"from\":\"naibu\",\"to\":\"lgwan\",\"reason\":\"relay \\\"x\\\"\","
		"\"approved\":\"CISO-1\",\"expires\":null},"
		"\"open_channels\":[]}\n");
	reply_free(&r);
}
END_TEST

/* No service: the matrix's verdict and the channels open between them. */
START_TEST(test_explain_open_channels)
{
	struct reply r;

	explain(&r, false, "10.3.0.25", "10.2.0.25", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "verdict:  deny\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "channels open between these "
					    "hosts:\n  mail: tcp/25\n"));
	reply_free(&r);
	explain(&r, true, "10.3.0.25", "10.2.0.25", NULL, NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "\"open_channels\":[\"mail\"]}\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\"proto\":null,\"dport\":0,"));
	reply_free(&r);
}
END_TEST

START_TEST(test_explain_hard_invariant)
{
	struct reply r;

	explain(&r, true, "10.1.0.1", "203.0.113.9", "udp/53", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "\"verdict\":\"deny\","
					    "\"rule\":\"hard-invariant\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"segment\":\"inet\",\"label\":"
					    "\"inet\",\"role\":\"internet\","
					    "\"zone\":false"));
	reply_free(&r);
}
END_TEST

/* Refusals go to stderr with status 1; nothing on stdout, JSON or not. */
START_TEST(test_explain_refusals)
{
	static const char *const bad[][3] = {
		{ "10.1.0.1", "nohost", "tcp/80" },
		{ "10.1.0.1", "10.2.0.1", "tcp/99999" },
		{ "10.1.0.1", "fd00:2::1", NULL },
	};
	static const char *const why[] = {
		"zonectl: explain: SRC and DST must be addresses, or one of "
		"them \"gateway\"\n",
		"zonectl: explain: tcp/99999: expected tcp/PORT, udp/PORT, "
		"sctp/PORT, udplite/PORT, dccp/PORT, icmp or icmpv6\n",
		"zonectl: explain: SRC and DST are of different families\n",
	};
	struct reply r;
	size_t i;
	int json;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (json = 0; json < 2; json++) {
			explain(&r, json, bad[i][0], bad[i][1], bad[i][2],
				NULL);
			ck_assert_int_eq(r.status, 1);
			ck_assert_str_eq(r.out, "");
			ck_assert_str_eq(r.err, why[i]);
			reply_free(&r);
		}
	}
}
END_TEST

static void flow(struct ctwatch_flow *f, const char *src, const char *dst,
		 int family)
{
	memset(f, 0, sizeof(*f));
	f->proto = IPPROTO_TCP;
	f->src.family = (uint8_t)family;
	f->dst.family = (uint8_t)family;
	inet_pton(family, src, f->src.bytes);
	inet_pton(family, dst, f->dst.bytes);
	f->sport = 40025;
	f->dport = 25;
	f->src_seg = "naibu";
	f->dst_seg = "lgwan";
	snprintf(f->admitted_by, sizeof(f->admitted_by), "mail");
	f->packets = 3;
	f->bytes = 172;
}

/* flows, streamed a slice at a time, each into a new stream */
static char *flows(bool json, const struct ctwatch_flow *v, size_t n)
{
	struct ctl_flows st;
	char *all = NULL;
	size_t all_len = 0;
	FILE *out = open_memstream(&all, &all_len);
	size_t i;

	ck_assert_ptr_nonnull(out);
	ctl_flows_head(&st, json, out);
	for (i = 0; i < n; i++)
		ctl_flows_one(&st, &v[i], out);
	ctl_flows_tail(&st, 0, out);
	fclose(out);
	return all;
}

START_TEST(test_flows)
{
	struct ctwatch_flow v[2];
	char *s;

	flow(&v[0], "10.3.0.25", "10.2.0.25", AF_INET);
	flow(&v[1], "fd00:3::25", "fd00:2::25", AF_INET6);
	v[1].admitted_by[0] = '\0';
	s = flows(false, v, 2);
	ck_assert_str_eq(s,
			 "tcp    10.3.0.25:40025 -> 10.2.0.25:25  naibu -> lgwan  "
			 "by mail  packets=3 bytes=172\n"
			 "tcp    [fd00:3::25]:40025 -> [fd00:2::25]:25  naibu -> "
			 "lgwan  by (unmarked)  packets=3 bytes=172\n");
	free(s);
	s = flows(true, v, 2);
	ck_assert_str_eq(
		s, "[{\"proto\":\"tcp\",\"src\":\"10.3.0.25\",\"sport\":40025,"
		   "\"dst\":\"10.2.0.25\",\"dport\":25,\"src_zone\":\"naibu\","
		   "\"dst_zone\":\"lgwan\",\"admitted_by\":\"mail\","
		   "\"packets\":3,\"bytes\":172},"
		   "{\"proto\":\"tcp\",\"src\":\"fd00:3::25\",\"sport\":40025,"
		   "\"dst\":\"fd00:2::25\",\"dport\":25,\"src_zone\":\"naibu\","
		   "\"dst_zone\":\"lgwan\",\"admitted_by\":null,"
		   "\"packets\":3,\"bytes\":172}]\n");
	free(s);
	s = flows(false, v, 0);
	ck_assert_str_eq(s, "no cross-zone flows\n");
	free(s);
	s = flows(true, v, 0);
	ck_assert_str_eq(s, "[]\n");
	free(s);
}
END_TEST

/* ---- time-boxed channels (status and audit) ---- */

static const char conf_windows[] =
	"zones = (\n"
	" { name = \"jumin\"; interfaces = [ \"e1\" ]; tier = \"resident\"; networks = [ \"10.1.0.0/16\" ]; },\n"
	" { name = \"lgwan\"; interfaces = [ \"e2\" ]; tier = \"lgwan\"; networks = [ \"10.2.0.0/16\" ]; }\n"
	");\n"
	"channels = (\n"
	" { name = \"hoshu\"; kind = \"screen-transfer\"; from = \"lgwan\"; to = \"jumin\";\n"
	"   from_hosts = [ \"10.2.0.40\" ]; to_hosts = [ \"10.1.0.40\" ];\n"
	"   services = [ \"tcp/3389\" ]; reason = \"r\"; approved = \"CISO-2\";\n"
	"   vendor = \"ACME \\\"x\\\"\"; windows = [ \"Tue 22:00-02:00\", \"Wed 10:00-12:00\" ]; },\n"
	" { name = \"later\"; kind = \"screen-transfer\"; from = \"lgwan\"; to = \"jumin\";\n"
	"   from_hosts = [ \"10.2.0.41\" ]; to_hosts = [ \"10.1.0.41\" ];\n"
	"   services = [ \"tcp/3389\" ]; reason = \"r\"; approved = \"CISO-3\";\n"
	"   not_before = \"2027-01-01\"; },\n"
	" { name = \"plain\"; kind = \"screen-transfer\"; from = \"lgwan\"; to = \"jumin\";\n"
	"   from_hosts = [ \"10.2.0.42\" ]; to_hosts = [ \"10.1.0.42\" ];\n"
	"   services = [ \"tcp/3389\" ]; reason = \"r\"; approved = \"CISO-4\"; }\n"
	");\n"
	"gateway = { management = ( ); outbound = ( ); };\n";

/* The time-boxed channels of @m at @now, as text or as the member */
static char *windows(const struct zone_model *m, time_t now, bool json)
{
	struct ctl_out o = { .json = json, .fd = -1 };
	char *all = NULL;
	size_t len = 0;

	o.out = open_memstream(&all, &len);
	ck_assert_ptr_nonnull(o.out);
	o.err = stderr;
	if (json) {
		json_start(&o.j, o.out);
		json_object(&o.j, NULL);
	}
	ctl_windows_print(m, now, &o);
	if (json)
		json_finish(&o.j);
	fclose(o.out);
	return all;
}

START_TEST(test_windows)
{
	struct zone_model *m;
	struct zone_diag *diag = zone_diag_new();
	/* Tuesday 2026-12-01 12:00 UTC, then 23:00 */
	time_t noon = 1796126400;
	char *s;

	ck_assert_int_eq(zone_conf_load_string(conf_windows, "w", diag, &m), 0);
	zone_diag_free(diag);
	s = windows(m, noon, false);
	ck_assert_str_eq(
		s, "time-boxed channels:\n"
		   "  hoshu: closed, vendor \"ACME \"x\"\"\n"
		   "    window \"Tue 22:00-02:00\": next open "
		   "2026-12-01T22:00:00+0000, closes 2026-12-02T02:00:00+0000\n"
		   "    window \"Wed 10:00-12:00\": next open "
		   "2026-12-02T10:00:00+0000, closes 2026-12-02T12:00:00+0000\n"
		   "  later: closed, not before 2027-01-01T00:00:00+0000\n");
	free(s);
	s = windows(m, noon, true);
	ck_assert_str_eq(
		s, "{\"time_boxed\":[{\"channel\":\"hoshu\",\"vendor\":"
		   "\"ACME \\\"x\\\"\",\"not_before\":null,\"open\":false,"
		   "\"windows\":[{\"window\":\"Tue 22:00-02:00\",\"open\":false,"
		   "\"opens\":\"2026-12-01T22:00:00+0000\","
		   "\"closes\":\"2026-12-02T02:00:00+0000\"},"
		   "{\"window\":\"Wed 10:00-12:00\",\"open\":false,"
		   "\"opens\":\"2026-12-02T10:00:00+0000\","
		   "\"closes\":\"2026-12-02T12:00:00+0000\"}]},"
		   "{\"channel\":\"later\",\"vendor\":null,"
		   "\"not_before\":\"2027-01-01T00:00:00+0000\",\"open\":false,"
		   "\"windows\":[]}]}\n");
	free(s);
	/* 23:00: the first window is open */
	s = windows(m, noon + 11 * 3600, false);
	ck_assert_str_eq(
		s, "time-boxed channels:\n"
		   "  hoshu: open, vendor \"ACME \"x\"\"\n"
		   "    window \"Tue 22:00-02:00\": open now, closes "
		   "2026-12-02T02:00:00+0000\n"
		   "    window \"Wed 10:00-12:00\": next open "
		   "2026-12-02T10:00:00+0000, closes 2026-12-02T12:00:00+0000\n"
		   "  later: closed, not before 2027-01-01T00:00:00+0000\n");
	free(s);
	s = windows(m, noon + 11 * 3600, true);
	ck_assert_ptr_nonnull(strstr(
		s, "\"open\":true,\"windows\":[{\"window\":\"Tue 22:00-02:00\","
		   "\"open\":true,\"opens\":\"2026-12-01T22:00:00+0000\","
		   "\"closes\":\"2026-12-02T02:00:00+0000\"},"));
	free(s);
	/* none: nothing at all as text, an empty array as JSON */
	s = windows(z.model, noon, false);
	ck_assert_str_eq(s, "");
	free(s);
	s = windows(z.model, noon, true);
	ck_assert_str_eq(s, "{\"time_boxed\":[]}\n");
	free(s);
	zone_model_free(m);
}
END_TEST

/* ---- reload, with the daemon's reload faked ---- */

static struct {
	int ret;
	char who[64];
	int calls;
} fake_reload;

int zoned_reload_as(struct zoned *zd, const char *why, const char *who)
{
	ck_assert_ptr_eq(zd, &z);
	ck_assert_str_eq(why, "zonectl");
	snprintf(fake_reload.who, sizeof(fake_reload.who), "%s", who);
	fake_reload.calls++;
	return fake_reload.ret;
}

static char conf_file[64];

static void reload_setup(void)
{
	int fd;

	setup();
	memset(&fake_reload, 0, sizeof(fake_reload));
	snprintf(conf_file, sizeof(conf_file), "/tmp/zoned-ctl-test.XXXXXX");
	fd = mkstemp(conf_file);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
	close(fd);
	z.conf_path = conf_file;
}

static void reload_teardown(void)
{
	unlink(conf_file);
	teardown();
}

static void reload(struct reply *r, bool json)
{
	struct ctl_request req = { .cmd = CTL_CMD_RELOAD };
	struct ctl_out o = { .json = json, .fd = -1, .who = "alice" };

	memset(r, 0, sizeof(*r));
	o.out = open_memstream(&r->out, &r->out_len);
	o.err = open_memstream(&r->err, &r->err_len);
	json_start(&o.j, o.out);
	ctl_reload(&z, &req, &o);
	fclose(o.out);
	fclose(o.err);
	r->status = o.status;
}

START_TEST(test_reload_applied)
{
	char want[160];
	struct reply r;

	reload(&r, true);
	ck_assert_int_eq(fake_reload.calls, 1);
	ck_assert_str_eq(fake_reload.who, "alice");
	snprintf(want, sizeof(want), "{\"result\":\"applied\",\"hash\":\"%s\"}\n",
		 zone_model_hash(z.model));
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	reply_free(&r);
	reload(&r, false);
	snprintf(want, sizeof(want), "policy %s applied\n",
		 zone_model_hash(z.model));
	ck_assert_str_eq(r.out, want);
	reply_free(&r);
}
END_TEST

/* A file with errors: its diagnostics, as zonectl check prints them. */
START_TEST(test_reload_bad_file)
{
	struct reply r;
	char want[128];
	FILE *f = fopen(conf_file, "a");

	ck_assert_ptr_nonnull(f);
	fputs("mode = \"loud\";\n", f);
	fclose(f);
	fake_reload.ret = -EINVAL;
	reload(&r, true);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	snprintf(want, sizeof(want), "%s:12: ", conf_file);
	ck_assert_ptr_nonnull(strstr(r.err, want));
	ck_assert_ptr_nonnull(strstr(r.err, "\nzonectl: reload failed, keeping "
					    "current configuration\n"));
	reply_free(&r);
}
END_TEST

/* A good file refused (a try in progress): the refusal, kept by reload.c. */
START_TEST(test_reload_refused)
{
	struct reply r;
	char want[160];

	fake_reload.ret = -EBUSY;
	snprintf(z.last_error, sizeof(z.last_error), "reload refused: on trial");
	reload(&r, false);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "reload refused: on trial\n"
				"zonectl: reload failed, keeping current "
				"configuration\n");
	reply_free(&r);
	/* nothing kept: the error itself */
	z.last_error[0] = '\0';
	fake_reload.ret = -EIO;
	reload(&r, false);
	snprintf(want, sizeof(want),
		 "%s: applying the policy: %s\nzonectl: reload failed, "
		 "keeping current configuration\n",
		 conf_file, strerror(EIO));
	ck_assert_str_eq(r.err, want);
	reply_free(&r);
}
END_TEST

/* @fn run as the control socket runs it; @arg its one argument or NULL */
static void run_cmd(struct reply *r, ctl_cmd_fn *fn, const char *arg,
		    bool json)
{
	struct ctl_request req = { .argv = { arg }, .argc = arg ? 1 : 0 };
	struct ctl_out o = { .json = json, .fd = -1, .who = "-" };

	memset(r, 0, sizeof(*r));
	o.out = open_memstream(&r->out, &r->out_len);
	o.err = open_memstream(&r->err, &r->err_len);
	ck_assert_ptr_nonnull(o.out);
	ck_assert_ptr_nonnull(o.err);
	json_start(&o.j, o.out);
	fn(&z, &req, &o);
	fclose(o.out);
	fclose(o.err);
	r->status = o.status;
}

static char *model_text(const struct zone_model *m, size_t *ret_len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, ret_len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(zone_model_print(m, f), 0);
	fclose(f);
	return text;
}

/*
 * zonectl diff's running config: whole when it fits a reply; else one
 * byte past the bound, which the control socket cuts with its notice, and
 * nothing more held (a million networks print 25 MB).
 */
START_TEST(test_config_capped)
{
	struct zone_model *small = z.model;
	struct zone_diag *diag = zone_diag_new();
	struct reply r;
	char *big = NULL;
	size_t big_len = 0;
	FILE *f = open_memstream(&big, &big_len);
	const char *at;
	char *want;
	size_t len;
	size_t k;

	run_cmd(&r, ctl_config, NULL, false);
	want = model_text(z.model, &len);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.out_len, len);
	ck_assert_str_eq(r.out, want);
	free(want);
	reply_free(&r);

	/* 80,000 networks: about 1.5 MB of print */
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(diag);
	at = strstr(conf, "\"10.1.0.0/16\"");
	ck_assert_ptr_nonnull(at);
	fprintf(f, "%.*s", (int)(at - conf), conf);
	for (k = 0; k < 80000; k++)
		fprintf(f, "\"100.%zu.%zu.%zu/28\", ", 64 + k * 16 / 65536,
			k * 16 / 256 % 256, k * 16 % 256);
	fputs(at, f);
	fclose(f);
	ck_assert_msg(zone_conf_load_string(big, "big", diag, &z.model) == 0,
		      "%s", zone_diag_count(diag) ? zone_diag_line(diag, 0) :
						    "?");
	zone_diag_free(diag);
	free(big);
	run_cmd(&r, ctl_config, NULL, false);
	want = model_text(z.model, &len);
	ck_assert_uint_gt(len, CTL_REPLY_MAX + 1);
	ck_assert_uint_eq(r.out_len, CTL_REPLY_MAX + 1);
	ck_assert(memcmp(r.out, want, r.out_len) == 0);
	free(want);
	reply_free(&r);
	zone_model_free(z.model);
	z.model = small;
}
END_TEST

/*
 * zonectl show of a kept policy larger than a reply: the file is read no
 * further than the reply carries, as text and as JSON.
 */
START_TEST(test_show_capped)
{
	static const char hash[] = "0123456789abcdef0123456789abcdef"
				   "0123456789abcdef0123456789abcdef";
	char dir[] = "/tmp/zoned-ctl-show.XXXXXX";
	char path[256];
	char line[64];
	struct reply r;
	size_t total = 0;
	FILE *f;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	z.state_dir = dir;
	snprintf(path, sizeof(path), "%s/history", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/history/index", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "1700000000\t%s\troot\tzonectl\t-\n", hash);
	fclose(f);
	snprintf(path, sizeof(path), "%s/history/%s.conf", dir, hash);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	/* 3 MiB of 64-byte lines */
	for (i = 0; total < 3 * CTL_REPLY_MAX; i++) {
		snprintf(line, sizeof(line), "# line %055zu\n", i);
		fputs(line, f);
		total += strlen(line);
	}
	fclose(f);

	run_cmd(&r, ctl_show, hash, false);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_gt(r.out_len, CTL_REPLY_MAX);
	ck_assert_uint_le(r.out_len, CTL_REPLY_MAX + 8192);
	ck_assert(strncmp(r.out, "# line 0000", 11) == 0);
	reply_free(&r);
	/* JSON: a newline takes two bytes; the whole file would be 3 MiB */
	run_cmd(&r, ctl_show, hash, true);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_gt(r.out_len, CTL_REPLY_MAX);
	ck_assert_uint_le(r.out_len, 2 * CTL_REPLY_MAX);
	ck_assert_msg(strncmp(r.out, "{\"hash\":\"0123", 12) == 0, "%.40s",
		      r.out);
	reply_free(&r);

	unlink(path);
	snprintf(path, sizeof(path), "%s/history/index", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/history", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("explain");
	TCase *tf = tcase_create("flows");
	TCase *tr = tcase_create("reload");
	TCase *tb = tcase_create("bounded replies");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_explain_channel_text_and_json);
	tcase_add_test(tc, test_config_as_a_file);
	tcase_add_test(tc, test_config_file_of_the_policy);
	tcase_add_test(tc, test_explain_open_channels);
	tcase_add_test(tc, test_explain_hard_invariant);
	tcase_add_test(tc, test_explain_refusals);
	tcase_add_test(tc, test_windows);
	suite_add_tcase(s, tc);
	tcase_add_test(tf, test_flows);
	suite_add_tcase(s, tf);
	tcase_add_checked_fixture(tr, reload_setup, reload_teardown);
	tcase_add_test(tr, test_reload_applied);
	tcase_add_test(tr, test_reload_bad_file);
	tcase_add_test(tr, test_reload_refused);
	suite_add_tcase(s, tr);
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_add_test(tb, test_config_capped);
	tcase_add_test(tb, test_show_capped);
	/* 80,000 networks parsed under ASan on a busy machine */
	tcase_set_timeout(tb, 60);
	suite_add_tcase(s, tb);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
