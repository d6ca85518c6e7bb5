/*
 * compare_decomp.c - every change of `p304 compare` split exactly between
 * the factors that differ (envelope, participants, weights, each criterion's
 * data, bounds, rounding): the Shapley value over the 2^k allocations that
 * take each factor from A or from B (docs/compare.md).
 */
#include <p304/io.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compare_internal.h"
#include "gettext.h"

enum { F_ENVELOPE, F_PARTICIPANTS, F_WEIGHTS, F_BOUNDS, F_ROUNDING, F_FIXED };
#define HOLE INT64_MIN

struct decomp {
	size_t k;                 /* criteria (A's column order) */
	char **cols;
	long double wa[32], wb[32];
	size_t nu;                /* union of participants */
	char **u;                 /* codes */
	int64_t *va, *vb;         /* nu × k values on each side (fallbacks filled) */
};

static long table_row(const p304_csv *t, const p304_reference *ref, const char *code)
{
	long cc = -1;

	for (size_t i = 0; i < p304_csv_ncols(t); i++)
		if (!strcasecmp(p304_csv_header(t, i), "code"))
			cc = (long)i;
	if (cc < 0)
		return -1;
	for (size_t r = 0; r < p304_csv_nrows(t); r++) {
		const p304_authority *a = p304_reference_find(ref, p304_csv_cell(t, r, (size_t)cc));

		if (a && !strcmp(a->code, code))
			return (long)r;
	}
	return -1;
}

/* A value of `code` in side s: its own (imputed) figure when it takes part,
 * else the cell of its table; HOLE when neither exists. */
static int64_t side_value(const struct side *s, const char *code, const char *col)
{
	const p304_scenario *sc = s->res->scenario;
	long i = compare_side_find(s, code), r, c;
	size_t k;

	for (k = 0; k < sc->ncriteria; k++)
		if (!strcmp(sc->criteria[k].column, col))
			break;
	if (i >= 0 && k < sc->ncriteria)
		return s->res->rows[i].criteria[k];
	r = table_row(s->table, s->res->reference, code);
	c = p304_csv_find_column(s->table, col);
	if (r >= 0 && c >= 0) {
		const char *cell = p304_csv_cell(s->table, (size_t)r, (size_t)c);
		int64_t v;

		if (p304_parse_number(cell, strlen(cell), 3, -1, P304_NUM_COUNT, &v, NULL, 0) == 0)
			return v;
	}
	return HOLE;
}

/* A gathering authority absent from a table (the CEA in a 2020 table) has,
 * on that side, the sum of its members' figures (67 + 68) when all exist. */
static int64_t side_value_or_members(const struct side *s, const char *code, const char *col,
				     int *summed)
{
	const p304_authority *a = p304_reference_find(s->res->reference, code);
	int64_t v = side_value(s, code, col), sum = 0;
	char buf[128], *save = NULL, *tok;

	*summed = 0;
	if (v != HOLE || !a || !a->members[0])
		return v;
	snprintf(buf, sizeof(buf), "%s", a->members);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		int64_t m = side_value(s, tok, col);

		if (m == HOLE)
			return HOLE;
		sum += m;
	}
	*summed = 1;
	return sum;
}

/* A member missing from a table whose gathering authority is there (68 in
 * a 2025 table that has the CEA): the authority's figure split in
 * proportion to the members' figures of the other table. HOLE otherwise;
 * *parent names the gathering authority used. */
static int64_t member_split(const struct side *s, const struct side *other, const char *code,
			    const char *col, const char **parent)
{
	const p304_reference *ref = s->res->reference;

	for (size_t i = 0; i < p304_reference_count(ref); i++) {
		const p304_authority *g = p304_reference_at(ref, i);
		char buf[128], *save = NULL, *tok;
		int64_t whole, mine = HOLE, sum = 0;
		int member = 0;

		if (!g->members[0])
			continue;
		snprintf(buf, sizeof(buf), "%s", g->members);
		for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
			member |= !strcmp(tok, code);
		if (!member || (whole = side_value(s, g->code, col)) == HOLE)
			continue;
		snprintf(buf, sizeof(buf), "%s", g->members);
		for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
			int64_t v = side_value(other, tok, col);

			if (v == HOLE)
				return HOLE;
			sum += v;
			if (!strcmp(tok, code))
				mine = v;
		}
		if (sum <= 0 || mine == HOLE)
			return HOLE;
		*parent = g->code;
		return (int64_t)roundl((long double)whole * (long double)mine / (long double)sum);
	}
	return HOLE;
}

