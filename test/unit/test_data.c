/*
 * test_data.c - the data shipped in inputs/: the tables load, their national
 * totals equal the totals of the sources (inputs/data/README.md states them),
 * every scenario's participants are covered, and the 2020 wave allocates
 * within its bounds. Runs from the checkout (P304_ROOT, set by the runner).
 */
#include "testutil.h"

#include <p304/io.h>

static char path_buf[4][1024];

static const char *root_path(int slot, const char *rel)
{
	const char *root = getenv("P304_ROOT");

	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", root ? root : ".", rel);
	return path_buf[slot];
}

/* Σ of a column over all rows; empty cells are counted in *holes. */
static int64_t column_total(const p304_csv *csv, const char *col, size_t *holes)
{
	long c = p304_csv_find_column(csv, col);
	int64_t total = 0;

	assert_true(c >= 0);
	*holes = 0;
	for (size_t r = 0; r < p304_csv_nrows(csv); r++) {
		const char *cell = p304_csv_cell(csv, r, (size_t)c);
		int64_t v;

		if (!cell[0]) {
			(*holes)++;
			continue;
		}
		assert_int_equal(p304_parse_decimal(cell, strlen(cell), 0, -1, &v, NULL, 0), 0);
		total += v;
	}
	return total;
}

struct expect {
	const char *column;
	int64_t total;
	size_t holes;
};

static void check_table(const char *rel, size_t nrows, const struct expect *e, size_t ne)
{
	p304_csv *csv;
	p304_error err;

	if (p304_csv_load(root_path(0, rel), &csv, &err) != P304_OK)
		fail_msg("%s: %s", rel, err.message);
	assert_int_equal(p304_csv_nrows(csv), nrows);
	for (size_t i = 0; i < ne; i++) {
		size_t holes;
		int64_t t = column_total(csv, e[i].column, &holes);

		if (t != e[i].total || holes != e[i].holes)
			fail_msg("%s %s: total %lld with %zu holes, expected %lld with %zu",
				 rel, e[i].column, (long long)t, holes,
				 (long long)e[i].total, e[i].holes);
	}
	p304_csv_free(csv);
}

/* DREES national totals (France entière hors Mayotte): 177 233 at
 * 31/12/2017, 208 064 at 31/12/2022. INSEE 0-19: sum over départements
 * without the Rhône (69), which cannot be split between 69D and 69M. */
static void test_tables_totals(void **state)
{
	static const struct expect t2020[] = {
		{ "enfants_0_19", 15698652, 2 },
		{ "menages_pauvres", 4102271, 5 },
		{ "enfants_ase", 177233, 1 },
		{ "mesures_jeunes_majeurs", 32003, 1 },
	};
	static const struct expect t2025[] = {
		{ "enfants_0_19", 15587046, 2 },
		{ "menages_pauvres", 4209595, 5 },
		{ "enfants_ase", 208064, 1 },
		{ "mesures_jeunes_majeurs", 32003, 1 },
	};

	(void)state;
	check_table("inputs/data/criteres-2020.csv", 101, t2020, 4);
	check_table("inputs/data/criteres-2025.csv", 100, t2025, 4);
}

static void test_reference(void **state)
{
	p304_reference *ref;
	p304_error err;
	const p304_authority *a;

	(void)state;
	if (p304_reference_load(root_path(0, "inputs/reference/collectivites.csv"), &ref, &err))
		fail_msg("%s", err.message);
	assert_int_equal(p304_reference_count(ref), 105);
	a = p304_reference_find(ref, "20");      /* DREES coding of Corse */
	assert_non_null(a);
	assert_string_equal(a->code, "20R");
	assert_string_equal(a->members, "2A|2B");
	a = p304_reference_find(ref, "6ae");
	assert_non_null(a);
	assert_int_equal(a->valid_from, 2021);
	a = p304_reference_find(ref, "49D");     /* COG CTCD coding */
	assert_non_null(a);
	assert_string_equal(a->name, "Maine-et-Loire");
	assert_string_equal(a->region_name, "Pays de la Loire");
	assert_null(p304_reference_find(ref, "99"));
	p304_reference_free(ref);
}

