/*
 * bounded.c - step 2: the multiplier λ of the bounded allocation
 * a_i = clamp(λ·s_i, lo_i, hi_i) with Σ a_i = target.
 *
 * S(λ) = Σ clamp(λ·s_i, lo_i, hi_i) is continuous, piecewise linear and
 * non-decreasing, with breakpoints lo_i/s_i and hi_i/s_i. We bracket λ between
 * two breakpoints by a quickselect-like search (each round evaluates S at one
 * breakpoint and folds the rows whose position is settled on the bracket into
 * a constant and a slope), then solve the last linear piece exactly:
 * λ = (target − constant) / slope. Expected O(n), no tolerance, no iteration
 * count to tune. The 2020 circular's floor and ceiling (annex 4 III-A) are the
 * constant-bound case; reconciliation uses per-row bounds.
 */
#include <p304/p304.h>

#include <math.h>
#include <string.h>

#include "workspace.h"
#include "banned.h"
#include "gettext.h"

#define LO(i) (lo ? lo[i] : lo_all)
#define HI(i) (hi ? hi[i] : hi_all)

static p304_code check_feasible(size_t n, const long double *shares,
				const int64_t *lo, int64_t lo_all,
				const int64_t *hi, int64_t hi_all,
				int64_t target, int64_t *fixed_out,
				p304_error *err)
{
	int64_t min_sum = 0, max_sum = 0, fixed = 0;
	size_t nzero = 0;
	int unbounded = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t l = LO(i), h = HI(i);

		if (l < 0 || (h != P304_NO_BOUND && h < l))
			return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
				_("row %zu: bounds [%lld, %lld] are not ordered"), i + 1,
				(long long)l, (long long)h);
		if (__builtin_add_overflow(min_sum, l, &min_sum))
			goto overflow;
		if (shares[i] <= 0.0L) {
			/* No share: λ never moves this row off its lower bound. */
			nzero++;
			if (__builtin_add_overflow(fixed, l, &fixed) ||
			    __builtin_add_overflow(max_sum, l, &max_sum))
				goto overflow;
		} else if (h == P304_NO_BOUND) {
			unbounded = 1;
		} else if (__builtin_add_overflow(max_sum, h, &max_sum)) {
			goto overflow;
		}
	}
	if (target < min_sum)
		return p304_error_set(err, P304_ERR_INFEASIBLE, NULL, 0,
			_("the lower bounds add up to %lld, above the %lld to share"),
			(long long)min_sum, (long long)target);
	if (!unbounded && target > max_sum)
		return p304_error_set(err, P304_ERR_INFEASIBLE, NULL, 0,
			nzero ? _("the upper bounds add up to %lld, below the %lld to share "
				  "(rows with a zero share keep their lower bound)")
			      : _("the upper bounds add up to %lld, below the %lld to share"),
			(long long)max_sum, (long long)target);
	*fixed_out = fixed;
	return P304_OK;
overflow:
	return p304_error_set(err, P304_ERR_OVERFLOW, NULL, 0,
			      _("the bounds add up to more than 64 bits hold"));
}

/* A row's position for multiplier x: compare x·s with the bounds rather
 * than x with lo/s and hi/s, so no division per row is needed. */
/* Bounds as long double, +inf for "no upper bound". */
#define LOF(i) (lo ? (long double)lo[i] : lo_c)
#define HAS_HI(i) ((hi ? hi[i] : hi_all) != P304_NO_BOUND)
#define HIV(i) (hi ? (long double)hi[i] : hi_c)
#define AT_HI(x, i) (HI(i) != P304_NO_BOUND && (x) * shares[i] >= (long double)HI(i))
#define AT_LO(x, i) ((x) * shares[i] <= (long double)LO(i))

/*
 * The common case, one floor and one ceiling for every row: sorted by
 * decreasing share, the rows at the ceiling are a prefix and the rows at the
 * floor a suffix, and both kinds of breakpoints (lo/s, hi/s) increase along
 * the order. One walk over the merged breakpoints finds the piece where S
 * reaches the target, comparing by cross-multiplication (no division per
 * row). The order is kept in the workspace: a sweep's next variant is almost
 * sorted already, and insertion sort then costs O(n). Returns the multiplier;
 * the caller classifies the rows.
 */
/* Row x comes before row y: larger share, then lower index. */
#define BEFORE(x, y) (sh[x] > sh[y] || (sh[x] == sh[y] && (x) < (y)))

