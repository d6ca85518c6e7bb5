/*
 * test_csv.c - the CSV reader on what Excel produces: separators, quotes,
 * CRLF, BOM, Windows-1252, blank rows; and the refusals with their lines.
 */
#include "testutil.h"

#include <p304/io.h>

#include "format/headers.h"

static p304_csv *load_ok(const char *text, size_t len)
{
	const char *path = write_temp(".csv", text, len);
	p304_csv *csv = NULL;
	p304_error err;

	if (p304_csv_load(path, &csv, &err) != P304_OK)
		fail_msg("load failed: %s:%ld: %s", err.file, err.line, err.message);
	unlink(path);
	return csv;
}

static void load_bad(const char *text, size_t len, long line, const char *msg)
{
	const char *path = write_temp(".csv", text, len);
	p304_csv *csv = NULL;
	p304_error err;

	assert_int_not_equal(p304_csv_load(path, &csv, &err), P304_OK);
	assert_null(csv);
	if (!strstr(err.message, msg))
		fail_msg("message '%s', expected '%s'", err.message, msg);
	assert_int_equal(err.line, line);
	assert_string_equal(err.file, path);
	unlink(path);
}

#define OK(s) load_ok((s), sizeof(s) - 1)
#define BAD(s, line, msg) load_bad((s), sizeof(s) - 1, (line), (msg))

static void test_separators(void **state)
{
	p304_csv *c;

	(void)state;
	c = OK("code;nom;v\n01;Ain;5\n");
	assert_int_equal(p304_csv_delimiter(c), ';');
	assert_string_equal(p304_csv_cell(c, 0, 2), "5");
	p304_csv_free(c);
	c = OK("code,nom,v\n01,Ain,5\n");
	assert_int_equal(p304_csv_delimiter(c), ',');
	assert_string_equal(p304_csv_cell(c, 0, 1), "Ain");
	p304_csv_free(c);
	c = OK("code\tnom\tv\n01\tAin\t1 234\n");
	assert_int_equal(p304_csv_delimiter(c), '\t');
	assert_string_equal(p304_csv_cell(c, 0, 2), "1 234");
	p304_csv_free(c);
}

static void test_excel_quirks(void **state)
{
	p304_csv *c;

	(void)state;
	/* BOM, CRLF, quoted separator, blank rows, rows of separators,
	 * trailing empty columns, a quoted newline */
	c = OK("\xEF\xBB\xBF" "code;nom;v;;\r\n\"01\";\"Ain; x\";5;;\r\n\r\n;;;;\r\n"
	       "02;\"two\nlines\";6\r\n03;C;7;;\r\n");
	assert_int_equal(p304_csv_nrows(c), 3);
	assert_string_equal(p304_csv_header(c, 0), "code");
	assert_string_equal(p304_csv_cell(c, 0, 1), "Ain; x");
	assert_int_equal(p304_csv_line(c, 0), 2);
	assert_int_equal(p304_csv_line(c, 1), 5);
	assert_int_equal(p304_csv_line(c, 2), 7);
	assert_string_equal(p304_csv_cell(c, 1, 1), "two\nlines");
	assert_int_equal(p304_csv_find_column(c, "v"), 2);
	assert_int_equal(p304_csv_find_column(c, "w"), -1);
	p304_csv_free(c);
}

static void test_cp1252(void **state)
{
	p304_csv *c;

	(void)state;
	c = OK("code;nom\n49;Maine-et-Loire\n69M;M\xe9tropole de Lyon\n");
	assert_true(p304_csv_was_cp1252(c));
	assert_string_equal(p304_csv_cell(c, 1, 1), "M\xc3\xa9tropole de Lyon");
	p304_csv_free(c);
	c = OK("code;nom\n69M;M\xc3\xa9tropole de Lyon\n");
	assert_false(p304_csv_was_cp1252(c));
	p304_csv_free(c);
}

static void test_refusals(void **state)
{
	(void)state;
	BAD("", 0, "file is empty");
	BAD("\n\n;;\n", 0, "no header line");
	BAD("code;nom\n01;A\x00x\n", 2, "binary data");
	BAD("code;nom\n01;S\xc3\xa9ine\n02;S\xe9ine\n", 3, "mixed encodings: line 2 is UTF-8");
	BAD("code;nom\n01;A\x81\n", 2, "neither UTF-8 nor Windows-1252");
	BAD("code;v;v\n01;1;2\n", 1, "column 'v' appears twice (columns 2 and 3)");
	BAD("code;v\n01;1;7\n", 2, "row has 3 fields but the header has 2 columns");
	BAD("code;v\n01;\"1\n", 2, "ends inside a quoted field");
	BAD("code;v\n01;1\"2\"\n", 2, "malformed CSV");
}

