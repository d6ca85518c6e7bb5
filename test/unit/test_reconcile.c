/*
 * test_reconcile.c - the notification step: each policy on small hand-made
 * cases, then properties over thousands of random instances (fixed seeds).
 */
#include "testutil.h"

#include <math.h>
#include <p304/p304.h>

#define N 4
static const char *codes4[N] = { "01", "02", "03", "04" };

static void run(p304_recon_input *in, p304_recon_row *rows, p304_recon_summary *s)
{
	p304_workspace *ws = p304_workspace_new();
	p304_error err;

	if (p304_reconcile(in, ws, rows, s, &err) != P304_OK)
		fail_msg("%s", err.message);
	p304_workspace_free(ws);
}

static void test_none_and_reasons(void **state)
{
	int64_t p[N] = { 100, 200, 300, 400 };
	int64_t need[N] = { 50, 200, 500, P304_NO_BOUND };
	int64_t cap[N] = { P304_NO_BOUND, 150, P304_NO_BOUND, P304_NO_BOUND };
	long double sh[N] = { 0.1L, 0.2L, 0.3L, 0.4L };
	p304_recon_row r[N];
	p304_recon_summary s;
	p304_recon_input in = { .n = N, .codes = codes4, .prenotified = p, .shares = sh,
		.need = need, .cap = cap, .available_eur = 1000, .ceiling_eur = P304_NO_BOUND };

	(void)state;
	run(&in, r, &s);
	assert_int_equal(r[0].notified_eur, 50);
	assert_int_equal(r[0].reason, P304_REASON_NEED_BELOW);
	assert_int_equal(r[1].notified_eur, 150);
	assert_int_equal(r[1].reason, P304_REASON_CAPPED);
	assert_int_equal(r[2].notified_eur, 300);
	assert_int_equal(r[2].reason, P304_REASON_NEED_ABOVE);
	assert_int_equal(r[3].notified_eur, 0);  /* renounced */
	assert_int_equal(r[3].reason, P304_REASON_NO_ANSWER);
	assert_int_equal(s.notified_eur, 500);
	assert_int_equal(s.unallocated_eur, 500);
	assert_int_equal(s.needs_eur, 750);
	in.missing = P304_MISSING_KEEP;
	run(&in, r, &s);
	assert_int_equal(r[3].notified_eur, 400);
}

static void test_shortfall(void **state)
{
	int64_t p[N] = { 100, 200, 300, 400 };
	int64_t need[N] = { 100, 200, 300, 400 };
	long double sh[N] = { 0.1L, 0.2L, 0.3L, 0.4L };
	p304_recon_row r[N];
	p304_recon_summary s;
	p304_recon_input in = { .n = N, .codes = codes4, .prenotified = p, .shares = sh,
		.need = need, .available_eur = 901, .ceiling_eur = P304_NO_BOUND };

	(void)state;
	run(&in, r, &s);
	/* rate 0,901: 90,1 180,2 270,3 360,4 -> 90 180 270 360 + 1 to 04 (,4) */
	assert_int_equal(r[0].notified_eur, 90);
	assert_int_equal(r[1].notified_eur, 180);
	assert_int_equal(r[2].notified_eur, 270);
	assert_int_equal(r[3].notified_eur, 361);
	assert_int_equal(s.notified_eur, 901);
	assert_int_equal(s.unallocated_eur, 0);
	assert_int_equal(r[0].reason, P304_REASON_REDUCED);
}

static void test_surplus_criteria_and_unmet(void **state)
{
	int64_t p[N] = { 100, 200, 300, 400 };
	int64_t need[N] = { 50, 260, 1000, 400 };
	long double sh[N] = { 0.1L, 0.2L, 0.3L, 0.4L };
	p304_recon_row r[N];
	p304_recon_summary s;
	p304_recon_input in = { .n = N, .codes = codes4, .prenotified = p, .shares = sh,
		.need = need, .available_eur = 1000, .ceiling_eur = 500,
		.surplus = P304_SURPLUS_CRITERIA };

	(void)state;
	/* granted 50+200+300+400 = 950, R = 50; unmet: 02 60, 03 200 (ceiling
	 * 500). By criteria: μ·0,2 and μ·0,3 -> 20 and 30. */
	run(&in, r, &s);
	assert_int_equal(r[1].notified_eur, 220);
	assert_int_equal(r[2].notified_eur, 330);
	assert_int_equal(r[2].reason, P304_REASON_TOPPED_UP);
	assert_int_equal(s.unallocated_eur, 0);
	/* By unmet need: 50 × 60/260 = 11,54 and 50 × 200/260 = 38,46; the
	 * euro left goes to the larger remainder: 12 and 38. */
	in.surplus = P304_SURPLUS_UNMET_NEED;
	run(&in, r, &s);
	assert_int_equal(r[1].notified_eur, 212);
	assert_int_equal(r[2].notified_eur, 338);
	/* More credits than unmet needs: everybody served, reliquat left. */
	in.available_eur = 2000;
	run(&in, r, &s);
	assert_int_equal(r[1].notified_eur, 260);
	assert_int_equal(r[2].notified_eur, 500);
	assert_int_equal(s.unallocated_eur, 2000 - 50 - 260 - 500 - 400);
}

static void test_late_is_missing(void **state)
{
	int64_t p[N] = { 100, 200, 300, 400 };
	int64_t need[N] = { 100, 200, 300, 400 };
	unsigned char late[N] = { 0, 1, 0, 0 };
	long double sh[N] = { 0.1L, 0.2L, 0.3L, 0.4L };
	p304_recon_row r[N];
	p304_recon_summary s;
	p304_recon_input in = { .n = N, .codes = codes4, .prenotified = p, .shares = sh,
		.need = need, .late = late, .available_eur = 1000, .ceiling_eur = P304_NO_BOUND };

	(void)state;
	run(&in, r, &s);
	assert_int_equal(r[1].notified_eur, 0);
	assert_int_equal(r[1].reason, P304_REASON_LATE);
	assert_int_equal(s.n_late, 1);
	assert_int_equal(s.needs_eur, 800);
}

