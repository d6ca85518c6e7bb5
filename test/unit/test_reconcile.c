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


/*
 * The reference: docs/reconciliation.md read literally, in exact integer
 * arithmetic (every exact amount is a fraction num/den; remainders are
 * compared as integers over one denominator), slow and plain. Shares are
 * w_i / W with integer weights, so the water-filling is exact too.
 */
enum { RMAX = 16 };
struct ref_out {
	int64_t need[RMAX], capped[RMAX], granted[RMAX], notified[RMAX];
	p304_reason reason[RMAX];
	int64_t needs, granted_sum, notified_sum, unallocated;
	size_t n_answered, n_no_answer, n_late, n_capped, n_topped_up, n_reduced;
};

/* Largest remainder over one denominator: amounts num_i/den floored, the
 * units missing to `target` go to the largest remainders num_i % den, ties
 * to the smaller code; a row may take a unit only if floor + 1 <= hi_i. */
static void ref_round(size_t n, const __int128 *num, __int128 den, const char *const *codes,
		      const int64_t *hi, int64_t target, int64_t *out)
{
	int64_t sum = 0;
	unsigned char got[RMAX] = { 0 };

	for (size_t i = 0; i < n; i++) {
		out[i] = (int64_t)(num[i] / den);
		sum += out[i];
	}
	assert_true(sum <= target && target - sum <= (int64_t)n);
	for (; sum < target; sum++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (got[i] || (hi && out[i] + 1 > hi[i]))
				continue;
			if (best == n || num[i] % den > num[best] % den ||
			    (num[i] % den == num[best] % den && strcmp(codes[i], codes[best]) < 0))
				best = i;
		}
		assert_true(best < n);
		got[best] = 1;
		out[best]++;
	}
}