static void test_long_field(void **state)
{
	char *text = malloc(20000);

	(void)state;
	strcpy(text, "code;v\n01;");
	memset(text + 10, '9', 10000);
	strcpy(text + 10010, "\n");
	load_bad(text, strlen(text), 2, "more than 4096");
	free(text);
}

static void test_missing_file(void **state)
{
	p304_csv *c;
	p304_error err;

	(void)state;
	assert_int_equal(p304_csv_load("/nonexistent/x.csv", &c, &err), P304_ERR_IO);
	assert_string_equal(err.message, "file not found (looked for /nonexistent/x.csv)");
	assert_int_equal(p304_csv_load("/tmp", &c, &err), P304_ERR_IO);
	assert_string_equal(err.message, "is a directory, expected a file");
}

/* The headers officers type, read as the documented column names. */
static void test_french_headers(void **state)
{
	static const struct { const char *header, *key; } keys[] = {
		{ "Code", "code" }, { "Département", "departement" },
		{ "Besoin exprimé (€)", "besoin_exprime" },
		{ "BESOIN EXPRIMÉ EN EUROS", "besoin_exprime" },
		{ "besoin_eur", "besoin" }, { "Besoins exprimés", "besoin_exprime" },
		{ "Montant délégué 2023", "delegue_2023" }, { "delegue_2023", "delegue_2023" },
		{ "Crédits délégués 2023 (EUR)", "delegue_2023" },
		{ "  Montant\xc2\xa0" "délégué\xc2\xa0" "2022  ", "delegue_2022" },
		{ "Date de réception", "date_de_reception" }, { "Montant (€)", "montant" },
		{ "N° département", "n_departement" }, { "€", "" },
	};
	static const struct { const char *csv, *name; long col; } finds[] = {
		{ "Code;Besoin exprimé (€)\n01;5\n", "besoin_eur", 1 },
		{ "Département;Besoin exprimé (€)\n01;5\n", "code", 0 },
		/* "Code" beats "Département" (a name column beside it) */
		{ "Département;Code;Besoin\n01;5;6\n", "code", 1 },
		{ "code;Montant délégué 2023;Montant délégué 2022\n01;5;6\n", "delegue_2022", 2 },
		{ "Code;Montant consommé (€)\n01;5\n", "consomme_eur", 1 },
		{ "Code;Date de réception;Besoin exprimé\n01;2025-01-01;5\n", "date_reception", 1 },
		{ "Code;Montant\n01;5\n", "besoin_eur", -1 },
		{ "Code;Besoin;Besoins\n01;5;6\n", "besoin_eur", -1 },
		/* the départements' Excel headers carry the year */
		{ "Code;Besoin exprimé 2026\n01;5\n", "besoin_eur", 1 },
		{ "Code;Nom;Besoin 2026 (€)\n01;Ain;5\n", "besoin_eur", 2 },
		{ "Code;Besoin 2025;Besoin 2026\n01;5;6\n", "besoin_eur", -1 },
		/* a scenario's own column keeps its year: 2021 is not 2023 */
		{ "Code;Montant délégué 2021\n01;5\n", "delegue_2023", -1 },
	};
	char key[128];

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		p304_header_key(keys[i].header, key, sizeof(key));
		if (strcmp(key, keys[i].key) != 0)
			fail_msg("'%s' gives '%s', expected '%s'", keys[i].header, key, keys[i].key);
	}
	for (size_t i = 0; i < sizeof(finds) / sizeof(finds[0]); i++) {
		p304_csv *csv = NULL;
		p304_error err = { 0 };

		assert_int_equal(p304_csv_parse("t.csv", finds[i].csv, strlen(finds[i].csv), &csv,
						&err), P304_OK);
		if (p304_csv_find_header_year(csv, finds[i].name, NULL, 0, &err) != finds[i].col)
			fail_msg("%s in '%s': %s", finds[i].name, finds[i].csv, err.message);
		p304_csv_free(csv);
	}
	{
		/* the hint names the header to rename, and the name to give it */
		const char *d = "Code;Nom;Montant\n01;Ain;5\n";
		p304_csv *csv = NULL;
		p304_error err = { 0 };

		assert_int_equal(p304_csv_parse("t.csv", d, strlen(d), &csv, &err), P304_OK);
		assert_int_equal(p304_csv_find_header(csv, "besoin_eur",
						      (const char *const[]){ "code", NULL }, &err), -1);
		assert_non_null(strstr(err.message,
			"rename the column 'Montant' to 'Besoin exprimé (€)' (also read as it: "
			"« Besoin », « Besoin exprimé », « Besoin exprimé 2026 »"));
		p304_csv_free(csv);
	}
	{
		/* the round's year known: the right year read, another one
		 * refused naming the year expected */
		const char *d = "Code;Besoin 2025;Besoin exprimé 2026\n01;5;6\n";
		p304_csv *csv = NULL;
		p304_error err = { 0 };

		assert_int_equal(p304_csv_parse("t.csv", d, strlen(d), &csv, &err), P304_OK);
		assert_int_equal(p304_csv_find_header_year(csv, "besoin_eur", NULL, 2026, &err), 2);
		assert_int_equal(p304_csv_find_header_year(csv, "besoin_eur", NULL, 2027, &err), -1);
		assert_non_null(strstr(err.message, "but the scenario is for 2027"));
		p304_csv_free(csv);
	}
}