/* Random instances: totals exact, no amount above the capped need or the
 * ceiling, "none" never above pre-notified, one shortfall rate for all. */
static void test_properties(void **state)
{
	enum { MAXN = 120 };
	static char cb[MAXN][24];
	static const char *codes[MAXN];
	static int64_t p[MAXN], need[MAXN], cap[MAXN];
	static long double sh[MAXN];
	static p304_recon_row r[MAXN];
	uint64_t seed = 31337;
	p304_workspace *ws = p304_workspace_new();
	p304_recon_summary s;
	p304_error err;

	(void)state;
	for (int t = 0; t < 5000; t++) {
		size_t n = (size_t)rng_range(&seed, 1, MAXN);
		long double tot = 0.0L;
		int64_t C = rng_range(&seed, 0, 1) ? P304_NO_BOUND : rng_range(&seed, 1000, 200000);
		p304_recon_input in = { .n = n, .codes = codes, .prenotified = p, .shares = sh,
			.need = need, .cap = cap, .ceiling_eur = C };

		for (size_t i = 0; i < n; i++) {
			snprintf(cb[i], sizeof(cb[i]), "%03zu", i);
			codes[i] = cb[i];
			sh[i] = (long double)rng_range(&seed, 0, 1000);
			tot += sh[i];
			p[i] = rng_range(&seed, 0, C == P304_NO_BOUND ? 300000 : C);
			need[i] = rng_range(&seed, 0, 4) == 0 ? P304_NO_BOUND : rng_range(&seed, 0, 400000);
			cap[i] = rng_range(&seed, 0, 3) == 0 ? rng_range(&seed, 0, 300000) : P304_NO_BOUND;
		}
		for (size_t i = 0; i < n; i++)
			sh[i] = tot > 0 ? sh[i] / tot : 0.0L;
		in.available_eur = rng_range(&seed, 0, 300000 * (int64_t)n);
		in.surplus = (p304_surplus)rng_range(&seed, 0, 2);
		in.missing = (p304_missing_answer)rng_range(&seed, 0, 1);
		if (p304_reconcile(&in, ws, r, &s, &err) != P304_OK)
			fail_msg("instance %d: %s", t, err.message);
		{
			int64_t total = 0;

			for (size_t i = 0; i < n; i++) {
				total += r[i].notified_eur;
				assert_true(r[i].notified_eur >= 0);
				assert_true(r[i].notified_eur <= r[i].capped_need_eur);
				if (C != P304_NO_BOUND && r[i].notified_eur > r[i].granted_eur)
					assert_true(r[i].notified_eur <= C);
				if (in.surplus == P304_SURPLUS_NONE)
					assert_true(r[i].notified_eur <= p[i]);
				if (s.granted_eur > in.available_eur)
					assert_true(fabsl((long double)r[i].notified_eur -
						(long double)r[i].granted_eur * s.rate) < 1.0L);
			}
			assert_true(total == s.notified_eur);
			assert_true(s.notified_eur + s.unallocated_eur == in.available_eur);
			assert_true(s.unallocated_eur >= 0);
			if (s.granted_eur > in.available_eur)
				assert_true(s.unallocated_eur == 0);
		}
	}
	p304_workspace_free(ws);
}

static void test_avenant(void **state)
{
	int64_t cur[5] = { 1000, 2000, 3000, 4000, 12345 };
	int64_t con[5] = { 1000, 1500, P304_NO_BOUND, 5000, 0 };
	p304_avenant_row r[5];
	p304_error err;

	(void)state;
	assert_int_equal(p304_avenant(5, cur, con, P304_AVENANT_STABLE, 10000, r, &err), P304_OK);
	for (int i = 0; i < 5; i++)
		assert_true(r[i].next_eur == cur[i]);
	assert_int_equal(r[2].reason, P304_AV_NO_REPORT);
	assert_int_equal(r[0].reason, P304_AV_CONSUMED);
	assert_int_equal(r[3].reason, P304_AV_CONSUMED); /* over-consumed */
	assert_int_equal(p304_avenant(5, cur, con, P304_AVENANT_REDUCE_UNCONSUMED, 3333, r, &err),
			 P304_OK);
	assert_true(r[1].unconsumed_eur == 500 && r[1].reduction_eur == 166 && r[1].next_eur == 1834);
	assert_true(r[4].reduction_eur == 4114); /* floor(12345 × 0,3333) */
	assert_true(r[2].next_eur == 3000);
	assert_int_equal(p304_avenant(5, cur, con, P304_AVENANT_REDUCE_UNCONSUMED, 10001, r, &err),
			 P304_ERR_INPUT);
	/* no overflow near the 10^15 limit */
	cur[0] = P304_MAX_EUR;
	con[0] = 0;
	assert_int_equal(p304_avenant(1, cur, con, P304_AVENANT_REDUCE_UNCONSUMED, 9999, r, &err),
			 P304_OK);
	assert_true(r[0].reduction_eur == P304_MAX_EUR / 10000 * 9999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none_and_reasons),
		cmocka_unit_test(test_shortfall),
		cmocka_unit_test(test_surplus_criteria_and_unmet),
		cmocka_unit_test(test_late_is_missing),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_avenant),
	};

	return cmocka_run_group_tests_name("reconcile", tests, NULL, NULL);
}
