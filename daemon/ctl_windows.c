/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The time-boxed channels, as zonectl status and audit show them: each
 * channel with windows, not_before or a vendor, with its next opening
 * and closing.  Apart from ctl_status.c because it needs the model only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include <zone/model.h>

#include "ctlcmd.h"
#include "textesc.h"

static bool channel_timed(const struct zone_channel *ch)
{
	return zone_channel_window_count(ch) ||
	       zone_channel_not_before_text(ch) || zone_channel_vendor(ch);
}

/* One channel's line, with whatever it has of vendor and not_before. */
static void channel_text(const struct zone_channel *ch, time_t now,
			 struct ctl_out *o)
{
	char when[32];
	time_t open;

	fprintf(o->out, "  %s: %s", zone_channel_name(ch),
		zone_channel_open(ch, now) ? "open" : "closed");
	if (zone_channel_vendor(ch)) {
		fputs(", vendor \"", o->out);
		text_fputs(o->out, zone_channel_vendor(ch));
		fputc('"', o->out);
	}
	if (zone_channel_not_before(ch, &open) && open > now)
		fprintf(o->out, ", not before %s",
			ctl_time(open, when, sizeof(when)));
	fputc('\n', o->out);
}

static void channel_json(const struct zone_channel *ch, time_t now,
			 struct json *j)
{
	char when[32];
	time_t open;

	json_object(j, NULL);
	json_string(j, "channel", zone_channel_name(ch));
	json_string(j, "vendor", zone_channel_vendor(ch));
	json_string(j, "not_before",
		    zone_channel_not_before(ch, &open) ?
			    ctl_time(open, when, sizeof(when)) :
			    NULL);
	json_bool(j, "open", zone_channel_open(ch, now));
	json_array(j, "windows");
}

/* Window @k of @ch: open now until @close, or next from @open to @close. */
static void window_text(const struct zone_channel *ch, size_t k, bool in,
			time_t open, time_t close, struct ctl_out *o)
{
	char a[32];
	char b[32];

	if (in)
		fprintf(o->out, "    window \"%s\": open now, closes %s\n",
			zone_channel_window_text(ch, k),
			ctl_time(close, b, sizeof(b)));
	else
		fprintf(o->out, "    window \"%s\": next open %s, closes %s\n",
			zone_channel_window_text(ch, k),
			ctl_time(open, a, sizeof(a)),
			ctl_time(close, b, sizeof(b)));
}

static void window_json(const struct zone_channel *ch, size_t k, bool in,
			time_t open, time_t close, struct json *j)
{
	char a[32];

	json_object(j, NULL);
	json_string(j, "window", zone_channel_window_text(ch, k));
	json_bool(j, "open", in);
	json_string(j, "opens", ctl_time(open, a, sizeof(a)));
	json_string(j, "closes", ctl_time(close, a, sizeof(a)));
	json_end(j);
}

/**
 * ctl_windows_print - the channels with windows, not_before or a vendor
 * that have not expired at @now, and each window's next opening and
 * closing (or its closing, while open)
 *
 * As text, a "time-boxed channels:" block (nothing when there are none);
 * with o->json, the member "time_boxed" of the object being written.
 */
void ctl_windows_print(const struct zone_model *m, time_t now,
		       struct ctl_out *o)
{
	size_t n = zone_model_channel_count(m);
	time_t open;
	time_t close;
	bool head = false;
	size_t i;
	size_t k;

	if (o->json)
		json_array(&o->j, "time_boxed");
	for (i = 0; i < n; i++) {
		const struct zone_channel *ch = zone_model_channel(m, i);

		if (!channel_timed(ch) || zone_channel_expired(ch, now))
			continue;
		if (!o->json && !head)
			fputs("time-boxed channels:\n", o->out);
		head = true;
		if (o->json)
			channel_json(ch, now, &o->j);
		else
			channel_text(ch, now, o);
		for (k = 0; k < zone_channel_window_count(ch); k++) {
			bool in = zone_channel_window_next(ch, k, now, &open,
							   &close);

			if (o->json)
				window_json(ch, k, in, open, close, &o->j);
			else
				window_text(ch, k, in, open, close, o);
		}
		if (o->json) {
			json_end(&o->j); /* windows */
			json_end(&o->j); /* the channel */
		}
	}
	if (o->json)
		json_end(&o->j);
}