static void test_wave_2020(void **state)
{
	p304_result *res;
	p304_error err;
	int64_t total = 0;
	int seen77 = 0;

	(void)state;
	if (p304_run_allocation(root_path(0, "inputs/scenarios/2020-vague1.json"), NULL, &res, &err))
		fail_msg("%s:%ld: %s", err.file, err.line, err.message);
	assert_int_equal(res->nrows, 30);
	for (size_t i = 0; i < res->nrows; i++) {
		int64_t a = res->rows[i].alloc.amount_eur;

		assert_true(a >= 600000 && a <= 4500000);
		total += a;
		if (strcmp(res->rows[i].code, "77") == 0) {
			seen77 = 1;
			/* a large département: well above the floor */
			assert_true(a > 2 * 600000);
		}
	}
	assert_true(seen77);
	assert_true(total == 50000000);
	assert_int_equal(res->summary.unallocated_eur, 0);
	/* provenance of every used column is known */
	for (size_t k = 0; k < res->scenario->ncriteria; k++)
		assert_non_null(res->sources[k]);
	p304_result_free(res);
}

/* The warnings of the 2025 round said as an officer reads them (issue 21):
 * imputed values and exclusions by the criteria's labels, no column name,
 * no « criteres-2025.csv:101 »; any other warning keeps its text. */
static void test_warning_words(void **state)
{
	p304_result *res;
	p304_source_text *src;
	p304_error err;
	static const char guyane[] = "Guyane (973) : « Ménages pauvres » est une valeur estimée à "
		"partir de « Enfants de 0 à 19 ans » (32\u202f991, ";
	char w[1200];
	int imputed = 0, excluded = 0;

	(void)state;
	if (p304_run_allocation(root_path(0, "inputs/scenarios/2025-avec-bornes-2020.json"), NULL, &res, &err))
		fail_msg("%s:%ld: %s", err.file, err.line, err.message);
	assert_int_equal(p304_sources_read(res, &src, &err), P304_OK);
	for (size_t i = 0; i < res->nwarnings; i++) {
		p304_warning_words(res, src, res->warnings[i], w, sizeof(w));
		assert_null(strstr(w, "imputé"));
		assert_null(strstr(w, "enfants_"));
		assert_null(strstr(w, "menages_pauvres"));
		assert_null(strstr(w, ".csv"));
		if (!strncmp(w, guyane, strlen(guyane)))
			imputed++;
		if (!strcmp(w, "Mayotte (976) n'est pas dans la répartition : la table des critères ne "
			    "donne pas « Enfants accueillis par l'ASE » ni « Mesures jeunes majeurs "
			    "(APJM + AED jeunes majeurs) »."))
			excluded++;
	}
	assert_int_equal(imputed, 1);
	assert_int_equal(excluded, 1);
	/* without labels, the column names; an unknown warning as it is */
	p304_warning_words(res, NULL, "x : 'menages_pauvres' (f.csv:3) reste", w, sizeof(w));
	assert_string_equal(w, "x : 'menages_pauvres' reste");
	p304_warning_words(res, src, "x : 'menages_pauvres' reste", w, 12);
	assert_int_equal(strlen(w), 11);
	p304_sources_free(src, res->scenario->ncriteria);
	p304_result_free(res);
}

static void test_all_scenarios_covered(void **state)
{
	static const char *const ok[] = {
		"inputs/scenarios/2020-vague1.json",
		"inputs/scenarios/2025-national.json",
		"inputs/scenarios/2025-avec-bornes-2020.json",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		p304_result *res;
		p304_error err;

		if (p304_run_allocation(root_path(0, ok[i]), NULL, &res, &err))
			fail_msg("%s: %s:%ld: %s", ok[i], err.file, err.line, err.message);
		assert_true(res->summary.allocated_eur == res->scenario->envelope_eur);
		p304_result_free(res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_totals),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_wave_2020),
		cmocka_unit_test(test_all_scenarios_covered),
		cmocka_unit_test(test_warning_words),
	};

	return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
