/*
 * reconcile_run.c - `p304 reconcile` from files: the scenario's allocation,
 * the expressed needs (NEEDS.csv), the caps of the 2024 rule (CAPS.csv), and
 * the scenario's "reconciliation" policy; then the core's p304_reconcile.
 */
#include <p304/workflow.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gettext.h"

#include "format/headers.h"

/* Index of the participant with this code in the allocation, or -1 with an
 * error naming the line: an unknown code, or an authority not taking part. */
static long participant_index(const p304_result *res, const p304_csv *csv,
			      size_t row, const char *raw, p304_error *err)
{
	const p304_authority *a = p304_reference_find(res->reference, raw);
	char hint[400];

	if (!a) {
		p304_reference_unknown_hint(res->reference, raw, hint, sizeof(hint));
		p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), p304_csv_line(csv, row),
			       _("code '%s' is not in the reference list%s"), raw, hint);
		return -1;
	}
	for (size_t i = 0; i < res->nrows; i++)
		if (strcmp(res->rows[i].code, a->code) == 0)
			return (long)i;
	/* "68" for a scenario whose participant is 6AE: never matched silently
	 * (68's need is not the CEA's), refused with the coding to use */
	p304_authority_hint(res->reference, a, hint, sizeof(hint));
	p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), p304_csv_line(csv, row),
		       _("'%s' (%s) is not a participant of scenario '%s'%s"), a->code, a->name,
		       res->scenario->id, hint);
	return -1;
}

static p304_code parse_euros(const p304_csv *csv, size_t row, long col,
			     int64_t *out, p304_error *err)
{
	const char *cell = p304_csv_cell(csv, row, (size_t)col);
	char why[256];

	if (p304_parse_number(cell, strlen(cell), 0, P304_MAX_EUR, P304_NUM_EUR, out, why,
			      sizeof(why)) == 0)
		return P304_OK;
	return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), p304_csv_line(csv, row),
		_("amount '%s' in column '%s' %s"), cell, p304_csv_header(csv, (size_t)col), why);
}

static const char *const NEEDS_COLUMNS[] = { "code", "besoin_eur", "date_reception", NULL };

/* "2 690 451,60 €": a mark followed by exactly two digits (the cents the
 * départements' own tables carry); never "250.000", which stays ambiguous. */
static int written_with_cents(const char *cell)
{
	const char *m = NULL;
	size_t k = 0;

	for (const char *p = cell; *p; p++)
		if (*p == ',' || *p == '.')
			m = p;
	if (!m)
		return 0;
	while (m[1 + k] >= '0' && m[1 + k] <= '9')
		k++;
	return k == 2;
}

/* What was done to the cents of the needs: how many, how much in all,
 * and the first one, to say it once (issue 21). */
struct cents {
	size_t n;
	int64_t dropped;   /* cents left out, in all */
	char first[300];
};

/* "1 599 999,99 €" -> 1599999: a need is a whole number of euros; one
 * written with cents is rounded down to the euro, so that no notification
 * exceeds what was asked (issue 21: the départements' tables have cents). */
static p304_code parse_need(const p304_csv *csv, size_t row, long col, int64_t *out,
			    struct cents *ct, p304_error *err)
{
	const char *cell = p304_csv_cell(csv, row, (size_t)col);
	int64_t cents;

	if (parse_euros(csv, row, col, out, err) == P304_OK)
		return P304_OK;
	if (!written_with_cents(cell) ||
	    p304_parse_number(cell, strlen(cell), 2, P304_MAX_EUR * 100, P304_NUM_EUR, &cents, NULL, 0) != 0)
		return err->code;
	*out = cents / 100;
	ct->dropped += cents % 100;
	if (ct->n++ == 0) {
		char e[64];

		p304_format_eur(e, sizeof(e), *out, "\u202f", "\u00a0€");
		snprintf(ct->first, sizeof(ct->first), _("line %ld: %s read as %s"),
			 p304_csv_line(csv, row), cell, e);
	}
	return P304_OK;
}

/* The file's own name, never the folder it was read from: the server's
 * upload and the command line say the same (issue 21). */
static const char *file_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* What was done to the cents, once, for the outputs and the page: the
 * count, the euros left out in all, the first one. */
