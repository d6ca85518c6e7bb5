/*
 * reconcile.c - from pre-notified amounts to the notification, "according to
 * the needs expressed and within the credits available" (instructions 2024/72
 * and 2025/60). What happens to a shortfall or to credits left over is a
 * policy choice, made explicit by the caller (docs/reconciliation.md).
 */
#include <p304/p304.h>

#include <math.h>
#include <string.h>

#include "select.h"
#include "workspace.h"
#include "banned.h"
#include "gettext.h"

const char *p304_reason_name(p304_reason r)
{
	switch (r) {
	case P304_REASON_AS_PRENOTIFIED: return "as_prenotified";
	case P304_REASON_NEED_BELOW: return "need_below";
	case P304_REASON_NEED_ABOVE: return "need_above";
	case P304_REASON_CAPPED: return "capped";
	case P304_REASON_NO_ANSWER: return "no_answer";
	case P304_REASON_LATE: return "late";
	case P304_REASON_REDUCED: return "reduced";
	case P304_REASON_TOPPED_UP: return "topped_up";
	}
	return "as_prenotified";
}

/* Step 1: need after the missing-answer rule, cap, granted amount. */
static p304_code grant(const p304_recon_input *in, p304_recon_row *rows,
		       p304_recon_summary *sum, p304_error *err)
{
	for (size_t i = 0; i < in->n; i++) {
		p304_recon_row *r = &rows[i];
		int64_t p = in->prenotified[i];
		int answered = in->need[i] != P304_NO_BOUND && !(in->late && in->late[i]);
		int64_t cap = in->cap ? in->cap[i] : P304_NO_BOUND;

		if (p < 0 || (in->need[i] != P304_NO_BOUND && in->need[i] < 0) ||
		    (cap != P304_NO_BOUND && cap < 0))
			return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
				_("row %zu: negative amount"), i + 1);
		if (answered) {
			r->need_eur = in->need[i];
			sum->n_answered++;
			if (__builtin_add_overflow(sum->needs_eur, r->need_eur, &sum->needs_eur))
				goto overflow;
		} else {
			r->need_eur = in->missing == P304_MISSING_KEEP ? p : 0;
			if (in->late && in->late[i])
				sum->n_late++;
			else
				sum->n_no_answer++;
		}
		/* The cap bounds every need, a kept pre-notified amount
		 * included (2024 instruction: d'_i = min(d_i, cap_i)). */
		r->capped_need_eur = r->need_eur;
		if (cap != P304_NO_BOUND && cap < r->need_eur) {
			r->capped_need_eur = cap;
			sum->n_capped++;
		}
		r->granted_eur = r->capped_need_eur < p ? r->capped_need_eur : p;
		if (!answered)
			r->reason = in->late && in->late[i] ? P304_REASON_LATE
							    : P304_REASON_NO_ANSWER;
		else if (r->capped_need_eur < r->need_eur)
			r->reason = P304_REASON_CAPPED;
		else if (r->need_eur < p)
			r->reason = P304_REASON_NEED_BELOW;
		else if (r->need_eur > p)
			r->reason = P304_REASON_NEED_ABOVE;
		else
			r->reason = P304_REASON_AS_PRENOTIFIED;
		if (__builtin_add_overflow(sum->granted_eur, r->granted_eur, &sum->granted_eur))
			goto overflow;
	}
	return P304_OK;
overflow:
	return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0, _("needs add up to more than 64 bits"));
}

/* Exact largest remainder for amounts x_i·M/S (the shortfall's g_i·A/Σg,
 * the unmet-need surplus' u_i·give/Σu): floors and remainders (x_i·M) mod S
 * in 128-bit integers, so that equal remainders are equal and ties go to the
 * smaller code as the rule says (a long double product may break them
 * either way). Σ x_i·M/S must be the integer `target`. */
struct rem_order {
	const uint64_t *rem;
	const char *const *codes;
};

static int rem_before(const void *ctx, size_t a, size_t b)
{
	const struct rem_order *o = ctx;

	if (o->rem[a] != o->rem[b])
		return o->rem[a] > o->rem[b];
	if (o->codes) {
		int c = strcmp(o->codes[a], o->codes[b]);

		if (c != 0)
			return c < 0;
	}
	return a < b;
}

