/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The semantic checks of the segments of a parsed config: unique names,
 * interfaces owned by one zone, the catch-all, and networks that do not
 * overlap (conf_overlap.c).  The checks of the channels, which rely on
 * these, are in conf_check.c.
 */

#include <stdbool.h>
#include <string.h>

#include "conf_priv.h"

/* A role that parsed and is a tier: a zone for the interface rule. */
static bool is_zone(const struct conf_loader *ld, size_t i)
{
	return ld->seg_aux[i].role_ok &&
	       zone_role_is_tier(ld->model->segments[i].role);
}

static void check_segment_names(struct conf_loader *ld)
{
	struct zone_model *m = ld->model;
	size_t i;
	size_t j;

	for (i = 0; i < m->n_segments; i++) {
		if (!m->segments[i].name)
			continue;
		for (j = 0; j < i; j++) {
			if (!m->segments[j].name ||
			    strcmp(m->segments[i].name, m->segments[j].name))
				continue;
			conf_error(ld, m->segments[i].line,
				   "%s: name already used by the %s at line %d",
				   ld->seg_aux[i].what,
				   conf_seg_type(ld, &m->segments[j]),
				   m->segments[j].line);
			break;
		}
	}
}

/*
 * An interface belongs to at most one zone, since the spoof check ties a
 * zone's addresses to its interfaces.  Attachments may share an uplink
 * with each other (the security cloud and the internet usually do), but
 * never with a zone.
 */
static void check_interface(struct conf_loader *ld, size_t i, size_t k)
{
	struct zone_model *m = ld->model;
	const char *name = m->segments[i].interfaces[k];
	const struct zone_segment *other;
	size_t j;
	size_t l;

	for (j = 0; j <= i; j++) {
		other = &m->segments[j];
		for (l = 0; l < other->n_interfaces; l++) {
			if (j == i && l == k)
				return;
			if (strcmp(name, other->interfaces[l]) != 0)
				continue;
			if (j == i)
				conf_error(ld, ld->seg_aux[i].if_lines[k],
					   "%s: duplicate interface \"%s\"",
					   ld->seg_aux[i].what, name);
			else if (is_zone(ld, i) || is_zone(ld, j))
				conf_error(
					ld, ld->seg_aux[i].if_lines[k],
					"%s: interface \"%s\" already belongs to %s (line %d)",
					ld->seg_aux[i].what, name,
					ld->seg_aux[j].what,
					ld->seg_aux[j].if_lines[l]);
			else
				continue;
			return;
		}
	}
}

static void check_interfaces(struct conf_loader *ld)
{
	struct zone_model *m = ld->model;
	size_t i;
	size_t k;

	for (i = 0; i < m->n_segments; i++) {
		for (k = 0; k < m->segments[i].n_interfaces; k++)
			check_interface(ld, i, k);
	}
}

static void check_catchall(struct conf_loader *ld)
{
	struct zone_model *m = ld->model;
	size_t i;

	for (i = m->n_zones; i < m->n_segments; i++) {
		if (!ld->seg_aux[i].role_ok ||
		    m->segments[i].role != ZONE_ROLE_INTERNET)
			continue;
		if (m->catchall)
			conf_error(
				ld, m->segments[i].line,
				"%s: only one attachment of kind internet is allowed, %s is at line %d",
				ld->seg_aux[i].what,
				ld->seg_aux[m->catchall->index].what,
				m->catchall->line);
		else
			m->catchall = &m->segments[i];
	}
}

/**
 * conf_check_segments - check zones and attachments as a whole
 * @ld: the loader, with every segment parsed
 */
void conf_check_segments(struct conf_loader *ld)
{
	check_segment_names(ld);
	conf_check_networks(ld);
	check_interfaces(ld);
	check_catchall(ld);
}
