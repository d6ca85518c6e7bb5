/*
 * sweep_fast.c - a filter in front of the long double solver, for sweeps.
 *
 * An allocation's integers follow from a few discrete decisions: which rows
 * sit at the floor or the ceiling, the floor of each exact amount, and which
 * remainders are the largest. Double precision (SSE2: no 80-bit loads and
 * stores) takes each decision several times faster than long double; each
 * one is accepted only when it holds by a margin wider than the rounding
 * errors of both computations together, so that the true value and the long
 * double one (whose errors are 2^11 times smaller) fall on the same side. A
 * decision inside the margin returns 0 and the caller runs the long double
 * path of p304_allocate. The sweep's integers are therefore those of the
 * long double path, bit for bit; the filter decides only how fast they come.
 * (The idea of Shewchuk's adaptive geometric predicates: a fast evaluation
 * with a proven error bound, an exact one when the bound cannot decide.)
 *
 * Error bound, with u = 2^-53. A share is k products and k - 1 sums of
 * non-negative terms, from the long double sc_c rounded once to double:
 * relative error at most (k + 1)u. The free rows' share mass is not summed
 * row by row: shares are linear in the scales, so it is Σ_c sc_c·X_c with
 * X_c the exact integer sum of criterion c over the free rows, again within
 * (k + 1)u. The multiplier λ = (E - K) / mass, E - K an exact integer below
 * 2^53, adds u; an exact amount λ·s_i and its quotient by the unit, 2u.
 * Every exact amount in units is thus within (2k + 5)u of the true value,
 * relatively and to first order. The long double path sums the free shares
 * row by row: (n + 2k + 3) × 2^-64. The bound used is twice the sum of both,
 * with a few more units each for the second-order terms.
 *
 * The partition is certified more widely (relative MARGIN, and a free share
 * mass of at least MIN_FREE_MASS): the long double solver compares S(λ) with
 * the envelope at breakpoints, and with every breakpoint at least MARGIN
 * away from λ those comparisons differ from the envelope by at least
 * MARGIN × (free mass) × bound, while its errors are near n·2^-64 × bound.
 */
#include "sweep_fast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"
#include "banned.h"

#define MARGIN 0x1p-24
#define MIN_FREE_MASS 0x1p-20
#define TWO53 ((double)FAST_EXACT_LIMIT)
#define TWO53_I FAST_EXACT_LIMIT
/* remainders (in [0, 1)) by buckets for the selection */
#define NBUCKETS 256
#define BUCKET(r) ((size_t)((int)((r) * (double)NBUCKETS) & (NBUCKETS - 1)))

int fast_ws_init(fast_ws *f, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->n = n;
	f->ord = malloc((n ? n : 1) * sizeof(size_t));
	f->cand = malloc((n ? n : 1) * sizeof(size_t));
	f->rem = malloc((n ? n : 1) * sizeof(double));
	f->cls = malloc(n ? n : 1);
	return f->ord && f->cand && f->rem && f->cls ? 0 : -1;
}

void fast_ws_free(fast_ws *f)
{
	free(f->ord);
	free(f->cand);
	free(f->rem);
	free(f->cls);
	memset(f, 0, sizeof(*f));
}

/* Row x before row y: larger share, then lower index. The order needs no
 * certificate: the partition it leads to is checked afterwards. */
#define BEFORE(s, x, y) ((s)[x] > (s)[y] || ((s)[x] == (s)[y] && (x) < (y)))

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const double *s = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return BEFORE(s, x, y) ? -1 : BEFORE(s, y, x) ? 1 : 0;
}

/* Insertion sort from the last variant's order (O(n) when the shares moved
 * a little), a full sort the first time or when they moved a lot. */
static void order_rows(fast_ws *f, size_t n, const double *s)
{
	size_t *ord = f->ord, moves = 0;

	if (f->ordered) {
		for (size_t i = 1; i < n; i++) {
			size_t x = ord[i], j = i;

			while (j > 0 && BEFORE(s, x, ord[j - 1])) {
				ord[j] = ord[j - 1];
				j--;
			}
			ord[j] = x;
			moves += i - j;
			if (moves > 8 * n)
				break; /* still a permutation: the sort below finishes */
		}
		if (moves <= 8 * n)
			return;
	} else {
		for (size_t i = 0; i < n; i++)
			ord[i] = i;
	}
	qsort_r(ord, n, sizeof(size_t), cmp_rows, (void *)s);
	f->ordered = 1;
}

