/*
 * shares.c - step 1 of the allocation: each participant's share of the
 * weighted criteria, s_i = Σ_k w_k·x_ik / Σ_j x_jk (2020 circular, annex 4
 * III-A: each criterion weighs a fixed percentage of the envelope, shared in
 * proportion to the participants' values).
 */
#include <p304/p304.h>

#include <stdlib.h>
#include "banned.h"
#include "gettext.h"

p304_code p304_compute_shares(size_t n, size_t k, const int64_t *values,
			      const long double *weights, int64_t *totals,
			      long double *shares, p304_error *err)
{
	for (size_t c = 0; c < k; c++) {
		int64_t t = 0;

		for (size_t i = 0; i < n; i++) {
			int64_t v = values[i * k + c];

			if (v < 0)
				return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					_("criterion %zu of row %zu is negative"), c + 1, i + 1);
			if (__builtin_add_overflow(t, v, &t))
				return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
					_("the total of criterion %zu does not fit in 64 bits"), c + 1);
		}
		/* A criterion nobody has would divide by zero: its weight could not
		 * be shared, so the envelope would not add up. */
		if (t == 0 && weights[c] != 0.0L)
			return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
				_("criterion %zu totals 0 over the participants"), c + 1);
		totals[c] = t;
	}
	/* w_k / T_k once per criterion: a long double division costs tens of
	 * cycles, and sweeps call this millions of times. */
	long double scale[16], *sc = scale;

	if (k > 16 && !(sc = malloc(k * sizeof(long double))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t c = 0; c < k; c++)
		sc[c] = totals[c] ? weights[c] / (long double)totals[c] : 0.0L;
	for (size_t i = 0; i < n; i++) {
		const int64_t *row = values + i * k;
		long double s = 0.0L;

		for (size_t c = 0; c < k; c++)
			s += (long double)row[c] * sc[c];
		shares[i] = s;
	}
	if (sc != scale)
		free(sc);
	return P304_OK;
}
