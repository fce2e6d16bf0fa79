/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zonectl - control zoned(8).
 *
 * Most commands are sent to the daemon over its control socket and its
 * reply is printed as it arrives.  `check` and `diff` parse the candidate
 * file here, with libzone, exactly as the daemon would (the ownership
 * check included), so that a candidate can be checked before it is
 * installed and the daemon never reads a file on a client's behalf.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <net/if.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/diag.h>
#include <zone/model.h>
#include <zone/proto.h>
#include <zone/ruleset.h>

#include "control.h"
#include "ctlmsg.h"

#define ZONECTL_TIMEOUT_S 120

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

static const char *arg_socket = ZONED_SOCKET_DEFAULT;
static bool arg_json;

static void __attribute__((noreturn)) usage_to(bool help)
{
	fprintf(help ? stdout : stderr,
		"usage: zonectl [-h] [-s socket] [--json] command [argument ...]\n");
	if (help)
		fputs("commands: status, check [file], diff [file], reload,\n"
		      "  explain src dst [proto/port] [--in iface] [--out iface] [--at time],\n"
		      "  flows, isolate target --reason text, release target, audit\n",
		      stdout);
	exit(help ? 0 : EXIT_USAGE);
}

/* a bad command line: the usage on stderr */
static void __attribute__((noreturn)) usage(void)
{
	usage_to(false);
}