/* The breakpoint walk of bounded.c in double: rows ord[0..c) at the
 * ceiling, ord[c..f) free, ord[f..n) at the floor. */
static void walk(const size_t *ord, size_t n, const double *s, double lo,
		 int has_hi, double hi, double target, size_t *c_out, size_t *f_out)
{
	size_t c = 0, f = 0;
	double sumfree = 0.0;

	for (;;) {
		int leave = f < n, reach = has_hi && c < f;
		double K = (double)c * hi + (double)(n - f) * lo;
		size_t i;

		if (leave && reach) {
			reach = hi * s[ord[f]] < lo * s[ord[c]];
			leave = !reach;
		}
		if (!leave && !reach)
			break;
		i = leave ? ord[f] : ord[c];
		if ((leave ? lo : hi) * sumfree >= (target - K) * s[i])
			break;
		if (leave) {
			sumfree += s[i];
			f++;
		} else {
			sumfree -= s[i];
			c++;
		}
	}
	*c_out = c;
	*f_out = f;
}

/* Row a's remainder is larger than row b's (ties fail the gap test later). */
static int larger_rem(const void *ctx, size_t a, size_t b)
{
	const double *rem = ctx;

	return rem[a] > rem[b];
}

/* The exact column sums X_c over the free rows of f->cls (each below its
 * column's total, below 2^53: exact in double), and how many rows sit at
 * each bound (the bounds themselves may change from one variant to the
 * next, so K is formed from the counts each time). */
static void column_sums(fast_ws *f, size_t n, size_t k, const int64_t *x,
			const size_t *col, size_t nc)
{
	memset(f->xfree, 0, nc * sizeof(int64_t));
	f->nfloor = f->nceil = 0;
	for (size_t i = 0; i < n; i++) {
		if (f->cls[i] == P304_FREE) {
			for (size_t j = 0; j < nc; j++)
				f->xfree[j] += x[i * k + col[j]]; /* below the column total < 2^53 */
		} else if (f->cls[i] == P304_FLOOR) {
			f->nfloor++;
		} else {
			f->nceil++;
		}
	}
	f->sums_valid = 1;
}

/* Row i moves from position `from` to `to`: the free column sums and the
 * counts follow, exactly (the caller writes the new position). */
static void move_row(fast_ws *f, size_t k, const int64_t *x, const size_t *col, size_t nc,
		     size_t i, int from, int to)
{
	if (from == P304_FREE)
		for (size_t j = 0; j < nc; j++)
			f->xfree[j] -= x[i * k + col[j]];
	else if (from == P304_FLOOR)
		f->nfloor--;
	else
		f->nceil--;
	if (to == P304_FREE)
		for (size_t j = 0; j < nc; j++)
			f->xfree[j] += x[i * k + col[j]];
	else if (to == P304_FLOOR)
		f->nfloor++;
	else
		f->nceil++;
}

/* What one pass found: the extremes the certificate checks. */
struct pass {
	size_t npos;      /* rows that may take one more unit, in f->cand */
	uint64_t sum;     /* the amounts so far (floors and bounds) */
	int big;          /* an exact amount too large to convert */
	double free_lo, free_hi, rmin, rmax, floor_lo, floor_hi, ceil_lo;
};

/*
 * One pass over the rows for multiplier lam: each row's position (a row that
 * moves is carried into its new position's sums, and makes another round:
 * the number moved is returned), the floors of the exact amounts, and what
 * the certificate needs (every row on its side of its bounds by the margin,
 * every remainder away from 0 and 1 by the error) as minima and maxima: a
 * flag or'ed per row was a dependency through memory. Its own function with
 * restrict pointers, so that the counters stay in registers.
 */