static p304_code note_cents(p304_notification *nt, const char *path, const struct cents *ct,
			    p304_error *err)
{
	char msg[700], drop[64];

	snprintf(drop, sizeof(drop), "%lld,%02lld\u00a0€", (long long)(ct->dropped / 100),
		 (long long)(ct->dropped % 100));
	snprintf(msg, sizeof(msg), Q_("%s: %zu need written with cents was rounded down to the "
				      "euro, %s left out (never more than asked; %s)",
				      "%s: %zu needs written with cents were rounded down to the "
				      "euro, %s left out in all (never more than asked; first one: %s)",
				      ct->n),
		 file_name(path), ct->n, drop, ct->first);
	free(nt->cents_note);
	if (!(nt->cents_note = strdup(msg)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	return p304_result_add_warning(nt->alloc, msg, err);
}

static p304_code read_needs(p304_catalogue *cat, p304_notification *nt, const char *path,
			    p304_error *err)
{
	const p304_result *res = nt->alloc;
	long deadline = res->scenario->recon.deadline, col_need, col_date, codecol;
	long *first = NULL; /* line of each participant's answer */
	p304_csv *csv = NULL;
	p304_code rc;
	size_t nrows;
	struct cents ct = { 0, 0, "" };
	char total[400] = "";
	int has_total;

	if ((rc = p304_catalogue_csv(cat, path, &csv, err)) != P304_OK)
		return rc;
	/* « Code », « Besoin exprimé (€) », « Date de réception » as well;
	 * « Besoin exprimé 2026 » too, the year checked against the round's
	 * (the year of the answers' deadline) when the scenario sets one */
	if ((codecol = p304_csv_find_header(csv, "code", NEEDS_COLUMNS, err)) < 0 ||
	    (col_need = p304_csv_find_header_year(csv, "besoin_eur", NEEDS_COLUMNS,
						  (int)(deadline / 10000), err)) < 0) {
		rc = err->code;
		goto out;
	}
	col_date = p304_csv_find_header(csv, "date_reception", NEEDS_COLUMNS, NULL);
	if (deadline && col_date < 0) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
			_("the scenario sets a deadline but the needs have no 'date_reception' column"));
		goto out;
	}
	/* the TOTAL row every assistant adds at the bottom: skipped when it
	 * is the sum, refused when not, never read as a département */
	if ((has_total = p304_csv_total_row(csv, codecol, &col_need, 1, total, sizeof(total),
					    err)) < 0) {
		rc = err->code;
		goto out;
	}
	nrows = p304_csv_nrows(csv) - (size_t)has_total;
	first = calloc(res->nrows ? res->nrows : 1, sizeof(long));
	if (!first) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	for (size_t r = 0; r < nrows; r++) {
		long i = participant_index(res, csv, r, p304_csv_cell(csv, r, (size_t)codecol), err);
		const char *cell = p304_csv_cell(csv, r, (size_t)col_need);

		if (i < 0) {
			rc = err->code;
			goto out;
		}
		if (first[i]) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, p304_csv_line(csv, r),
				_("duplicate code '%s' (lines %ld and %ld)"), res->rows[i].code,
				first[i], p304_csv_line(csv, r));
			goto out;
		}
		first[i] = p304_csv_line(csv, r);
		/* An empty need is an answer not given. */
		if (cell[strspn(cell, " ")] == '\0')
			continue;
		if ((rc = parse_need(csv, r, col_need, &nt->need[i], &ct, err)) != P304_OK)
			goto out;
		if (col_date >= 0) {
			const char *d = p304_csv_cell(csv, r, (size_t)col_date);

			if (d[strspn(d, " ")] == '\0' && deadline) {
				rc = p304_error_set(err, P304_ERR_INPUT, path, p304_csv_line(csv, r),
					_("no 'date_reception' for '%s': with a deadline every answer needs its date"),
					res->rows[i].code);
				goto out;
			}
			if (d[strspn(d, " ")] != '\0' && (nt->received[i] = p304_parse_date(d)) < 0) {
				rc = p304_error_set(err, P304_ERR_INPUT, path, p304_csv_line(csv, r),
					_("date '%s' is not a date like 2025-06-30 or 30/06/2025"), d);
				goto out;
			}
			nt->late[i] = deadline && nt->received[i] > deadline;
		}
	}
	/* A participant the file does not mention at all has not answered
	 * either; it is named (warning, summary, outputs), not just counted. */
	for (size_t i = 0; i < res->nrows; i++)
		if (!first[i]) {
			nt->absent[i] = 1;
			nt->n_absent++;
		}
	if (ct.n && (rc = note_cents(nt, path, &ct, err)) != P304_OK)
		goto out;
	if (has_total && (rc = p304_result_add_warning(nt->alloc, total, err)) != P304_OK)
		goto out;
	rc = p304_result_add_input_in(cat, nt->alloc, "needs", path, err);
