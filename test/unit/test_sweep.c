/*
 * test_sweep.c - sensitivity sweeps: reproducible for a seed, identical for
 * any number of threads, the ranges contain the base amounts (variant 0 is
 * the base), no variation gives the base everywhere, totals stay exact; and
 * the double precision filter gives exactly the long double path's amounts.
 */
#include "testutil.h"

#include <p304/p304.h>

#define N 40

static const char *codes[N];
static char cb[N][24];
static int64_t values[N * 3];
static long double weights[3] = { 0.5L, 0.3L, 0.2L };

static p304_problem base(void)
{
	uint64_t seed = 5;

	for (int i = 0; i < N; i++) {
		snprintf(cb[i], sizeof(cb[i]), "%02d", i + 1);
		codes[i] = cb[i];
		for (int c = 0; c < 3; c++)
			values[i * 3 + c] = rng_range(&seed, 1, 100000) * 1000;
	}
	return (p304_problem){ .n = N, .k = 3, .codes = codes, .values = values, .weights = weights,
		.envelope_eur = 20000000, .floor_eur = 200000, .ceiling_eur = 1500000, .unit_eur = 1 };
}

static void run(p304_sweep_spec *sp, p304_sweep_stat *st, p304_sweep_summary *sum)
{
	p304_error err;

	if (p304_sweep(sp, st, sum, &err) != P304_OK)
		fail_msg("%s", err.message);
}

static void test_reproducible_and_threads(void **state)
{
	p304_problem p = base();
	p304_sweep_stat a[N], b[N], c[N];
	p304_sweep_summary sa, sb, sc;
	p304_sweep_spec sp = { .base = &p, .samples = 3000, .seed = 42,
		.vary = P304_VARY_WEIGHTS | P304_VARY_DATA | P304_VARY_FLOOR | P304_VARY_CEILING,
		.weight_points = 3, .data_pct = 10, .floor_min = 100000, .floor_max = 400000,
		.ceiling_min = 1000000, .ceiling_max = 2000000, .threads = 1 };
	p304_row rows[N];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();

	(void)state;
	run(&sp, a, &sa);
	run(&sp, b, &sb);
	sp.threads = 2;
	run(&sp, c, &sc);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_equal(a, c, sizeof(a));
	assert_int_equal(sa.done, 3000);
	assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
	for (int i = 0; i < N; i++) {
		assert_true(a[i].base_eur == rows[i].amount_eur);
		assert_true(a[i].min_eur <= a[i].base_eur && a[i].base_eur <= a[i].max_eur);
		assert_true(a[i].min_eur <= a[i].p5_eur && a[i].p5_eur <= a[i].median_eur);
		assert_true(a[i].median_eur <= a[i].p95_eur && a[i].p95_eur <= a[i].max_eur);
		assert_true(a[i].min_eur >= 100000 && a[i].max_eur <= 2000000);
	}
	/* another seed, other numbers */
	sp.seed = 43;
	run(&sp, c, &sc);
	assert_true(memcmp(a, c, sizeof(a)) != 0);
	p304_workspace_free(ws);
}

static void test_no_variation(void **state)
{
	p304_problem p = base();
	p304_sweep_stat a[N];
	p304_sweep_summary sa;
	p304_sweep_spec sp = { .base = &p, .samples = 200, .seed = 1, .vary = 0, .threads = 2 };

	(void)state;
	run(&sp, a, &sa);
	for (int i = 0; i < N; i++)
		assert_true(a[i].min_eur == a[i].base_eur && a[i].max_eur == a[i].base_eur &&
			    a[i].p5_eur == a[i].base_eur && a[i].p95_eur == a[i].base_eur);
}

static void test_subsampled_percentiles(void **state)
{
	p304_problem p = base();
	p304_sweep_stat a[N];
	p304_sweep_summary sa;
	p304_sweep_spec sp = { .base = &p, .samples = 5000, .seed = 9, .vary = P304_VARY_DATA,
		.data_pct = 20, .threads = 2, .max_stored = 40 * 100 };

	(void)state;
	run(&sp, a, &sa);
	assert_true(sa.stored <= 100 && sa.stored >= 50);
	for (int i = 0; i < N; i++)
		assert_true(a[i].min_eur <= a[i].p5_eur && a[i].p95_eur <= a[i].max_eur);
}

/* Envelopes from 2^32 € up keep their amounts in 64 bits (below, in 32):
 * both stores give the scenario's amounts back and percentiles within
 * [min, max]. */
