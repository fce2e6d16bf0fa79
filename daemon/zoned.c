/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zoned - three-tier network separation for municipal gateways
 *
 * Startup never leaves a gap and never fails open: the config is loaded
 * and the whole table committed in one batch before anything else; when
 * that is impossible the table of the previous run stays, or, when there
 * is none, the lockdown table goes in, and zoned exits non-zero.  On exit
 * the table stays in the kernel.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <zone/conf.h>
#include <zone/ruleset.h>

#include "alert.h"
#include "caps.h"
#include "clockwatch.h"
#include "control.h"
#include "ctlmsg.h"
#include "ctlout.h"
#include "ctwatch.h"
#include "ha.h"
#include "isolation.h"
#include "linkwatch.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "nflog.h"
#include "nftmon.h"
#include "notify.h"
#include "reload.h"
#include "resolver.h"
#include "stats.h"
#include "svcuser.h"
#include "tablestate.h"
#include "trial.h"
#include "zoned.h"

#ifndef ZONED_VERSION
#define ZONED_VERSION "0.1.0"
#define ZONED_STATE_DIR_DEFAULT "/var/lib/zoned"
#endif

/* -h: the usage on stdout, success; a bad option: on stderr, status 1 */
static void usage(bool help)
{
	fprintf(help ? stdout : stderr,
		"usage: zoned [-dhtTV] [-f file] [-s socket] [-S statedir]\n");
	exit(help ? 0 : 1);
}