out:
	free(first);
	p304_csv_free(csv);
	return rc;
}

static p304_code read_caps(p304_catalogue *cat, p304_notification *nt, const char *path,
			   p304_error *err)
{
	const p304_result *res = nt->alloc;
	const p304_recon_policy *pol = &res->scenario->recon;
	p304_csv *csv = NULL;
	long codecol, *cols = NULL;
	const char **others = NULL;
	p304_code rc;
	char total[400] = "";
	int has_total;

	if (pol->ncaps_columns == 0)
		return p304_error_set(err, P304_ERR_USAGE, path, 0,
			_("--caps given but the scenario's reconciliation has no 'caps_columns'"));
	if ((rc = p304_catalogue_csv(cat, path, &csv, err)) != P304_OK)
		return rc;
	cols = calloc(pol->ncaps_columns, sizeof(long));
	if (!cols) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	/* « Code », « Montant délégué 2023 » as well; the hint leaves the
	 * code and the scenario's other caps columns alone */
	others = calloc(pol->ncaps_columns + 2, sizeof(*others));
	if (!others) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	others[0] = "code";
	for (size_t c = 0; c < pol->ncaps_columns; c++)
		others[c + 1] = pol->caps_columns[c];
	if ((codecol = p304_csv_find_header(csv, "code", others, err)) < 0) {
		rc = err->code;
		goto out;
	}
	for (size_t c = 0; c < pol->ncaps_columns; c++) {
		if ((cols[c] = p304_csv_find_header(csv, pol->caps_columns[c], others, err)) < 0) {
			rc = err->code;
			goto out;
		}
	}
	if ((has_total = p304_csv_total_row(csv, codecol, cols, pol->ncaps_columns, total,
					    sizeof(total), err)) < 0) {
		rc = err->code;
		goto out;
	}
	for (size_t r = 0; r + (size_t)has_total < p304_csv_nrows(csv); r++) {
		long i = participant_index(res, csv, r, p304_csv_cell(csv, r, (size_t)codecol), err);

		if (i < 0) {
			rc = err->code;
			goto out;
		}
		if (nt->cap[i] != P304_NO_BOUND) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, p304_csv_line(csv, r),
					    _("duplicate code '%s'"), res->rows[i].code);
			goto out;
		}
		/* 2024 rule: the amount delegated the year before, or failing
		 * that the year before that: the first non-empty column. */
		for (size_t c = 0; c < pol->ncaps_columns; c++) {
			const char *cell = p304_csv_cell(csv, r, (size_t)cols[c]);

			if (cell[strspn(cell, " ")] == '\0')
				continue;
			if ((rc = parse_euros(csv, r, cols[c], &nt->cap[i], err)) != P304_OK)
				goto out;
			break;
		}
	}
	if (has_total && (rc = p304_result_add_warning(nt->alloc, total, err)) != P304_OK)
		goto out;
	rc = p304_result_add_input_in(cat, nt->alloc, "caps", path, err);
out:
	free(others);
	free(cols);
	p304_csv_free(csv);
	return rc;
}

/* Needs from an action plan: the P304 lines of each participant, summed.
 * A line P304 may not fund in the scenario's framework is left out, with a
 * warning: it cannot be financed from this envelope. */
