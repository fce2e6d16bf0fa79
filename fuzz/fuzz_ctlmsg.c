/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer entry for the control protocol (daemon/ctlmsg.c), the part of
 * zoned any local user who can connect may feed.  Besides "does not
 * crash", it checks the decoder's promises: a request it accepts encodes
 * back to the very same bytes, every argument is a bounded string inside
 * the message, replies round-trip too, and json_quote() writes valid
 * JSON text with no raw control character whatever it is given.
 * Seeds: fuzz/mkseeds.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/ctlmsg.h"
#include "../daemon/json.h"
#include "fuzz_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const uint8_t *data, size_t size)
{
	char again[CTL_MSG_MAX];
	struct ctl_request req;
	ssize_t len;
	size_t i;

	if (ctl_request_decode(data, size, &req) < 0)
		return;
	if (req.argc > CTL_ARGS_MAX || !ctl_cmd_name(req.cmd))
		abort();
	for (i = 0; i < req.argc; i++) {
		const char *a = req.argv[i];

		if (a < (const char *)data ||
		    a + strlen(a) >= (const char *)data + size ||
		    strlen(a) > CTL_ARG_MAX)
			abort();
	}
	len = ctl_request_encode(&req, again, sizeof(again));
	if (len != (ssize_t)size || memcmp(again, data, size) != 0)
		abort();
}

static void check_reply(const uint8_t *data, size_t size)
{
	char again[CTL_MSG_MAX];
	struct ctl_reply r;
	ssize_t len;

	if (ctl_reply_decode(data, size, &r) < 0)
		return;
	len = ctl_reply_encode(r.type, r.status, r.text, r.len, again,
			       sizeof(again));
	if (len != (ssize_t)size || memcmp(again, data, size) != 0)
		abort();
}

static void check_json(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	size_t i;

	if (!in)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	f = open_memstream(&out, &len);
	if (!f)
		abort();
	json_quote(f, in);
	fclose(f);
	if (len < 2 || out[0] != '"' || out[len - 1] != '"')
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	free(out);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	check_request(buf, size);
	check_reply(buf, size);
	check_json(data, size);
	return 0;
}
