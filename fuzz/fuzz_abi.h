/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_FUZZ_ABI_H
#define ZONED_FUZZ_ABI_H

/*
 * libnetfilter_conntrack and libnftnl exit() when a message breaks the
 * kernel's ABI ("ctnetlink kernel ABI is broken").  zoned never hands
 * them anything but the kernel's own datagrams (daemon/nlbuf.h), so for
 * the fuzzers such an input is one the kernel cannot send: exit() is
 * caught while a datagram is being handled and the input is dropped.
 * The objects abandoned on that path (the conntrack object ct_event_cb()
 * has handed to the parser, the chain being parsed) leak, hence the
 * suppressions below; the libraries lack frame pointers, so the first
 * frame of ours names the conntrack object.
 */

#include <dlfcn.h>
#include <setjmp.h>
#include <stdlib.h>

const char *__lsan_default_suppressions(void);

static jmp_buf fuzz_abi_jmp;
static volatile int fuzz_abi_armed;

void exit(int status)
{
	void (*real_exit)(int);

	if (fuzz_abi_armed) {
		fuzz_abi_armed = 0;
		longjmp(fuzz_abi_jmp, 1);
	}
	*(void **)&real_exit = dlsym(RTLD_NEXT, "exit");
	real_exit(status);
	abort();
}

const char *__lsan_default_suppressions(void)
{
	return "leak:ct_event_cb\nleak:nftnl_chain_alloc\n"
	       "leak:nftnl_chain_nlmsg_parse\n";
}

/* FUZZ_ABI_GUARD(call) - run @call; an ABI exit() inside it returns here */
#define FUZZ_ABI_GUARD(call)                        \
	do {                                        \
		if (setjmp(fuzz_abi_jmp) == 0) {    \
			fuzz_abi_armed = 1;         \
			call;                       \
		}                                   \
		fuzz_abi_armed = 0;                 \
	} while (0)

#endif
