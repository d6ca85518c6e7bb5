/*
 * sweep_fast.h - one sweep variant in double precision, certified: either
 * the amounts and positions are exactly those the long double path of
 * p304_allocate gives (same integers, same statuses), or the function says
 * it is not certain and the caller runs the long double path.
 * Private to the core (src/core/).
 */
#ifndef P304_SWEEP_FAST_H
#define P304_SWEEP_FAST_H

#include <p304/p304.h>

/* Figures below 2^53 convert to double exactly: the filter's error bound
 * assumes it, and callers check it. */
#define FAST_EXACT_LIMIT INT64_C(9007199254740992)

/* Per-thread scratch, reused between variants; the order of the rows by
 * share is kept so that the next variant sorts in O(n). */
typedef struct fast_ws {
	size_t n;
	int ordered;      /* ord holds an order of an earlier variant */
	int guessed;      /* cls holds the positions of an earlier variant */
	int sums_valid;   /* xfree and the counts are those of cls and of the figures */
	size_t *ord;      /* rows by decreasing share */
	size_t *cand;     /* rows that may take one more unit */
	double *rem;      /* their remainders (indexed by row) */
	unsigned char *cls; /* positions being tried */
	int64_t xfree[64]; /* column sums over the free rows */
	size_t nfloor, nceil; /* rows of cls at the floor, at the ceiling */
} fast_ws;

/* 0 on success, -1 when out of memory (then fast_ws_free is still safe). */
int fast_ws_init(fast_ws *f, size_t n);
void fast_ws_free(fast_ws *f);

/*
 * x: the figures (n × k, row-major, each below 2^53), totals: their column
 * totals (as p304_compute_shares forms them), x_changed: 1 when they
 * differ from the last call's; col[0..nc): the columns the shares use, scd:
 * their scales sc_c (the long double ones, rounded once to double); shares:
 * s_i = Σ_j x[i][col_j]·scd_j computed in that order. lo: the floor (0 for
 * none); hi: the ceiling or P304_NO_BOUND; both multiples of unit. Returns 1
 * with amounts[] and pos[] filled, or 0 when some decision is too close to
 * call in double precision (see sweep_fast.c).
 */
int fast_allocate(fast_ws *f, size_t n, size_t k, const int64_t *x, const int64_t *totals,
		  int x_changed,
		  const size_t *col, const double *scd, size_t nc, const double *shares,
		  int64_t lo, int64_t hi, int64_t envelope, int64_t unit,
		  int64_t *amounts, p304_status *pos);

#endif
