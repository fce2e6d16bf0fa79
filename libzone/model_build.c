/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's life outside its getters: the derived state built once a
 * loader has filled in every field (the classifier, the channel tags, the
 * verdict index, the policy hash) and the destructor that frees it all.
 * Building them calls verdict.c, print.c (the hash covers the printed
 * config) and the getters of model.c; model.c calls nothing here, so the
 * arrows point one way.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zone/lpm.h>
#include <zone/model.h>
#include <zone/sha256.h>

#include "model_priv.h"
#include "names_priv.h"
#include "verdict_priv.h"

static void segment_release(struct zone_segment *seg)
{
	size_t i;

	free(seg->name);
	free(seg->label);
	for (i = 0; i < seg->n_interfaces; i++)
		free(seg->interfaces[i]);
	free(seg->interfaces);
	free(seg->networks);
}

static void channel_release(struct zone_channel *chan)
{
	free(chan->name);
	free(chan->from_hosts);
	free(chan->to_hosts);
	free(chan->services);
	free(chan->reason);
	free(chan->approved);
	free(chan->expires_text);
	free(chan->not_before_text);
	free(chan->vendor);
	free(chan->from_macs);
	for (size_t i = 0; i < chan->n_window_texts; i++)
		free(chan->window_texts[i]);
	free(chan->window_texts);
	free(chan->windows);
	model_names_release(chan);
}

/**
 * zone_model_free - release a model and everything it owns
 * @model: the model; NULL and half-built models are fine
 */
void zone_model_free(struct zone_model *model)
{
	size_t i;

	if (!model)
		return;
	for (i = 0; i < model->n_segments; i++)
		segment_release(&model->segments[i]);
	free(model->segments);
	for (i = 0; i < model->n_channels; i++)
		channel_release(&model->channels[i]);
	free(model->channels);
	for (i = 0; i < model->n_gw_rules; i++)
		model_gw_rule_release(&model->gw_rules[i]);
	free(model->gw_rules);
	for (i = 0; i < model->n_narrows; i++)
		model_narrow_release(&model->narrows[i]);
	free(model->narrows);
	model_ha_release(model->ha);
	zone_lpm_free(model->classifier);
	verdict_index_free(model->verdict_index);
	free(model->file);
	free(model->profile_approved);
	free(model->metrics_file);
	free(model);
}

/*
 * The networks are all known here, so the classifier is sized for them
 * once and keeps no hash to refuse repeats as they come: the loader has
 * already refused a network claimed twice, and the build would too.
 */
static int model_build_classifier(struct zone_model *model)
{
	struct zone_lpm *lpm;
	size_t n_v4 = 0;
	size_t n_v6 = 0;
	size_t i;
	size_t j;
	int ret;

	for (i = 0; i < model->n_segments; i++) {
		for (j = 0; j < model->segments[i].n_networks; j++) {
			if (model->segments[i].networks[j].addr.family ==
			    AF_INET)
				n_v4++;
			else
				n_v6++;
		}
	}
	lpm = zone_lpm_new_sized(n_v4, n_v6);
	if (!lpm)
		return -errno;
	for (i = 0; i < model->n_segments; i++) {
		for (j = 0; j < model->segments[i].n_networks; j++) {
			ret = zone_lpm_add(lpm, &model->segments[i].networks[j],
					   (uint32_t)i);
			if (ret < 0)
				goto out_free_lpm;
		}
	}
	ret = zone_lpm_build(lpm);
	if (ret < 0)
		goto out_free_lpm;
	zone_lpm_free(model->classifier);
	model->classifier = lpm;
	return 0;

out_free_lpm:
	zone_lpm_free(lpm);
	return ret;
}

#define TAG_BITS 20
#define TAG_MASK ((1u << TAG_BITS) - 1)

/*
 * The home tag of a name: FNV-1a folded to 20 bits.  Tag 0 is never used,
 * so that a zero payload in a conntrack mark can never name a channel.
 */
static uint32_t tag_of_name(const char *name)
{
	uint32_t h = 2166136261u;
	uint32_t tag;

	for (; *name; name++) {
		h ^= (uint8_t)*name;
		h *= 16777619u;
	}
	tag = ((h >> TAG_BITS) ^ h) & TAG_MASK;
	return tag ? tag : 1;
}

static int cmp_channel_name(const void *a, const void *b)
{
	const struct zone_channel *const *ca = a;
	const struct zone_channel *const *cb = b;

	return strcmp((*ca)->name, (*cb)->name);
}

static bool tag_taken(struct zone_channel **sorted, size_t n, uint32_t tag)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (sorted[i]->tag == tag)
			return true;
	}
	return false;
}

/*
 * Each channel gets the home tag of its name; a collision moves the later
 * name (in byte order) to the next free tag, so the assignment depends on
 * the set of names only, not on their order in the file.
 */
static int model_assign_tags(struct zone_model *model)
{
	struct zone_channel **sorted;
	uint32_t tag;
	size_t i;

	if (model->n_channels == 0)
		return 0;
	if (model->n_channels >= TAG_MASK)
		return -E2BIG;
	sorted = calloc(model->n_channels, sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (i = 0; i < model->n_channels; i++)
		sorted[i] = &model->channels[i];
	qsort(sorted, model->n_channels, sizeof(*sorted), cmp_channel_name);
	for (i = 0; i < model->n_channels; i++) {
		tag = tag_of_name(sorted[i]->name);
		while (tag_taken(sorted, i, tag))
			tag = (tag & TAG_MASK) == TAG_MASK ? 1 : tag + 1;
		sorted[i]->tag = tag;
	}
	free(sorted);
	return 0;
}

/* fopencookie's write: every byte the printer writes goes into the hash. */
static ssize_t hash_write(void *cookie, const char *buf, size_t size)
{
	zone_sha256_update(cookie, buf, size);
	return (ssize_t)size;
}

/*
 * The hash covers the printed model, which at a million networks is tens
 * of megabytes of text: hash it as the printer writes it, through stdio's
 * own buffer, instead of printing it to memory first.
 */
static int model_compute_hash(struct zone_model *model)
{
	cookie_io_functions_t io = { .write = hash_write };
	struct zone_sha256_ctx ctx;
	FILE *out;
	int ret;

	zone_sha256_init(&ctx);
	out = fopencookie(&ctx, "w", io);
	if (!out)
		return -errno;
	ret = model_print(model, out, false);
	if (fclose(out) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0)
		zone_sha256_final_hex(&ctx, model->hash);
	return ret;
}

/**
 * model_finish - build the derived state of a filled-in model
 * @model: every field but classifier, tags and hash set
 *
 * Returns 0 or -errno (-ENOMEM, or -EEXIST from the classifier when two
 * segments claim the same prefix, which the loader rules out).
 */
int model_finish(struct zone_model *model)
{
	int ret;

	ret = model_build_classifier(model);
	if (ret < 0)
		return ret;
	ret = model_assign_tags(model);
	if (ret < 0)
		return ret;
	ret = verdict_index_build(model);
	if (ret < 0)
		return ret;
	return model_compute_hash(model);
}
