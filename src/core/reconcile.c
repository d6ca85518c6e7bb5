/*
 * reconcile.c - from pre-notified amounts to the notification, "according to
 * the needs expressed and within the credits available" (instructions 2024/72
 * and 2025/60). What happens to a shortfall or to credits left over is a
 * policy choice, made explicit by the caller (docs/reconciliation.md).
 */
#include <p304/p304.h>

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
		r->capped_need_eur = r->need_eur;
		if (answered && cap != P304_NO_BOUND && cap < r->need_eur) {
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

/* Σg > A: every granted amount times the same rate A/Σg, rounded by largest
 * remainder so the total is exactly A. */
static p304_code reduce(const p304_recon_input *in, p304_workspace *ws,
			p304_recon_row *rows, p304_recon_summary *sum,
			p304_error *err)
{
	long double rate = (long double)in->available_eur / (long double)sum->granted_eur;
	p304_code rc;

	for (size_t i = 0; i < in->n; i++)
		ws->exact[i] = (long double)rows[i].granted_eur * rate;
	rc = p304_round_largest_remainder(in->n, ws->exact, in->codes, 1,
					  in->available_eur, NULL, P304_NO_BOUND,
					  ws, ws->amounts, err);
	if (rc != P304_OK)
		return rc;
	sum->rate = rate;
	for (size_t i = 0; i < in->n; i++) {
		rows[i].notified_eur = ws->amounts[i];
		if (rows[i].notified_eur < rows[i].granted_eur) {
			rows[i].reason = P304_REASON_REDUCED;
			sum->n_reduced++;
		}
	}
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
	long double lambda;
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
		/* additions min(u_i, μ·s_i) summing to give: the bounded
		 * allocation's exact water-filling with per-row ceilings u_i. */
		long double *sh = ws->shares;

		for (size_t i = 0; i < in->n; i++)
			sh[i] = u[i] > 0 ? in->shares[i] : 0.0L;
		rc = p304_solve_clamped(in->n, sh, NULL, 0, u, 0, give, ws, &lambda,
					ws->exact, ws->position, err);
		if (rc != P304_OK)
			return rc;
	} else {
		long double f = (long double)give / (long double)unmet;

		for (size_t i = 0; i < in->n; i++)
			ws->exact[i] = (long double)u[i] * f;
	}
	rc = p304_round_largest_remainder(in->n, ws->exact, in->codes, 1, give,
					  u, P304_NO_BOUND, ws, ws->amounts, err);
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