static long double solve_sorted(size_t n, const long double *sh, long double lo,
				int has_hi, long double hi, long double target,
				p304_workspace *ws)
{
	size_t *ord = ws->order, m = 0, c = 0, f = 0, z;
	long double sumfree = 0.0L, K;

	size_t moves = 0;
	int sorted = ws->order_n == n;

	/* insertion sort by decreasing share, ties by row: O(n) on the almost
	 * sorted order of the previous call; given up for a merge sort when the
	 * order is new or moved too much */
	for (size_t i = 1; sorted && i < n; i++) {
		size_t x = ord[i], j = i;

		while (j > 0 && BEFORE(x, ord[j - 1])) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = x;
		moves += i - j;
		if (moves > 8 * n)
			sorted = 0;
	}
	if (!sorted) {
		size_t *tmp = ws->idx, *src = ord, *dst = tmp;

		for (size_t i = 0; i < n; i++)
			ord[i] = i;
		for (size_t w = 1; w < n; w *= 2) {
			for (size_t start = 0; start < n; start += 2 * w) {
				size_t mid = start + w < n ? start + w : n;
				size_t end = start + 2 * w < n ? start + 2 * w : n;
				size_t a = start, b = mid, o = start;

				while (a < mid && b < end)
					dst[o++] = BEFORE(src[b], src[a]) ? src[b++] : src[a++];
				while (a < mid)
					dst[o++] = src[a++];
				while (b < end)
					dst[o++] = src[b++];
			}
			tmp = src;
			src = dst;
			dst = tmp;
		}
		if (src != ord)
			memcpy(ord, src, n * sizeof(size_t));
		ws->order_n = n;
	}
	while (m < n && sh[ord[m]] > 0.0L)
		m++;
	z = n - m; /* rows without a share stay at the floor */
	/* rows ord[0..c) at the ceiling, ord[c..f) free, ord[f..m) at the floor */
	for (;;) {
		int leave = f < m, reach = has_hi && c < f;
		size_t i;

		K = (long double)c * hi + (long double)(m - f + z) * lo;
		if (leave && reach) {
			/* which comes first: lo/s[f] or hi/s[c]? */
			reach = hi * sh[ord[f]] < lo * sh[ord[c]];
			leave = !reach;
		}
		if (!leave && !reach)
			break;
		i = leave ? ord[f] : ord[c];
		/* S at this breakpoint λb = v/s_i: K + λb·sumfree >= target ? */
		if ((leave ? lo : hi) * sumfree >= (target - K) * sh[i])
			break;
		if (leave) {
			sumfree += sh[ord[f]];
			f++;
		} else {
			sumfree -= sh[ord[c]];
			c++;
		}
	}
	/* The running sum lost digits to the subtractions (rows reaching the
	 * ceiling): add the free shares again, in order, for the multiplier. */
	sumfree = 0.0L;
	for (size_t j = c; j < f; j++)
		sumfree += sh[ord[j]];
	if (sumfree > 0.0L)
		return (target - K) / sumfree;
	/* flat: every row on a bound; the next breakpoint is the answer */
	if (f < m)
		return lo / sh[ord[f]];
	return has_hi && c > 0 ? hi / sh[ord[c - 1]] : 0.0L;
}