static size_t one_pass(fast_ws *f, size_t n, size_t k, const int64_t *x, const size_t *col,
		       size_t nc, const double *restrict s, double lam, int64_t lo, int64_t hi,
		       int64_t unit, int64_t *restrict amounts, p304_status *restrict pos,
		       uint32_t *restrict count, struct pass *o)
{
	const int has_hi = hi != P304_NO_BOUND;
	const double flo = (double)lo, fhi = has_hi ? (double)hi : 0.0;
	unsigned char *restrict cls = f->cls;
	size_t *restrict cand = f->cand;
	double *restrict rem = f->rem;
	double free_lo = HUGE_VAL, free_hi = -HUGE_VAL, rmin = 2.0, rmax = -1.0;
	double floor_lo = HUGE_VAL, floor_hi = -HUGE_VAL, ceil_lo = HUGE_VAL;
	size_t changed = 0, npos = 0;
	uint64_t sum = 0;
	int big = 0;

	for (size_t i = 0; i < n; i++) {
		double e = lam * s[i];
		int p = e <= flo ? P304_FLOOR : has_hi && e >= fhi ? P304_CEILING : P304_FREE;
		int64_t a;

		if (p != cls[i]) {
			changed++;
			move_row(f, k, x, col, nc, i, cls[i], p);
			cls[i] = (unsigned char)p;
			continue;
		}
		pos[i] = (p304_status)p;
		if (p == P304_FREE) {
			double q = unit == 1 ? e : e / (double)unit, r;
			int64_t fl;

			if (!(q < 0x1p62)) { /* a wild guess's λ: no conversion */
				big = 1;
				continue;
			}
			fl = (int64_t)q; /* q >= 0: truncation is the floor */
			r = q - (double)fl; /* exact (Sterbenz) */
			free_lo = e < free_lo ? e : free_lo;
			free_hi = e > free_hi ? e : free_hi;
			rmin = r < rmin ? r : rmin;
			rmax = r > rmax ? r : rmax;
			rem[i] = r;
			a = fl * unit;
			/* a row one unit below its ceiling cannot take one more */
			if (!has_hi || a + unit <= hi) {
				cand[npos++] = i;
				count[BUCKET(r)]++;
			}
		} else if (p == P304_FLOOR) {
			/* e > 0 too: a row without a share follows the long
			 * double path's own rules (free and ceiling rows have
			 * e above a non-negative bound already) */
			floor_lo = e < floor_lo ? e : floor_lo;
			floor_hi = e > floor_hi ? e : floor_hi;
			a = lo;
		} else {
			ceil_lo = e < ceil_lo ? e : ceil_lo;
			a = hi;
		}
		amounts[i] = a;
		/* unsigned: a rejected pass may add up to anything; a certified
		 * one adds up to about E */
		sum += (uint64_t)a;
	}
	*o = (struct pass){ npos, sum, big, free_lo, free_hi, rmin, rmax, floor_lo, floor_hi, ceil_lo };
	return changed;
}

/* Positions only, for multiplier lam: the rows that move are carried into
 * their new position's sums; the number moved. A cheap pass for the rounds
 * that will be redone anyway. */
static size_t classify(fast_ws *f, size_t n, size_t k, const int64_t *x, const size_t *col,
		       size_t nc, const double *restrict s, double lam, int64_t lo, int64_t hi)
{
	const int has_hi = hi != P304_NO_BOUND;
	const double flo = (double)lo, fhi = has_hi ? (double)hi : HUGE_VAL;
	unsigned char *restrict cls = f->cls;
	size_t changed = 0;

	for (size_t i = 0; i < n; i++) {
		double e = lam * s[i];
		int p = e <= flo ? P304_FLOOR : e >= fhi ? P304_CEILING : P304_FREE;

		if (p != cls[i]) {
			changed++;
			move_row(f, k, x, col, nc, i, cls[i], p);
			cls[i] = (unsigned char)p;
		}
	}
	return changed;
}

/* The breakpoint walk over the rows sorted by share: a partition from
 * scratch (0 when a row has no share: the long double path's rules). */