static void test_wide_and_narrow_store(void **state)
{
	p304_problem p = base();
	p304_sweep_stat a[N];
	p304_sweep_summary sa;
	p304_row rows[N];
	p304_summary s;
	p304_error err;
	p304_workspace *ws = p304_workspace_new();
	int64_t envelopes[] = { 20000000, 4294967294, 4294967295, 9000000000000 };

	(void)state;
	for (size_t e = 0; e < sizeof(envelopes) / sizeof(envelopes[0]); e++) {
		p304_sweep_spec sp = { .base = &p, .samples = 400, .seed = 8, .vary = P304_VARY_WEIGHTS,
			.weight_points = 3, .threads = 2 };

		p.envelope_eur = envelopes[e];
		p.floor_eur = envelopes[e] / 100;
		p.ceiling_eur = envelopes[e] / 10;
		run(&sp, a, &sa);
		assert_int_equal(p304_allocate(&p, ws, rows, &s, &err), P304_OK);
		for (int i = 0; i < N; i++) {
			assert_true(a[i].base_eur == rows[i].amount_eur);
			assert_true(a[i].min_eur <= a[i].p5_eur && a[i].p5_eur <= a[i].median_eur);
			assert_true(a[i].median_eur <= a[i].p95_eur && a[i].p95_eur <= a[i].max_eur);
			assert_true(a[i].max_eur <= p.ceiling_eur && a[i].min_eur >= p.floor_eur);
		}
	}
	p304_workspace_free(ws);
}

/* A base that cannot be allocated is refused with its own reason (it used
 * to leave no amount at all and the percentiles read before their buffer). */
/* Issue 12: --weights 40 (documented range 0-100) failed with "amount -nan
 * out of range" once a variant drew every weight to 0 or below. Such a
 * variant is counted with the infeasible ones; the others stay exact. */
static void test_weights_full_range(void **state)
{
	p304_problem p = base();
	p304_sweep_stat a[N];
	p304_sweep_summary sa;
	double pts[] = { 40, 60, 100 };

	(void)state;
	for (size_t t = 0; t < sizeof(pts) / sizeof(pts[0]); t++) {
		p304_sweep_spec sp = { .base = &p, .samples = 2000, .seed = 7,
			.vary = P304_VARY_WEIGHTS, .weight_points = pts[t], .threads = 2 };

		run(&sp, a, &sa);
		assert_true(sa.done == 2000);
		assert_true(sa.infeasible < 2000 && (pts[t] < 50 || sa.infeasible > 0));
		for (int i = 0; i < N; i++)
			assert_true(a[i].min_eur >= 0 && a[i].min_eur <= a[i].base_eur &&
				    a[i].max_eur >= a[i].base_eur && a[i].max_eur <= p.ceiling_eur);
	}
}

static void test_infeasible_base(void **state)
{
	p304_problem p = base();
	p304_sweep_stat a[N];
	p304_sweep_summary sa;
	p304_error err;
	p304_sweep_spec sp = { .base = &p, .samples = 50, .seed = 3, .vary = P304_VARY_WEIGHTS,
		.weight_points = 2, .threads = 1 };

	(void)state;
	p.floor_eur = 600000; /* 40 × 600 000 > 20 000 000 */
	assert_int_equal(p304_sweep(&sp, a, &sa, &err), P304_ERR_INFEASIBLE);
	assert_non_null(strstr(err.message, "40 participants × floor 600 000 €"));
}

/* A random base problem, with what makes the filter's decisions hard: many
 * equal figures (equal shares, equal remainders), units that do not divide
 * the envelope, bounds that bind, rows without any share, figures near and
 * above 2^53. */
#define RN 150
#define RK 6
static const char *rcodes[RN];
static char rcb[RN][24];
static int64_t rvalues[RN * RK];
static long double rweights[RK];

static p304_problem random_base(uint64_t *seed, unsigned *vary)
{
	size_t n = (size_t)rng_range(seed, 1, RN), k = (size_t)rng_range(seed, 1, RK);
	int style = (int)rng_range(seed, 0, 7);
	int64_t units[] = { 1, 1, 1, 100, 1000, 7 }, unit = units[rng_range(seed, 0, 5)];
	int64_t E, F = P304_NO_BOUND, C = P304_NO_BOUND;
	long double wsum = 0.0L;

	for (size_t i = 0; i < n; i++) {
		snprintf(rcb[i], sizeof(rcb[i]), "%03zu", (i * 37) % 997);
		rcodes[i] = rcb[i];
		for (size_t c = 0; c < k; c++) {
			int64_t x;

			switch (style) {
			case 0: x = rng_range(seed, 0, 3); break;              /* ties everywhere */
			case 1: x = 1000; break;                               /* all equal */
			case 2: x = rng_range(seed, 0, 4) == 0 ? 0 : rng_range(seed, 1, 1000000) * 1000; break;
			case 3: x = (INT64_C(1) << 53) - rng_range(seed, 0, 5) * 1000; break;
			case 4: x = rng_range(seed, 0, 9) == 0 ? (INT64_C(1) << 53) + 7 : rng_range(seed, 1, 100000); break;
			/* nearly equal: remainders apart by a few millionths, where
			 * the error bound decides */
			case 5: x = INT64_C(1000000000000) + rng_range(seed, 0, 20); break;
			case 6: x = 1000000 + rng_range(seed, 0, 1); break;
			default: x = rng_range(seed, 1, 1000) * rng_range(seed, 1, 1000) * 1000; break;
			}
			rvalues[i * k + c] = x;
		}
	}
	for (size_t c = 0; c < k; c++) {
		rvalues[c] += 1; /* no criterion totals 0 */
		rweights[c] = rng_range(seed, 0, 3) == 0 && c > 0 ? 0.0L : (long double)rng_range(seed, 1, 100);
		wsum += rweights[c];
	}
	for (size_t c = 0; c < k; c++)
		rweights[c] /= wsum;
	E = rng_range(seed, (int64_t)n * unit, rng_range(seed, 0, 1) ? 100000000 : 1000000000000);
	if (rng_range(seed, 0, 2))
		F = rng_range(seed, 0, E / (int64_t)n / unit) * unit;
	if (rng_range(seed, 0, 2)) {
		int64_t cmin = (E + (int64_t)n - 1) / (int64_t)n;

		cmin = (cmin + unit - 1) / unit * unit;
		if (F != P304_NO_BOUND && cmin < F)
			cmin = F;
		C = cmin + rng_range(seed, 0, 2) * rng_range(seed, 0, E / unit / 4) * unit;
	}
	*vary = (unsigned)rng_range(seed, 0, 15) | (rng_range(seed, 0, 3) == 0 ? P304_VARY_COLUMN(0) : 0);
	return (p304_problem){ .n = n, .k = k, .codes = rcodes, .values = rvalues,
		.weights = rweights, .envelope_eur = E, .floor_eur = F, .ceiling_eur = C,
		.unit_eur = unit };
}