p304_code p304_solve_clamped(size_t n, const long double *shares,
			     const int64_t *lo, int64_t lo_all,
			     const int64_t *hi, int64_t hi_all,
			     int64_t target, p304_workspace *ws,
			     long double *lambda, long double *exact,
			     p304_status *position, p304_error *err)
{
	p304_code rc;
	int64_t fixed = 0;
	long double L = 0.0L, H = HUGE_VALL, slope = 0.0L, konst, lam;
	int H_inf = 1, newton = 4;
	long double lo_c, hi_c, total = 0.0L, guess;
	size_t *act, nact = 0;

	if ((rc = workspace_reserve(ws, n, 0, err)) != P304_OK)
		return rc;
	if ((rc = check_feasible(n, shares, lo, lo_all, hi, hi_all, target,
				 &fixed, err)) != P304_OK)
		return rc;
	/* Sorting pays only when calls repeat (sweeps, comparisons): a single
	 * allocation uses the O(n) bracket search below. */
	if (!lo && !hi && ws->last_n == n) {
		lam = solve_sorted(n, shares, (long double)lo_all, hi_all != P304_NO_BOUND,
				   (long double)hi_all, (long double)target, ws);
		lo_c = (long double)lo_all;
		hi_c = (long double)hi_all;
		goto classify;
	}
	ws->last_n = n;
	act = ws->idx;
	for (size_t i = 0; i < n; i++)
		if (shares[i] > 0.0L) {
			act[nact++] = i;
			total += shares[i];
		}
	konst = (long double)fixed;
	/* First guess: every row free (for an allocation, λ = E). */
	guess = total > 0.0L ? (long double)target / total : -1.0L;
	lo_c = (long double)lo_all;
	hi_c = (long double)hi_all;

	while (nact > 0) {
		size_t keep = 0, m, mid;
		long double p, val;

		/* Fold the rows whose position no longer changes on (L, H):
		 * products only, no division per row. */
		for (size_t j = 0; j < nact; j++) {
			size_t i = act[j];
			long double sh = shares[i], fl = L * sh, lo_i = LOF(i);
			/* No arithmetic on infinities: x87 handles them slowly. */
			int has_hi = HAS_HI(i);
			long double hi_i = has_hi ? HIV(i) : 0.0L;

			if (has_hi && fl >= hi_i) {
				konst += hi_i;
			} else if (H_inf) {
				if (fl <= lo_i || has_hi)
					act[keep++] = i;
				else
					slope += sh;
			} else {
				long double fh = H * sh;

				if (fh <= lo_i)
					konst += lo_i;
				else if (fl <= lo_i || (has_hi && fh >= hi_i))
					act[keep++] = i;
				else
					slope += sh;
			}
		}
		nact = keep;
		if (nact == 0)
			break;
		/* A few Newton steps first: S is piecewise linear, so from a
		 * point near the root the next guess usually lands in the final
		 * piece and most rows fold at once. The bracket keeps each step
		 * safe; after four, breakpoints guarantee progress. */
		if (newton > 0 && guess > L && (H_inf || guess < H)) {
			newton--;
			p = guess;
			goto pivot;
		}
		newton = 0;
		/* Pivot: a breakpoint of the middle row. If rounding puts it on
		 * an end of the bracket, the row's position on (L, H) is known
		 * to within one ulp: fold it and try again (progress guaranteed). */
		mid = nact / 2;
		m = act[mid];
		p = LOF(m) / shares[m];
		if (!(p > L)) {
			/* Leaves its lower bound at or before L. */
			if (!HAS_HI(m)) {
				slope += shares[m];
			} else {
				p = HIV(m) / shares[m];
				if (!(p > L))
					konst += HIV(m);
				else if (!H_inf && !(p < H))
					slope += shares[m];
				else
					goto pivot;
			}
		} else if (!H_inf && !(p < H)) {
			/* Leaves its lower bound at or after H. */
			konst += LOF(m);
		} else {
			goto pivot;
		}
		nact--;
		act[mid] = act[nact];
		continue;
pivot:
		val = konst + slope * p;
		{
			long double dslope = slope; /* S'(p): the free rows' shares */

			for (size_t j = 0; j < nact; j++) {
				size_t i = act[j];
				long double v = p * shares[i], lo_i = LOF(i);

				if (v <= lo_i) {
					v = lo_i;
				} else if (HAS_HI(i) && v >= HIV(i)) {
					v = HIV(i);
				} else {
					dslope += shares[i];
				}
				val += v;
			}
			guess = dslope > 0.0L ? p + ((long double)target - val) / dslope : -1.0L;
		}
		if (val < (long double)target) {
			L = p;
		} else if (val > (long double)target) {
			H = p;
			H_inf = 0;
		} else {
			L = H = p;
			H_inf = 0;
		}
	}
	if (!H_inf && L == H)
		lam = L;
	else if (slope > 0.0L)
		lam = ((long double)target - konst) / slope;
	else /* S is flat: every row sits on a bound. */
		lam = H_inf ? L : H;
	if (lam < L)
		lam = L;
	if (!H_inf && lam > H)
		lam = H;
classify:
	{
		/* Positions from the λ found, then λ again from the positions,
		 * summed in row order: whichever search found the partition,
		 * the same partition gives bit for bit the same amounts. */
		long double bounded = 0.0L, free = 0.0L;

		for (size_t i = 0; i < n; i++) {
			long double s = shares[i];

			if (s <= 0.0L || AT_LO(lam, i)) {
				position[i] = P304_FLOOR;
				bounded += (long double)LO(i);
			} else if (AT_HI(lam, i)) {
				position[i] = P304_CEILING;
				bounded += (long double)HI(i);
			} else {
				position[i] = P304_FREE;
				free += s;
			}
		}
		if (free > 0.0L)
			lam = ((long double)target - bounded) / free;
		for (size_t i = 0; i < n; i++) {
			long double v = lam * shares[i];

			if (position[i] == P304_FLOOR)
				v = (long double)LO(i);
			else if (position[i] == P304_CEILING)
				v = (long double)HI(i);
			else if (v < (long double)LO(i))
				v = (long double)LO(i);
			else if (HI(i) != P304_NO_BOUND && v > (long double)HI(i))
				v = (long double)HI(i);
			exact[i] = v;
			/* a free row that lands exactly on a bound is said to be
			 * there: the position follows the amount */
			if (position[i] == P304_FREE && v <= (long double)LO(i))
				position[i] = P304_FLOOR;
			else if (position[i] == P304_FREE && HI(i) != P304_NO_BOUND &&
				 v >= (long double)HI(i))
				position[i] = P304_CEILING;
		}
	}
	*lambda = lam;
	return P304_OK;
}
