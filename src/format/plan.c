/*
 * plan.c - action plans (`code;objectif;enveloppe;montant_eur`, one line per
 * action of a contract): reading them, and checking them against the
 * objectives each envelope may fund (the rules are in src/core/plan.c).
 */
#include <p304/format.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gettext.h"

static long col_ci(const p304_csv *csv, const char *name)
{
	for (size_t i = 0; i < p304_csv_ncols(csv); i++)
		if (strcasecmp(p304_csv_header(csv, i), name) == 0)
			return (long)i;
	return -1;
}

static int parse_envelope(const char *s, p304_envelope *out)
{
	char buf[32];
	size_t o = 0;

	/* "ONDAM MS", "ondam_ms", " P304 " ... */
	for (; *s && o + 1 < sizeof(buf); s++)
		if (*s != ' ' && *s != '_' && *s != '-')
			buf[o++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);
	buf[o] = '\0';
	if (!strcmp(buf, "P304"))
		*out = P304_ENV_P304;
	else if (!strcmp(buf, "FIR"))
		*out = P304_ENV_FIR;
	else if (!strcmp(buf, "ONDAM") || !strcmp(buf, "ONDAMMS"))
		*out = P304_ENV_ONDAM;
	else
		return -1;
	return 0;
}

p304_code p304_plan_load(const char *path, const p304_reference *ref,
			 p304_plan **out, p304_error *err)
{
	p304_csv *csv = NULL;
	p304_code rc;

	*out = NULL;
	if ((rc = p304_csv_load(path, &csv, err)) != P304_OK)
		return rc;
	rc = p304_plan_from_csv(csv, path, ref, out, err);
	p304_csv_free(csv);
	return rc;
}

p304_code p304_plan_from_csv(const p304_csv *csv, const char *path, const p304_reference *ref,
			     p304_plan **out, p304_error *err)
{
	static const char *const cols[] = { "code", "objectif", "enveloppe", "montant_eur" };
	p304_plan *plan;
	long c[4];
	p304_code rc;

	*out = NULL;
	plan = calloc(1, sizeof(*plan));
	if (!plan || !(plan->path = strdup(path)) ||
	    !(plan->lines = calloc(p304_csv_nrows(csv) + 1, sizeof(p304_plan_line)))) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto fail;
	}
	for (int i = 0; i < 4; i++) {
		if ((c[i] = col_ci(csv, cols[i])) < 0) {
			char found[600];

			p304_csv_describe_columns(csv, found, sizeof(found));
			rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				_("column '%s' not found; columns found: %s"), cols[i], found);
			goto fail;
		}
	}
	for (size_t r = 0; r < p304_csv_nrows(csv); r++) {
		p304_plan_line *l = &plan->lines[plan->nlines];
		const char *code = p304_csv_cell(csv, r, (size_t)c[0]);
		const char *obj = p304_csv_cell(csv, r, (size_t)c[1]);
		const char *env = p304_csv_cell(csv, r, (size_t)c[2]);
		const char *amt = p304_csv_cell(csv, r, (size_t)c[3]);
		char why[256];
		int64_t v;

		l->line = p304_csv_line(csv, r);
		if (!(l->auth = p304_reference_find(ref, code))) {
			char hint[200];

			p304_reference_unknown_hint(ref, code, hint, sizeof(hint));
			rc = p304_error_set(err, P304_ERR_INPUT, path, l->line,
				_("code '%s' is not in the reference list%s"), code, hint);
			goto fail;
		}
		if (p304_parse_decimal(obj, strlen(obj), 0, 999, &v, why, sizeof(why)) != 0 || v < 1) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, l->line,
				_("objective '%s' is not an objective number (1, 2, ...)"), obj);
			goto fail;
		}
		l->objective = (int)v;
		if (parse_envelope(env, &l->envelope) != 0) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, l->line,
				_("envelope '%s' is not P304, FIR or ONDAM"), env);
			goto fail;
		}
		if (p304_parse_number(amt, strlen(amt), 0, P304_MAX_EUR, P304_NUM_EUR,
				      &l->amount_eur, why, sizeof(why)) != 0) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, l->line,
				_("amount '%s' in column 'montant_eur' %s"), amt,
				strcmp(why, _("is empty")) == 0 ? _("is empty, expected whole euros") : why);
			goto fail;
		}
		plan->nlines++;
	}
	*out = plan;
	return P304_OK;