/* Two variants (the base and one drawn) under many seeds: min and max of
 * each authority are then exactly the two amounts, so every amount of every
 * variant is compared between the filtered sweep and the long double one;
 * then longer sweeps, where the filter starts from the previous variant's
 * positions, compared on every statistic. */
static void test_filter_matches_long_double(void **state)
{
	uint64_t seed = 1304;
	static p304_sweep_stat a[RN], b[RN];
	p304_sweep_summary sa, sb;
	size_t fast_total = 0, slow_total = 0, variants = 0;

	(void)state;
	for (int t = 0; t < 1500; t++) {
		unsigned vary;
		p304_problem p = random_base(&seed, &vary);
		p304_sweep_spec sp = { .base = &p, .samples = t % 3 == 0 ? 300 : 2, .seed = (uint64_t)t,
			.vary = vary, .weight_points = (double)rng_range(&seed, 0, 5),
			.data_pct = (double)rng_range(&seed, 0, 20), .threads = 1 };
		p304_error err;
		p304_code ra, rb;

		if (sp.vary & P304_VARY_FLOOR) {
			sp.floor_min = 0;
			sp.floor_max = p.envelope_eur / (int64_t)p.n;
		}
		if (sp.vary & P304_VARY_CEILING) {
			sp.ceiling_min = p.envelope_eur / (int64_t)p.n;
			sp.ceiling_max = p.envelope_eur;
		}
		ra = p304_sweep(&sp, a, &sa, &err);
		sp.long_double_only = 1;
		rb = p304_sweep(&sp, b, &sb, &err);
		assert_int_equal(ra, rb);
		if (ra != P304_OK)
			continue;
		assert_int_equal(sb.long_double, sb.done - sb.infeasible);
		if (sa.done != sb.done || sa.infeasible != sb.infeasible ||
		    memcmp(a, b, p.n * sizeof(a[0])) != 0) {
			for (size_t i = 0; i < p.n; i++)
				if (memcmp(&a[i], &b[i], sizeof(a[0])))
					fail_msg("case %d, row %zu: min %lld/%lld max %lld/%lld median %lld/%lld "
						 "floor %zu/%zu ceiling %zu/%zu", t, i,
						 (long long)a[i].min_eur, (long long)b[i].min_eur,
						 (long long)a[i].max_eur, (long long)b[i].max_eur,
						 (long long)a[i].median_eur, (long long)b[i].median_eur,
						 a[i].at_floor, b[i].at_floor, a[i].at_ceiling, b[i].at_ceiling);
			fail_msg("case %d: %zu/%zu done, %zu/%zu infeasible", t, sa.done, sb.done,
				 sa.infeasible, sb.infeasible);
		}
		variants += sa.done - sa.infeasible;
		slow_total += sa.long_double;
		fast_total += sa.done - sa.infeasible - sa.long_double;
	}
	/* both paths were exercised: the filter decided most variants, and the
	 * hard cases went to long double */
	assert_true(variants > 50000);
	assert_true(fast_total > variants / 3);
	assert_true(slow_total > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducible_and_threads),
		cmocka_unit_test(test_no_variation),
		cmocka_unit_test(test_subsampled_percentiles),
		cmocka_unit_test(test_filter_matches_long_double),
		cmocka_unit_test(test_weights_full_range),
		cmocka_unit_test(test_infeasible_base),
		cmocka_unit_test(test_wide_and_narrow_store),
	};

	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
