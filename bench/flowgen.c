/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowgen - a burst of new UDP flows, one packet each, for
 * bench/ctevents.sh: every packet has a source address and port no packet
 * before it had, so each one makes a conntrack entry (and a NEW event) in
 * the gateway it crosses.
 *
 *   flowgen SRC[,SRC...] DST DPORT COUNT [RATE]
 *
 * Raw IPv4 socket, sendmmsg() in batches, from one core; RATE (flows a
 * second) 0 or absent means flat out.  A paced run sends a millisecond's
 * worth at a time, so that it is a steady stream rather than bursts.  Prints "flowgen sent=N seconds=S
 * rate=R".  Run it only inside a network namespace of the benchmark.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define PORT_FIRST 1024
#define PORTS (65536 - PORT_FIRST)
#define MAX_SRC 64

struct pkt {
	struct iphdr ip;
	struct udphdr udp;
	char payload[8];
} __attribute__((packed));

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_srcs(char *arg, struct in_addr *srcs)
{
	char *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(arg, ",", &save); tok && n < MAX_SRC;
	     tok = strtok_r(NULL, ",", &save)) {
		if (inet_pton(AF_INET, tok, &srcs[n]) != 1)
			return -1;
		n++;
	}
	return n;
}

static void fill(struct pkt *p, struct in_addr src, struct in_addr dst,
		 uint16_t sport, uint16_t dport)
{
	memset(p, 0, sizeof(*p));
	p->ip.version = 4;
	p->ip.ihl = 5;
	p->ip.ttl = 64;
	p->ip.protocol = IPPROTO_UDP;
	p->ip.tot_len = htons(sizeof(*p));
	p->ip.saddr = src.s_addr;
	p->ip.daddr = dst.s_addr;
	p->udp.source = htons(sport);
	p->udp.dest = htons(dport);
	p->udp.len = htons(sizeof(p->udp) + sizeof(p->payload));
	memcpy(p->payload, "flowgen", 8);
}

/* Sleep until @sent flows are due at @rate flows a second. */
static void pace(double start, long sent, long rate)
{
	double due = start + (double)sent / rate;
	double now = now_s();
	struct timespec ts;

	if (due <= now)
		return;
	ts.tv_sec = (time_t)(due - now);
	ts.tv_nsec = (long)((due - now - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	static struct pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct in_addr srcs[MAX_SRC], dst;
	struct sockaddr_in to = { .sin_family = AF_INET };
	long count, rate = 0, sent = 0;
	int n_src, fd, i, n, dport, batch = BATCH;
	double start, secs;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: flowgen SRC[,SRC...] DST DPORT COUNT [RATE]\n");
		return 2;
	}
	n_src = parse_srcs(argv[1], srcs);
	if (n_src <= 0 || inet_pton(AF_INET, argv[2], &dst) != 1) {
		fprintf(stderr, "flowgen: bad address\n");
		return 2;
	}
	dport = atoi(argv[3]);
	count = atol(argv[4]);
	if (argc == 6)
		rate = atol(argv[5]);
	if (count <= 0 || count > (long)n_src * PORTS) {
		fprintf(stderr, "flowgen: at most %ld flows from %d sources\n",
			(long)n_src * PORTS, n_src);
		return 2;
	}
	if (rate > 0 && rate / 1000 < BATCH)
		batch = rate / 1000 > 0 ? (int)(rate / 1000) : 1;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("flowgen: socket");
		return 1;
	}
	to.sin_addr = dst;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = &pkts[i];
		iov[i].iov_len = sizeof(pkts[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}
	start = now_s();
	while (sent < count) {
		n = count - sent < batch ? (int)(count - sent) : batch;
		for (i = 0; i < n; i++) {
			long k = sent + i;

			fill(&pkts[i], srcs[k / PORTS],	dst,
			     (uint16_t)(PORT_FIRST + k % PORTS), (uint16_t)dport);
		}
		n = sendmmsg(fd, msgs, n, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			perror("flowgen: sendmmsg");
			return 1;
		}
		sent += n;
		if (rate > 0)
			pace(start, sent, rate);
	}
	secs = now_s() - start;
	printf("flowgen sent=%ld seconds=%.3f rate=%.0f\n", sent, secs,
	       secs > 0 ? sent / secs : 0.0);
	close(fd);
	return 0;
}
