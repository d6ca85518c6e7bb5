/*
 * allocate.c - the whole pre-notification: shares, bounded amounts, rounding
 * (docs/formulas.md). Validates the problem first so that every refusal names
 * the numbers involved and what would make the problem solvable.
 */
#include <p304/p304.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "workspace.h"
#include "banned.h"
#include "gettext.h"

/* 18000000 -> "18 000 000" (ASCII spaces: the core writes no locale). */
static const char *eur(char *buf, size_t size, int64_t v)
{
	return p304_format_eur(buf, size, v, " ", "");
}

/* The highest floor n participants can all receive from E, on the unit;
 * and the lowest ceiling that lets them share all of E. The one place of
 * these two numbers: the refusals below suggest them, p304_bounds_fit
 * applies them (compare's mixed combinations). */
static int64_t highest_floor(int64_t envelope, int64_t n, int64_t unit)
{
	return envelope / n / unit * unit;
}

static int64_t lowest_ceiling(int64_t envelope, int64_t n, int64_t unit)
{
	int64_t need = (envelope + n - 1) / n;

	return (need + unit - 1) / unit * unit;
}

unsigned p304_bounds_fit(p304_bounds *b, size_t n)
{
	int64_t nn = (int64_t)n, total;
	unsigned moved = 0;

	if (n == 0 || b->unit_eur < 1)
		return 0;
	if (b->floor_eur != P304_NO_BOUND &&
	    (p304_mul_i64(nn, b->floor_eur, &total) || total > b->envelope_eur)) {
		b->floor_eur = highest_floor(b->envelope_eur, nn, b->unit_eur);
		moved |= P304_FIT_FLOOR;
	}
	if (b->ceiling_eur != P304_NO_BOUND &&
	    !p304_mul_i64(nn, b->ceiling_eur, &total) && total < b->envelope_eur) {
		b->ceiling_eur = lowest_ceiling(b->envelope_eur, nn, b->unit_eur);
		moved |= P304_FIT_CEILING;
	}
	if (b->floor_eur != P304_NO_BOUND && b->floor_eur % b->unit_eur)
		b->floor_eur -= b->floor_eur % b->unit_eur;
	if (b->ceiling_eur != P304_NO_BOUND && b->ceiling_eur % b->unit_eur)
		b->ceiling_eur += b->unit_eur - b->ceiling_eur % b->unit_eur;
	return moved;
}

static p304_code check_problem(const p304_problem *p, p304_error *err)
{
	long double wsum = 0.0L;
	char b1[40], b2[40], b3[40], b4[40];
	int64_t n = (int64_t)p->n, total;

	if (p->n == 0)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0, _("no participant"));
	if (p->k == 0)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0, _("no criterion"));
	if (p->envelope_eur <= 0 || p->envelope_eur > P304_MAX_EUR)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("envelope %s € is not between 1 € and 10^15 €"),
			eur(b1, sizeof(b1), p->envelope_eur));
	if (p->unit_eur < 1 || p->unit_eur > p->envelope_eur)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("rounding unit %lld € is not between 1 € and the envelope"),
			(long long)p->unit_eur);
	for (size_t c = 0; c < p->k; c++) {
		if (!(p->weights[c] >= 0.0L))
			return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					      _("weight %zu is negative"), c + 1);
		wsum += p->weights[c];
	}
	if (fabsl(wsum - 1.0L) > 1e-9L)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("weights sum to %.6Lf %%, expected 100 %%"), wsum * 100.0L);
	if (p->floor_eur != P304_NO_BOUND &&
	    (p->floor_eur < 0 || p->floor_eur % p->unit_eur != 0))
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("floor %s € is not a non-negative multiple of the rounding unit %lld €"),
			eur(b1, sizeof(b1), p->floor_eur), (long long)p->unit_eur);
	if (p->ceiling_eur != P304_NO_BOUND &&
	    (p->ceiling_eur < 0 || p->ceiling_eur % p->unit_eur != 0))
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("ceiling %s € is not a non-negative multiple of the rounding unit %lld €"),
			eur(b1, sizeof(b1), p->ceiling_eur), (long long)p->unit_eur);
	if (p->floor_eur != P304_NO_BOUND && p->ceiling_eur != P304_NO_BOUND &&
	    p->floor_eur > p->ceiling_eur)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("floor %s € is above ceiling %s €"),
			eur(b1, sizeof(b1), p->floor_eur), eur(b2, sizeof(b2), p->ceiling_eur));
	if (p->floor_eur != P304_NO_BOUND &&
	    (p304_mul_i64(n, p->floor_eur, &total) || total > p->envelope_eur))
		return p304_error_set(err, P304_ERR_INFEASIBLE, NULL, 0,
			_("infeasible: %zu participants × floor %s € = %s € exceeds the envelope %s €; "
			"lower the floor to at most %s € or raise the envelope"),
			p->n, eur(b1, sizeof(b1), p->floor_eur),
			p304_mul_i64(n, p->floor_eur, &total) ? _("more than 10^18") : eur(b2, sizeof(b2), total),
			eur(b3, sizeof(b3), p->envelope_eur),
			eur(b4, sizeof(b4), highest_floor(p->envelope_eur, n, p->unit_eur)));
	if (p->ceiling_eur != P304_NO_BOUND &&
	    (!p304_mul_i64(n, p->ceiling_eur, &total) && total < p->envelope_eur))
		return p304_error_set(err, P304_ERR_INFEASIBLE, NULL, 0,
			_("infeasible: %zu participants × ceiling %s € = %s € is below the envelope %s €; "
			"raise the ceiling to at least %s € or lower the envelope"),
			p->n, eur(b1, sizeof(b1), p->ceiling_eur), eur(b2, sizeof(b2), total),
			eur(b3, sizeof(b3), p->envelope_eur),
			eur(b4, sizeof(b4), lowest_ceiling(p->envelope_eur, n, p->unit_eur)));
	return P304_OK;
}

