/*
 * test_core.c - the allocation core: shares, the bounded solver, rounding,
 * and property tests over thousands of random instances (fixed seeds).
 */
#include "testutil.h"

#include <math.h>
#include <p304/p304.h>

#define MAXN 160
#define MAXK 5

struct inst {
	size_t n, k;
	char codebuf[MAXN][24];
	const char *codes[MAXN];
	int64_t values[MAXN * MAXK];
	long double weights[MAXK];
	p304_problem p;
};

static void inst_codes(struct inst *in)
{
	for (size_t i = 0; i < in->n; i++) {
		snprintf(in->codebuf[i], sizeof(in->codebuf[i]), "%03zu", i + 1);
		in->codes[i] = in->codebuf[i];
	}
}

static void inst_random(struct inst *in, uint64_t *seed)
{
	long double wsum = 0.0L;
	int64_t units[] = { 1, 1, 100, 1000 };
	int64_t unit, E, F, C;

	in->n = (size_t)rng_range(seed, 1, MAXN);
	in->k = (size_t)rng_range(seed, 1, MAXK);
	inst_codes(in);
	for (size_t c = 0; c < in->k; c++) {
		in->weights[c] = (long double)rng_range(seed, 1, 1000);
		wsum += in->weights[c];
	}
	for (size_t c = 0; c < in->k; c++)
		in->weights[c] /= wsum;
	for (size_t i = 0; i < in->n * in->k; i++)
		in->values[i] = rng_range(seed, 0, 3) == 0 ? rng_range(seed, 0, 5)
							    : rng_range(seed, 0, 5000000) * 1000;
	for (size_t c = 0; c < in->k; c++)
		in->values[c] += 1000; /* no criterion totals 0 */
	for (size_t i = 0; i < in->n; i++)
		in->values[i * in->k] += 1; /* no zero share: n·C >= E stays feasible */
	unit = units[rng_range(seed, 0, 3)];
	E = rng_range(seed, (int64_t)in->n * unit, 2000000000);
	F = P304_NO_BOUND;
	C = P304_NO_BOUND;
	if (rng_range(seed, 0, 2))
		F = rng_range(seed, 0, E / (int64_t)in->n / unit) * unit;
	if (rng_range(seed, 0, 2)) {
		int64_t cmin = (E + (int64_t)in->n - 1) / (int64_t)in->n;

		cmin = (cmin + unit - 1) / unit * unit;
		if (F != P304_NO_BOUND && cmin < F)
			cmin = F;
		C = cmin + rng_range(seed, 0, 3) * rng_range(seed, 0, E / unit / 2) * unit;
	}
	in->p = (p304_problem){ .n = in->n, .k = in->k, .codes = in->codes,
		.values = in->values, .weights = in->weights, .envelope_eur = E,
		.floor_eur = F, .ceiling_eur = C, .unit_eur = unit };
}

static long double clampF(long double v, const p304_problem *p)
{
	if (p->floor_eur != P304_NO_BOUND && v < (long double)p->floor_eur)
		v = (long double)p->floor_eur;
	if (p->ceiling_eur != P304_NO_BOUND && v > (long double)p->ceiling_eur)
		v = (long double)p->ceiling_eur;
	return v;
}

/* Checks every invariant of a solved instance. */
static void check_solution(const p304_problem *p, const p304_row *rows,
			   const p304_summary *s)
{
	int64_t total = 0, target = p->envelope_eur - p->envelope_eur % p->unit_eur;
	long double exact_sum = 0.0L;

	for (size_t i = 0; i < p->n; i++) {
		const p304_row *r = &rows[i];
		long double want = clampF(s->lambda * r->share, p);

		total += r->amount_eur;
		exact_sum += r->exact_eur;
		assert_true(r->amount_eur % p->unit_eur == 0);
		if (p->floor_eur != P304_NO_BOUND)
			assert_true(r->amount_eur >= p->floor_eur);
		if (p->ceiling_eur != P304_NO_BOUND)
			assert_true(r->amount_eur <= p->ceiling_eur);
		/* within one unit of the exact amount */
		assert_true(fabsl((long double)r->amount_eur - r->exact_eur) <=
			    (long double)p->unit_eur + 1e-6L);
		/* the exact amount is clamp(λ·s_i): the characterisation */
		assert_true(fabsl(r->exact_eur - want) <= 1e-6L * (1.0L + want));
	}
	assert_true(total == target);
	assert_true(s->allocated_eur == target);
	assert_true(s->unallocated_eur == p->envelope_eur - target);
	assert_true(fabsl(exact_sum - (long double)p->envelope_eur) <=
		    1e-9L * (long double)p->envelope_eur + 1e-6L);
}