static p304_code decomp_prepare(struct decomp *d, p304_comparison *c, const struct side *a,
				const struct side *b, p304_error *err)
{
	const p304_scenario *sa = a->res->scenario, *sb = b->res->scenario;
	p304_code rc;

	d->k = sa->ncriteria;
	if (sa->ncriteria != sb->ncriteria || d->k > 32)
		goto different;
	d->cols = calloc(d->k, sizeof(char *));
	if (!d->cols)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t i = 0; i < d->k; i++) {
		size_t j;

		d->cols[i] = sa->criteria[i].column;
		d->wa[i] = (long double)sa->criteria[i].weight_pct / 100.0L;
		for (j = 0; j < sb->ncriteria; j++)
			if (!strcmp(sb->criteria[j].column, d->cols[i]))
				break;
		if (j == sb->ncriteria)
			goto different;
		d->wb[i] = (long double)sb->criteria[j].weight_pct / 100.0L;
	}
	d->u = calloc(a->n + b->n + 1, sizeof(char *));
	if (!d->u)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t i = 0; i < a->n; i++)
		d->u[d->nu++] = a->codes[i];
	for (size_t i = 0; i < b->n; i++)
		if (compare_side_find(a, b->codes[i]) < 0)
			d->u[d->nu++] = b->codes[i];
	d->va = malloc((d->nu ? d->nu : 1) * d->k * sizeof(int64_t));
	d->vb = malloc((d->nu ? d->nu : 1) * d->k * sizeof(int64_t));
	if (!d->va || !d->vb)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t u = 0; u < d->nu; u++) {
		for (size_t k = 0; k < d->k; k++) {
			int sx, sy;
			int64_t x = side_value_or_members(a, d->u[u], d->cols[k], &sx);
			int64_t y = side_value_or_members(b, d->u[u], d->cols[k], &sy);
			const p304_authority *au = p304_reference_find(a->res->reference, d->u[u]);

			if (sx || sy) {
				char plus[128] = "";
				size_t o = 0;

				for (const char *m = au ? au->members : ""; *m && o + 4 < sizeof(plus); m++)
					o += (size_t)snprintf(plus + o, sizeof(plus) - o,
							      *m == '|' ? " + " : "%c", *m);
				if ((rc = compare_add_note(c, err, "dans la table de %s, %s est la somme de %s",
						   sx ? "A" : "B", d->u[u], plus)))
					return rc;
			}

			/* A mixed combination needs A's figure for B's participants
			 * and the reverse: a figure one table lacks is taken from
			 * the other, and said. */
			if (x == HOLE || y == HOLE) {
				const char *parent = NULL;
				int64_t *fill = x == HOLE ? &x : &y;

				*fill = x == HOLE ? member_split(a, b, d->u[u], d->cols[k], &parent)
						  : member_split(b, a, d->u[u], d->cols[k], &parent);
				if (*fill != HOLE && (rc = compare_add_note(c, err, "dans la table de %s, le chiffre "
						"de '%s' pour %s est celui de %s, réparti au prorata de l'autre table",
						fill == &x ? "A" : "B", d->cols[k], d->u[u], parent)))
					return rc;
			}
			if (x == HOLE && y == HOLE)
				return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					_("no figure of '%s' for '%s' in either table: cannot decompose"),
					d->cols[k], d->u[u]);
			if (x == HOLE && (rc = compare_add_note(c, err, "aucun chiffre de '%s' pour %s dans la table de A : "
					"celui de B sert aux combinaisons mixtes", d->cols[k], d->u[u])))
				return rc;
			if (y == HOLE && (rc = compare_add_note(c, err, "aucun chiffre de '%s' pour %s dans la table de B : "
					"celui de A sert aux combinaisons mixtes", d->cols[k], d->u[u])))
				return rc;
			d->va[u * d->k + k] = x == HOLE ? y : x;
			d->vb[u * d->k + k] = y == HOLE ? x : y;
		}
	}
	return P304_OK;