static p304_code round_ratio(size_t n, const int64_t *x, int64_t M, int64_t S,
			     const char *const *codes, int64_t target,
			     p304_workspace *ws, int64_t *out, p304_error *err)
{
	size_t *cand = ws->idx, ncand = 0;
	uint64_t *rem = ws->keys;
	int64_t sum = 0;
	struct rem_order o = { rem, codes };

	for (size_t i = 0; i < n; i++) {
		__int128 num = (__int128)x[i] * M;

		out[i] = (int64_t)(num / S);
		rem[i] = (uint64_t)(num % S);
		sum += out[i];
		if (rem[i] > 0)
			cand[ncand++] = i;
	}
	if (sum > target || (uint64_t)(target - sum) > ncand)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
			_("rounding: %lld floored does not round to %lld"),
			(long long)sum, (long long)target);
	select_first_k(cand, ncand, (size_t)(target - sum), rem_before, &o);
	for (size_t j = 0; j < (size_t)(target - sum); j++)
		out[cand[j]]++;
	return P304_OK;
}

/* Σg > A: every granted amount times the same rate A/Σg, rounded by largest
 * remainder so the total is exactly A. */
static p304_code reduce(const p304_recon_input *in, p304_workspace *ws,
			p304_recon_row *rows, p304_recon_summary *sum,
			p304_error *err)
{
	int64_t *g = ws->bounds;
	p304_code rc;

	for (size_t i = 0; i < in->n; i++)
		g[i] = rows[i].granted_eur;
	rc = round_ratio(in->n, g, in->available_eur, sum->granted_eur, in->codes,
			 in->available_eur, ws, ws->amounts, err);
	if (rc != P304_OK)
		return rc;
	sum->rate = (long double)in->available_eur / (long double)sum->granted_eur;
	for (size_t i = 0; i < in->n; i++) {
		rows[i].notified_eur = ws->amounts[i];
		if (rows[i].notified_eur < rows[i].granted_eur) {
			rows[i].reason = P304_REASON_REDUCED;
			sum->n_reduced++;
		}
	}
	return P304_OK;
}

/*
 * Surplus "criteria": additions min(u_i, μ·s_i) summing to `give` (<= Σu),
 * the bounded allocation's water-filling with per-row ceilings u_i, done in
 * integers so that it is exact and ties go to the smaller code: each share
 * is read as an integer weight w_i = s_i·2^E, E putting the largest share of
 * a row with unmet need just below 2^48 (shares to 15 significant digits; a
 * positive share never reads as 0). A row is saturated when
 * u_i <= μ·w_i with μ = rest / Σ w of the rows not saturated, rest = give −
 * Σ u of the saturated ones; repeated until no row changes (μ only grows).
 * The others get rest·w_i / Σw, rounded by round_ratio. Additions in
 * ws->amounts.
 */
static p304_code surplus_criteria(const p304_recon_input *in, p304_workspace *ws,
				  const int64_t *u, int64_t give, p304_error *err)
{
	int64_t *w = ws->weights, *add = ws->amounts, rest = give, wsum = 0;
	unsigned char *sat = ws->flags;
	long double smax = 0.0L;
	int e, changed = 1;
	p304_code rc;

	for (size_t i = 0; i < in->n; i++)
		if (u[i] > 0 && in->shares[i] > smax)
			smax = in->shares[i];
	(void)frexpl(smax, &e); /* smax = f·2^e, f in [1/2, 1) */
	for (size_t i = 0; i < in->n; i++) {
		w[i] = u[i] > 0 ? llrintl(ldexpl(in->shares[i], 48 - e)) : 0;
		if (u[i] > 0 && w[i] < 1)
			w[i] = 1;
		sat[i] = 0;
	}
	while (changed) {
		changed = 0;
		rest = give;
		wsum = 0;
		for (size_t i = 0; i < in->n; i++) {
			if (u[i] == 0)
				continue;
			if (sat[i])
				rest -= u[i];
			else if (__builtin_add_overflow(wsum, w[i], &wsum))
				return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
						      _("too many rows for the surplus shares"));
		}
		for (size_t i = 0; i < in->n; i++)
			if (u[i] > 0 && !sat[i] &&
			    (wsum == 0 || (__int128)u[i] * wsum <= (__int128)rest * w[i])) {
				sat[i] = 1;
				changed = 1;
			}
	}
	for (size_t i = 0; i < in->n; i++)
		if (sat[i])
			w[i] = 0;
	if (wsum == 0 || rest == 0) {
		for (size_t i = 0; i < in->n; i++)
			add[i] = 0;
	} else if ((rc = round_ratio(in->n, w, rest, wsum, in->codes, rest, ws, add,
				     err)) != P304_OK) {
		return rc;
	}
	for (size_t i = 0; i < in->n; i++)
		if (sat[i])
			add[i] = u[i];
	return P304_OK;
}

