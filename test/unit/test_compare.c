/*
 * test_compare.c - `compare` on random pairs of scenarios (fixed seeds):
 * the contributions add up to each difference exactly, a factor equal in A
 * and B contributes 0, and swapping A and B negates every contribution.
 * Uses the reference list of the checkout (P304_ROOT); figures invented.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <p304/io.h>

static const char *const CODES[] = { "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12" };
#define NC 12

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void write_table(const char *name, uint64_t *seed)
{
	char buf[4096];
	size_t o = (size_t)snprintf(buf, sizeof(buf), "code;x;y\n");

	for (int i = 0; i < NC; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s;%lld;%lld\n", CODES[i],
				      (long long)rng_range(seed, 1, 100000),
				      (long long)rng_range(seed, 1, 5000));
	write_file(name, buf);
}

static void write_scenario(const char *name, const char *data, uint64_t *seed, int same_as_prev)
{
	static int64_t E, F, C, unit, wx, mask;
	char buf[2048], part[512] = "";
	size_t o = 0, n = 0;
	const char *ref = getenv("P304_ROOT");
	char refpath[512];

	snprintf(refpath, sizeof(refpath), "%s/inputs/reference/collectivites.csv", ref ? ref : ".");
	/* each parameter changes with probability 1/2 from the previous scenario */
	if (!same_as_prev || rng_range(seed, 0, 1))
		E = rng_range(seed, 1000, 5000) * 1000;
	if (!same_as_prev || rng_range(seed, 0, 1))
		wx = rng_range(seed, 0, 100);
	if (!same_as_prev || rng_range(seed, 0, 1)) {
		unit = rng_range(seed, 0, 1) ? 1 : 100;
	}
	if (!same_as_prev || rng_range(seed, 0, 1))
		mask = rng_range(seed, 1, (1 << NC) - 1) | 7; /* at least 3 participants */
	for (int i = 0; i < NC; i++)
		if (mask & (1 << i)) {
			o += (size_t)snprintf(part + o, sizeof(part) - o, "%s\"%s\"", n ? ", " : "", CODES[i]);
			n++;
		}
	if (!same_as_prev || rng_range(seed, 0, 1)) {
		F = rng_range(seed, 0, 2) ? (E / 24 / 100) * 100 : -1;
		C = rng_range(seed, 0, 2) ? ((E / 2) / 100) * 100 : -1;
	}
	snprintf(buf, sizeof(buf),
		 "{\"id\": \"%s\", \"envelope_eur\": %lld, \"data\": \"%s\", \"reference\": \"%s\",\n"
		 " \"criteria\": [{\"column\": \"x\", \"weight_pct\": %lld}, {\"column\": \"y\", \"weight_pct\": %lld}],\n"
		 " \"participants\": [%s], \"rounding_eur\": %lld%s%s}\n",
		 name, (long long)E, data, refpath, (long long)wx, (long long)(100 - wx), part,
		 (long long)unit, F >= 0 ? ", \"floor_eur\": " : "", "");
	if (F >= 0) {
		size_t len = strlen(buf);

		snprintf(buf + len - 2, sizeof(buf) - len + 2, "%lld}\n", (long long)F);
	}
	if (C >= 0) {
		size_t len = strlen(buf);

		snprintf(buf + len - 2, sizeof(buf) - len + 2, ", \"ceiling_eur\": %lld}\n",
			 (long long)(C > F ? C : F + 100 * unit));
	}
	{
		char fname[64];

		snprintf(fname, sizeof(fname), "%s.json", name);
		write_file(fname, buf);
	}
}

static void test_random_pairs(void **state)
{
	uint64_t seed = 777;
	const char *root = getenv("P304_ROOT");
	char refpath[512], pa[128], pb[128];
	int done = 0;

	(void)state;
	snprintf(refpath, sizeof(refpath), "%s/inputs/reference/collectivites.csv", root ? root : ".");
	snprintf(dir, sizeof(dir), "/tmp/p304-cmp-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(pa, sizeof(pa), "%s/a.json", dir);
	snprintf(pb, sizeof(pb), "%s/b.json", dir);
	for (int t = 0; t < 150; t++) {
		p304_comparison *ab = NULL, *ba = NULL;
		p304_error err;

		write_table("ta.csv", &seed);
		if (rng_range(&seed, 0, 1))
			write_table("tb.csv", &seed);
		else {
			char src[128], dst[128], cmd[300];

			snprintf(src, sizeof(src), "%s/ta.csv", dir);
			snprintf(dst, sizeof(dst), "%s/tb.csv", dir);
			snprintf(cmd, sizeof(cmd), "cp %s %s", src, dst);
			assert_int_equal(system(cmd), 0);
		}
		write_scenario("a", "ta.csv", &seed, 0);
		write_scenario("b", "tb.csv", &seed, 1);
		if (p304_run_compare(pa, pb, refpath, &ab, &err) != P304_OK) {
			/* an infeasible A or B on its own is a legitimate refusal */
			assert_int_equal(err.code, P304_ERR_INFEASIBLE);
			continue;
		}
		assert_int_equal(p304_run_compare(pb, pa, refpath, &ba, &err), P304_OK);
		assert_true(ab->decomposed && ba->decomposed);
		assert_int_equal(ab->nrows, ba->nrows);
		for (size_t i = 0; i < ab->nrows; i++) {
			int64_t sum = 0;

			assert_string_equal(ab->rows[i].code, ba->rows[i].code);
			for (size_t f = 0; f < ab->nfactors; f++) {
				sum += ab->rows[i].contrib[f];
				assert_true(ab->rows[i].contrib[f] == -ba->rows[i].contrib[f]);
				if (!ab->differs[f])
					assert_true(ab->rows[i].contrib[f] == 0);
			}
			assert_true(sum == ab->rows[i].b_eur - ab->rows[i].a_eur);
		}
		p304_comparison_free(ab);
		p304_comparison_free(ba);
		done++;
	}
	assert_true(done > 100);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_pairs),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
