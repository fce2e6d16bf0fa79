/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maxrss - run a command; print its wall time and peak RSS, for
 * bench/scale.sh:
 *
 *   maxrss CMD [ARG...]
 *
 * Prints "maxrss ms=MS kb=KB" to stderr once CMD ended, and exits with its
 * status.  The child is forked from this small process, so the RSS it had
 * before exec (which the kernel counts too) is this one's, not a large
 * parent's.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0;
	pid_t pid;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: maxrss CMD [ARG...]\n");
		return 2;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("maxrss: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("maxrss: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("maxrss: wait4");
		return 2;
	}
	fprintf(stderr, "maxrss ms=%.0f kb=%ld\n", now_ms() - t0, ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
