/*
 * test_shapley.c - the exact attribution of a change to its factors:
 * contributions add up to the change exactly, a factor that changes nothing
 * gets 0, swapping A and B negates everything; random games, fixed seeds.
 */
#include "testutil.h"

#include <p304/p304.h>

static void test_two_factors(void **state)
{
	/* one row: A 100; envelope alone 130; weights alone 90; both 121 */
	int64_t v[4] = { 100, 130, 90, 121 }, c[2];
	p304_error err;

	(void)state;
	assert_int_equal(p304_shapley(1, 2, v, c, &err), P304_OK);
	/* envelope: ((130-100) + (121-90)) / 2 = 30.5; weights: ((90-100) + (121-130)) / 2 = -9.5 */
	assert_true(c[0] + c[1] == 21);
	assert_true(c[0] == 31 && c[1] == -10);
}

static void test_properties(void **state)
{
	static int64_t v[1 << 7][8], va[(1 << 7) * 8], vb[(1 << 7) * 8];
	static int64_t ca[8 * 7], cb[8 * 7];
	uint64_t seed = 2024;
	p304_error err;

	(void)state;
	for (int t = 0; t < 3000; t++) {
		size_t nf = (size_t)rng_range(&seed, 1, 7), n = 8, full = ((size_t)1 << nf) - 1;
		size_t dead = (size_t)rng_range(&seed, 0, (int64_t)nf); /* factor with no effect */

		for (size_t s = 0; s <= full; s++)
			for (size_t i = 0; i < n; i++) {
				size_t s2 = dead < nf ? s & ~((size_t)1 << dead) : s;

				v[s][i] = s2 == s ? rng_range(&seed, 0, 5000000)
						  : v[s2][i]; /* same as without the dead factor */
			}
		for (size_t s = 0; s <= full; s++)
			for (size_t i = 0; i < n; i++) {
				va[s * n + i] = v[s][i];
				vb[s * n + i] = v[full ^ s][i]; /* the game seen from B */
			}
		assert_int_equal(p304_shapley(n, nf, va, ca, &err), P304_OK);
		assert_int_equal(p304_shapley(n, nf, vb, cb, &err), P304_OK);
		for (size_t i = 0; i < n; i++) {
			int64_t sum = 0;

			for (size_t f = 0; f < nf; f++) {
				sum += ca[i * nf + f];
				assert_true(ca[i * nf + f] == -cb[i * nf + f]);
				if (f == dead)
					assert_true(ca[i * nf + f] == 0);
			}
			assert_true(sum == v[full][i] - v[0][i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_factors),
		cmocka_unit_test(test_properties),
	};

	return cmocka_run_group_tests_name("shapley", tests, NULL, NULL);
}