/* Print a block of -T output as config comments, so -T output parses. */
static int print_commented(int (*print)(const void *obj, FILE *out),
			   const void *obj, const char *title)
{
	char *text = NULL;
	size_t size = 0;
	char *line;
	char *save;
	FILE *mem;
	int ret;

	mem = open_memstream(&text, &size);
	if (mem == NULL)
		return -errno;
	ret = print(obj, mem);
	fclose(mem);
	if (ret == 0) {
		printf("\n# %s\n", title);
		for (line = strtok_r(text, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			printf(line[0] == '#' ? "%s\n" : "# %s\n", line);
	}
	free(text);
	return ret;
}

static int print_tiers(const void *model, FILE *out)
{
	return zone_model_print_tiers(model, out);
}

static int print_edges(const void *model, FILE *out)
{
	return zone_model_print_edges(model, out);
}

static int print_plan(const void *rs, FILE *out)
{
	return zone_ruleset_print(rs, out);
}

/* -T: the normalised config, the tier mapping and the compiled plan. */
static int conf_print(const struct zone_model *model)
{
	struct zone_compile_args args = { .now = time(NULL) };
	struct zone_ruleset *rs;
	int ret;

	ret = zone_model_print(model, stdout);
	if (ret == 0)
		ret = print_commented(print_tiers, model, "tier mapping");
	if (ret == 0)
		ret = print_commented(print_edges, model, "edges");
	if (ret < 0)
		return ret;
	rs = zone_ruleset_compile(model, &args);
	if (rs == NULL)
		return -errno;
	ret = print_commented(print_plan, rs, "compiled plan");
	zone_ruleset_free(rs);
	return ret;
}

/*
 * Run as root, -t also asks whether the service could read the file: the
 * unit runs zoned as the user zoned, and a file only root can read passes
 * every other check here yet fails the first `systemctl start`.
 * Returns 0, or -EACCES after saying why.
 */
static int check_service_access(const char *path)
{
	char abs[PATH_MAX];
	char why[256];
	int ret;

	if (geteuid() != 0 || realpath(path, abs) == NULL)
		return 0;
	ret = svcuser_check(abs, ZONED_SERVICE_USER, why, sizeof(why));
	if (ret == 1) {
		fprintf(stderr,
			"%s: not readable by user %s, which zoned.service runs as (%s): chgrp %s %s && chmod 0640 %s\n",
			path, ZONED_SERVICE_USER, why, ZONED_SERVICE_USER, abs,
			abs);
		return -EACCES;
	}
	if (ret == -ENOENT && strcmp(abs, ZONE_CONF_DEFAULT_PATH) == 0)
		fprintf(stderr,
			"zoned: warning: there is no user %s for zoned.service to run as (systemd-sysusers creates it)\n",
			ZONED_SERVICE_USER);
	return 0;
}

/* -t and -T: check the config (and print it); the exit status. */
static int conf_test(const char *path, bool print)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	size_t i;
	int ret;

	diag = zone_diag_new();
	if (diag == NULL) {
		fprintf(stderr, "zoned: %s\n", strerror(ENOMEM));
		return 1;
	}
	ret = zone_conf_load(path, 0, diag, &model);
	/* warnings do not change the exit status */
	if (ret == 0)
		zone_conf_warnings(model, time(NULL), diag);
	for (i = 0; i < zone_diag_count(diag); i++)
		fprintf(stderr, "%s\n", zone_diag_line(diag, i));
	if (check_service_access(path) < 0 && ret == 0)
		ret = -EACCES;
	if (ret == 0 && print && (ret = conf_print(model)) < 0)
		fprintf(stderr, "zoned: cannot print %s: %s\n", path,
			strerror(-ret));
	if (ret == 0)
		fprintf(stderr, "configuration OK\n");
	fflush(stdout);
	zone_model_free(model);
	zone_diag_free(diag);
	return ret == 0 && !ferror(stdout) ? 0 : 1;
}

/*
 * No valid policy could be applied at start: keep the table of the
 * previous run only when it bears zoned's signature and is exactly what
 * zoned last applied; anything else named inet zoned (another tool's
 * table, one changed while zoned was stopped) or no table at all gives
 * way to the lockdown table.
 */
static void fail_closed(struct zoned *z)
{
	int ret;

	if (tablestate_keep(z)) {
		log_warnx("keeping the table of the previous run in force");
		return;
	}
	ret = zone_nft_lockdown(z->nft);
	if (ret < 0) {
		log_warnx("cannot install the lockdown table: %s",
			  strerror(-ret));
		return;
	}
	log_warnx("installed the lockdown table: new cross-zone forwarding is dropped");
	tablestate_save(z, "lockdown", NULL);
}

/* The start log says what guards the table between zoned's repairs. */
static void log_protection(struct zoned *z)
{
	if (zone_nft_protection(z->nft) == ZONE_NFT_OWNER_PERSIST)
		log_info("table protection: owner-persist (other writers are refused, the table outlives zoned)");
	else
		log_warnx("table protection: monitor-only (this kernel has no persist table flag: "
			  "other writers can change the table, zoned repairs it and raises drift)");
}

static void startup_failed(struct zoned *z, int err)
{
	notify_sendf("ERRNO=%d\nSTATUS=startup failed: %s", -err,
		     z->last_error[0] ? z->last_error : strerror(-err));
	exit(1);
}

/* Load, compile and apply the config: the first thing zoned does. */
static void start_policy(struct zoned *z)
{
	struct zone_model *model = NULL;
	struct zone_diag *diag;
	size_t i;
	int ret2;
	int ret;

	diag = zone_diag_new();
	if (diag == NULL)
		fatal("zone_diag_new");
	/* a try cut short by a restart: its confirmed policy, not the file */
	ret = trial_restore(z, &model);
	if (ret == 0)
		ret = zone_conf_load(z->conf_path, 0, diag, &model);
	else
		ret = 0;
	z->nft = zone_nft_open();
	if (z->nft == NULL)
		fatal("cannot open the nftables socket");
	log_protection(z);
	ret2 = tablestate_start(z);
	if (ret2 < 0)
		log_warnx("cannot compare the table with the last applied one: %s",
			  strerror(-ret2));
	if (ret == 0) {
		z->iso = isolation_load(z->state_dir);
		if (z->iso == NULL) {
			ret = -errno;
			zone_diag_add(diag, z->state_dir, 0,
				      "cannot load the isolation state: %s",
				      strerror(-ret));
		}
	}
	/* evidence first: the apply below erases what was changed */
	tablestate_report(z, ret == 0 ? "restore" : "lockdown");
	if (ret == 0 && (ret = zoned_apply_model(z, model, diag)) == 0) {
		zone_diag_free(diag);
		return;
	}
	/* Not taken over: the config was invalid or could not be applied. */
	zone_model_free(model);
	for (i = 0; i < zone_diag_count(diag); i++)
		log_warnx("%s", zone_diag_line(diag, i));
	snprintf(z->last_error, sizeof(z->last_error), "%s",
		 zone_diag_count(diag) ? zone_diag_line(diag, 0) :
					 strerror(-ret));
	alert_emit(z->alerts, ALERT_POLICY_REJECTED, "file", z->conf_path,
		   "trigger", "start", "error", z->last_error, NULL);
	fail_closed(z);
	zone_diag_free(diag);
	startup_failed(z, ret);
}

/*
 * Read the table back before READY=1: the batch was acknowledged, but
 * only a dump shows what the kernel holds.  A difference is re-applied
 * once; if it stays, zoned goes on (the table it has is still closed)
 * and says so.
 */
static void verify_table(struct zoned *z)
{
	struct zone_diag *diag;
	int tries;
	size_t i;
	int ret;

	for (tries = 0; tries < 2; tries++) {
		diag = zone_diag_new();
		if (diag == NULL)
			fatal("zone_diag_new");
		ret = zone_nft_verify(z->nft, z->ruleset, diag);
		for (i = 0; i < zone_diag_count(diag); i++)
			log_warnx("%s", zone_diag_line(diag, i));
		zone_diag_free(diag);
		if (ret == 0)
			return;
		if (ret != -EUCLEAN) {
			log_warnx("cannot read the table back: %s, ignoring",
				  strerror(-ret));
			return;
		}
		if (tries == 0)
			zoned_reapply(z, "verify");
	}
	log_warnx(
		"the kernel's table still differs from the compiled plan, ignoring");
}

static void on_signal(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			zoned_reload(z, "SIGHUP");
			break;
		case SIGTERM:
		case SIGINT:
			log_info("received %s, exiting",
				 si.ssi_signo == SIGTERM ? "SIGTERM" :
							   "SIGINT");
			z->quit = true;
			break;
		default:
			break;
		}
	}
}