different:
	return p304_error_set(err, P304_ERR_INPUT, sb->path, 0,
		_("A and B do not use the same criteria columns: the decomposition needs the same "
		"columns (weights may differ); compare their result files to see amounts only"));
}

static long ucode(const struct decomp *d, const char *code)
{
	for (size_t i = 0; i < d->nu; i++)
		if (!strcmp(d->u[i], code))
			return (long)i;
	return -1;
}

/* The amounts of one combination: factors in `bits` take B's value. */
static p304_code evaluate(const struct decomp *d, p304_comparison *c, const struct side *a,
			  const struct side *b, const int *fac, size_t nd, size_t bits,
			  const struct joined *j, int64_t *out, p304_workspace *ws,
			  p304_error *err)
{
	const p304_scenario *sa = a->res->scenario, *sb = b->res->scenario;
	int use[F_FIXED + 32] = { 0 };
	const struct side *ps;
	const p304_scenario *bnd;
	const char **codes = NULL;
	int64_t *values = NULL;
	long double w[32];
	p304_row *rows = NULL;
	p304_summary sum;
	p304_problem p;
	p304_bounds bounds;
	unsigned moved;
	p304_code rc = P304_OK;

	for (size_t f = 0; f < nd; f++)
		use[fac[f]] = (bits >> f) & 1;
	ps = use[F_PARTICIPANTS] ? b : a;
	bnd = use[F_BOUNDS] ? sb : sa;
	codes = calloc(ps->n + 1, sizeof(char *));
	values = calloc((ps->n + 1) * d->k, sizeof(int64_t));
	rows = calloc(ps->n + 1, sizeof(p304_row));
	if (!codes || !values || !rows) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	for (size_t k = 0; k < d->k; k++)
		w[k] = use[F_WEIGHTS] ? d->wb[k] : d->wa[k];
	for (size_t i = 0; i < ps->n; i++) {
		long u = ucode(d, ps->codes[i]);

		codes[i] = ps->codes[i];
		for (size_t k = 0; k < d->k; k++)
			values[i * d->k + k] = use[F_FIXED + k] ? d->vb[u * d->k + k] : d->va[u * d->k + k];
	}
	bounds = (p304_bounds){ .floor_eur = bnd->floor_eur, .ceiling_eur = bnd->ceiling_eur,
		.envelope_eur = use[F_ENVELOPE] ? sb->envelope_eur : sa->envelope_eur,
		.unit_eur = use[F_ROUNDING] ? sb->rounding_eur : sa->rounding_eur };
	/* A mixed combination may be infeasible (B's 100 participants with A's
	 * envelope and floor): its bounds are moved to the nearest feasible
	 * ones for that combination only, and said. */
	moved = p304_bounds_fit(&bounds, ps->n);
	if ((moved & P304_FIT_FLOOR) &&
	    (rc = compare_add_note(c, err, "une combinaison mixte était infaisable : son plancher a été "
				   "ramené à enveloppe / participants")))
		goto out;
	if ((moved & P304_FIT_CEILING) &&
	    (rc = compare_add_note(c, err, "une combinaison mixte était infaisable : son plafond a été "
				   "porté à enveloppe / participants")))
		goto out;
	p = (p304_problem){ .n = ps->n, .k = d->k, .codes = codes, .values = values, .weights = w,
		.envelope_eur = bounds.envelope_eur, .floor_eur = bounds.floor_eur,
		.ceiling_eur = bounds.ceiling_eur, .unit_eur = bounds.unit_eur };
	if ((rc = p304_allocate(&p, ws, rows, &sum, err)) != P304_OK)
		goto out;
	for (size_t i = 0; i < ps->n; i++)
		out[compare_joined_index(j, ps->codes[i])] += rows[i].amount_eur;
out:
	free(codes);
	free(values);
	free(rows);
	return rc;
}

static int participants_differ(const struct side *a, const struct side *b)
{
	if (a->n != b->n)
		return 1;
	for (size_t i = 0; i < a->n; i++)
		if (compare_side_find(b, a->codes[i]) < 0)
			return 1;
	return 0;
}

