/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZONED_TRIAL_INT_H
#define ZONED_TRIAL_INT_H

/*
 * Shared by the two files of zonectl try/confirm: trial.c (the state, kept
 * in memory and in the state directory) and ctl_try.c (the commands and
 * the rollback).
 */

#include <stdbool.h>
#include <time.h>

#include <zone/conf.h>

struct zoned;
struct zone_model;

/* The bounds of --confirm-within, in seconds (zonectl(8)). */
#define TRIAL_MIN_S 5
#define TRIAL_MAX_S 3600
/* A failed rollback is tried again this often (ms). */
#define TRIAL_RETRY_MS 1000
/* The largest candidate, as zone_conf_load() bounds a config file. */
#define TRIAL_CONF_MAX ZONE_CONF_MAX_SIZE
#define TRIAL_MARKER "trial"
#define TRIAL_CONFIRMED "confirmed.conf"

struct trial {
	struct zone_model *confirmed; /* NULL: no try in progress */
	int timer_fd; /* CLOCK_MONOTONIC; -1 until the first try */
	time_t deadline; /* wall clock, for the messages */
	char who[64]; /* who started the try */
	bool edit_refused; /* a reload was refused during the try */
	bool restored; /* start restored the confirmed policy */
	char candidate[65]; /* the hash on trial, when restored */
};

/* trial_get - z->trial, made on first use; NULL without memory */
struct trial *trial_get(struct zoned *z);
/* trial_active - a try is in progress */
bool trial_active(const struct zoned *z);
/* trial_end - the try is over (confirmed or rolled back): forget it */
void trial_end(struct zoned *z);
/* keep_state - keep @confirmed and the marker naming @candidate; 0 or -errno */
int keep_state(const struct zoned *z, const struct zone_model *confirmed,
	       const struct zone_model *candidate);
/* remove_state - the marker, then the kept policy */
void remove_state(const struct zoned *z);

#endif
