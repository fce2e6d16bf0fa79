/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udpflood - one UDP flow, flat out, for bench/forward.sh: every packet
 * has the same addresses and ports, so after the flow's first reply the
 * gateway sees an established flow.
 *
 *   udpflood SRC SPORT DST DPORT SECONDS
 *
 * A connected UDP socket and sendmmsg() in batches, from one core.
 * Prints "udpflood sent=N seconds=S rate=R".  Run it only inside a
 * network namespace of the benchmark.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 18	/* a 64-byte Ethernet frame */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_port(const char *s, unsigned short *ret)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return -EINVAL;
	*ret = (unsigned short)v;
	return 0;
}

static int parse_addr(const char *addr, const char *port,
		      struct sockaddr_in *ret)
{
	unsigned short p;

	memset(ret, 0, sizeof(*ret));
	ret->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &ret->sin_addr) != 1 ||
	    parse_port(port, &p) < 0)
		return -EINVAL;
	ret->sin_port = htons(p);
	return 0;
}

/* A UDP socket bound to @src and connected to @dst; -1 on error. */
static int open_flow(const struct sockaddr_in *src,
		     const struct sockaddr_in *dst)
{
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0 ||
	    connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned long flood(int fd, double seconds, double *ret_elapsed)
{
	static char payload[PAYLOAD] = "zoned-bench-flood";
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { payload, sizeof(payload) };
	unsigned long sent = 0;
	double start = now_s();
	double t = start;
	int i;
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (t - start < seconds) {
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned long)n;
		/* A full queue (ENOBUFS) only means the kernel is busy. */
		if ((sent & 0xfff) < BATCH)
			t = now_s();
	}
	*ret_elapsed = now_s() - start;
	return sent;
}

int main(int argc, char **argv)
{
	struct sockaddr_in src;
	struct sockaddr_in dst;
	double seconds;
	double elapsed;
	unsigned long sent;
	int fd;

	if (argc != 6 || parse_addr(argv[1], argv[2], &src) < 0 ||
	    parse_addr(argv[3], argv[4], &dst) < 0 ||
	    (seconds = atof(argv[5])) <= 0) {
		fprintf(stderr, "usage: udpflood SRC SPORT DST DPORT SECONDS\n");
		return 2;
	}
	fd = open_flow(&src, &dst);
	if (fd < 0) {
		perror("udpflood: socket");
		return 1;
	}
	sent = flood(fd, seconds, &elapsed);
	close(fd);
	printf("udpflood sent=%lu seconds=%.3f rate=%.0f\n", sent, elapsed,
	       (double)sent / elapsed);
	return 0;
}