static p304_code read_plan_needs(p304_notification *nt, const char *path, p304_error *err)
{
	p304_result *res = nt->alloc;
	p304_framework fw = res->scenario->framework;
	p304_plan *plan = NULL;
	p304_code rc;

	if ((rc = p304_plan_load(path, res->reference, &plan, err)) != P304_OK)
		return rc;
	for (size_t k = 0; k < plan->nlines; k++) {
		const p304_plan_line *l = &plan->lines[k];
		long i = -1;

		if (l->envelope != P304_ENV_P304)
			continue;
		for (size_t j = 0; j < res->nrows; j++)
			if (strcmp(res->rows[j].code, l->auth->code) == 0)
				i = (long)j;
		if (i < 0) {
			char hint[400];

			p304_authority_hint(res->reference, l->auth, hint, sizeof(hint));
			rc = p304_error_set(err, P304_ERR_INPUT, path, l->line,
				_("'%s' (%s) is not a participant of scenario '%s'%s"), l->auth->code,
				l->auth->name, res->scenario->id, hint);
			goto out;
		}
		if (fw != P304_FRAMEWORK_NONE && !p304_objective_fundable(fw, P304_ENV_P304, l->objective)) {
			char msg[400];

			snprintf(msg, sizeof(msg), "%s:%ld : objectif %d écarté du besoin de %s : "
				 "le P304 finance les objectifs %s", path, l->line, l->objective,
				 l->auth->code, p304_objective_ranges(fw, P304_ENV_P304));
			if ((rc = p304_result_add_warning(res, msg, err)) != P304_OK)
				goto out;
			continue;
		}
		if (nt->need[i] == P304_NO_BOUND)
			nt->need[i] = 0;
		if (__builtin_add_overflow(nt->need[i], l->amount_eur, &nt->need[i])) {
			rc = p304_error_set(err, P304_ERR_OVERFLOW, path, l->line, _("need overflows"));
			goto out;
		}
	}
	rc = p304_result_add_input(res, "plan", path, err);
out:
	p304_plan_free(plan);
	return rc;
}

/* Caps given in memory (a ledger's, 2024 rule) rather than read from a
 * CAPS.csv. */
struct given_caps {
	const char *const *codes;
	const int64_t *caps;
	size_t n;
	const char *source; /* recorded as the input "ledger" */
};

static p304_code run(p304_catalogue *cat, const char *scenario_path,
		     const char *default_reference, const char *needs_path,
		     const char *plan_path, const char *caps_path,
		     const struct given_caps *given, p304_notification **out, p304_error *err);

static p304_code apply_given_caps(p304_notification *nt, const struct given_caps *g,
				  p304_error *err)
{
	for (size_t k = 0; k < g->n; k++)
		for (size_t i = 0; i < nt->alloc->nrows; i++)
			if (strcmp(nt->alloc->rows[i].code, g->codes[k]) == 0)
				nt->cap[i] = g->caps[k];
	return p304_result_add_input(nt->alloc, "ledger", g->source, err);
}

struct recon_call {
	const char *default_reference, *needs_path, *plan_path, *caps_path;
	const struct given_caps *given;
	p304_notification **out;
};

static p304_code recon_files(p304_catalogue *cat, const char *const *paths, void *ctx,
			     p304_error *err)
{
	const struct recon_call *c = ctx;

	return run(cat, paths[0], c->default_reference, c->needs_path, c->plan_path,
		   c->caps_path, c->given, c->out, err);
}

/* The command line's entry points: a catalogue reading files. */
static p304_code run_files(const char *scenario_path, const char *default_reference,
			   const char *needs_path, const char *plan_path,
			   const char *caps_path, const struct given_caps *given,
			   p304_notification **out, p304_error *err)
{
	struct recon_call c = { default_reference, needs_path, plan_path, caps_path, given, out };

	*out = NULL;
	return p304_run_on_files(&scenario_path, 1, recon_files, &c, err);
}

p304_code p304_run_reconcile_in(p304_catalogue *cat, const char *scenario_path,
				const char *default_reference, const char *needs_path,
				const char *caps_path, p304_notification **out,
				p304_error *err)
{
	return run(cat, scenario_path, default_reference, needs_path, NULL, caps_path, NULL, out,
		   err);
}

p304_code p304_run_reconcile(const char *scenario_path,
			     const char *default_reference,
			     const char *needs_path, const char *caps_path,
			     p304_notification **out, p304_error *err)
{
	return run_files(scenario_path, default_reference, needs_path, NULL, caps_path, NULL, out,
			 err);
}

p304_code p304_run_reconcile_given_caps(const char *scenario_path,
					const char *default_reference, const char *needs_path,
					const char *const *codes, const int64_t *caps,
					size_t ncaps, const char *caps_source,
					p304_notification **out, p304_error *err)
{
	struct given_caps g = { codes, caps, ncaps, caps_source };

	return run_files(scenario_path, default_reference, needs_path, NULL, NULL, &g, out, err);
}