fail:
	p304_plan_free(plan);
	return rc;
}

void p304_plan_free(p304_plan *plan)
{
	if (!plan)
		return;
	free(plan->path);
	free(plan->lines);
	free(plan);
}

static int by_code(const void *a, const void *b)
{
	const p304_plan_line *x = *(const p304_plan_line *const *)a;
	const p304_plan_line *y = *(const p304_plan_line *const *)b;

	return strcmp(x->auth->code, y->auth->code);
}

static p304_code add(p304_finding **out, size_t *n, size_t *cap, long line,
		     const char *msg, p304_error *err)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *p = realloc(*out, ncap * sizeof(**out));

		if (!p)
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		*out = p;
		*cap = ncap;
	}
	(*out)[*n].line = line;
	snprintf((*out)[*n].message, sizeof((*out)[*n].message), "%s", msg);
	(*n)++;
	return P304_OK;
}

p304_code p304_plan_check(const p304_plan *plan, p304_framework fw,
			  p304_finding **out, size_t *nout, p304_error *err)
{
	int max = p304_objective_max(fw);
	const p304_plan_line **sorted = NULL;
	size_t cap = 0;
	p304_code rc = P304_OK;
	char msg[400];

	*out = NULL;
	*nout = 0;
	if (fw == P304_FRAMEWORK_NONE)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("no framework: give --framework 2020|2025 or a scenario with \"framework\""));
	for (size_t i = 0; i < plan->nlines && rc == P304_OK; i++) {
		const p304_plan_line *l = &plan->lines[i];

		if (l->objective > max) {
			snprintf(msg, sizeof(msg), _("objective %d does not exist in the %s framework "
				 "(objectives 1-%d)"), l->objective,
				 fw == P304_FRAMEWORK_2020 ? "2020" : "2025", max);
			rc = add(out, nout, &cap, l->line, msg, err);
		} else if (!p304_objective_fundable(fw, l->envelope, l->objective)) {
			snprintf(msg, sizeof(msg), _("%s (%s): objective %d may not be funded by %s "
				 "(%s funds objectives %s)"), l->auth->code, l->auth->name,
				 l->objective, p304_envelope_name(l->envelope),
				 p304_envelope_name(l->envelope),
				 p304_objective_ranges(fw, l->envelope));
			rc = add(out, nout, &cap, l->line, msg, err);
		}
	}
	/* Mandatory objectives, authority by authority. */
	sorted = calloc(plan->nlines + 1, sizeof(*sorted));
	if (!sorted)
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t i = 0; rc == P304_OK && i < plan->nlines; i++)
		sorted[i] = &plan->lines[i];
	if (rc == P304_OK)
		qsort(sorted, plan->nlines, sizeof(*sorted), by_code);
	for (size_t i = 0; rc == P304_OK && i < plan->nlines;) {
		unsigned char present[32] = { 0 };
		size_t j = i;
		char missing[200];

		for (; j < plan->nlines && sorted[j]->auth == sorted[i]->auth; j++)
			if (sorted[j]->objective <= max)
				present[sorted[j]->objective] = 1;
		if (p304_mandatory_missing(fw, present, missing, sizeof(missing)) > 0) {
			snprintf(msg, sizeof(msg), _("%s (%s): mandatory objectives missing: %s"),
				 sorted[i]->auth->code, sorted[i]->auth->name, missing);
			rc = add(out, nout, &cap, 0, msg, err);
		}
		i = j;
	}
	free(sorted);
	if (rc != P304_OK) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return rc;
}
