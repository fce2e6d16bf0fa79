/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy hashes of a gateway pair (ha.h).  Why an exchange of our own
 * rather than a file keepalived's notify script refreshes: keepalived runs
 * its scripts only when the VRRP state changes, so a file would go stale
 * exactly while both gateways run, which is when an edit applied to one of
 * them must show; and the exchange needs no ssh keys or shared storage
 * between the gateways, only the sync link they already have.
 *
 * One UDP datagram a second each way, to port ZONE_HA_ZONED_PORT of the
 * peer's address on the sync interface (the socket is bound to that
 * interface; the gateway's own hooks accept the port there from the peer
 * only).  Authenticity: HMAC-SHA256 under the pair's key.  Replays: the
 * sequence is the sender's wall clock in nanoseconds, kept increasing,
 * and a receiver takes only a sequence above the last it took; a replay
 * after the receiver restarts shows an old hash for at most a second,
 * until the next genuine message.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zone/addr.h>
#include <zone/model.h>
#include <zone/sha256.h>

#include "alert.h"
#include "ctlmsg.h"
#include "ha.h"
#include "ha_int.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "monotime.h"
#include "textesc.h"
#include "zoned.h"

#define HA_SEND_MS 1000
/* Datagrams read per wakeup: bound the work a flood can cause. */
#define HA_RECV_BATCH 16


/**
 * ha_msg_build - the message carrying @hash with sequence @seq
 */
void ha_msg_build(const uint8_t *key, size_t key_len, uint64_t seq,
		  const char *hash, uint8_t msg[HA_MSG_LEN])
{
	uint64_t be = htobe64(seq);

	memcpy(msg, HA_MAGIC, HA_MAGIC_LEN);
	memcpy(msg + HA_MAGIC_LEN, &be, 8);
	memcpy(msg + HA_MAGIC_LEN + 8, hash, HA_HASH_LEN);
	zone_sha256_hmac(key, key_len, msg, HA_MSG_LEN - HA_MAC_LEN,
			 msg + HA_MSG_LEN - HA_MAC_LEN);
}

/* Compare without a timing side channel. */
static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < HA_MAC_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/**
 * ha_msg_parse - check a received message; see ha.h
 */
int ha_msg_parse(const uint8_t *key, size_t key_len, const void *msg,
		 size_t len, uint64_t *ret_seq, char ret_hash[HA_HASH_LEN + 1])
{
	const uint8_t *m = msg;
	uint8_t mac[HA_MAC_LEN];
	uint64_t be;
	size_t i;

	if (len != HA_MSG_LEN || memcmp(m, HA_MAGIC, HA_MAGIC_LEN) != 0)
		return -EBADMSG;
	zone_sha256_hmac(key, key_len, m, HA_MSG_LEN - HA_MAC_LEN, mac);
	if (!mac_equal(mac, m + HA_MSG_LEN - HA_MAC_LEN))
		return -EPERM;
	for (i = 0; i < HA_HASH_LEN; i++) {
		char c = (char)m[HA_MAGIC_LEN + 8 + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -EBADMSG;
	}
	memcpy(&be, m + HA_MAGIC_LEN, 8);
	*ret_seq = be64toh(be);
	memcpy(ret_hash, m + HA_MAGIC_LEN + 8, HA_HASH_LEN);
	ret_hash[HA_HASH_LEN] = '\0';
	return 0;
}

/**
 * ha_read_key - read the pair's key; see ha.h
 */
int ha_read_key(const char *path, uint8_t key[HA_KEY_MAX], const char **why)
{
	uint8_t buf[HA_KEY_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd;
	int err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err = -errno;
		*why = strerror(errno);
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		close(fd);
		return -EINVAL;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		*why = "must be owned by the user zoned runs as and readable by nobody else (mode 0600 or 0400)";
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	err = errno;
	close(fd);
	if (n < 0) {
		*why = strerror(err);
		return -err;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n < HA_KEY_MIN || n > HA_KEY_MAX) {
		*why = "the key must be 16 to 1024 bytes";
		return -EINVAL;
	}
	memcpy(key, buf, (size_t)n);
	return (int)n;
}

static void ha_sockaddr(const struct zone_addr *a, uint16_t port,
			struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, a->bytes, 4);
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		memcpy(&s->sin6_addr, a->bytes, 16);
		*len = sizeof(*s);
	}
}