static void test_shares_basic(void **state)
{
	int64_t values[] = { 1000, 3000, 3000, 1000 }; /* 2 rows × 2 criteria */
	long double w[] = { 0.5L, 0.5L }, shares[2];
	int64_t totals[2];
	p304_error err;

	(void)state;
	assert_int_equal(p304_compute_shares(2, 2, values, w, totals, shares, &err), P304_OK);
	assert_true(totals[0] == 4000 && totals[1] == 4000);
	assert_true(fabsl(shares[0] - 0.5L) < 1e-18L);
	assert_true(fabsl(shares[1] - 0.5L) < 1e-18L);
}

static void test_shares_zero_total(void **state)
{
	int64_t values[] = { 1000, 0, 2000, 0 };
	long double w[] = { 0.5L, 0.5L }, shares[2];
	int64_t totals[2];
	p304_error err;

	(void)state;
	assert_int_equal(p304_compute_shares(2, 2, values, w, totals, shares, &err),
			 P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "criterion 2 totals 0"));
}

/* The worked example of docs/formulas.md, checked to the euro. */
static void test_worked_example(void **state)
{
	const char *codes[] = { "A", "B", "C", "D" };
	int64_t values[] = { 10000, 40000, 20000, 130000 };
	long double w[] = { 1.0L };
	p304_row rows[4];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	p304_problem p = { .n = 4, .k = 1, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 1000000, .floor_eur = 100000,
		.ceiling_eur = 500000, .unit_eur = 1 };

	(void)state;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
	/* shares 5 %, 20 %, 10 %, 65 %: D capped at 500 000, A floored at
	 * 100 000; B and C share 400 000 in ratio 2:1. */
	assert_int_equal(rows[0].amount_eur, 100000);
	assert_int_equal(rows[1].amount_eur, 266667);
	assert_int_equal(rows[2].amount_eur, 133333);
	assert_int_equal(rows[3].amount_eur, 500000);
	assert_int_equal(rows[0].status, P304_FLOOR);
	assert_int_equal(rows[3].status, P304_CEILING);
	assert_int_equal(rows[1].status, P304_FREE);
	assert_true(fabsl(s.lambda - 1333333.3333333333L) < 1e-6L);
	p304_workspace_free(ws);
}

static void test_rounding_ties_by_code(void **state)
{
	const char *codes[] = { "B", "A", "C" };
	long double exact[] = { 1.5L, 1.5L, 1.0L };
	int64_t amounts[3];
	p304_error err;
	p304_workspace *ws = p304_workspace_new();

	(void)state;
	assert_int_equal(p304_round_largest_remainder(3, exact, codes, 1, 4, NULL,
			 P304_NO_BOUND, ws, amounts, &err), P304_OK);
	assert_int_equal(amounts[0], 1); /* B loses the tie to A */
	assert_int_equal(amounts[1], 2);
	assert_int_equal(amounts[2], 1);
	p304_workspace_free(ws);
}

/* The selection compares integer keys llrintl(rem·2^62) first: remainders
 * too close for the key (here 2^-71 and 2^-70, both key 0) must still be
 * ordered by their value, not by code; and a remainder just below 1 must
 * not overflow its key. */
static void test_rounding_keys_exact(void **state)
{
	const char *codes[] = { "01", "02", "03", "04" };
	long double exact[] = { 0x1p-71L, 0x1p-70L, 5.0L - 0x1p-61L, 7.0L };
	int64_t amounts[4];
	p304_error err;
	p304_workspace *ws = p304_workspace_new();

	(void)state;
	/* floors 0, 0, 4, 7 = 11; two units to give: 03 (≈1) then 02 */
	assert_int_equal(p304_round_largest_remainder(4, exact, codes, 1, 13, NULL,
			 P304_NO_BOUND, ws, amounts, &err), P304_OK);
	assert_int_equal(amounts[0], 0);
	assert_int_equal(amounts[1], 1);
	assert_int_equal(amounts[2], 5);
	assert_int_equal(amounts[3], 7);
	/* many rows in one key bucket: the full comparison decides */
	{
		enum { N = 600 };
		const char *cs[N];
		char buf[N][12];
		long double ex[N];
		int64_t am[N], total = 0;

		for (int i = 0; i < N; i++) {
			snprintf(buf[i], sizeof(buf[i]), "%04d", i);
			cs[i] = buf[i];
			/* remainders 0.5 + i·2^-40: all in the same top-8-bit bucket */
			ex[i] = 100.0L + 0.5L + (long double)i * 0x1p-40L;
			total += 100;
		}
		assert_int_equal(p304_round_largest_remainder(N, ex, cs, 1, total + 250,
				 NULL, P304_NO_BOUND, ws, am, &err), P304_OK);
		for (int i = 0; i < N; i++)
			assert_int_equal(am[i], i >= N - 250 ? 101 : 100);
	}
	p304_workspace_free(ws);
}