static void on_watchdog(struct zoned *z, int fd, uint32_t events, void *arg)
{
	(void)z;
	(void)events;
	(void)arg;
	/* Sent from the loop, so a stuck loop stops it and gets restarted. */
	if (loop_timer_read(fd) > 0)
		notify_send("WATCHDOG=1");
}

static void on_tick(struct zoned *z, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	if (loop_timer_read(fd) > 0) {
		alerts_tick(z->alerts);
		clockwatch_tick(z);
	}
}

/* Signals are read from a signalfd: no handler ever does work. */
static int open_signals(struct zoned *z, sigset_t *mask)
{
	int fd;
	int ret;

	fd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = loop_add(z, fd, EPOLLIN, on_signal, NULL);
	if (ret < 0)
		close(fd);
	return ret < 0 ? ret : fd;
}

static int open_timers(struct zoned *z)
{
	uint64_t usec;
	int fd;
	int ret;

	fd = loop_timer_every(z, 1000, on_tick, NULL);
	if (fd < 0)
		return fd;
	ret = notify_watchdog_usec(&usec);
	if (ret <= 0) {
		if (ret < 0)
			log_warnx("malformed WATCHDOG_USEC, ignoring");
		return 0;
	}
	/* Every half interval, as sd_watchdog_enabled(3) advises. */
	usec /= 2000;
	fd = loop_timer_every(z, usec ? usec : 1, on_watchdog, NULL);
	return fd < 0 ? fd : 0;
}

static void open_or_die(struct zoned *z, int (*open_fn)(struct zoned *),
			const char *what)
{
	int ret = open_fn(z);

	if (ret < 0) {
		snprintf(z->last_error, sizeof(z->last_error), "%s: %s", what,
			 strerror(-ret));
		log_warnx("cannot start the %s: %s; the table stays in force",
			  what, strerror(-ret));
		startup_failed(z, ret);
	}
}

/* Open what watches the policy; each failure is fatal before READY. */
static void start_watchers(struct zoned *z, sigset_t *mask)
{
	int ret;

	open_or_die(z, resolver_open, "resolver");
	open_or_die(z, ctwatch_open, "conntrack watcher");
	/* Subscribed first, then swept: no flow falls in between. */
	ret = ctwatch_sweep(z);
	if (ret < 0)
		log_warnx("conntrack sweep: %s, ignoring", strerror(-ret));
	open_or_die(z, nflog_open, "nflog receiver");
	open_or_die(z, nftmon_open, "nftables monitor");
	open_or_die(z, linkwatch_open, "link watcher");
	open_or_die(z, control_open, "control socket");
	open_or_die(z, clockwatch_open, "clock watch");
	ret = open_signals(z, mask);
	if (ret >= 0)
		ret = open_timers(z);
	if (ret >= 0)
		ret = reload_open(z);
	if (ret < 0)
		fatalx("cannot set up the event loop: %s", strerror(-ret));
}