static bool from_peer(const struct ha *ha, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET && ha->peer.family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)ss)->sin_addr,
			      ha->peer.bytes, 4) == 0;
	if (ss->ss_family == AF_INET6 && ha->peer.family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
			      ha->peer.bytes, 16) == 0;
	return false;
}

static void ha_send(struct zoned *z)
{
	struct ha *ha = z->ha;
	struct sockaddr_storage ss;
	uint8_t msg[HA_MSG_LEN];
	socklen_t len;
	uint64_t seq = clock_ns(CLOCK_REALTIME);

	if (ha->fd < 0)
		return;
	ha->sent_seq = seq > ha->sent_seq ? seq : ha->sent_seq + 1;
	ha_msg_build(ha->key, ha->key_len, ha->sent_seq,
		     zone_model_hash(z->model), msg);
	ha_sockaddr(&ha->peer, ZONE_HA_ZONED_PORT, &ss, &len);
	/*
	 * The link down or the peer gone: said once, not every second; the
	 * peer's own silence is what the alerts report.
	 */
	if (sendto(ha->fd, msg, sizeof(msg), MSG_DONTWAIT,
		   (struct sockaddr *)&ss, len) < 0) {
		if (errno != ha->send_errno)
			log_warnx("ha: cannot send to the peer: %s, ignoring",
				  strerror(errno));
		ha->send_errno = errno;
	} else if (ha->send_errno) {
		log_info("ha: sending to the peer again");
		ha->send_errno = 0;
	}
}

static void peer_text(const struct ha *ha, char *buf, size_t size)
{
	zone_addr_format(&ha->peer, buf, size);
}

/* Compare the two hashes; alert on a change of agreement. */
static void ha_judge(struct zoned *z)
{
	struct ha *ha = z->ha;
	const char *own = zone_model_hash(z->model);
	char peer[ZONE_PREFIX_STRLEN];
	bool differ;

	if (!ha->peer_hash[0] || ha->silent)
		return;
	differ = strcmp(own, ha->peer_hash) != 0;
	if (differ == ha->mismatch)
		return;
	ha->mismatch = differ;
	peer_text(ha, peer, sizeof(peer));
	if (differ)
		log_warnx(
			"ha: the peer %s enforces policy %.12s, this gateway %.12s",
			peer, ha->peer_hash, own);
	else
		log_info("ha: the peer %s enforces the same policy %.12s", peer,
			 own);
	alert_emit(z->alerts, differ ? ALERT_HA_MISMATCH : ALERT_HA_AGREE,
		   "peer", peer, "hash", own, "peer_hash", ha->peer_hash, NULL);
}

static void ha_set_silent(struct zoned *z, bool silent)
{
	struct ha *ha = z->ha;
	char peer[ZONE_PREFIX_STRLEN];

	if (ha->silent == silent)
		return;
	ha->silent = silent;
	peer_text(ha, peer, sizeof(peer));
	alert_emit(z->alerts, ALERT_HA_PEER, "peer", peer, "state",
		   silent ? "silent" : "heard", NULL);
}

/* One datagram: taken when the peer sent it, under the key, and new. */
void ha_receive(struct zoned *z, const struct sockaddr_storage *ss,
		const uint8_t *buf, size_t n)
{
	struct ha *ha = z->ha;
	char hash[HA_HASH_LEN + 1];
	uint64_t seq;

	if (!from_peer(ha, ss) ||
	    ha_msg_parse(ha->key, ha->key_len, buf, n, &seq, hash) < 0 ||
	    seq <= ha->peer_seq) {
		ha->rejected++;
		return;
	}
	ha->peer_seq = seq;
	memcpy(ha->peer_hash, hash, sizeof(hash));
	clock_gettime(CLOCK_MONOTONIC, &ha->heard);
	ha_set_silent(z, false);
	ha_judge(z);
}