/* The rounding against the plainest reading of the rule (floors, then a
 * full sort of the candidates by remainder, code, row): same amounts on
 * thousands of random cases — many equal remainders, remainders far below
 * the integer keys' resolution, units above 1, rows capped by a bound. */
struct ref_cand {
	long double rem;
	const char *code;
	size_t row;
};

static int ref_cmp(const void *x, const void *y)
{
	const struct ref_cand *a = x, *b = y;
	int c;

	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	if ((c = strcmp(a->code, b->code)) != 0)
		return c;
	return a->row < b->row ? -1 : a->row > b->row;
}

static void test_rounding_matches_reference(void **state)
{
	enum { N = 300 };
	static char buf[N][8];
	static const char *codes[N];
	static long double exact[N];
	static int64_t hi[N], got[N], want[N];
	static struct ref_cand cand[N];
	uint64_t seed = 424242;
	p304_workspace *ws = p304_workspace_new();
	p304_error err;

	(void)state;
	for (int t = 0; t < 3000; t++) {
		size_t n = (size_t)rng_range(&seed, 1, N), nc = 0;
		int64_t unit = t % 5 == 0 ? 100 : 1, sum = 0, missing;
		int kind = (int)(t % 4), capped = t % 3 == 0;

		for (size_t i = 0; i < n; i++) {
			snprintf(buf[i], sizeof(buf[i]), "%03d", (int)rng_range(&seed, 0, 999));
			buf[i][3] = (char)('a' + i % 26); /* unique codes */
			buf[i][4] = (char)('a' + (i / 26) % 26);
			buf[i][5] = '\0';
			codes[i] = buf[i];
			if (kind == 0) /* spread remainders */
				exact[i] = (long double)rng_range(&seed, 0, 1000000000) / 997.0L;
			else if (kind == 1) /* many ties: quarters */
				exact[i] = (long double)rng_range(&seed, 0, 4000) / 4.0L;
			else if (kind == 2) /* below the keys' resolution */
				exact[i] = (long double)rng_range(&seed, 0, 7) * 0x1p-70L;
			else /* remainders in one narrow band */
				exact[i] = 1000.0L + 0.25L + (long double)rng_range(&seed, 0, 50) * 0x1p-45L;
			exact[i] *= (long double)unit;
			hi[i] = P304_NO_BOUND;
			want[i] = (int64_t)(exact[i] / (long double)unit) * unit;
			sum += want[i];
			if (capped && rng_range(&seed, 0, 3) == 0)
				hi[i] = want[i]; /* on its bound: takes no unit */
			if (hi[i] != P304_NO_BOUND && want[i] + unit > hi[i])
				continue;
			cand[nc].rem = exact[i] / (long double)unit - (long double)(want[i] / unit);
			cand[nc].code = codes[i];
			cand[nc].row = i;
			nc++;
		}
		missing = (int64_t)rng_range(&seed, 0, (int64_t)nc);
		qsort(cand, nc, sizeof(cand[0]), ref_cmp);
		for (int64_t j = 0; j < missing; j++)
			want[cand[j].row] += unit;
		assert_int_equal(p304_round_largest_remainder(n, exact, codes, unit,
				 sum + missing * unit, hi, 0, ws, got, &err), P304_OK);
		for (size_t i = 0; i < n; i++)
			if (got[i] != want[i])
				fail_msg("case %d row %zu: %lld, expected %lld", t, i,
					 (long long)got[i], (long long)want[i]);
	}
	p304_workspace_free(ws);
}