p304_code compare_decompose(p304_comparison *c, const struct side *a, const struct side *b,
			   const struct joined *j, p304_error *err)
{
	const p304_scenario *sa = a->res->scenario, *sb = b->res->scenario;
	struct decomp d = { 0 };
	int fac[P304_MAX_FACTORS];
	size_t nd = 0, nrows = j->n;
	int64_t *vals = NULL, *contrib = NULL, *whole = NULL, *frac = NULL, den = 1;
	p304_workspace *ws = p304_workspace_new();
	p304_code rc;

	if (!ws)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if ((rc = decomp_prepare(&d, c, a, b, err)) != P304_OK)
		goto out;
	c->nfactors = F_FIXED + d.k;
	c->factors = calloc(c->nfactors, sizeof(char *));
	c->differs = calloc(c->nfactors, 1);
	if (!c->factors || !c->differs) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	c->factors[F_ENVELOPE] = strdup("envelope");
	c->factors[F_PARTICIPANTS] = strdup("participants");
	c->factors[F_WEIGHTS] = strdup("weights");
	c->factors[F_BOUNDS] = strdup("bounds");
	c->factors[F_ROUNDING] = strdup("rounding");
	c->differs[F_ENVELOPE] = sa->envelope_eur != sb->envelope_eur;
	c->differs[F_PARTICIPANTS] = participants_differ(a, b);
	c->differs[F_BOUNDS] = sa->floor_eur != sb->floor_eur || sa->ceiling_eur != sb->ceiling_eur;
	c->differs[F_ROUNDING] = sa->rounding_eur != sb->rounding_eur;
	for (size_t k = 0; k < d.k; k++) {
		char name[160];

		c->differs[F_WEIGHTS] |= d.wa[k] != d.wb[k];
		snprintf(name, sizeof(name), "data:%s", d.cols[k]);
		c->factors[F_FIXED + k] = strdup(name);
		for (size_t u = 0; u < d.nu; u++)
			c->differs[F_FIXED + k] |= d.va[u * d.k + k] != d.vb[u * d.k + k];
	}
	for (size_t f = 0; f < c->nfactors; f++) {
		if (!c->factors[f]) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto out;
		}
		if (c->differs[f]) {
			if (nd == P304_MAX_FACTORS) {
				rc = p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					_("more than %d factors differ: too many to attribute"), P304_MAX_FACTORS);
				goto out;
			}
			fac[nd++] = (int)f;
		}
	}
	vals = calloc(((size_t)1 << nd) * (nrows ? nrows : 1), sizeof(int64_t));
	contrib = calloc((nrows ? nrows : 1) * (nd ? nd : 1), sizeof(int64_t));
	whole = calloc((nrows ? nrows : 1) * (nd ? nd : 1), sizeof(int64_t));
	frac = calloc((nrows ? nrows : 1) * (nd ? nd : 1), sizeof(int64_t));
	if (!vals || !contrib || !whole || !frac) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	for (size_t s = 0; s < ((size_t)1 << nd); s++)
		if ((rc = evaluate(&d, c, a, b, fac, nd, s, j, vals + s * nrows, ws, err)) != P304_OK)
			goto out;
	/* The two ends must be the published A and B: a check of the method. */
	for (size_t r = 0; r < nrows; r++) {
		if (vals[r] != c->rows[r].a_eur ||
		    vals[(((size_t)1 << nd) - 1) * nrows + r] != c->rows[r].b_eur) {
			rc = p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
				_("decomposition of %s does not reproduce A and B"), c->rows[r].code);
			goto out;
		}
	}
	/* the table as a whole (Cox's controlled rounding): each row adds up
	 * to its change and each factor's column to its effect on the total */
	if ((rc = p304_shapley_exact(nrows, nd, vals, whole, frac, &den, err)) != P304_OK ||
	    (rc = p304_controlled_round(nrows, nd, den, whole, frac, contrib, err)) != P304_OK)
		goto out;
	for (size_t r = 0; r < nrows; r++) {
		c->rows[r].contrib = calloc(c->nfactors, sizeof(int64_t));
		if (!c->rows[r].contrib) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto out;
		}
		for (size_t f = 0; f < nd; f++)
			c->rows[r].contrib[fac[f]] = contrib[r * nd + f];
	}
	c->decomposed = 1;
out:
	free(d.cols);
	free(d.u);
	free(d.va);
	free(d.vb);
	free(vals);
	free(contrib);
	free(whole);
	free(frac);
	p304_workspace_free(ws);
	return rc;
}

