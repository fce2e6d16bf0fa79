/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The model's edges: the gateway block (management and outbound rules)
 * and the narrow entries of allowed cells.  Getters and destructors; the
 * loader fills them in (conf_edge.c).
 */

#include <stdlib.h>

#include <zone/model.h>

#include "model_priv.h"

/* model_gw_rule_release - free what one gateway rule owns */
void model_gw_rule_release(struct zone_gw_rule *rule)
{
	free(rule->name);
	free(rule->hosts);
	free(rule->services);
	free(rule->reason);
	free(rule->approved);
}

/* model_narrow_release - free what one narrow entry owns */
void model_narrow_release(struct zone_narrow *n)
{
	free(n->to_hosts);
	free(n->services);
}

void model_ha_release(struct zone_ha *ha)
{
	if (!ha)
		return;
	free(ha->interface);
	free(ha->key_file);
	free(ha);
}

bool zone_model_has_ha(const struct zone_model *model)
{
	return model->ha != NULL;
}

const char *zone_model_ha_interface(const struct zone_model *model)
{
	return model->ha ? model->ha->interface : NULL;
}

const struct zone_addr *zone_model_ha_peer(const struct zone_model *model)
{
	return model->ha ? &model->ha->peer.addr : NULL;
}

const char *zone_model_ha_key_file(const struct zone_model *model)
{
	return model->ha ? model->ha->key_file : NULL;
}

int zone_model_ha_line(const struct zone_model *model)
{
	return model->ha ? model->ha->line : 0;
}

size_t zone_model_gw_rule_count(const struct zone_model *model)
{
	return model->n_gw_rules;
}

/* zone_model_gw_rule - gateway rule @index, or NULL past the end */
const struct zone_gw_rule *zone_model_gw_rule(const struct zone_model *model,
					      size_t index)
{
	return index < model->n_gw_rules ? &model->gw_rules[index] : NULL;
}

const char *zone_gw_rule_name(const struct zone_gw_rule *rule)
{
	return rule->name;
}

bool zone_gw_rule_is_outbound(const struct zone_gw_rule *rule)
{
	return rule->outbound;
}

const struct zone_segment *zone_gw_rule_segment(const struct zone_gw_rule *r)
{
	return r->seg;
}

size_t zone_gw_rule_host_count(const struct zone_gw_rule *rule)
{
	return rule->n_hosts;
}

const struct zone_prefix *zone_gw_rule_host(const struct zone_gw_rule *rule,
					    size_t i)
{
	return i < rule->n_hosts ? &rule->hosts[i] : NULL;
}

size_t zone_gw_rule_service_count(const struct zone_gw_rule *rule)
{
	return rule->n_services;
}

const struct zone_service *zone_gw_rule_service(const struct zone_gw_rule *rule,
						size_t i)
{
	return i < rule->n_services ? &rule->services[i] : NULL;
}

const char *zone_gw_rule_reason(const struct zone_gw_rule *rule)
{
	return rule->reason;
}

const char *zone_gw_rule_approved(const struct zone_gw_rule *rule)
{
	return rule->approved;
}

int zone_gw_rule_line(const struct zone_gw_rule *rule)
{
	return rule->line;
}

size_t zone_model_narrow_count(const struct zone_model *model)
{
	return model->n_narrows;
}

/* zone_model_narrow - narrow entry @index, or NULL past the end */
const struct zone_narrow *zone_model_narrow(const struct zone_model *model,
					    size_t index)
{
	return index < model->n_narrows ? &model->narrows[index] : NULL;
}

const struct zone_segment *zone_narrow_from(const struct zone_narrow *n)
{
	return n->from;
}

const struct zone_segment *zone_narrow_to(const struct zone_narrow *n)
{
	return n->to;
}

size_t zone_narrow_to_host_count(const struct zone_narrow *n)
{
	return n->n_to_hosts;
}

const struct zone_prefix *zone_narrow_to_host(const struct zone_narrow *n,
					      size_t i)
{
	return i < n->n_to_hosts ? &n->to_hosts[i] : NULL;
}

size_t zone_narrow_service_count(const struct zone_narrow *n)
{
	return n->n_services;
}

const struct zone_service *zone_narrow_service(const struct zone_narrow *n,
					       size_t i)
{
	return i < n->n_services ? &n->services[i] : NULL;
}

int zone_narrow_line(const struct zone_narrow *n)
{
	return n->line;
}

/**
 * zone_model_cell_narrowed - does some narrow entry name (@from, @to)?
 * @model: a finished model
 * @from: the source segment, or NULL (unassigned)
 * @to: the destination segment, or NULL
 */
bool zone_model_cell_narrowed(const struct zone_model *model,
			      const struct zone_segment *from,
			      const struct zone_segment *to)
{
	size_t i;

	for (i = 0; i < model->n_narrows; i++) {
		if (model->narrows[i].from == from &&
		    model->narrows[i].to == to)
			return true;
	}
	return false;
}
