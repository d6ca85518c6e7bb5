/*
 * test_catalogue.c - the catalogue the workflows read through
 * (src/workflow/catalogue.c): names matched in a loaded data folder, no file
 * ever opened from a closed catalogue, overlays, results that outlive the
 * catalogue, and an in-memory allocation equal to the file one.
 */
#include "testutil.h"

#include <p304/workflow.h>

static char datadir[2048];
static char scen[4096];

static int setup(void **state)
{
	const char *root = getenv("P304_ROOT");

	(void)state;
	snprintf(datadir, sizeof(datadir), "%s/inputs", root && root[0] ? root : ".");
	snprintf(scen, sizeof(scen), "%s/scenarios/2025-national.json", datadir);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static char *result_json(const p304_result *res, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	p304_error err;

	assert_non_null(fp);
	assert_int_equal(p304_write_result_json(res, fp, &err), P304_OK);
	fclose(fp);
	return buf;
}

/* "../data/criteres-2025.csv", "criteres-2025.csv" and "criteres-2025" name
 * one table; a path outside is an input error, never a read. */
static void test_names(void **state)
{
	p304_catalogue *cat;
	p304_csv *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	p304_error err;

	(void)state;
	assert_int_equal(p304_catalogue_load_dir(datadir, &cat, &err), P304_OK);
	assert_int_equal(p304_catalogue_csv(cat, "../data/criteres-2025.csv", &a, &err), P304_OK);
	assert_int_equal(p304_catalogue_csv(cat, "criteres-2025.csv", &b, &err), P304_OK);
	assert_int_equal(p304_catalogue_csv(cat, "x/y/criteres-2025", &c, &err), P304_OK);
	assert_ptr_equal(a, b);
	assert_ptr_equal(a, c);
	assert_true(p304_csv_nrows(a) >= 100);
	assert_int_equal(p304_catalogue_csv(cat, "/etc/passwd", &d, &err), P304_ERR_INPUT);
	assert_null(d);
	assert_non_null(strstr(err.message, "criteres-2025.csv"));
	assert_false(p304_catalogue_has(cat, "/etc/hostname"));
	assert_true(p304_catalogue_has(cat, "../data/criteres-2025.sources.csv"));
	assert_int_equal(p304_catalogue_ntables(cat), 2);
	assert_string_equal(p304_catalogue_table_id(cat, 1), "criteres-2025");
	assert_non_null(p304_catalogue_table_sources(cat, 1));
	p304_csv_free(a);
	p304_csv_free(b);
	p304_csv_free(c);
	p304_catalogue_free(cat);
}

/* The scenario as text in an overlay gives the bytes of the file run; the
 * result outlives both catalogues (the rows point into the reference list). */
static void test_overlay_equals_files(void **state)
{
	p304_catalogue *cat, *ov;
	p304_result *mem = NULL, *file = NULL;
	p304_error err;
	char ref[4200], *text, *j1, *j2;
	const p304_alloc_options opt = { .default_reference = ref };
	size_t len, l1, l2;

	(void)state;
	snprintf(ref, sizeof(ref), "%s/reference/collectivites.csv", datadir);
	assert_int_equal(p304_run_allocation(scen, &opt, &file, &err), P304_OK);
	text = slurp(scen, &len);
	assert_int_equal(p304_catalogue_load_dir(datadir, &cat, &err), P304_OK);
	assert_int_equal(p304_catalogue_overlay(cat, &ov, &err), P304_OK);
	assert_int_equal(p304_catalogue_add_text(ov, "scenario.json", text, len, &err), P304_OK);
	assert_int_equal(p304_run_allocation_in(ov, "scenario.json", &opt, &mem, &err), P304_OK);
	p304_catalogue_free(ov);
	p304_catalogue_free(cat);
	j1 = result_json(file, &l1);
	j2 = result_json(mem, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(j1, j2, l1);
	/* the manifest's scenario hash is the text's either way */
	assert_string_equal(file->inputs[0].sha256, mem->inputs[0].sha256);
	free(j1);
	free(j2);
	free(text);
	p304_result_free(mem);
	p304_result_free(file);
}

/* A scenario naming a file that is not loaded is refused, whatever exists
 * on disk. */
static void test_closed_never_opens(void **state)
{
	static const char sc[] =
		"{\"id\": \"x\", \"title\": \"x\", \"envelope_eur\": 1000,"
		" \"data\": \"/etc/passwd\", \"criteria\": [{\"column\": \"a\", \"weight_pct\": 100}],"
		" \"participants\": \"all\", \"rounding_eur\": 1}";
	p304_catalogue *cat, *ov;
	p304_result *res = NULL;
	p304_error err;
	char ref[4200];
	const p304_alloc_options opt = { .default_reference = ref };

	(void)state;
	snprintf(ref, sizeof(ref), "%s/reference/collectivites.csv", datadir);
	assert_int_equal(p304_catalogue_load_dir(datadir, &cat, &err), P304_OK);
	assert_int_equal(p304_catalogue_overlay(cat, &ov, &err), P304_OK);
	assert_int_equal(p304_catalogue_add_text(ov, "scenario.json", sc, sizeof(sc) - 1, &err),
			 P304_OK);
	assert_int_equal(p304_run_allocation_in(ov, "scenario.json", &opt, &res, &err),
			 P304_ERR_INPUT);
	assert_null(res);
	assert_non_null(strstr(err.message, "passwd"));
	p304_catalogue_free(ov);
	p304_catalogue_free(cat);
}

/* The files catalogue reads a path once per run. */
static void test_files_cache(void **state)
{
	p304_catalogue *cat;
	p304_csv *a = NULL, *b = NULL;
	p304_error err;
	char path[4200];

	(void)state;
	snprintf(path, sizeof(path), "%s/data/criteres-2020.csv", datadir);
	assert_int_equal(p304_catalogue_files(&cat, &err), P304_OK);
	assert_int_equal(p304_catalogue_csv(cat, path, &a, &err), P304_OK);
	assert_int_equal(p304_catalogue_csv(cat, path, &b, &err), P304_OK);
	assert_ptr_equal(a, b);
	p304_catalogue_free(cat);
	assert_true(p304_csv_nrows(a) > 0);   /* still ours after the catalogue */
	p304_csv_free(a);
	p304_csv_free(b);
	assert_int_equal(p304_catalogue_files(&cat, &err), P304_OK);
	assert_int_equal(p304_catalogue_csv(cat, "/nonexistent/x.csv", &a, &err), P304_ERR_IO);
	p304_catalogue_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_overlay_equals_files),
		cmocka_unit_test(test_closed_never_opens),
		cmocka_unit_test(test_files_cache),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