static int partition_by_walk(fast_ws *f, size_t n, const double *s, double flo, int has_hi,
			     double fhi, int64_t E)
{
	size_t c, fr;

	for (size_t i = 0; i < n; i++)
		if (!(s[i] > 0.0))
			return 0;
	order_rows(f, n, s);
	walk(f->ord, n, s, flo, has_hi, fhi, (double)E, &c, &fr);
	for (size_t j = 0; j < n; j++)
		f->cls[f->ord[j]] = j < c ? P304_CEILING : j < fr ? P304_FREE : P304_FLOOR;
	f->guessed = 1;
	f->sums_valid = 0;
	return 1;
}

/* Up to four rounds of "positions for this λ, λ for these positions" from
 * the current partition (the rows that move carry their figures in and out
 * of the free sums); 1 with the last full pass in *o and count, 0 when
 * they do not settle or the free share mass is too small to trust. *moved
 * carries "a cheap pass just moved rows" over to the retry after a walk. */
static int settle_partition(fast_ws *f, size_t n, size_t k, const int64_t *x, const size_t *col,
			    const double *scd, size_t nc, const double *s, double all,
			    int64_t lo, int64_t hi, int64_t E, int64_t unit,
			    int64_t *amounts, p304_status *pos, uint32_t *count, struct pass *o,
			    int *moved)
{
	const int has_hi = hi != P304_NO_BOUND;

	if (!f->sums_valid)
		column_sums(f, n, k, x, col, nc);
	for (int round = 0; round < 4; round++) {
		double mass = 0.0, lam;
		int64_t K, kf, kc;

		for (size_t j = 0; j < nc; j++)
			mass += scd[j] * (double)f->xfree[j];
		if (__builtin_mul_overflow((int64_t)f->nfloor, lo, &kf) ||
		    __builtin_mul_overflow((int64_t)f->nceil, has_hi ? hi : 0, &kc) ||
		    __builtin_add_overflow(kf, kc, &K) || K >= E || !(mass >= MIN_FREE_MASS * all))
			return 0;
		lam = (double)(E - K) / mass;
		/* a cheap pass first, while rows still move (the usual first
		 * round: one or two rows cross a bound from one variant to the
		 * next); the full pass once they have moved */
		if (!*moved && classify(f, n, k, x, col, nc, s, lam, lo, hi) != 0) {
			*moved = 1;
			continue;
		}
		*moved = 0;
		memset(count, 0, NBUCKETS * sizeof(*count));
		if (one_pass(f, n, k, x, col, nc, s, lam, lo, hi, unit, amounts, pos, count, o) == 0)
			return 1;
	}
	return 0;
}

/* The units still missing go to the largest remainders, by buckets of
 * 1/NBUCKETS: those above the boundary bucket are served, those below are
 * not, and only the boundary bucket needs selecting. 1 when the last
 * remainder served and the first not served are apart by more than both
 * errors on each (else the long double path decides). */
static int serve_remainders(fast_ws *f, size_t npos, size_t missing, const uint32_t *count,
			    int64_t unit, double delta, int64_t *amounts)
{
	double min_top = 2.0, max_rest = -1.0;
	size_t nb = 0, above = 0, need, bound, nbound = 0;

	for (bound = NBUCKETS - 1; above + count[bound] < missing; bound--)
		above += count[bound];
	need = missing - above;
	/* Without branches (which side of the boundary a remainder falls is
	 * random: a mispredicted branch per row cost more than the rest), and
	 * without a running minimum (a dependency chain through every row):
	 * the closest served and unserved remainders can only be in the
	 * boundary bucket or its two neighbours, kept aside in cand[0..nb). */
	for (size_t j = 0; j < npos; j++) {
		size_t i = f->cand[j], b = BUCKET(f->rem[i]);

		amounts[i] += unit & -(int64_t)(b > bound);
		f->cand[nb] = i; /* nb <= j: compacting in place is safe */
		nb += b + 1 - bound <= 2;
	}
	/* the boundary bucket first, then select in it */
	for (size_t j = 0; j < nb; j++) {
		size_t i = f->cand[j];

		if (BUCKET(f->rem[i]) == bound) {
			f->cand[j] = f->cand[nbound];
			f->cand[nbound++] = i;
		}
	}
	if (need < nbound)
		select_first_k(f->cand, nbound, need, larger_rem, f->rem);
	for (size_t j = 0; j < nb; j++) {
		size_t i = f->cand[j];
		double r = f->rem[i];

		if (j < need) {
			amounts[i] += unit;
			min_top = r < min_top ? r : min_top;
		} else if (j < nbound || BUCKET(r) < bound) {
			max_rest = r > max_rest ? r : max_rest;
		} else {
			min_top = r < min_top ? r : min_top; /* bucket above: served */
		}
	}
	return min_top - max_rest > 4.0 * delta;
}

