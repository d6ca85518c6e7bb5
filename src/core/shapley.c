/*
 * shapley.c - exact attribution of a change to its factors (envelope,
 * participants, weights, each criterion's data, bounds, rounding). The
 * Shapley value is order-independent: no factor is favoured by being
 * "applied first". With nf factors, 2^nf allocations are enough.
 */
#include <p304/p304.h>
#include "banned.h"
#include "gettext.h"

typedef __int128 i128;

/* nf! / (|S|! (nf − |S| − 1)!) would be fractional; we use the integer
 * weight |S|! (nf − |S| − 1)! over the common denominator nf!. */
static i128 fact(int k)
{
	i128 r = 1;

	for (int i = 2; i <= k; i++)
		r *= i;
	return r;
}

/* round(num / den) half away from zero, den > 0 */
static i128 round_div(i128 num, i128 den)
{
	return num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
}

p304_code p304_shapley(size_t n, size_t nf, const int64_t *values,
		       int64_t *contrib, p304_error *err)
{
	size_t full = ((size_t)1 << nf) - 1;
	i128 den = fact((int)nf), weight[P304_MAX_FACTORS + 1];
	i128 num[P304_MAX_FACTORS];

	if (nf > P304_MAX_FACTORS)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("%zu factors, at most %d can be attributed"), nf, P304_MAX_FACTORS);
	if (nf == 0)
		return P304_OK;
	for (size_t k = 0; k < nf; k++)
		weight[k] = fact((int)k) * fact((int)(nf - k - 1));
	for (size_t i = 0; i < n; i++) {
		i128 total = (i128)values[full * n + i] - values[i], sum = 0, resid;

		for (size_t f = 0; f < nf; f++) {
			size_t bit = (size_t)1 << f;

			num[f] = 0;
			for (size_t s = 0; s <= full; s++) {
				if (s & bit)
					continue;
				num[f] += weight[__builtin_popcountl(s)] *
					  ((i128)values[(s | bit) * n + i] - values[s * n + i]);
			}
			contrib[i * nf + f] = (int64_t)round_div(num[f], den);
			sum += contrib[i * nf + f];
		}
		/* Σ num = total·den exactly; rounding each may leave a few euros:
		 * give them where the rounding cut most (largest num − r·den),
		 * ties by factor order. Negating A and B negates every num, so
		 * the same factors are chosen: contributions stay antisymmetric. */
		resid = total - sum;
		while (resid != 0) {
			size_t best = nf;
			i128 bestgap = 0;

			for (size_t f = 0; f < nf; f++) {
				i128 gap = num[f] - (i128)contrib[i * nf + f] * den;

				if (num[f] == 0)
					continue; /* a factor that changes nothing gets 0 */
				if (resid < 0)
					gap = -gap;
				if (best == nf || gap > bestgap) {
					best = f;
					bestgap = gap;
				}
			}
			contrib[i * nf + best] += resid > 0 ? 1 : -1;
			resid += resid > 0 ? -1 : 1;
		}
	}
	return P304_OK;
}

/* floor(num / den) and its remainder, den > 0 */
static void floor_div(i128 num, i128 den, int64_t *q, int64_t *r)
{
	i128 fq = num / den, fr = num % den;

	if (fr < 0) {
		fq -= 1;
		fr += den;
	}
	*q = (int64_t)fq;
	*r = (int64_t)fr;
}

p304_code p304_shapley_exact(size_t n, size_t nf, const int64_t *values, int64_t *whole,
			     int64_t *frac, int64_t *den, p304_error *err)
{
	size_t full = ((size_t)1 << nf) - 1;
	i128 d = fact((int)nf), weight[P304_MAX_FACTORS + 1];

	if (nf > P304_MAX_FACTORS)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("%zu factors, at most %d can be attributed"), nf, P304_MAX_FACTORS);
	*den = (int64_t)d;
	for (size_t k = 0; k < nf; k++)
		weight[k] = fact((int)k) * fact((int)(nf - k - 1));
	for (size_t i = 0; i < n; i++)
		for (size_t f = 0; f < nf; f++) {
			size_t bit = (size_t)1 << f;
			i128 num = 0;

			for (size_t s = 0; s <= full; s++)
				if (!(s & bit))
					num += weight[__builtin_popcountl(s)] *
					       ((i128)values[(s | bit) * n + i] - values[s * n + i]);
			if (num / d > INT64_MAX - 1 || num / d < INT64_MIN + 1)
				return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
					_("a contribution does not fit in 64 bits"));
			floor_div(num, d, &whole[i * nf + f], &frac[i * nf + f]);
		}
	return P304_OK;
}