static void test_rounding_unit_and_remainder(void **state)
{
	const char *codes[] = { "01", "02", "03" };
	int64_t values[] = { 1000, 1000, 1000 };
	long double w[] = { 1.0L };
	p304_row rows[3];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	p304_problem p = { .n = 3, .k = 1, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 1000050, .floor_eur = P304_NO_BOUND,
		.ceiling_eur = P304_NO_BOUND, .unit_eur = 100 };

	(void)state;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
	/* 333 350 each exactly; units of 100: 333 300 + one more for the
	 * lowest code until 1 000 000. */
	assert_int_equal(rows[0].amount_eur, 333400);
	assert_int_equal(rows[1].amount_eur, 333300);
	assert_int_equal(rows[2].amount_eur, 333300);
	assert_int_equal(s.unallocated_eur, 50);
	p304_workspace_free(ws);
}

static void test_infeasible_floor(void **state)
{
	const char *codes[] = { "01", "02", "03" };
	int64_t values[] = { 1000, 2000, 3000 };
	long double w[] = { 1.0L };
	p304_row rows[3];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	p304_problem p = { .n = 3, .k = 1, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 1000000, .floor_eur = 400000,
		.ceiling_eur = P304_NO_BOUND, .unit_eur = 1 };

	(void)state;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_ERR_INFEASIBLE);
	assert_non_null(strstr(err.message, "3 participants × floor 400 000 € = 1 200 000 €"));
	assert_non_null(strstr(err.message, "at most 333 333 €"));
	p.floor_eur = P304_NO_BOUND;
	p.ceiling_eur = 300000;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_ERR_INFEASIBLE);
	assert_non_null(strstr(err.message, "raise the ceiling to at least 333 334 €"));
	p304_workspace_free(ws);
}

/* p304_bounds_fit moves infeasible bounds to the very numbers the refusals
 * suggest (compare's mixed combinations then allocate on them), puts them
 * on the unit, and leaves feasible ones where they are. */
static void test_bounds_fit(void **state)
{
	p304_bounds b = { .floor_eur = 400000, .ceiling_eur = P304_NO_BOUND,
			  .envelope_eur = 1000000, .unit_eur = 1 };

	(void)state;
	assert_int_equal(p304_bounds_fit(&b, 3), P304_FIT_FLOOR);
	assert_int_equal(b.floor_eur, 333333); /* "at most 333 333 €" above */
	b = (p304_bounds){ .floor_eur = P304_NO_BOUND, .ceiling_eur = 300000,
			   .envelope_eur = 1000000, .unit_eur = 1 };
	assert_int_equal(p304_bounds_fit(&b, 3), P304_FIT_CEILING);
	assert_int_equal(b.ceiling_eur, 333334); /* "at least 333 334 €" */
	b = (p304_bounds){ .floor_eur = 400000, .ceiling_eur = 300000,
			   .envelope_eur = 1000000, .unit_eur = 1000 };
	assert_int_equal(p304_bounds_fit(&b, 3), P304_FIT_FLOOR | P304_FIT_CEILING);
	assert_int_equal(b.floor_eur, 333000);
	assert_int_equal(b.ceiling_eur, 334000);
	b = (p304_bounds){ .floor_eur = 1500, .ceiling_eur = 500500,
			   .envelope_eur = 1000000, .unit_eur = 1000 };
	assert_int_equal(p304_bounds_fit(&b, 3), 0);
	assert_int_equal(b.floor_eur, 1000);
	assert_int_equal(b.ceiling_eur, 501000);
}

static void test_bad_problem(void **state)
{
	const char *codes[] = { "01" };
	int64_t values[] = { 1000 };
	long double w[] = { 0.999L };
	p304_row rows[1];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	p304_problem p = { .n = 1, .k = 1, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 1000, .floor_eur = P304_NO_BOUND,
		.ceiling_eur = P304_NO_BOUND, .unit_eur = 1 };

	(void)state;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "99.9"));
	w[0] = 1.0L;
	p.envelope_eur = 0;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_ERR_INPUT);
	p.envelope_eur = 1000;
	p.floor_eur = 150;
	p.unit_eur = 100;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "multiple of the rounding unit"));
	p304_workspace_free(ws);
}

static void test_property_random(void **state)
{
	uint64_t seed = 20260101;
	p304_workspace *ws = p304_workspace_new();
	static struct inst in;
	static p304_row rows[MAXN];
	p304_summary s;
	p304_error err;

	(void)state;
	for (int t = 0; t < 5000; t++) {
		inst_random(&in, &seed);
		if (p304_allocate(&in.p, ws, rows, &s, &err) != P304_OK)
			fail_msg("instance %d: %s (n=%zu E=%lld F=%lld C=%lld u=%lld)", t,
				 err.message, in.n, (long long)in.p.envelope_eur,
				 (long long)in.p.floor_eur, (long long)in.p.ceiling_eur,
				 (long long)in.p.unit_eur);
		check_solution(&in.p, rows, &s);
	}
	p304_workspace_free(ws);
}