static void ref_reconcile(const p304_recon_input *in, const int64_t *w, struct ref_out *o)
{
	size_t n = in->n;
	int64_t A = in->available_eur, G = 0;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i++) {
		int late = in->late && in->late[i];
		int answered = in->need[i] != P304_NO_BOUND && !late;
		int64_t cap = in->cap ? in->cap[i] : P304_NO_BOUND, p = in->prenotified[i];

		o->need[i] = answered ? in->need[i] : in->missing == P304_MISSING_KEEP ? p : 0;
		o->capped[i] = cap != P304_NO_BOUND && cap < o->need[i] ? cap : o->need[i];
		o->granted[i] = o->capped[i] < p ? o->capped[i] : p;
		G += o->granted[i];
		if (answered) {
			o->n_answered++;
			o->needs += in->need[i];
		} else if (late) {
			o->n_late++;
		} else {
			o->n_no_answer++;
		}
		if (o->capped[i] < o->need[i])
			o->n_capped++;
		o->reason[i] = !answered ? (late ? P304_REASON_LATE : P304_REASON_NO_ANSWER)
			: o->capped[i] < o->need[i] ? P304_REASON_CAPPED
			: o->need[i] < p ? P304_REASON_NEED_BELOW
			: o->need[i] > p ? P304_REASON_NEED_ABOVE : P304_REASON_AS_PRENOTIFIED;
	}
	o->granted_sum = G;
	if (G > A) {
		__int128 num[RMAX] = { 0 };

		for (size_t i = 0; i < n; i++)
			num[i] = (__int128)o->granted[i] * A;
		ref_round(n, num, G, in->codes, NULL, A, o->notified);
		for (size_t i = 0; i < n; i++)
			if (o->notified[i] < o->granted[i]) {
				o->reason[i] = P304_REASON_REDUCED;
				o->n_reduced++;
			}
	} else {
		int64_t u[RMAX], add[RMAX] = { 0 }, U = 0, give;

		for (size_t i = 0; i < n; i++) {
			int64_t top = o->capped[i];

			if (in->ceiling_eur != P304_NO_BOUND && top > in->ceiling_eur)
				top = in->ceiling_eur;
			u[i] = top > o->granted[i] ? top - o->granted[i] : 0;
			if (in->surplus == P304_SURPLUS_CRITERIA && w[i] == 0)
				u[i] = 0;
			U += u[i];
		}
		give = A - G < U ? A - G : U;
		if (in->surplus == P304_SURPLUS_UNMET_NEED && give > 0) {
			__int128 num[RMAX] = { 0 };

			for (size_t i = 0; i < n; i++)
				num[i] = (__int128)u[i] * give;
			ref_round(n, num, U, in->codes, u, give, add);
		} else if (in->surplus == P304_SURPLUS_CRITERIA && give > 0) {
			/* μ = rest / W over the rows not yet saturated; a row whose
			 * u_i <= μ·w_i is saturated; repeat until none changes. */
			unsigned char sat[RMAX] = { 0 };
			__int128 num[RMAX] = { 0 }, rest = 0, Wun = 0;
			int changed = 1;

			while (changed) {
				changed = 0;
				rest = give;
				Wun = 0;
				for (size_t i = 0; i < n; i++) {
					if (u[i] == 0)
						continue;
					if (sat[i])
						rest -= u[i];
					else
						Wun += w[i];
				}
				for (size_t i = 0; i < n; i++)
					if (u[i] > 0 && !sat[i] &&
					    (Wun == 0 || (__int128)u[i] * Wun <= rest * w[i])) {
						sat[i] = 1;
						changed = 1;
					}
			}
			/* saturated rows: u_i exactly (as Wun·u_i / Wun) */
			if (Wun == 0)
				Wun = 1;
			for (size_t i = 0; i < n; i++)
				num[i] = u[i] == 0 ? 0 : sat[i] ? (__int128)u[i] * Wun : rest * w[i];
			ref_round(n, num, Wun, in->codes, u, give, add);
		}
		for (size_t i = 0; i < n; i++) {
			o->notified[i] = o->granted[i] + add[i];
			if (add[i] > 0) {
				o->reason[i] = P304_REASON_TOPPED_UP;
				o->n_topped_up++;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		o->notified_sum += o->notified[i];
	o->unallocated = A - o->notified_sum;
}

/* Every combination of missing_answer x surplus x shortfall-or-not x caps x
 * late answers x ceiling, a few hundred random instances each, small amounts
 * (ties everywhere) and large ones (up to 10^12 €): the library must give
 * exactly the reference's amounts, reasons and counts. */
static void test_against_reference(void **state)
{
	static const char *pool[RMAX] = { "01", "02", "2A", "2B", "6AE", "69D", "69M", "971",
		"974", "976", "13", "59", "75", "93", "20R", "44" };
	uint64_t seed = 2024;
	p304_workspace *ws = p304_workspace_new();
	int instances = 0;

	(void)state;
	for (int combo = 0; combo < 2 * 3 * 2 * 2 * 2 * 2; combo++) {
		p304_missing_answer missing = (p304_missing_answer)(combo % 2);
		p304_surplus surplus = (p304_surplus)(combo / 2 % 3);
		int shortfall = combo / 6 % 2, with_caps = combo / 12 % 2,
		    with_late = combo / 24 % 2, with_ceiling = combo / 48 % 2;

		for (int t = 0; t < 250; t++) {
			const char *codes[RMAX];
			int64_t p[RMAX], need[RMAX], cap[RMAX], w[RMAX], G = 0;
			unsigned char late[RMAX];
			long double sh[RMAX];
			p304_recon_row r[RMAX];
			p304_recon_summary s;
			struct ref_out o;
			p304_error err;
			size_t n = (size_t)rng_range(&seed, 1, RMAX);
			int64_t hi = t % 3 == 0 ? 20 : t % 3 == 1 ? 5000000 : 1000000000000;
			p304_recon_input in = { .n = n, .codes = codes, .prenotified = p,
				.shares = sh, .need = need, .cap = with_caps ? cap : NULL,
				.late = with_late ? late : NULL, .missing = missing,
				.surplus = surplus, .ceiling_eur = P304_NO_BOUND };

			/* codes in a random order, so ties by code are not ties by index */
			for (size_t i = 0; i < RMAX; i++)
				codes[i] = pool[i];
			for (size_t i = RMAX - 1; i > 0; i--) {
				size_t j = (size_t)rng_range(&seed, 0, (int64_t)i);
				const char *c = codes[i];

				codes[i] = codes[j];
				codes[j] = c;
			}
			for (size_t i = 0; i < n; i++) {
				p[i] = rng_range(&seed, 0, hi);
				need[i] = rng_range(&seed, 0, 4) == 0 ? P304_NO_BOUND
					: rng_range(&seed, 0, 2) == 0 ? p[i] : rng_range(&seed, 0, hi * 3 / 2);
				cap[i] = rng_range(&seed, 0, 2) == 0 ? P304_NO_BOUND : rng_range(&seed, 0, hi);
				late[i] = rng_range(&seed, 0, 4) == 0;
				w[i] = rng_range(&seed, 0, 5) == 0 ? 0
					: t % 2 ? rng_range(&seed, 1, 4) : rng_range(&seed, 1, 1000000);
			}
			/* shares need not add up to 1: the integers themselves,
			 * which the library reads exactly */
			for (size_t i = 0; i < n; i++)
				sh[i] = (long double)w[i];
			if (with_ceiling)
				in.ceiling_eur = rng_range(&seed, 0, hi);
			/* the granted total, to put A on the wanted side of it */
			in.available_eur = 0;
			ref_reconcile(&in, w, &o);
			G = o.granted_sum;
			if (shortfall && G == 0)
				continue;
			in.available_eur = shortfall ? rng_range(&seed, 0, G - 1)
						     : G + rng_range(&seed, 0, G + hi);
			ref_reconcile(&in, w, &o);
			if (p304_reconcile(&in, ws, r, &s, &err) != P304_OK)
				fail_msg("combo %d instance %d: %s", combo, t, err.message);
			instances++;
			for (size_t i = 0; i < n; i++) {
				if (r[i].need_eur != o.need[i] || r[i].capped_need_eur != o.capped[i] ||
				    r[i].granted_eur != o.granted[i] || r[i].notified_eur != o.notified[i] ||
				    r[i].reason != o.reason[i])
					fail_msg("combo %d (missing %d surplus %d shortfall %d caps %d late %d "
						 "ceiling %lld) instance %d row %zu (%s): library need %lld "
						 "capped %lld granted %lld notified %lld %s, reference %lld "
						 "%lld %lld %lld %s", combo, missing, surplus, shortfall,
						 with_caps, with_late, (long long)in.ceiling_eur, t, i, codes[i],
						 (long long)r[i].need_eur, (long long)r[i].capped_need_eur,
						 (long long)r[i].granted_eur, (long long)r[i].notified_eur,
						 p304_reason_name(r[i].reason), (long long)o.need[i],
						 (long long)o.capped[i], (long long)o.granted[i],
						 (long long)o.notified[i], p304_reason_name(o.reason[i]));
			}
			assert_true(s.needs_eur == o.needs && s.granted_eur == o.granted_sum &&
				    s.notified_eur == o.notified_sum && s.unallocated_eur == o.unallocated);
			assert_true(s.n_answered == o.n_answered && s.n_no_answer == o.n_no_answer &&
				    s.n_late == o.n_late && s.n_capped == o.n_capped &&
				    s.n_topped_up == o.n_topped_up && s.n_reduced == o.n_reduced);
		}
	}
	assert_true(instances > 20000);
	p304_workspace_free(ws);
}

/* The example: 100 000 / 200 000 / 300 000 € pre-notified, the third
 * sends nothing and is capped at 100 000 €: "keep" keeps at most the cap. */
static void test_kept_amount_capped(void **state)
{
	const char *codes[3] = { "01", "02", "03" };
	int64_t p[3] = { 100000, 200000, 300000 };
	int64_t need[3] = { 100000, 200000, P304_NO_BOUND };
	int64_t cap[3] = { P304_NO_BOUND, P304_NO_BOUND, 100000 };
	long double sh[3] = { 0.2L, 0.3L, 0.5L };
	p304_recon_row r[3];
	p304_recon_summary s;
	p304_recon_input in = { .n = 3, .codes = codes, .prenotified = p, .shares = sh,
		.need = need, .cap = cap, .available_eur = 600000,
		.ceiling_eur = P304_NO_BOUND, .missing = P304_MISSING_KEEP };

	(void)state;
	run(&in, r, &s);
	assert_int_equal(r[2].capped_need_eur, 100000);
	assert_int_equal(r[2].notified_eur, 100000);
	assert_int_equal(r[2].reason, P304_REASON_NO_ANSWER);
	assert_int_equal(s.n_capped, 1);
	assert_int_equal(s.unallocated_eur, 200000);
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
		cmocka_unit_test(test_kept_amount_capped),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_avenant),
	};

	return cmocka_run_group_tests_name("reconcile", tests, NULL, NULL);
}