static void shutdown_daemon(struct zoned *z)
{
	notify_send("STOPPING=1");
	metrics_close(z);
	reload_close(z);
	resolver_close(z);
	clockwatch_close(z);
	trial_free(z);
	ha_close(z);
	control_close(z);
	nftmon_close(z);
	nflog_close(z);
	ctwatch_close(z);
	linkwatch_close(z);
	/* Closing the writer leaves the table: segmentation fails closed. */
	zone_nft_close(z->nft);
	zone_ruleset_free(z->ruleset);
	zone_model_free(z->model);
	ctl_shared_free(&z->print);
	isolation_free(z->iso);
	tablestate_free(z);
	stats_free(z->stats);
	alerts_free(z->alerts);
	loop_fini(z);
	log_info("exiting, the inet zoned table stays in force");
}

static void parse_args(struct zoned *z, int argc, char **argv, int *check)
{
	int ch;

	while ((ch = getopt(argc, argv, "df:hs:S:tTV")) != -1) {
		switch (ch) {
		case 'd':
			z->debug = true;
			break;
		case 'h':
			usage(true);
			break;
		case 'f':
			z->conf_path = optarg;
			break;
		case 's':
			z->socket_path = optarg;
			break;
		case 'S':
			z->state_dir = optarg;
			break;
		case 't':
			*check = *check > 1 ? *check : 1;
			break;
		case 'T':
			*check = 2;
			break;
		case 'V':
			printf("zoned %s\n", ZONED_VERSION);
			exit(0);
		default:
			usage(false);
		}
	}
	if (optind != argc)
		usage(false);
}

int main(int argc, char **argv)
{
	struct zoned z = {
		.epfd = -1,
		.conf_path = ZONE_CONF_DEFAULT_PATH,
		.socket_path = ZONED_SOCKET_DEFAULT,
		.state_dir = ZONED_STATE_DIR_DEFAULT,
	};
	sigset_t mask;
	int check = 0;
	int ret;

	parse_args(&z, argc, argv, &check);
	if (check)
		return conf_test(z.conf_path, check == 2);

	/*
	 * Large arrays (a policy's networks, the plan's elements) are mapped
	 * on their own and unmapped when freed, and grow by mremap without a
	 * copy: glibc's default threshold rises to 32 MB after the first
	 * such free, after which they fragment the heap.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	log_init(z.debug, LOG_DAEMON);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		fatal("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	if ((ret = loop_init(&z)) < 0)
		fatalx("cannot create the event loop: %s", strerror(-ret));
	z.alerts = alerts_new(LOG_AUTHPRIV);
	z.stats = stats_new();
	if (z.alerts == NULL || z.stats == NULL)
		fatal("cannot allocate the daemon state");
	alerts_set_stderr(z.alerts, z.debug);

	if ((ret = linkwatch_init(&z)) < 0)
		fatalx("cannot allocate the link watcher: %s", strerror(-ret));
	start_policy(&z);
	/* No sweep yet: start_watchers() subscribes first, then sweeps. */
	zoned_policy_applied(&z, "start");
	trial_started(&z);
	verify_table(&z);
	start_watchers(&z, &mask);
	/* every socket is open: nothing but CAP_NET_ADMIN is needed now */
	if ((ret = caps_drop()) < 0)
		log_warnx("cannot drop capabilities: %s, ignoring",
			  strerror(-ret));
	else
		log_debug("capabilities dropped but CAP_NET_ADMIN");
	notify_sendf("READY=1\nSTATUS=enforcing %s policy %.12s",
		     zone_mode_name(zone_model_mode(z.model)),
		     zone_model_hash(z.model));
	log_info("startup done");
	log_startup_done();

	ret = loop_run(&z);
	if (ret < 0)
		log_warnx("event loop: %s", strerror(-ret));
	shutdown_daemon(&z);
	return ret < 0 ? 1 : 0;
}