static void on_recv(struct zoned *z, int fd, uint32_t events, void *arg)
{
	struct sockaddr_storage ss;
	uint8_t buf[HA_MSG_LEN + 1];
	socklen_t sl;
	ssize_t n;
	int i;

	(void)events;
	(void)arg;
	for (i = 0; i < HA_RECV_BATCH; i++) {
		sl = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		ha_receive(z, &ss, buf, (size_t)n);
	}
}

/* Silent: nothing valid from the peer for HA_SILENT_S seconds. */
void ha_check_silence(struct zoned *z)
{
	struct ha *ha = z->ha;

	if (ha->peer_hash[0] &&
	    mono_ms_since(&ha->heard) >= (int64_t)HA_SILENT_S * 1000)
		ha_set_silent(z, true);
}

static void ha_open_or_say(struct zoned *z, struct ha *ha);

static void on_tick(struct zoned *z, int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	if (loop_timer_read(fd) <= 0)
		return;
	if (z->ha->fd < 0)
		ha_open_or_say(z, z->ha);
	ha_send(z);
	ha_check_silence(z);
}

static int ha_socket(struct ha *ha)
{
	struct sockaddr_storage ss;
	struct zone_addr any = { .family = ha->peer.family };
	socklen_t len;
	int one = 1;
	int fd;

	fd = socket(ha->peer.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	ha_sockaddr(&any, ZONE_HA_ZONED_PORT, &ss, &len);
	if ((ha->peer.family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) <
		     0) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ha->ifname,
		       (socklen_t)strlen(ha->ifname)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Open the exchange: the key and the socket; false with ha->error.  Tried
 * again every tick while it fails, so a sync interface that appears after
 * zoned (or a key file fixed) needs no reload.
 */
static bool ha_open(struct zoned *z, struct ha *ha)
{
	const char *why = NULL;
	int ret;

	ret = ha_read_key(ha->key_file, ha->key, &why);
	if (ret < 0) {
		snprintf(ha->error, sizeof(ha->error), "key_file %s: %s",
			 ha->key_file, why);
		return false;
	}
	ha->key_len = (size_t)ret;
	ret = ha_socket(ha);
	if (ret < 0) {
		snprintf(ha->error, sizeof(ha->error),
			 "socket on %s, udp/%u: %s", ha->ifname,
			 ZONE_HA_ZONED_PORT, strerror(-ret));
		return false;
	}
	ha->fd = ret;
	ret = loop_add(z, ha->fd, EPOLLIN, on_recv, ha);
	if (ret < 0) {
		close(ha->fd);
		ha->fd = -1;
		snprintf(ha->error, sizeof(ha->error), "event loop: %s",
			 strerror(-ret));
		return false;
	}
	ha->error[0] = '\0';
	return true;
}

/* Said once per distinct reason, not every tick. */
static void ha_open_or_say(struct zoned *z, struct ha *ha)
{
	char before[sizeof(ha->error)];

	memcpy(before, ha->error, sizeof(before));
	if (ha_open(z, ha)) {
		if (before[0])
			log_info("ha: exchanging policy hashes on %s now",
				 ha->ifname);
		return;
	}
	if (strcmp(before, ha->error) != 0)
		log_warnx(
			"ha: %s; the policy hashes are not exchanged, retrying every second",
			ha->error);
}

/**
 * ha_close - stop the exchange
 */
void ha_close(struct zoned *z)
{
	struct ha *ha = z->ha;

	if (!ha)
		return;
	if (ha->fd >= 0) {
		loop_del(z, ha->fd);
		close(ha->fd);
	}
	loop_timer_del(z, ha->tfd);
	explicit_bzero(ha->key, sizeof(ha->key));
	free(ha);
	z->ha = NULL;
}

static bool ha_same_setup(const struct ha *ha, const struct zone_model *m)
{
	return strcmp(ha->ifname, zone_model_ha_interface(m)) == 0 &&
	       memcmp(&ha->peer, zone_model_ha_peer(m), sizeof(ha->peer)) ==
		       0 &&
	       strcmp(ha->key_file, zone_model_ha_key_file(m)) == 0;
}

/* A rotated key is read again with every applied policy. */
static bool ha_key_changed(const struct ha *ha)
{
	uint8_t key[HA_KEY_MAX];
	const char *why;
	int ret = ha_read_key(ha->key_file, key, &why);
	bool changed = ret != (int)ha->key_len ||
		       memcmp(key, ha->key, ha->key_len) != 0;

	explicit_bzero(key, sizeof(key));
	return changed;
}

/**
 * ha_update - follow the model in force; see ha.h
 */
void ha_update(struct zoned *z)
{
	const struct zone_model *m = z->model;
	struct ha *ha = z->ha;

	if (!zone_model_has_ha(m)) {
		ha_close(z);
		return;
	}
	if (ha && (!ha_same_setup(ha, m) || ha_key_changed(ha))) {
		ha_close(z);
		ha = NULL;
	}
	if (!ha) {
		ha = calloc(1, sizeof(*ha));
		if (!ha) {
			log_warnx("ha: out of memory, ignoring");
			return;
		}
		ha->fd = -1;
		ha->tfd = -1;
		snprintf(ha->ifname, sizeof(ha->ifname), "%s",
			 zone_model_ha_interface(m));
		ha->peer = *zone_model_ha_peer(m);
		snprintf(ha->key_file, sizeof(ha->key_file), "%s",
			 zone_model_ha_key_file(m));
		z->ha = ha;
		ha->tfd = loop_timer_every(z, HA_SEND_MS, on_tick, ha);
		if (ha->tfd < 0)
			log_warnx(
				"ha: cannot arm the exchange's timer, ignoring");
		ha_open_or_say(z, ha);
	}
	ha_send(z);
	ha_judge(z);
}

const char *ha_state(const struct ha *ha)
{
	if (ha->fd < 0)
		return "down";
	if (!ha->peer_hash[0])
		return "unheard";
	if (ha->silent)
		return "silent";
	return ha->mismatch ? "mismatch" : "agree";
}

/* The pair's state as zonectl status shows it, read once for both forms. */
struct ha_view {
	const char *state;
	char peer[ZONE_PREFIX_STRLEN];
	const char *ifname;
	const char *peer_hash; /* NULL until the peer was heard */
	long heard_ago; /* seconds, when @peer_hash */
	uint64_t rejected;
	const char *error; /* why the socket is down, or NULL */
};

/* Fill @v; false without a pair. */
static bool ha_view_get(const struct zoned *z, struct ha_view *v)
{
	const struct ha *ha = z->ha;

	if (!ha)
		return false;
	v->state = ha_state(ha);
	peer_text(ha, v->peer, sizeof(v->peer));
	v->ifname = ha->ifname;
	v->peer_hash = ha->peer_hash[0] ? ha->peer_hash : NULL;
	v->heard_ago = v->peer_hash ? (long)(mono_ms_since(&ha->heard) / 1000) :
				      -1;
	v->rejected = ha->rejected;
	v->error = ha->fd < 0 ? ha->error : NULL;
	return true;
}

/**
 * ha_status_text - "ha:" lines of zonectl status (nothing without ha)
 */
void ha_status_text(const struct zoned *z, FILE *out)
{
	struct ha_view v;

	if (!ha_view_get(z, &v))
		return;
	fprintf(out, "ha:          %s (peer %s on %s)\n", v.state, v.peer,
		v.ifname);
	if (v.error) {
		fputs("ha error:    ", out);
		text_fputs(out, v.error);
		fputc('\n', out);
	}
	if (v.peer_hash)
		fprintf(out, "peer policy: %s (heard %lds ago)\n", v.peer_hash,
			v.heard_ago);
}

/**
 * ha_status_json - the member "ha": an object, or null without a pair
 */
void ha_status_json(const struct zoned *z, struct json *j)
{
	struct ha_view v;

	if (!ha_view_get(z, &v)) {
		json_null(j, "ha");
		return;
	}
	json_object(j, "ha");
	json_string(j, "state", v.state);
	json_string(j, "peer", v.peer);
	json_string(j, "interface", v.ifname);
	json_string(j, "peer_hash", v.peer_hash);
	if (v.peer_hash)
		json_int(j, "heard_seconds_ago", v.heard_ago);
	else
		json_null(j, "heard_seconds_ago");
	json_uint(j, "rejected", v.rejected);
	json_string(j, "error", v.error);
	json_end(j);
}