static void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnx_(const char *fmt, ...)
{
	va_list ap;

	fputs("zonectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- talking to the daemon ---- */

static int ctl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = ZONECTL_TIMEOUT_S };
	int fd;

	if (strlen(arg_socket) >= sizeof(sun.sun_path)) {
		warnx_("%s: %s", arg_socket, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, arg_socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a wedged daemon must not hang a script forever */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* Read replies until END; returns the daemon's status or -errno. */
static int ctl_read_replies(int fd, FILE *out, FILE *err)
{
	char buf[CTL_MSG_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct ctl_reply r;
	ssize_t n;
	int ret;

	for (;;) {
		msg.msg_flags = 0;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -ECONNRESET;
		if (msg.msg_flags & MSG_TRUNC)
			return -EBADMSG;
		ret = ctl_reply_decode(buf, (size_t)n, &r);
		if (ret < 0)
			return ret;
		if (r.type == CTL_T_END)
			return r.status;
		fwrite(r.text, 1, r.len, r.type == CTL_T_OUT ? out : err);
	}
}

/*
 * ctl_call - send one request and copy the reply to @out and @err
 * Returns the daemon's exit status, or -errno after printing why.
 */
static int ctl_call(enum ctl_cmd cmd, size_t argc, const char **argv, FILE *out,
		    FILE *err)
{
	struct ctl_request req = { .cmd = cmd, .argc = argc };
	char buf[CTL_MSG_MAX];
	ssize_t len;
	size_t i;
	int fd;
	int ret;

	if (arg_json)
		req.flags |= CTL_F_JSON;
	for (i = 0; i < argc; i++)
		req.argv[i] = argv[i];
	len = ctl_request_encode(&req, buf, sizeof(buf));
	if (len < 0) {
		warnx_("%s: arguments too long", ctl_cmd_name(cmd));
		return (int)len;
	}
	fd = ctl_connect();
	if (fd < 0) {
		warnx_("%s: %s%s", arg_socket, strerror(-fd),
		       fd == -ENOENT || fd == -ECONNREFUSED ?
			       " (is zoned running?)" :
			       "");
		return fd;
	}
	/*
	 * A daemon without a slot for us answers with the reason and hangs
	 * up, maybe before the request went out: read its answer anyway.
	 */
	if (send(fd, buf, (size_t)len, MSG_NOSIGNAL) < 0 && errno != EPIPE)
		ret = -errno;
	else
		ret = ctl_read_replies(fd, out, err);
	close(fd);
	if (ret < 0)
		warnx_("%s: %s", arg_socket, strerror(-ret));
	return ret;
}

static int simple_command(enum ctl_cmd cmd, size_t argc, const char **argv)
{
	int ret = ctl_call(cmd, argc, argv, stdout, stderr);

	fflush(stdout);
	if (ret < 0)
		return EXIT_FAIL;
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}

/*
 * The running config's path, from the daemon, or the default when no
 * daemon answers.  The caller frees it.
 */
static char *running_conf_path(bool quiet_fallback)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	FILE *err;
	int ret;

	out = open_memstream(&text, &len);
	err = fopen("/dev/null", "we");
	if (!out || !err) {
		if (out)
			fclose(out);
		free(text);
		return strdup(ZONE_CONF_DEFAULT_PATH);
	}
	ret = ctl_call(CTL_CMD_CONF_PATH, 0, NULL, out,
		       quiet_fallback ? err : stderr);
	fclose(out);
	fclose(err);
	if (ret != 0 || len == 0) {
		free(text);
		return strdup(ZONE_CONF_DEFAULT_PATH);
	}
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* ---- check ---- */

static void print_diag_json(const struct zone_diag *diag)
{
	size_t i;

	fputc('[', stdout);
	for (i = 0; i < zone_diag_count(diag); i++) {
		fputs(i ? "," : "", stdout);
		ctl_json_string(stdout, zone_diag_line(diag, i));
	}
	fputc(']', stdout);
}

/*
 * Load @path as the daemon would (ownership checked) and compile it, so
 * that a config that passes here also passes a reload.
 */
static int load_candidate(const char *path, struct zone_diag *diag,
			  struct zone_model **ret_model)
{
	struct zone_ruleset *rs;
	int ret;

	ret = zone_conf_load(path, 0, diag, ret_model);
	if (ret < 0)
		return ret;
	rs = zone_ruleset_compile(*ret_model, NULL, 0, time(NULL));
	if (!rs) {
		ret = -errno;
		zone_diag_add(diag, path, 0, "cannot compile the ruleset: %s",
			      strerror(errno));
		zone_model_free(*ret_model);
		*ret_model = NULL;
		return ret;
	}
	zone_ruleset_free(rs);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	char *path;
	size_t i;
	int ret;

	if (argc > 1)
		usage();
	path = argc ? strdup(argv[0]) : running_conf_path(true);
	diag = zone_diag_new();
	if (!path || !diag) {
		warnx_("check: %s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	ret = load_candidate(path, diag, &model);
	if (arg_json) {
		fputs("{\"file\":", stdout);
		ctl_json_string(stdout, path);
		printf(",\"ok\":%s,\"policy_hash\":",
		       ret == 0 ? "true" : "false");
		ctl_json_string(stdout, model ? zone_model_hash(model) : NULL);
		fputs(",\"errors\":", stdout);
		print_diag_json(diag);
		fputs("}\n", stdout);
	} else {
		for (i = 0; i < zone_diag_count(diag); i++)
			fprintf(stderr, "%s\n", zone_diag_line(diag, i));
		if (ret == 0)
			printf("%s: configuration OK, policy %s\n", path,
			       zone_model_hash(model));
	}
	zone_model_free(model);
	zone_diag_free(diag);
	free(path);
	return ret == 0 ? EXIT_OK : EXIT_FAIL;
}

/* ---- diff ---- */

struct diff {
	bool any;
	bool first; /* JSON: no change printed yet */
	FILE *detail; /* the details of the change being built */
	char *text;
	size_t len;
};

static void diff_detail(struct diff *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void diff_detail(struct diff *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->detail) {
		d->detail = open_memstream(&d->text, &d->len);
		if (!d->detail)
			return;
	} else {
		fputc('\n', d->detail);
	}
	va_start(ap, fmt);
	vfprintf(d->detail, fmt, ap);
	va_end(ap);
}

/* Print one change: OP is "+", "-" or "~"; details are what diff_detail collected. */
static void diff_emit(struct diff *d, const char *op, const char *type,
		      const char *name)
{
	static const char *const ops[] = { "add", "remove", "change" };
	const char *word = ops[op[0] == '+' ? 0 : op[0] == '-' ? 1 : 2];
	char *line;
	char *save = NULL;
	bool comma = false;

	if (d->detail)
		fclose(d->detail);
	d->detail = NULL;
	d->any = true;
	if (arg_json) {
		fputs(d->first ? "{\"op\":" : ",{\"op\":", stdout);
		d->first = false;
		ctl_json_string(stdout, word);
		fputs(",\"type\":", stdout);
		ctl_json_string(stdout, type);
		fputs(",\"name\":", stdout);
		ctl_json_string(stdout, name);
		fputs(",\"details\":[", stdout);
		for (line = d->text ? strtok_r(d->text, "\n", &save) : NULL;
		     line; line = strtok_r(NULL, "\n", &save)) {
			fputs(comma ? "," : "", stdout);
			ctl_json_string(stdout, line);
			comma = true;
		}
		fputs("]}", stdout);
	} else {
		printf("%s %s%s%s\n", op, type, name ? " " : "",
		       name ? name : "");
		for (line = d->text ? strtok_r(d->text, "\n", &save) : NULL;
		     line; line = strtok_r(NULL, "\n", &save))
			printf("    %s\n", line);
	}
	free(d->text);
	d->text = NULL;
	d->len = 0;
}

static void diff_str(struct diff *d, const char *what, const char *a,
		     const char *b)
{
	if (!a && !b)
		return;
	if (a && b && strcmp(a, b) == 0)
		return;
	diff_detail(d, "%s: %s -> %s", what, a ? a : "(none)",
		    b ? b : "(none)");
}

static bool prefix_in(const struct zone_prefix *p,
		      const struct zone_prefix *(*get)(const void *, size_t),
		      const void *obj, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct zone_prefix *q = get(obj, i);

		if (q->len == p->len &&
		    memcmp(&q->addr, &p->addr, sizeof(p->addr)) == 0)
			return true;
	}
	return false;
}

typedef const struct zone_prefix *(*prefix_get)(const void *, size_t);

/* Prefixes in @b and not in @a get "+", the others "-". */
static void diff_prefixes(struct diff *d, const char *what, prefix_get get,
			  const void *a, size_t na, const void *b, size_t nb)
{
	char buf[ZONE_PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < nb; i++)
		if (!prefix_in(get(b, i), get, a, na))
			diff_detail(d, "%s +%s", what,
				    zone_prefix_format(get(b, i), buf,
						       sizeof(buf)));
	for (i = 0; i < na; i++)
		if (!prefix_in(get(a, i), get, b, nb))
			diff_detail(d, "%s -%s", what,
				    zone_prefix_format(get(a, i), buf,
						       sizeof(buf)));
}

static const struct zone_prefix *seg_net(const void *s, size_t i)
{
	return zone_segment_network(s, i);
}

static const struct zone_prefix *chan_from(const void *c, size_t i)
{
	return zone_channel_from_host(c, i);
}

static const struct zone_prefix *chan_to(const void *c, size_t i)
{
	return zone_channel_to_host(c, i);
}

static bool iface_in(const struct zone_segment *s, const char *name)
{
	size_t i;

	for (i = 0; i < zone_segment_interface_count(s); i++)
		if (strcmp(zone_segment_interface(s, i), name) == 0)
			return true;
	return false;
}

static void diff_ifaces(struct diff *d, const struct zone_segment *a,
			const struct zone_segment *b)
{
	size_t i;

	for (i = 0; i < zone_segment_interface_count(b); i++)
		if (!iface_in(a, zone_segment_interface(b, i)))
			diff_detail(d, "interface +%s",
				    zone_segment_interface(b, i));
	for (i = 0; i < zone_segment_interface_count(a); i++)
		if (!iface_in(b, zone_segment_interface(a, i)))
			diff_detail(d, "interface -%s",
				    zone_segment_interface(a, i));
}

static const char *seg_type(const struct zone_segment *s)
{
	return zone_segment_is_zone(s) ? "zone" : "attachment";
}

static void diff_segment(struct diff *d, const struct zone_segment *a,
			 const struct zone_segment *b)
{
	if (zone_segment_is_zone(a) != zone_segment_is_zone(b))
		diff_str(d, "type", seg_type(a), seg_type(b));
	diff_str(d, zone_segment_is_zone(b) ? "tier" : "kind",
		 zone_role_name(zone_segment_role(a)),
		 zone_role_name(zone_segment_role(b)));
	diff_str(d, "label", zone_segment_label(a), zone_segment_label(b));
	diff_prefixes(d, "network", seg_net, a, zone_segment_network_count(a),
		      b, zone_segment_network_count(b));
	diff_ifaces(d, a, b);
	if (d->detail)
		diff_emit(d, "~", seg_type(b), zone_segment_name(b));
}

static void diff_segments(struct diff *d, const struct zone_model *a,
			  const struct zone_model *b)
{
	const struct zone_segment *s;
	const struct zone_segment *t;
	size_t i;

	for (i = 0; i < zone_model_segment_count(b); i++) {
		s = zone_model_segment(b, i);
		t = zone_model_segment_by_name(a, zone_segment_name(s));
		if (t) {
			diff_segment(d, t, s);
			continue;
		}
		diff_detail(d, "%s %s, label %s",
			    zone_segment_is_zone(s) ? "tier" : "kind",
			    zone_role_name(zone_segment_role(s)),
			    zone_segment_label(s));
		diff_emit(d, "+", seg_type(s), zone_segment_name(s));
	}
	for (i = 0; i < zone_model_segment_count(a); i++) {
		s = zone_model_segment(a, i);
		if (!zone_model_segment_by_name(b, zone_segment_name(s)))
			diff_emit(d, "-", seg_type(s), zone_segment_name(s));
	}
}

static bool service_in(const struct zone_channel *c,
		       const struct zone_service *s)
{
	size_t i;

	for (i = 0; i < zone_channel_service_count(c); i++) {
		const struct zone_service *t = zone_channel_service(c, i);

		if (t->proto == s->proto && t->port_first == s->port_first &&
		    t->port_last == s->port_last)
			return true;
	}
	return false;
}

static void diff_services(struct diff *d, const struct zone_channel *a,
			  const struct zone_channel *b)
{
	char buf[32];
	size_t i;

	for (i = 0; i < zone_channel_service_count(b); i++)
		if (!service_in(a, zone_channel_service(b, i))) {
			zone_service_format(zone_channel_service(b, i), buf,
					    sizeof(buf));
			diff_detail(d, "service +%s", buf);
		}
	for (i = 0; i < zone_channel_service_count(a); i++)
		if (!service_in(b, zone_channel_service(a, i))) {
			zone_service_format(zone_channel_service(a, i), buf,
					    sizeof(buf));
			diff_detail(d, "service -%s", buf);
		}
}

static bool window_in(const struct zone_channel *c, const char *w)
{
	size_t i;

	for (i = 0; i < zone_channel_window_count(c); i++)
		if (strcmp(zone_channel_window_text(c, i), w) == 0)
			return true;
	return false;
}

static void diff_windows(struct diff *d, const struct zone_channel *a,
			 const struct zone_channel *b)
{
	size_t i;

	for (i = 0; i < zone_channel_window_count(b); i++)
		if (!window_in(a, zone_channel_window_text(b, i)))
			diff_detail(d, "window +\"%s\"",
				    zone_channel_window_text(b, i));
	for (i = 0; i < zone_channel_window_count(a); i++)
		if (!window_in(b, zone_channel_window_text(a, i)))
			diff_detail(d, "window -\"%s\"",
				    zone_channel_window_text(a, i));
}

static bool mac_in(const struct zone_channel *c, const uint8_t *mac)
{
	size_t i;

	for (i = 0; i < zone_channel_from_mac_count(c); i++)
		if (memcmp(zone_channel_from_mac(c, i), mac, 6) == 0)
			return true;
	return false;
}

static void diff_macs(struct diff *d, const struct zone_channel *a,
		      const struct zone_channel *b)
{
	char buf[ZONE_MAC_STRLEN];
	size_t i;

	for (i = 0; i < zone_channel_from_mac_count(b); i++)
		if (!mac_in(a, zone_channel_from_mac(b, i)))
			diff_detail(d, "from_mac +%s",
				    zone_mac_format(zone_channel_from_mac(b, i),
						    buf, sizeof(buf)));
	for (i = 0; i < zone_channel_from_mac_count(a); i++)
		if (!mac_in(b, zone_channel_from_mac(a, i)))
			diff_detail(d, "from_mac -%s",
				    zone_mac_format(zone_channel_from_mac(a, i),
						    buf, sizeof(buf)));
}

static void diff_channel(struct diff *d, const struct zone_channel *a,
			 const struct zone_channel *b)
{
	diff_str(d, "kind", zone_channel_kind_name(zone_channel_kind(a)),
		 zone_channel_kind_name(zone_channel_kind(b)));
	diff_str(d, "from", zone_segment_name(zone_channel_from(a)),
		 zone_segment_name(zone_channel_from(b)));
	diff_str(d, "to", zone_segment_name(zone_channel_to(a)),
		 zone_segment_name(zone_channel_to(b)));
	diff_prefixes(d, "from_host", chan_from, a,
		      zone_channel_from_host_count(a), b,
		      zone_channel_from_host_count(b));
	diff_prefixes(d, "to_host", chan_to, a, zone_channel_to_host_count(a),
		      b, zone_channel_to_host_count(b));
	diff_services(d, a, b);
	diff_str(d, "reason", zone_channel_reason(a), zone_channel_reason(b));
	diff_str(d, "approved", zone_channel_approved(a),
		 zone_channel_approved(b));
	diff_str(d, "expires", zone_channel_expires_text(a),
		 zone_channel_expires_text(b));
	diff_str(d, "not_before", zone_channel_not_before_text(a),
		 zone_channel_not_before_text(b));
	diff_str(d, "vendor", zone_channel_vendor(a), zone_channel_vendor(b));
	diff_windows(d, a, b);
	diff_macs(d, a, b);
	if (d->detail)
		diff_emit(d, "~", "channel", zone_channel_name(b));
}

static void diff_channels(struct diff *d, const struct zone_model *a,
			  const struct zone_model *b)
{
	const struct zone_channel *c;
	const struct zone_channel *t;
	size_t i;

	for (i = 0; i < zone_model_channel_count(b); i++) {
		c = zone_model_channel(b, i);
		t = zone_model_channel_by_name(a, zone_channel_name(c));
		if (t) {
			diff_channel(d, t, c);
			continue;
		}
		diff_detail(d, "%s %s -> %s",
			    zone_channel_kind_name(zone_channel_kind(c)),
			    zone_segment_name(zone_channel_from(c)),
			    zone_segment_name(zone_channel_to(c)));
		diff_emit(d, "+", "channel", zone_channel_name(c));
	}
	for (i = 0; i < zone_model_channel_count(a); i++) {
		c = zone_model_channel(a, i);
		if (!zone_model_channel_by_name(b, zone_channel_name(c)))
			diff_emit(d, "-", "channel", zone_channel_name(c));
	}
}

static void diff_models(struct diff *d, const struct zone_model *a,
			const struct zone_model *b)
{
	char fa[16];
	char fb[16];

	diff_str(d, "profile", zone_profile_name(zone_model_profile(a)),
		 zone_profile_name(zone_model_profile(b)));
	diff_str(d, "profile_approved", zone_model_profile_approved(a),
		 zone_model_profile_approved(b));
	diff_str(d, "mode", zone_mode_name(zone_model_mode(a)),
		 zone_mode_name(zone_model_mode(b)));
	snprintf(fa, sizeof(fa), "%d", zone_model_alert_facility(a));
	snprintf(fb, sizeof(fb), "%d", zone_model_alert_facility(b));
	diff_str(d, "alert facility", fa, fb);
	if (d->detail)
		diff_emit(d, "~", "policy", NULL);
	diff_segments(d, a, b);
	diff_channels(d, a, b);
}

/* The running model, from the daemon's normalised print of it. */
static int running_model(struct zone_model **ret_model)
{
	struct zone_diag *diag;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	size_t i;
	int ret;

	out = open_memstream(&text, &len);
	if (!out)
		return -errno;
	ret = ctl_call(CTL_CMD_CONFIG, 0, NULL, out, stderr);
	fclose(out);
	if (ret != 0) {
		free(text);
		return ret < 0 ? ret : -EIO;
	}
	diag = zone_diag_new();
	ret = diag ? zone_conf_load_string(text, "(running)", diag, ret_model) :
		     -ENOMEM;
	for (i = 0; diag && ret < 0 && i < zone_diag_count(diag); i++)
		warnx_("running config: %s", zone_diag_line(diag, i));
	zone_diag_free(diag);
	free(text);
	return ret;
}

static int cmd_diff(int argc, char **argv)
{
	struct zone_model *cand = NULL;
	struct zone_model *run = NULL;
	struct diff d = { .first = true };
	struct zone_diag *diag;
	char *path;
	size_t i;
	int ret;

	if (argc > 1)
		usage();
	if (running_model(&run) < 0)
		return EXIT_FAIL;
	path = argc ? strdup(argv[0]) : running_conf_path(false);
	diag = zone_diag_new();
	if (!path || !diag) {
		ret = -ENOMEM;
		warnx_("diff: %s", strerror(ENOMEM));
		goto out;
	}
	ret = load_candidate(path, diag, &cand);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	if (ret < 0) {
		warnx_("%s: the candidate has errors", path);
		goto out;
	}
	if (arg_json) {
		fputs("{\"running\":", stdout);
		ctl_json_string(stdout, zone_model_hash(run));
		fputs(",\"candidate\":", stdout);
		ctl_json_string(stdout, zone_model_hash(cand));
		fputs(",\"file\":", stdout);
		ctl_json_string(stdout, path);
		fputs(",\"changes\":[", stdout);
	}
	diff_models(&d, run, cand);
	if (arg_json)
		printf("]}\n");
	else if (!d.any)
		printf("no changes (policy %s)\n", zone_model_hash(run));
	else
		printf("policy %s -> %s\n", zone_model_hash(run),
		       zone_model_hash(cand));
out:
	zone_model_free(cand);
	zone_model_free(run);
	zone_diag_free(diag);
	free(path);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

/* ---- the command line ---- */

/*
 * Take --json wherever it appears after the command, --reason TEXT (or
 * --reason=TEXT) when @reason is given, and --in IFACE / --out IFACE
 * into @iface[0] / @iface[1] when @iface is given.  The rest stay in
 * order.
 */
static int take_options(int *argc, char **argv, const char **reason,
			const char **iface, const char **at)
{
	int n = 0;
	int i;

	for (i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			arg_json = true;
		} else if (at && strcmp(argv[i], "--at") == 0) {
			if (i + 1 == *argc)
				return -EINVAL;
			*at = argv[++i];
		} else if (at && strncmp(argv[i], "--at=", 5) == 0) {
			*at = argv[i] + 5;
		} else if (iface && (strcmp(argv[i], "--in") == 0 ||
				     strcmp(argv[i], "--out") == 0)) {
			if (i + 1 == *argc)
				return -EINVAL;
			iface[argv[i][2] == 'o'] = argv[i + 1];
			i++;
		} else if (reason && strcmp(argv[i], "--reason") == 0) {
			if (i + 1 == *argc)
				return -EINVAL;
			*reason = argv[++i];
		} else if (reason && strncmp(argv[i], "--reason=", 9) == 0) {
			*reason = argv[i] + 9;
		} else if (strcmp(argv[i], "--") == 0) {
			while (++i < *argc)
				argv[n++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return -EINVAL;
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	return 0;
}

/*
 * --at TIME: "@SECONDS" since the epoch, or ISO 8601 "YYYY-MM-DDTHH:MM"
 * with optional ":SS", in local time or followed by Z or +HH:MM.
 */
static int parse_time(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	long long v;
	int sign;
	int oh;
	int om;

	if (s[0] == '@') {
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v < 0)
			return -EINVAL;
		*ret = (time_t)v;
		return 0;
	}
	p = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	if (!p)
		return -EINVAL;
	if (*p == ':') {
		p = strptime(p, ":%S", &tm);
		if (!p)
			return -EINVAL;
	}
	if (*p == '\0') {
		tm.tm_isdst = -1;
		*ret = mktime(&tm);
		return *ret == (time_t)-1 ? -EINVAL : 0;
	}
	*ret = timegm(&tm);
	if (strcmp(p, "Z") == 0)
		return 0;
	if ((p[0] != '+' && p[0] != '-') ||
	    sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || strlen(p) != 6 ||
	    oh > 23 || om > 59)
		return -EINVAL;
	sign = p[0] == '+' ? 1 : -1;
	*ret -= sign * (oh * 3600 + om * 60);
	return 0;
}

struct command {
	const char *name;
	enum ctl_cmd cmd; /* 0: handled here */
	int argc_min;
	int argc_max;
};

static const struct command commands[] = {
	{ "status", CTL_CMD_STATUS, 0, 0 },
	{ "check", 0, 0, 1 },
	{ "diff", 0, 0, 1 },
	{ "reload", CTL_CMD_RELOAD, 0, 0 },
	{ "explain", CTL_CMD_EXPLAIN, 2, 3 },
	{ "flows", CTL_CMD_FLOWS, 0, 0 },
	{ "isolate", CTL_CMD_ISOLATE, 1, 1 },
	{ "release", CTL_CMD_RELEASE, 1, 1 },
	{ "audit", CTL_CMD_AUDIT, 0, 0 },
};

static int run_command(const struct command *c, int argc, char **argv)
{
	const char *reason = NULL;
	const char *iface[2] = { NULL, NULL };
	const char *at = NULL;
	char at_arg[32];
	time_t when;
	const char *args[CTL_ARGS_MAX];
	char in[8 + IF_NAMESIZE];
	char out[8 + IF_NAMESIZE];
	int i;

	if (take_options(&argc, argv,
			 c->cmd == CTL_CMD_ISOLATE ? &reason : NULL,
			 c->cmd == CTL_CMD_EXPLAIN ? iface : NULL,
			 c->cmd == CTL_CMD_EXPLAIN ? &at : NULL) < 0)
		usage();
	if (argc < c->argc_min || argc > c->argc_max)
		usage();
	if (c->cmd == CTL_CMD_ISOLATE && (!reason || !reason[0]))
		usage();
	if (strcmp(c->name, "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(c->name, "diff") == 0)
		return cmd_diff(argc, argv);
	for (i = 0; i < argc; i++)
		args[i] = argv[i];
	if (reason)
		args[argc++] = reason;
	/* the daemon takes them as in=IFACE and out=IFACE */
	for (i = 0; i < 2; i++) {
		if (iface[i] && strlen(iface[i]) >= IF_NAMESIZE)
			usage();
	}
	if (iface[0]) {
		snprintf(in, sizeof(in), "in=%s", iface[0]);
		args[argc++] = in;
	}
	if (iface[1]) {
		snprintf(out, sizeof(out), "out=%s", iface[1]);
		args[argc++] = out;
	}
	if (at) {
		if (parse_time(at, &when) < 0) {
			warnx_("--at \"%.40s\": expected YYYY-MM-DDTHH:MM[:SS] "
			       "(local time, or with Z or +09:00) or @SECONDS",
			       at);
			return EXIT_USAGE;
		}
		snprintf(at_arg, sizeof(at_arg), "at=%lld", (long long)when);
		args[argc++] = at_arg;
	}
	return simple_command(c->cmd, (size_t)argc, args);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int ch;

	while ((ch = getopt_long(argc, argv, "+hs:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage_to(true);
		case 's':
			arg_socket = optarg;
			break;
		case 'j':
			arg_json = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return run_command(&commands[i], argc - 1, argv + 1);
	warnx_("unknown command %s", argv[0]);
	usage();
}