/* The TOTAL row assistants add under the needs and caps: skipped when it is
 * the sum of the rows above (cents included), refused naming its line when
 * not, and no total row without a figure or with a real code. */
static void test_total_row(void **state)
{
	static const struct { const char *csv; int want; const char *msg; } cases[] = {
		{ "Code;Besoin\n01;1 000 000,50 €\n02;5\nTOTAL;1 000 005,50 €\n", 1, NULL },
		{ "Code;Besoin\n01;5\n02;6\n;11\n", 1, NULL },
		{ "Code;Nom;Besoin\n01;Ain;5\n02;Aisne;6\nTotal général;;11\n", 1, NULL },
		{ "Code;Besoin\n01;5\n02;6\n", 0, NULL },
		{ "Code;Besoin\n01;5\n02;6\n03;11\n", 0, NULL },
		{ "Code;Nom;Besoin\n01;Ain;5\n;Total;\n", 0, NULL },
		{ "Code;Besoin\n;5\n", 0, NULL },
		{ "Code;Besoin\n01;5\n02;6\nTOTAL;12\n", -1,
		  "the TOTAL row (line 4) is 12\u00a0€ but the rows above add up to 11\u00a0€" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p304_csv *csv = NULL;
		p304_error err = { 0 };
		char what[400] = "";
		long code, amount;

		assert_int_equal(p304_csv_parse("t.csv", cases[i].csv, strlen(cases[i].csv), &csv,
						&err), P304_OK);
		code = p304_csv_find_header(csv, "code", NULL, &err);
		amount = p304_csv_find_header(csv, "besoin_eur", NULL, &err);
		if (p304_csv_total_row(csv, code, &amount, 1, what, sizeof(what), &err) != cases[i].want)
			fail_msg("case %zu: expected %d (%s)", i, cases[i].want, err.message);
		if (cases[i].want == 1)
			assert_non_null(strstr(what, "TOTAL row skipped"));
		if (cases[i].msg)
			assert_non_null(strstr(err.message, cases[i].msg));
		p304_csv_free(csv);
	}
}

/* Issue 12: the duplicate-column check was pairwise (a million columns: more
 * than a minute). Now sorted: a full-width header loads at once, lookups
 * find the first column of a name, twins are reported as before. */
static void test_wide_header(void **state)
{
	size_t n = 16384, len = 0;
	char *text = malloc(n * 8 + 64), name[16];
	p304_csv *csv;

	(void)state;
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%sc%zu", i ? ";" : "", (n - i) * 7 % 100003);
	len += (size_t)sprintf(text + len, "\n");
	memcpy(text + len, "1\n", 3);
	len += 2;
	csv = load_ok(text, len);
	assert_int_equal(p304_csv_ncols(csv), n);
	for (size_t i = 0; i < n; i += 97) {
		snprintf(name, sizeof(name), "c%zu", (n - i) * 7 % 100003);
		assert_int_equal(p304_csv_find_column(csv, name), (long)i);
	}
	assert_int_equal(p304_csv_find_column(csv, "absent"), -1);
	p304_csv_free(csv);
	/* one field more than a spreadsheet holds */
	len = 0;
	for (size_t i = 0; i <= n; i++)
		len += (size_t)sprintf(text + len, "%sc%zu", i ? ";" : "", i);
	len += (size_t)sprintf(text + len, "\n1\n");
	load_bad(text, len, 1, "more than 16384 fields on this line");
	free(text);
	/* twins: the first column that has one, and its next twin */
	BAD("a;b;c;b;a;c\n1;2;3;4;5;6\n", 1, "column 'a' appears twice (columns 1 and 5)");
	BAD("x;b;c;b;a;c;b\n1;2;3;4;5;6;7\n", 1, "column 'b' appears twice (columns 2 and 4)");
	csv = OK("a;;;\n1;;;\n"); /* empty trailing headers are not twins */
	p304_csv_free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_excel_quirks),
		cmocka_unit_test(test_cp1252),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_long_field),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_french_headers),
		cmocka_unit_test(test_total_row),
		cmocka_unit_test(test_wide_header),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