p304_code p304_allocate_bounded(size_t n, const long double *shares,
				const char *const *codes, const p304_bounds *b,
				p304_workspace *ws, long double *lambda,
				long double *exact, p304_status *position,
				int64_t *amounts, p304_error *err)
{
	int64_t lo_all = b->floor_eur == P304_NO_BOUND ? 0 : b->floor_eur;
	/* The table adds up to the largest multiple of the unit not above E. */
	int64_t target = b->envelope_eur - b->envelope_eur % b->unit_eur;
	p304_code rc;

	if ((rc = p304_solve_clamped(n, shares, NULL, lo_all, NULL, b->ceiling_eur,
				     b->envelope_eur, ws, lambda, exact, position,
				     err)) != P304_OK)
		return rc;
	return p304_round_largest_remainder(n, exact, codes, b->unit_eur, target, NULL,
					    b->ceiling_eur, ws, amounts, err);
}

p304_code p304_allocate(const p304_problem *p, p304_workspace *ws,
			p304_row *rows, p304_summary *sum, p304_error *err)
{
	p304_code rc;
	int64_t target;
	long double lambda = 0.0L;
	p304_bounds bounds = { .floor_eur = p->floor_eur, .ceiling_eur = p->ceiling_eur,
			       .envelope_eur = p->envelope_eur, .unit_eur = p->unit_eur };

	if ((rc = check_problem(p, err)) != P304_OK)
		return rc;
	if ((rc = workspace_reserve(ws, p->n, p->k, err)) != P304_OK)
		return rc;
	if ((rc = p304_compute_shares(p->n, p->k, p->values, p->weights,
				      ws->totals, ws->shares, err)) != P304_OK)
		return rc;
	if ((rc = p304_allocate_bounded(p->n, ws->shares, p->codes, &bounds, ws, &lambda,
					ws->exact, ws->position, ws->amounts, err)) != P304_OK)
		return rc;
	target = p->envelope_eur - p->envelope_eur % p->unit_eur;
	sum->lambda = lambda;
	sum->allocated_eur = target;
	sum->unallocated_eur = p->envelope_eur - target;
	sum->n_floor = sum->n_ceiling = sum->n_free = 0;
	for (size_t i = 0; i < p->n; i++) {
		p304_row *r = &rows[i];

		/* memcpy moves the 80-bit values as bytes: an x87 load and
		 * store per copy is what this loop would otherwise cost */
		memcpy(&r->share, &ws->shares[i], sizeof(long double));
		r->formula_eur = (long double)p->envelope_eur * ws->shares[i];
		memcpy(&r->exact_eur, &ws->exact[i], sizeof(long double));
		r->amount_eur = ws->amounts[i];
		r->status = ws->position[i];
		/* Without a floor, sitting at 0 is not "at the floor". */
		if (r->status == P304_FLOOR && p->floor_eur == P304_NO_BOUND)
			r->status = P304_FREE;
		if (r->status == P304_FLOOR)
			sum->n_floor++;
		else if (r->status == P304_CEILING)
			sum->n_ceiling++;
		else
			sum->n_free++;
	}
	return P304_OK;
}