/* Σg <= A: the surplus R = A − Σg goes to unmet needs u_i (capped need above
 * the granted amount, never beyond the ceiling) by the policy. */
static p304_code top_up(const p304_recon_input *in, p304_workspace *ws,
			p304_recon_row *rows, p304_recon_summary *sum,
			p304_error *err)
{
	int64_t R = in->available_eur - sum->granted_eur, unmet = 0, give;
	int64_t *u = ws->bounds; /* unmet need: the additions' upper bounds */
	p304_code rc;

	for (size_t i = 0; i < in->n; i++)
		rows[i].notified_eur = rows[i].granted_eur;
	if (in->surplus == P304_SURPLUS_NONE || R == 0)
		return P304_OK;
	for (size_t i = 0; i < in->n; i++) {
		int64_t top = rows[i].capped_need_eur;

		if (in->ceiling_eur != P304_NO_BOUND && top > in->ceiling_eur)
			top = in->ceiling_eur;
		u[i] = top > rows[i].granted_eur ? top - rows[i].granted_eur : 0;
		/* With "criteria", a row without a share cannot take any. */
		if (in->surplus == P304_SURPLUS_CRITERIA && !(in->shares[i] > 0.0L))
			u[i] = 0;
		if (__builtin_add_overflow(unmet, u[i], &unmet))
			return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0, _("unmet needs overflow"));
	}
	give = R < unmet ? R : unmet;
	if (give == 0)
		return P304_OK;
	if (in->surplus == P304_SURPLUS_CRITERIA) {
		rc = surplus_criteria(in, ws, u, give, err);
	} else {
		/* additions u_i·give/Σu, never above u_i since give <= Σu */
		rc = round_ratio(in->n, u, give, unmet, in->codes, give, ws, ws->amounts, err);
	}
	if (rc != P304_OK)
		return rc;
	for (size_t i = 0; i < in->n; i++) {
		if (ws->amounts[i] <= 0)
			continue;
		rows[i].notified_eur += ws->amounts[i];
		rows[i].reason = P304_REASON_TOPPED_UP;
		sum->n_topped_up++;
	}
	return P304_OK;
}

p304_code p304_reconcile(const p304_recon_input *in, p304_workspace *ws,
			 p304_recon_row *rows, p304_recon_summary *sum,
			 p304_error *err)
{
	p304_code rc;

	*sum = (p304_recon_summary){ .rate = 1.0L };
	if (in->available_eur < 0 || in->available_eur > P304_MAX_EUR)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("available credits %lld are not between 0 and 10^15 euros"),
			(long long)in->available_eur);
	if ((rc = workspace_reserve(ws, in->n, 0, err)) != P304_OK ||
	    (rc = grant(in, rows, sum, err)) != P304_OK)
		return rc;
	if (sum->granted_eur > in->available_eur)
		rc = reduce(in, ws, rows, sum, err);
	else
		rc = top_up(in, ws, rows, sum, err);
	if (rc != P304_OK)
		return rc;
	sum->notified_eur = 0;
	for (size_t i = 0; i < in->n; i++)
		sum->notified_eur += rows[i].notified_eur;
	sum->unallocated_eur = in->available_eur - sum->notified_eur;
	return P304_OK;
}
