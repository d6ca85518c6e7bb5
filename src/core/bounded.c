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

/* One call of p304_solve_clamped: the rows' shares and bounds. */
struct clamp {
	size_t n;
	const long double *shares;
	const int64_t *lo, *hi;    /* per row, or NULL: lo_all, hi_all */
	int64_t lo_all, hi_all, target;
	long double lo_c, hi_c;    /* lo_all, hi_all as long double */
};

static inline int64_t lo_of(const struct clamp *q, size_t i)
{
	return q->lo ? q->lo[i] : q->lo_all;
}

static inline int64_t hi_of(const struct clamp *q, size_t i)
{
	return q->hi ? q->hi[i] : q->hi_all;
}

/* Bounds as long double; has_hi first: no arithmetic on "no upper bound". */
static inline long double lof(const struct clamp *q, size_t i)
{
	return q->lo ? (long double)q->lo[i] : q->lo_c;
}

static inline int has_hi(const struct clamp *q, size_t i)
{
	return hi_of(q, i) != P304_NO_BOUND;
}

static inline long double hiv(const struct clamp *q, size_t i)
{
	return q->hi ? (long double)q->hi[i] : q->hi_c;
}

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

/* The bracket (L, H) around λ and what the rows settled on it add to S:
 * S(λ) = konst + slope·λ + Σ over the rows still active. */
struct bracket {
	long double L, H, konst, slope, guess;
	int H_inf, newton;  /* H = +inf; Newton steps left */
	size_t *act, nact;  /* rows whose position on (L, H) is not known */
};

/* Folds the rows whose position no longer changes on (L, H) into konst and
 * slope: products only, no division per row, and no arithmetic on
 * infinities (x87 handles them slowly). */
static void fold_settled(const struct clamp *q, struct bracket *b)
{
	size_t keep = 0;

	for (size_t j = 0; j < b->nact; j++) {
		size_t i = b->act[j];
		long double sh = q->shares[i], fl = b->L * sh, lo_i = lof(q, i);
		int hh = has_hi(q, i);
		long double hi_i = hh ? hiv(q, i) : 0.0L;

		if (hh && fl >= hi_i) {
			b->konst += hi_i;
		} else if (b->H_inf) {
			if (fl <= lo_i || hh)
				b->act[keep++] = i;
			else
				b->slope += sh;
		} else {
			long double fh = b->H * sh;

			if (fh <= lo_i)
				b->konst += lo_i;
			else if (fl <= lo_i || (hh && fh >= hi_i))
				b->act[keep++] = i;
			else
				b->slope += sh;
		}
	}
	b->nact = keep;
}

/* The next point p to evaluate S at; returns 0 when there is none this
 * round. A few Newton steps first: S is piecewise linear, so from a point
 * near the root the next guess usually lands in the final piece and most
 * rows fold at once; the bracket keeps each step safe; after four,
 * breakpoints guarantee progress. The pivot is a breakpoint of the middle
 * row; if rounding puts it on an end of the bracket, the row's position on
 * (L, H) is known to within one ulp: it is folded and removed (progress
 * guaranteed), and 0 is returned. */
static int next_point(const struct clamp *q, struct bracket *b, long double *p)
{
	size_t mid, m;

	if (b->newton > 0 && b->guess > b->L && (b->H_inf || b->guess < b->H)) {
		b->newton--;
		*p = b->guess;
		return 1;
	}
	b->newton = 0;
	mid = b->nact / 2;
	m = b->act[mid];
	*p = lof(q, m) / q->shares[m];
	if (!(*p > b->L)) {
		/* Leaves its lower bound at or before L. */
		if (!has_hi(q, m)) {
			b->slope += q->shares[m];
		} else {
			*p = hiv(q, m) / q->shares[m];
			if (!(*p > b->L))
				b->konst += hiv(q, m);
			else if (!b->H_inf && !(*p < b->H))
				b->slope += q->shares[m];
			else
				return 1;
		}
	} else if (!b->H_inf && !(*p < b->H)) {
		/* Leaves its lower bound at or after H. */
		b->konst += lof(q, m);
	} else {
		return 1;
	}
	b->nact--;
	b->act[mid] = b->act[b->nact];
	return 0;
}

/* S(p): narrows the bracket to the side of the root, and sets the Newton
 * guess from S'(p), the free rows' shares. */
static void evaluate(const struct clamp *q, struct bracket *b, long double p)
{
	long double val = b->konst + b->slope * p, dslope = b->slope;

	for (size_t j = 0; j < b->nact; j++) {
		size_t i = b->act[j];
		long double v = p * q->shares[i], lo_i = lof(q, i);

		if (v <= lo_i) {
			v = lo_i;
		} else if (has_hi(q, i) && v >= hiv(q, i)) {
			v = hiv(q, i);
		} else {
			dslope += q->shares[i];
		}
		val += v;
	}
	b->guess = dslope > 0.0L ? p + ((long double)q->target - val) / dslope : -1.0L;
	if (val < (long double)q->target) {
		b->L = p;
	} else if (val > (long double)q->target) {
		b->H = p;
		b->H_inf = 0;
	} else {
		b->L = b->H = p;
		b->H_inf = 0;
	}
}