/* Reordering rows (with their codes) changes no amount. */
static void test_property_order(void **state)
{
	uint64_t seed = 77;
	p304_workspace *ws = p304_workspace_new();
	static struct inst in, perm;
	static p304_row rows[MAXN], rows2[MAXN];
	size_t order[MAXN];
	p304_summary s, s2;
	p304_error err;

	(void)state;
	for (int t = 0; t < 2000; t++) {
		inst_random(&in, &seed);
		if (p304_allocate(&in.p, ws, rows, &s, &err) != P304_OK)
			fail_msg("instance %d: %s", t, err.message);
		perm = in;
		for (size_t i = 0; i < in.n; i++)
			order[i] = i;
		for (size_t i = in.n; i > 1; i--) {
			size_t j = (size_t)rng_range(&seed, 0, (int64_t)i - 1), tmp = order[i - 1];

			order[i - 1] = order[j];
			order[j] = tmp;
		}
		for (size_t i = 0; i < in.n; i++) {
			perm.codes[i] = in.codes[order[i]];
			memcpy(&perm.values[i * in.k], &in.values[order[i] * in.k],
			       in.k * sizeof(int64_t));
		}
		perm.p.codes = perm.codes;
		perm.p.values = perm.values;
		perm.p.weights = perm.weights;
		assert_int_equal(p304_allocate(&perm.p, ws, rows2, &s2, &err), P304_OK);
		for (size_t i = 0; i < in.n; i++)
			assert_true(rows2[i].amount_eur == rows[order[i]].amount_eur);
	}
	p304_workspace_free(ws);
}

/* Raising one authority's criterion never lowers its amount. */
static void test_property_monotone(void **state)
{
	uint64_t seed = 4242;
	p304_workspace *ws = p304_workspace_new();
	static struct inst in;
	static p304_row rows[MAXN], rows2[MAXN];
	p304_summary s, s2;
	p304_error err;

	(void)state;
	for (int t = 0; t < 3000; t++) {
		size_t i, c;

		inst_random(&in, &seed);
		if (p304_allocate(&in.p, ws, rows, &s, &err) != P304_OK)
			fail_msg("instance %d: %s", t, err.message);
		i = (size_t)rng_range(&seed, 0, (int64_t)in.n - 1);
		c = (size_t)rng_range(&seed, 0, (int64_t)in.k - 1);
		in.values[i * in.k + c] += rng_range(&seed, 1, 2000000) * 1000;
		assert_int_equal(p304_allocate(&in.p, ws, rows2, &s2, &err), P304_OK);
		assert_true(rows2[i].exact_eur >= rows[i].exact_eur - 1e-6L);
		assert_true(rows2[i].amount_eur >= rows[i].amount_eur);
	}
	p304_workspace_free(ws);
}

/* Without bounds the exact amount is E·s_i. */
static void test_property_unbounded(void **state)
{
	uint64_t seed = 99;
	p304_workspace *ws = p304_workspace_new();
	static struct inst in;
	static p304_row rows[MAXN];
	p304_summary s;
	p304_error err;

	(void)state;
	for (int t = 0; t < 2000; t++) {
		inst_random(&in, &seed);
		in.p.floor_eur = in.p.ceiling_eur = P304_NO_BOUND;
		assert_int_equal(p304_allocate(&in.p, ws, rows, &s, &err), P304_OK);
		for (size_t i = 0; i < in.n; i++) {
			long double want = rows[i].share * (long double)in.p.envelope_eur;

			assert_true(fabsl(rows[i].exact_eur - want) <= 1e-6L * (1.0L + want));
			assert_true(fabsl(rows[i].formula_eur - want) <= 1e-6L * (1.0L + want));
			assert_int_equal(rows[i].status, P304_FREE);
		}
		check_solution(&in.p, rows, &s);
	}
	p304_workspace_free(ws);
}

/* Solves p twice with one workspace: the first call searches by brackets,
 * the second by the kept sorted order. Returns the first call's code; when
 * it succeeded, both must agree bit for bit (λ, amounts, exact, status). */
