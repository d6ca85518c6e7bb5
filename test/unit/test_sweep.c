/*
 * test_sweep.c - sensitivity sweeps: reproducible for a seed, identical for
 * any number of threads, the ranges contain the base amounts (variant 0 is
 * the base), no variation gives the base everywhere, totals stay exact.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducible_and_threads),
		cmocka_unit_test(test_no_variation),
		cmocka_unit_test(test_subsampled_percentiles),
	};

	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
