/*
 * rounding.c - step 3: largest-remainder (Hamilton) rounding. Every amount is
 * floored to the unit, then the units still missing from the target go one
 * each to the largest remainders, ties broken by code ascending, so the table
 * adds up exactly and every amount is within one unit of its exact value.
 */
#include <p304/p304.h>

#include <math.h>
#include <string.h>

#include "select.h"
#include "workspace.h"
#include "banned.h"
#include "gettext.h"

/*
 * Speed (sweeps and benchmarks call this millions of times): the floor is
 * taken with the x87 unit's own rounding (llrintl, inlined under
 * -fno-math-errno) and corrected by one, instead of a C cast that reloads
 * the control word twice per row; and each remainder gets an integer key,
 * llrintl(rem·2^62), so that the selection compares integers. Rounding is
 * monotone, so key_a > key_b implies rem_a > rem_b: equal keys fall back to
 * the remainders themselves, then to the codes, and the order is exactly
 * "larger remainder, then smaller code".
 */
#define KEY_SCALE 0x1p62L
#define KEY_MAX ((UINT64_C(1) << 62) - 1)
#define BUCKET_SHIFT 54 /* 256 buckets over [0, 2^62) */

/* floor(q) for 0 <= q < 2^62, whatever the current rounding mode. */
static inline int64_t floor_nonneg(long double q)
{
	int64_t f = llrintl(q);

	if ((long double)f > q)
		f--;
	else if ((long double)f + 1.0L <= q)
		f++;
	return f;
}

struct order_ctx {
	const long double *exact;
	const int64_t *amounts; /* still the floors: no unit given yet */
	const uint64_t *key;
	const char *const *codes;
	int64_t unit;
};

static long double remainder_of(const struct order_ctx *o, size_t i)
{
	long double q = o->unit == 1 ? o->exact[i] : o->exact[i] / (long double)o->unit;

	return q - (long double)(o->amounts[i] / o->unit);
}

/* Candidate a is "before" b: larger remainder, then smaller code (a strict
 * order: codes are unique). */
static int before(const void *ctx, size_t a, size_t b)
{
	const struct order_ctx *o = ctx;

	if (o->key[a] != o->key[b])
		return o->key[a] > o->key[b];
	{
		long double ra = remainder_of(o, a), rb = remainder_of(o, b);

		if (ra != rb)
			return ra > rb;
	}
	if (o->codes) {
		int c = strcmp(o->codes[a], o->codes[b]);

		if (c != 0)
			return c < 0;
	}
	return a < b;
}

p304_code p304_round_largest_remainder(size_t n, const long double *exact,
				       const char *const *codes, int64_t unit,
				       int64_t target, const int64_t *hi,
				       int64_t hi_all, p304_workspace *ws,
				       int64_t *amounts, p304_error *err)
{
	p304_code rc;
	uint64_t *key;
	size_t *cand, ncand = 0, above = 0, nb = 0, need, b;
	int64_t sum = 0, missing;
	uint32_t count[256];
	struct order_ctx o;

	if (unit < 1 || target < 0 || target % unit != 0)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("rounding: unit %lld and target %lld are not compatible"),
			(long long)unit, (long long)target);
	if ((rc = workspace_reserve(ws, n, 0, err)) != P304_OK)
		return rc;
	key = ws->keys;
	cand = ws->idx;
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++) {
		long double q = unit == 1 ? exact[i] : exact[i] / (long double)unit, rem;
		int64_t f, h = hi ? hi[i] : hi_all, k;

		if (!(q >= 0.0L) || q >= (long double)(P304_MAX_EUR / unit) + 1.0L)
			return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
				_("row %zu: amount %.0Lf out of range"), i + 1, exact[i]);
		f = floor_nonneg(q);
		amounts[i] = f * unit;
		if (__builtin_add_overflow(sum, amounts[i], &sum))
			return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
					      _("rounded amounts overflow"));
		/* A row on its upper bound cannot take one more unit. */
		if (h != P304_NO_BOUND && amounts[i] + unit > h)
			continue;
		rem = q - (long double)f;
		k = llrintl(rem * KEY_SCALE);
		key[i] = k < 0 ? 0 : (uint64_t)k > KEY_MAX ? KEY_MAX : (uint64_t)k;
		count[key[i] >> BUCKET_SHIFT]++;
		cand[ncand++] = i;
	}
	missing = (target - sum) / unit;
	if (target < sum || (size_t)missing > n)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
			_("rounding: %lld floored does not round to %lld"),
			(long long)sum, (long long)target);
	if (missing == 0)
		return P304_OK;
	if ((size_t)missing > ncand)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
			_("rounding: %lld units to give but only %zu rows can take one"),
			(long long)missing, ncand);
	/* Radix select on the keys' top 8 bits: the rows of the buckets above
	 * bucket b all get a unit; only bucket b (about n/256 rows when the
	 * remainders are spread) needs comparing. */
	for (b = 255; above + count[b] < (size_t)missing; b--)
		above += count[b];
	need = (size_t)missing - above;
	for (size_t j = 0; j < ncand; j++) {
		size_t i = cand[j], kb = (size_t)(key[i] >> BUCKET_SHIFT);

		if (kb > b)
			amounts[i] += unit;
		else if (kb == b)
			cand[nb++] = i; /* nb <= j: compacting in place is safe */
	}
	if (need < nb) {
		/* amounts of bucket b are still floors: remainder_of needs that */
		o = (struct order_ctx){ exact, amounts, key, codes, unit };
		select_first_k(cand, nb, need, before, &o);
	}
	for (size_t j = 0; j < need; j++)
		amounts[cand[j]] += unit;
	return P304_OK;
}