static p304_code solve_both_paths(const p304_problem *p, p304_row *cold, p304_row *warm,
				  p304_summary *s1, p304_error *err)
{
	p304_workspace *ws = p304_workspace_new();
	p304_summary s2;
	p304_code rc = p304_allocate(p, ws, cold, s1, err);

	if (rc == P304_OK) {
		assert_int_equal(p304_allocate(p, ws, warm, &s2, err), P304_OK);
		assert_true(s1->lambda == s2.lambda);
		for (size_t i = 0; i < p->n; i++) {
			assert_true(cold[i].amount_eur == warm[i].amount_eur);
			assert_true(cold[i].exact_eur == warm[i].exact_eur);
			assert_int_equal(cold[i].status, warm[i].status);
		}
	}
	p304_workspace_free(ws);
	return rc;
}

/* The first call of a workspace searches by brackets, the next ones by the
 * kept sorted order: both must give the same amounts and λ, bit for bit. */
static void test_property_paths_agree(void **state)
{
	uint64_t seed = 8080;
	static struct inst in;
	static p304_row cold[MAXN], warm[MAXN];
	p304_summary s1;
	p304_error err;

	(void)state;
	for (int t = 0; t < 3000; t++) {
		inst_random(&in, &seed);
		if (solve_both_paths(&in.p, cold, warm, &s1, &err) != P304_OK)
			fail_msg("instance %d: %s", t, err.message);
	}
}

/* Per-row bounds, as reconciliation will use them. */
static void test_solve_clamped_per_row(void **state)
{
	long double shares[] = { 0.5L, 0.3L, 0.2L, 0.0L }, lambda, exact[4];
	int64_t lo[] = { 0, 0, 0, 7 }, hi[] = { 10, 100, 100, 50 };
	p304_status pos[4];
	p304_error err;
	p304_workspace *ws = p304_workspace_new();

	(void)state;
	assert_int_equal(p304_solve_clamped(4, shares, lo, 0, hi, 0, 67, ws, &lambda,
					    exact, pos, &err), P304_OK);
	/* row 0 capped at 10, row 3 has no share: stays at 7; 50 left for
	 * rows 1-2 in ratio 3:2. */
	assert_true(fabsl(exact[0] - 10.0L) < 1e-12L);
	assert_true(fabsl(exact[1] - 30.0L) < 1e-9L);
	assert_true(fabsl(exact[2] - 20.0L) < 1e-9L);
	assert_true(fabsl(exact[3] - 7.0L) < 1e-12L);
	assert_int_equal(pos[0], P304_CEILING);
	assert_int_equal(p304_solve_clamped(4, shares, lo, 0, hi, 0, 261, ws, &lambda,
					    exact, pos, &err), P304_ERR_INFEASIBLE);
	p304_workspace_free(ws);
}

/* The library refuses a malformed problem itself, whoever calls it (outside
 * tools link libp304 without our loaders), and names what is wrong. */
static void test_api_refusals(void **state)
{
	const char *codes[] = { "01", "02" };
	int64_t values[] = { 1000, 3000 };
	long double w[] = { 1.0L }, wneg[] = { -0.5L, 1.5L };
	p304_row rows[2];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	p304_problem ok = { .n = 2, .k = 1, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 1000, .floor_eur = P304_NO_BOUND,
		.ceiling_eur = P304_NO_BOUND, .unit_eur = 1 }, p;
	int64_t big[] = { INT64_MAX / 2, INT64_MAX / 2 + 10 }, neg[] = { 5, -1 }, zero[] = { 0, 0 };
	struct {
		const char *what;
		p304_code code;
	} want[12];
	p304_problem bad[12];
	size_t nb = 0;

	(void)state;
	assert_int_equal(p304_allocate(&ok, ws, rows, &s, &err), P304_OK);
	assert_true(rows[0].amount_eur == 250 && rows[1].amount_eur == 750);
#define BAD(field_set, msg, rc) do { p = ok; field_set; bad[nb] = p; \
		want[nb].what = (msg); want[nb].code = (rc); nb++; } while (0)
	BAD(p.n = 0, "no participant", P304_ERR_INPUT);
	BAD(p.k = 0, "no criterion", P304_ERR_INPUT);
	BAD(p.envelope_eur = P304_MAX_EUR + 1, "is not between 1 € and 10^15 €", P304_ERR_INPUT);
	BAD(p.unit_eur = 2000, "rounding unit 2000 € is not between 1 € and the envelope", P304_ERR_INPUT);
	BAD((p.k = 2, p.weights = wneg), "weight 1 is negative", P304_ERR_INPUT);
	BAD((p.floor_eur = 300, p.ceiling_eur = 200), "floor 300 € is above ceiling 200 €", P304_ERR_INPUT);
	BAD((p.unit_eur = 100, p.ceiling_eur = 550), "ceiling 550 € is not a non-negative multiple", P304_ERR_INPUT);
	BAD(p.values = neg, "criterion 1 of row 2 is negative", P304_ERR_INPUT);
	BAD(p.values = big, "the total of criterion 1 does not fit in 64 bits", P304_ERR_OVERFLOW);
	BAD(p.values = zero, "criterion 1 totals 0 over the participants", P304_ERR_INPUT);
