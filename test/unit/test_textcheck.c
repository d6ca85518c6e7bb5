/*
 * test_textcheck.c - what text may reach an output file (issue 19): the UTF-8
 * check, the characters XML forbids, \u0000 in JSON, and the reader of
 * p304's result files (duplicate codes, totals).
 */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <p304/io.h>

#include "format/fileutil.h"
#include "workflow/result_read.h"

static void test_utf8(void **state)
{
	long line = 0;
	unsigned byte = 0;
	const char ok[] = "R\xc3\xa9partition\n\xe2\x82\xac \xf0\x9f\x98\x80";

	(void)state;
	assert_int_equal(p304_utf8_check(ok, sizeof(ok) - 1, &line, &byte), 0);
	assert_int_equal(p304_utf8_check("a\nR\xe9p", 6, &line, &byte), -1);
	assert_int_equal(line, 2);
	assert_int_equal(byte, 0xE9);
	/* overlong '/', a surrogate, a sequence cut by the end */
	assert_int_equal(p304_utf8_check("\xc0\xaf", 2, NULL, NULL), -1);
	assert_int_equal(p304_utf8_check("\xed\xa0\x80", 3, NULL, NULL), -1);
	assert_int_equal(p304_utf8_check("\xe2\x82", 2, NULL, NULL), -1);
}

static void test_xml_chars(void **state)
{
	(void)state;
	assert_int_equal(p304_xml_bad_char("tab\there\r\n ok \xc3\xa9 \xef\xbf\xbd"), -1);
	assert_int_equal(p304_xml_bad_char("A\xef\xbf\xbf" "B"), 0xFFFF);
	assert_int_equal(p304_xml_bad_char("A\xef\xbf\xbe"), 0xFFFE);
	assert_int_equal(p304_xml_bad_char("\x1b[31m"), 0x1B);
	assert_int_equal(p304_xml_bad_char("\x01"), 1);
}

static void test_json_fields(void **state)
{
	char where[64];
	cJSON *j = cJSON_Parse("{\"title\": \"ok\", \"rows\": [{\"name\": \"a\"}, {\"name\": \"b\\uffff\"}]}");

	(void)state;
	assert_int_equal(p304_json_xml_bad(j, where, sizeof(where)), 0xFFFF);
	assert_string_equal(where, "rows[2].name");
	cJSON_Delete(j);
	{
		const char *escaped = "{\"a\": \"x\\\\u0000\"}"; /* a backslash, then text */
		const char *nul = "{\n\"a\": \"x\\u0000\"}";
		const char *after_quote = "{\"a\\\"\": \"\\u0000\"}";

		assert_int_equal(p304_json_nul_escape(escaped, strlen(escaped)), 0);
		assert_int_equal(p304_json_nul_escape(nul, strlen(nul)), 2);
		assert_int_equal(p304_json_nul_escape(after_quote, strlen(after_quote)), 1);
	}
}

static p304_reference *reference(void)
{
	static const char text[] =
		"code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;composee_de\n"
		"01;Ain;84;ARA;departement;;;01D;\n02;Aisne;32;HdF;departement;;;02D;\n";
	const char *path = write_temp(".csv", text, sizeof(text) - 1);
	p304_reference *ref = NULL;
	p304_error err;

	assert_int_equal(p304_reference_load(path, &ref, &err), P304_OK);
	unlink(path);
	return ref;
}

static p304_code read_rows(const char *text, p304_reference *ref, struct p304_result_rows *r,
		      p304_error *err)
{
	return p304_result_rows_read("r.json", text, strlen(text), ref, r, err);
}

static void test_result_rows(void **state)
{
	p304_reference *ref = reference();
	struct p304_result_rows r;
	p304_error err;

	(void)state;
	assert_int_equal(read_rows("{\"allocated_eur\": 30, \"rows\": [{\"code\": \"1\", \"amount_eur\": 10},"
			      " {\"code\": \"02\", \"amount_eur\": 20}]}", ref, &r, &err), P304_OK);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.auth[0]->code, "01");
	assert_int_equal(r.total, 30);
	p304_result_rows_free(&r);
	/* 2 and 02 are one code */
	assert_int_equal(read_rows("{\"allocated_eur\": 30, \"rows\": [{\"code\": \"2\", \"amount_eur\": 10},"
			      " {\"code\": \"02\", \"amount_eur\": 20}]}", ref, &r, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "duplicate code '02' (rows 1 and 2)"));
	assert_null(r.root);
	/* the rows add up to their own total */
	assert_int_equal(read_rows("{\"notified_eur\": 31, \"rows\": [{\"code\": \"1\", \"notified_eur\": 10},"
			      " {\"code\": \"02\", \"notified_eur\": 20}]}", ref, &r, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "\"notified_eur\" is 31"));
	assert_int_equal(read_rows("{\"rows\": []}", ref, &r, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "no whole \"allocated_eur\""));
	assert_int_equal(read_rows("{\"allocated_eur\": 0, \"title\": \"\xe9\", \"rows\": []}", ref, &r, &err),
			 P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "byte 0xE9 is not UTF-8"));
	p304_reference_free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_xml_chars),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_result_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