/* The O(n) bracket search (any bounds): λ on the last linear piece. */
static long double search_bracket(const struct clamp *q, int64_t fixed, p304_workspace *ws)
{
	struct bracket b = { .L = 0.0L, .H = HUGE_VALL, .konst = (long double)fixed,
			     .H_inf = 1, .newton = 4, .act = ws->idx };
	long double total = 0.0L, lam, p;

	for (size_t i = 0; i < q->n; i++)
		if (q->shares[i] > 0.0L) {
			b.act[b.nact++] = i;
			total += q->shares[i];
		}
	/* First guess: every row free (for an allocation, λ = E). */
	b.guess = total > 0.0L ? (long double)q->target / total : -1.0L;
	while (b.nact > 0) {
		fold_settled(q, &b);
		if (b.nact == 0)
			break;
		if (next_point(q, &b, &p))
			evaluate(q, &b, p);
	}
	if (!b.H_inf && b.L == b.H)
		lam = b.L;
	else if (b.slope > 0.0L)
		lam = ((long double)q->target - b.konst) / b.slope;
	else /* S is flat: every row sits on a bound. */
		lam = b.H_inf ? b.L : b.H;
	if (lam < b.L)
		lam = b.L;
	if (!b.H_inf && lam > b.H)
		lam = b.H;
	return lam;
}

/* Positions from the λ found, then λ again from the positions, summed in
 * row order: whichever search found the partition, the same partition gives
 * bit for bit the same amounts. Returns that λ. */
static long double classify(const struct clamp *q, long double lam, long double *exact,
			    p304_status *position)
{
	long double bounded = 0.0L, free = 0.0L;

	for (size_t i = 0; i < q->n; i++) {
		long double s = q->shares[i];

		/* compare x·s with the bounds rather than x with lo/s and hi/s:
		 * no division per row */
		if (s <= 0.0L || lam * s <= (long double)lo_of(q, i)) {
			position[i] = P304_FLOOR;
			bounded += (long double)lo_of(q, i);
		} else if (has_hi(q, i) && lam * s >= (long double)hi_of(q, i)) {
			position[i] = P304_CEILING;
			bounded += (long double)hi_of(q, i);
		} else {
			position[i] = P304_FREE;
			free += s;
		}
	}
	if (free > 0.0L)
		lam = ((long double)q->target - bounded) / free;
	for (size_t i = 0; i < q->n; i++) {
		long double v = lam * q->shares[i], l = (long double)lo_of(q, i);
		int hh = has_hi(q, i);

		if (position[i] == P304_FLOOR)
			v = l;
		else if (position[i] == P304_CEILING)
			v = (long double)hi_of(q, i);
		else if (v < l)
			v = l;
		else if (hh && v > (long double)hi_of(q, i))
			v = (long double)hi_of(q, i);
		exact[i] = v;
		/* a free row that lands exactly on a bound is said to be there:
		 * the position follows the amount */
		if (position[i] == P304_FREE && v <= l)
			position[i] = P304_FLOOR;
		else if (position[i] == P304_FREE && hh && v >= (long double)hi_of(q, i))
			position[i] = P304_CEILING;
	}
	return lam;
}

p304_code p304_solve_clamped(size_t n, const long double *shares,
			     const int64_t *lo, int64_t lo_all,
			     const int64_t *hi, int64_t hi_all,
			     int64_t target, p304_workspace *ws,
			     long double *lambda, long double *exact,
			     p304_status *position, p304_error *err)
{
	struct clamp q = { .n = n, .shares = shares, .lo = lo, .hi = hi, .lo_all = lo_all,
			   .hi_all = hi_all, .target = target, .lo_c = (long double)lo_all,
			   .hi_c = (long double)hi_all };
	int64_t fixed = 0;
	long double lam;
	p304_code rc;

	if ((rc = workspace_reserve(ws, n, 0, err)) != P304_OK)
		return rc;
	if ((rc = check_feasible(n, shares, lo, lo_all, hi, hi_all, target,
				 &fixed, err)) != P304_OK)
		return rc;
	/* Sorting pays only when calls repeat (sweeps, comparisons): a single
	 * allocation uses the O(n) bracket search. */
	if (!lo && !hi && ws->last_n == n) {
		lam = solve_sorted(n, shares, (long double)lo_all, hi_all != P304_NO_BOUND,
				   (long double)hi_all, (long double)target, ws);
	} else {
		ws->last_n = n;
		lam = search_bracket(&q, fixed, ws);
	}
	*lambda = classify(&q, lam, exact, position);
	return P304_OK;
}
