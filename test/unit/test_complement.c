/*
 * test_complement.c - complement tables (issue 21): what is read (aliases,
 * Excel-FR numbers, order), what is looked up, and each refusal with its
 * line. Figures invented.
 */
#include "testutil.h"

#include <p304/format.h>

static p304_reference *ref;
static const char *const KNOWN[] = { "enfants_ase", "enfants_0_6" };

static int setup(void **state)
{
	const char *root = getenv("P304_ROOT");
	char path[1024];
	p304_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/inputs/reference/collectivites.csv", root ? root : ".");
	return p304_reference_load(path, &ref, &err) == P304_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	p304_reference_free(ref);
	return 0;
}

static p304_code read_text(const char *text, p304_complement **out, p304_error *err)
{
	p304_csv *csv = NULL;
	p304_code rc = p304_csv_parse("c.csv", text, strlen(text), &csv, err);

	if (rc == P304_OK)
		rc = p304_complement_read(csv, ref, KNOWN, 2, out, err);
	p304_csv_free(csv);   /* the complement keeps its own hold */
	return rc;
}

static void test_read(void **state)
{
	p304_complement *c = NULL;
	p304_error err;
	const p304_complement_value *v;

	(void)state;
	if (read_text("code;nom;critere;valeur;source\n978;Saint-Martin;enfants_0_6;2 450;INSEE RP 2020\n"
		      "976D;Mayotte;enfants_ase;1 234,5;ODAS\n", &c, &err) != P304_OK)
		fail_msg("%s:%ld: %s", err.file, err.line, err.message);
	assert_int_equal(c->n, 2);
	v = p304_complement_find(c, p304_reference_find(ref, "976"), "enfants_ase");
	assert_non_null(v);
	assert_int_equal(v->value, 1234500);   /* × P304_VALUE_SCALE */
	assert_string_equal(v->source, "ODAS");
	assert_int_equal(v->line, 3);
	v = p304_complement_find(c, p304_reference_find(ref, "978"), "enfants_0_6");
	assert_non_null(v);
	assert_int_equal(v->value, 2450000);
	assert_null(p304_complement_find(c, p304_reference_find(ref, "978"), "enfants_ase"));
	assert_true(p304_complement_has_column(c, "enfants_0_6"));
	assert_false(p304_complement_has_column(c, "menages_pauvres"));
	p304_complement_free(c);
}

static void bad(const char *text, long line, const char *msg)
{
	p304_complement *c = NULL;
	p304_error err;

	assert_int_equal(read_text(text, &c, &err), P304_ERR_INPUT);
	assert_null(c);
	assert_int_equal(err.line, line);
	if (!strstr(err.message, msg))
		fail_msg("message '%s', expected '%s'", err.message, msg);
}

static void test_refusals(void **state)
{
	(void)state;
	bad("code;critere;valeur;source\n978;enfants_0_6;10;a\n978;enfants_0_6;11;b\n", 3,
	    "is given twice (lines 2 and 3)");
	bad("code;critere;valeur;source\n999;enfants_0_6;10;a\n", 2, "not in the reference list");
	bad("code;critere;valeur;source\n978;enfants_0_7;10;a\n", 2, "expected one of: enfants_ase, enfants_0_6");
	bad("code;critere;valeur;source\n978;enfants_0_6;-10;a\n", 2, "is negative");
	bad("code;critere;valeur;source\n978;enfants_0_6;10;\n", 2, "column 'source' is empty");
	bad("code;critere;valeur\n978;enfants_0_6;10\n", 1, "column 'source' is missing");
	bad("code;critere;valeur;source\n", 1, "no data row");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("complement", tests, setup, teardown);
}