int fast_allocate(fast_ws *f, size_t n, size_t k, const int64_t *x, const int64_t *totals,
		  int x_changed,
		  const size_t *col, const double *scd, size_t nc, const double *s,
		  int64_t lo, int64_t hi, int64_t E, int64_t unit,
		  int64_t *amounts, p304_status *pos)
{
	const int has_hi = hi != P304_NO_BOUND;
	const double eps = 2.0 * ((double)(2 * k + 8) * 0x1p-53 + (double)(n + 2 * k + 8) * 0x1p-64);
	/* no exact amount exceeds the ceiling, nor the envelope: a bound on
	 * every amount's error, known before the pass that needs it */
	const double delta = eps * (double)(has_hi && hi < E ? hi : E) / (double)unit;
	const double flo = (double)lo, fhi = has_hi ? (double)hi : 0.0;
	const double flo_in = flo * (1.0 + MARGIN), flo_out = flo * (1.0 - MARGIN);
	const double fhi_in = fhi * (1.0 - MARGIN), fhi_out = fhi * (1.0 + MARGIN);
	const double rlo = 2.0 * delta, rhi = 1.0 - 2.0 * delta;
	double all = 0.0;
	uint32_t count[NBUCKETS];
	int64_t target, missing;
	int walked = 0, moved = 0;
	struct pass o;

	if (n == 0 || n != f->n || nc == 0 || nc > 64 || unit < 1 || E <= 0 ||
	    (double)E >= TWO53 || lo < 0 || (has_hi && hi < lo))
		return 0;
	if (x_changed)
		f->sums_valid = 0;
	/* the whole share mass, for the free share mass test, from the
	 * caller's column totals (below 2^53: exact in double) */
	for (size_t j = 0; j < nc; j++) {
		if (totals[col[j]] < 0 || totals[col[j]] >= TWO53_I)
			return 0;
		all += scd[j] * (double)totals[col[j]];
	}
	/* The partition: the last variant's first (a sweep's variants are
	 * close), settled by rounds; failing that, the breakpoint walk, once a
	 * call. Whichever found it, the last pass certifies it. */
	if (!f->guessed) {
		if (!partition_by_walk(f, n, s, flo, has_hi, fhi, E))
			return 0;
		walked = 1;
	}
	if (!settle_partition(f, n, k, x, col, scd, nc, s, all, lo, hi, E, unit, amounts, pos, count, &o,
			      &moved) &&
	    (walked || !partition_by_walk(f, n, s, flo, has_hi, fhi, E) ||
	     !settle_partition(f, n, k, x, col, scd, nc, s, all, lo, hi, E, unit, amounts, pos, count, &o,
			       &moved)))
		return 0;
	/* some decision too close to call */
	if (o.big || !(o.floor_lo > 0.0) || !(o.free_lo > flo_in) || (has_hi && !(o.free_hi < fhi_in)) ||
	    !(o.rmin > rlo) || !(o.rmax < rhi) || !(o.floor_hi < flo_out) ||
	    (has_hi && !(o.ceil_lo > fhi_out)))
		return 0;
	target = E - E % unit;
	if (o.sum > (uint64_t)target || (target - (int64_t)o.sum) % unit != 0)
		return 0;
	missing = (target - (int64_t)o.sum) / unit;
	/* the units go to positive remainders only; when they would reach the
	 * rows on a bound (remainder 0, order by code) the long double path
	 * decides */
	if ((size_t)missing > o.npos)
		return 0;
	if ((size_t)missing == o.npos) {
		for (size_t j = 0; j < o.npos; j++)
			amounts[f->cand[j]] += unit;
		return 1;
	}
	if (missing == 0)
		return 1;
	return serve_remainders(f, o.npos, (size_t)missing, count, unit, delta, amounts);
}
