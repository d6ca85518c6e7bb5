/*
 * rounding.c - step 3: largest-remainder (Hamilton) rounding. Every amount is
 * floored to the unit, then the units still missing from the target go one
 * each to the largest remainders, ties broken by code ascending, so the table
 * adds up exactly and every amount is within one unit of its exact value.
 */
#include <p304/p304.h>

#include <math.h>
#include <string.h>

#include "workspace.h"
#include "banned.h"

/* Candidate a is "before" b: larger remainder, then smaller code. */
static int before(const long double *rem, const char *const *codes,
		  size_t a, size_t b)
{
	if (rem[a] != rem[b])
		return rem[a] > rem[b];
	if (codes) {
		int c = strcmp(codes[a], codes[b]);

		if (c != 0)
			return c < 0;
	}
	return a < b;
}

/* Reorders idx[0..n) so that its first k entries are the k "first" ones.
 * Quickselect (Lomuto partition, middle pivot): the order is strict (codes
 * are unique), so there are no equal keys to worry about. Expected O(n). */
static void select_first(size_t *idx, size_t n, size_t k,
			 const long double *rem, const char *const *codes)
{
	size_t left = 0, right = n;

	while (right - left > 1) {
		size_t mid = left + (right - left) / 2, store = left, pivot, t;

		pivot = idx[mid];
		idx[mid] = idx[right - 1];
		idx[right - 1] = pivot;
		for (size_t i = left; i < right - 1; i++) {
			if (before(rem, codes, idx[i], pivot)) {
				t = idx[i];
				idx[i] = idx[store];
				idx[store++] = t;
			}
		}
		idx[right - 1] = idx[store];
		idx[store] = pivot;
		if (k < store)
			right = store;
		else if (k > store + 1)
			left = store + 1;
		else
			break;
	}
}

p304_code p304_round_largest_remainder(size_t n, const long double *exact,
				       const char *const *codes, int64_t unit,
				       int64_t target, const int64_t *hi,
				       int64_t hi_all, p304_workspace *ws,
				       int64_t *amounts, p304_error *err)
{
	p304_code rc;
	long double *rem;
	size_t *cand, ncand = 0;
	int64_t sum = 0, missing;

	if (unit < 1 || target < 0 || target % unit != 0)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			"rounding: unit %lld and target %lld are not compatible",
			(long long)unit, (long long)target);
	if ((rc = workspace_reserve(ws, n, 0, err)) != P304_OK)
		return rc;
	rem = ws->blo; /* free after the solver: reuse as remainders */
	cand = ws->idx;
	for (size_t i = 0; i < n; i++) {
		long double q = unit == 1 ? exact[i] : exact[i] / (long double)unit;
		int64_t f;

		if (!(q >= 0.0L) || q >= (long double)(P304_MAX_EUR / unit) + 1.0L)
			return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
				"row %zu: amount %.0Lf out of range", i + 1, exact[i]);
		f = (int64_t)q; /* truncation is the floor: q >= 0 */
		amounts[i] = f * unit;
		rem[i] = q - (long double)f;
		if (__builtin_add_overflow(sum, amounts[i], &sum))
			return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
					      "rounded amounts overflow");
	}
	missing = (target - sum) / unit;
	if (target < sum || (size_t)missing > n)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
			"rounding: %lld floored does not round to %lld",
			(long long)sum, (long long)target);
	if (missing == 0)
		return P304_OK;
	for (size_t i = 0; i < n; i++) {
		int64_t h = hi ? hi[i] : hi_all;

		/* A row on its upper bound cannot take one more unit. */
		if (h != P304_NO_BOUND && amounts[i] + unit > h)
			continue;
		cand[ncand++] = i;
	}
	if ((size_t)missing > ncand)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
			"rounding: %lld units to give but only %zu rows can take one",
			(long long)missing, ncand);
	select_first(cand, ncand, (size_t)missing, rem, codes);
	for (size_t j = 0; j < (size_t)missing; j++)
		amounts[cand[j]] += unit;
	return P304_OK;
}