#undef BAD
	for (size_t t = 0; t < nb; t++) {
		memset(&err, 0, sizeof(err));
		if (p304_allocate(&bad[t], ws, rows, &s, &err) != want[t].code ||
		    !strstr(err.message, want[t].what))
			fail_msg("case %zu: got '%s', expected '%s'", t, err.message, want[t].what);
	}
	p304_workspace_free(ws);
}

/* More criteria than the shares' stack buffer holds (16): the same shares
 * as a direct computation, and a table that adds up. */
static void test_many_criteria(void **state)
{
	enum { N = 7, K = 20 };
	const char *codes[N] = { "01", "02", "03", "04", "05", "06", "07" };
	int64_t values[N * K];
	long double w[K], wsum = 0.0L, share_sum = 0.0L;
	p304_row rows[N];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	uint64_t seed = 2020;
	int64_t total = 0;
	p304_problem p = { .n = N, .k = K, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 50000000, .floor_eur = 600000,
		.ceiling_eur = P304_NO_BOUND, .unit_eur = 1 };

	(void)state;
	for (size_t c = 0; c < K; c++) {
		w[c] = (long double)rng_range(&seed, 1, 100);
		wsum += w[c];
	}
	for (size_t c = 0; c < K; c++)
		w[c] /= wsum;
	for (size_t i = 0; i < N * K; i++)
		values[i] = rng_range(&seed, 0, 1000000) * 1000;
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
	for (size_t i = 0; i < N; i++) {
		long double want = 0.0L;

		for (size_t c = 0; c < K; c++) {
			long double t = 0.0L;

			for (size_t j = 0; j < N; j++)
				t += (long double)values[j * K + c];
			want += w[c] * (long double)values[i * K + c] / t;
		}
		assert_true(fabsl(rows[i].share - want) < 1e-15L);
		share_sum += rows[i].share;
		total += rows[i].amount_eur;
		assert_true(rows[i].amount_eur >= 600000);
	}
	assert_true(fabsl(share_sum - 1.0L) < 1e-15L);
	assert_true(total == 50000000);
	p304_workspace_free(ws);
}

/* Authorities whose criteria are all 0 (no share): they sit at the floor,
 * or at 0 without a floor — "free" then, not "at the floor" — and the rest
 * is shared as usual; both solver paths agree. Random instances elsewhere
 * never have such rows. */
static void test_zero_share_rows(void **state)
{
	uint64_t seed = 3040;
	static struct inst in;
	static p304_row cold[MAXN], warm[MAXN];
	p304_summary s1;
	p304_error err;
	int solved = 0;

	(void)state;
	for (int t = 0; t < 2000; t++) {
		size_t nzero = 0;
		p304_code rc;

		inst_random(&in, &seed);
		for (size_t i = 1; i < in.n; i++)
			if (rng_range(&seed, 0, 3) == 0) {
				for (size_t c = 0; c < in.k; c++)
					in.values[i * in.k + c] = 0;
				nzero++;
			}
		rc = solve_both_paths(&in.p, cold, warm, &s1, &err);
		if (rc == P304_ERR_INFEASIBLE) {
			/* only when the rows with a share cannot take the rest */
			assert_true(in.p.ceiling_eur != P304_NO_BOUND);
			assert_true((int64_t)(in.n - nzero) * in.p.ceiling_eur +
				    (int64_t)nzero * (in.p.floor_eur == P304_NO_BOUND ? 0 : in.p.floor_eur)
				    < in.p.envelope_eur);
			continue;
		}
		if (rc != P304_OK)
			fail_msg("instance %d: %s", t, err.message);
		solved++;
		check_solution(&in.p, cold, &s1);
		for (size_t i = 0; i < in.n; i++) {
			if (cold[i].share > 0.0L)
				continue;
			if (in.p.floor_eur == P304_NO_BOUND) {
				assert_true(cold[i].amount_eur == 0);
				assert_int_equal(cold[i].status, P304_FREE);
			} else {
				assert_true(cold[i].amount_eur == in.p.floor_eur);
				assert_int_equal(cold[i].status, P304_FLOOR);
			}
		}
	}
	assert_true(solved > 1000);
}