p304_code p304_run_reconcile_plan(const char *scenario_path,
				  const char *default_reference,
				  const char *plan_path, const char *caps_path,
				  p304_notification **out, p304_error *err)
{
	return run_files(scenario_path, default_reference, NULL, plan_path, caps_path, NULL, out,
			 err);
}

static p304_code run(p304_catalogue *cat, const char *scenario_path,
		     const char *default_reference, const char *needs_path,
		     const char *plan_path, const char *caps_path,
		     const struct given_caps *given, p304_notification **out, p304_error *err)
{
	p304_notification *nt;
	p304_workspace *ws = NULL;
	p304_recon_input in;
	const char **codes = NULL;
	int64_t *pre = NULL;
	long double *shares = NULL;
	size_t n;
	p304_code rc;

	*out = NULL;
	nt = calloc(1, sizeof(*nt));
	if (!nt)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if ((rc = p304_run_allocation_in(cat, scenario_path,
					  &(p304_alloc_options){ .default_reference = default_reference }, &nt->alloc,
					  err)) != P304_OK)
		goto fail;
	n = nt->alloc->nrows;
	nt->rows = calloc(n ? n : 1, sizeof(*nt->rows));
	nt->need = malloc((n ? n : 1) * sizeof(int64_t));
	nt->cap = malloc((n ? n : 1) * sizeof(int64_t));
	nt->received = calloc(n ? n : 1, sizeof(long));
	nt->late = calloc(n ? n : 1, 1);
	nt->absent = calloc(n ? n : 1, 1);
	codes = calloc(n ? n : 1, sizeof(char *));
	pre = calloc(n ? n : 1, sizeof(int64_t));
	shares = calloc(n ? n : 1, sizeof(long double));
	ws = p304_workspace_new();
	if (!nt->rows || !nt->need || !nt->cap || !nt->received || !nt->late || !nt->absent || !codes ||
	    !pre || !shares || !ws) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		nt->need[i] = nt->cap[i] = P304_NO_BOUND;
		codes[i] = nt->alloc->rows[i].code;
		pre[i] = nt->alloc->rows[i].alloc.amount_eur;
		shares[i] = nt->alloc->rows[i].alloc.share;
	}
	rc = needs_path ? read_needs(cat, nt, needs_path, err) : read_plan_needs(nt, plan_path, err);
	if (rc != P304_OK ||
	    (caps_path && (rc = read_caps(cat, nt, caps_path, err)) != P304_OK) ||
	    (given && (rc = apply_given_caps(nt, given, err)) != P304_OK))
		goto fail;
	nt->available_eur = nt->alloc->scenario->recon.available_eur;
	if (nt->available_eur == P304_NO_BOUND)
		nt->available_eur = nt->alloc->scenario->envelope_eur;
	in = (p304_recon_input){
		.n = n, .codes = codes, .prenotified = pre, .shares = shares,
		.need = nt->need, .late = nt->late, .cap = nt->cap,
		.available_eur = nt->available_eur,
		.ceiling_eur = nt->alloc->scenario->ceiling_eur,
		.missing = nt->alloc->scenario->recon.missing,
		.surplus = nt->alloc->scenario->recon.surplus,
		.shortfall = nt->alloc->scenario->recon.shortfall,
	};
	if ((rc = p304_reconcile(&in, ws, nt->rows, &nt->summary, err)) != P304_OK) {
		if (err && !err->file[0])
			snprintf(err->file, sizeof(err->file), "%s", scenario_path);
		goto fail;
	}
	free(codes);
	free(pre);
	free(shares);
	p304_workspace_free(ws);
	*out = nt;
	return P304_OK;
fail:
	free(codes);
	free(pre);
	free(shares);
	p304_workspace_free(ws);
	p304_notification_free(nt);
	return rc;
}

void p304_notification_free(p304_notification *nt)
{
	if (!nt)
		return;
	p304_result_free(nt->alloc);
	free(nt->rows);
	free(nt->need);
	free(nt->cap);
	free(nt->received);
	free(nt->late);
	free(nt->absent);
	free(nt->cents_note);
	free(nt);
}