/* Every row on a bound and the envelope met exactly at a breakpoint: the
 * multiplier is that breakpoint, on the first call and on the next. */
static void test_all_rows_on_bounds(void **state)
{
	const char *codes[] = { "01", "02" };
	int64_t values[] = { 600, 400 };
	long double w[] = { 1.0L };
	p304_row rows[2];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	p304_problem p = { .n = 2, .k = 1, .codes = codes, .values = values,
		.weights = w, .envelope_eur = 1000, .floor_eur = 400,
		.ceiling_eur = 600, .unit_eur = 1 };

	(void)state;
	for (int call = 0; call < 2; call++) {
		assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
		assert_true(rows[0].amount_eur == 600 && rows[1].amount_eur == 400);
		assert_int_equal(rows[0].status, P304_CEILING);
		assert_int_equal(rows[1].status, P304_FLOOR);
		assert_true(fabsl(s.lambda - 1000.0L) < 1e-12L);
	}
	/* the envelope is exactly n × floor: everyone at the floor, and λ is
	 * where the largest share would leave it (400 / 0.6) */
	p.envelope_eur = 800;
	for (int call = 0; call < 2; call++) {
		assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
		assert_true(rows[0].amount_eur == 400 && rows[1].amount_eur == 400);
		assert_int_equal(rows[0].status, P304_FLOOR);
		assert_int_equal(rows[1].status, P304_FLOOR);
		assert_true(fabsl(s.lambda - 2000.0L / 3.0L) < 1e-9L);
	}
	p304_workspace_free(ws);
}

static void test_money(void **state)
{
	int64_t r;

	(void)state;
	assert_int_equal(p304_add_i64(INT64_MAX, 1, &r), -1);
	assert_int_equal(p304_add_i64(1, 2, &r), 0);
	assert_true(r == 3);
	assert_int_equal(p304_mul_i64(INT64_MAX / 2, 3, &r), -1);
}

/* The one euro formatter (issue 20: six copies became p304_format_eur). */
static void test_format_eur(void **state)
{
	char b[64], small[6];

	(void)state;
	assert_string_equal(p304_format_eur(b, sizeof(b), 0, " ", " €"), "0 €");
	assert_string_equal(p304_format_eur(b, sizeof(b), 999, " ", ""), "999");
	assert_string_equal(p304_format_eur(b, sizeof(b), 1000, " ", ""), "1 000");
	assert_string_equal(p304_format_eur(b, sizeof(b), -1234567, " ", " €"), "-1 234 567 €");
	assert_string_equal(p304_format_eur(b, sizeof(b), 18000000, "\xE2\x80\xAF", "\xC2\xA0€"),
			    "18\xE2\x80\xAF" "000\xE2\x80\xAF" "000\xC2\xA0€");
	assert_string_equal(p304_format_eur(b, sizeof(b), INT64_MIN, " ", ""),
			    "-9 223 372 036 854 775 808");
	/* too small: cut short, still terminated */
	assert_string_equal(p304_format_eur(small, sizeof(small), 1234567, " ", " €"), "1 234");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shares_basic),
		cmocka_unit_test(test_shares_zero_total),
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_rounding_ties_by_code),
		cmocka_unit_test(test_rounding_unit_and_remainder),
		cmocka_unit_test(test_rounding_keys_exact),
		cmocka_unit_test(test_rounding_matches_reference),
		cmocka_unit_test(test_infeasible_floor),
		cmocka_unit_test(test_bounds_fit),
		cmocka_unit_test(test_bad_problem),
		cmocka_unit_test(test_solve_clamped_per_row),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_format_eur),
		cmocka_unit_test(test_api_refusals),
		cmocka_unit_test(test_many_criteria),
		cmocka_unit_test(test_zero_share_rows),
		cmocka_unit_test(test_all_rows_on_bounds),
		cmocka_unit_test(test_property_random),
		cmocka_unit_test(test_property_order),
		cmocka_unit_test(test_property_monotone),
		cmocka_unit_test(test_property_unbounded),
		cmocka_unit_test(test_property_paths_agree),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
