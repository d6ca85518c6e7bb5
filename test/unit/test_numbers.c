/*
 * test_numbers.c - number parsing and code normalisation, the forms Excel
 * writes in a French locale and the ones that must be refused.
 */
#include "testutil.h"

#include <p304/io.h>

static int64_t parse3(const char *s, int *ok, char *why)
{
	int64_t v = -1;

	*ok = p304_parse_decimal(s, strlen(s), 3, -1, &v, why, 256) == 0;
	return v;
}

static void accepts(const char *s, int64_t want)
{
	char why[256] = "";
	int ok;
	int64_t v = parse3(s, &ok, why);

	if (!ok)
		fail_msg("'%s' refused: %s", s, why);
	if (v != want)
		fail_msg("'%s' gave %lld, expected %lld", s, (long long)v, (long long)want);
}

static void refuses(const char *s, const char *reason)
{
	char why[256] = "";
	int ok;

	parse3(s, &ok, why);
	if (ok)
		fail_msg("'%s' accepted", s);
	if (!strstr(why, reason))
		fail_msg("'%s': reason '%s', expected '%s'", s, why, reason);
}

static void test_accepted_forms(void **state)
{
	(void)state;
	accepts("1234567", 1234567000);
	accepts("1 234 567", 1234567000);
	accepts("1\xC2\xA0" "234\xC2\xA0" "567", 1234567000);          /* U+00A0 */
	accepts("1\xE2\x80\xAF" "234\xE2\x80\xAF" "567", 1234567000);  /* U+202F */
	accepts("1234567,0", 1234567000);
	accepts("1234567.0", 1234567000);
	accepts("1 234 567,5", 1234567500);
	accepts("  42  ", 42000);
	accepts("0", 0);
	accepts("0,125", 125);
	accepts("12,5000", 12500);  /* trailing zeros beyond 3 decimals */
	accepts("007", 7000);
}

static void test_refused_forms(void **state)
{
	(void)state;
	refuses("", "is empty");
	refuses("   ", "is empty");
	refuses("-5", "is negative");
	refuses("-0", "is negative");
	refuses("12a", "is not a number");
	refuses("1e400", "is not a number");
	refuses("NaN", "is not a number");
	refuses("Infinity", "is not a number");
	refuses("+5", "is not a number");
	refuses("1 23 456", "thousands separator in the wrong place");
	refuses("12 34", "thousands separator in the wrong place");
	refuses("1234 567", "thousands separator in the wrong place");
	refuses("1,234,567", "could be misread");
	refuses("1.234.567", "could be misread");
	refuses("1,", "is not a number");
	refuses(",5", "is not a number");
	refuses("1,2345", "more than 3 decimals");
	refuses("99999999999999999999", "is too large");
	refuses("1 234 567 €", "is not a number");
}

static void test_whole_numbers_and_max(void **state)
{
	int64_t v;
	char why[96];

	(void)state;
	assert_int_equal(p304_parse_decimal("1 000", 5, 0, 5000, &v, why, sizeof(why)), 0);
	assert_true(v == 1000);
	assert_int_equal(p304_parse_decimal("1000,5", 6, 0, -1, &v, why, sizeof(why)), -1);
	assert_string_equal(why, "is not a whole number, expected no decimals");
	assert_int_equal(p304_parse_decimal("6000", 4, 0, 5000, &v, why, sizeof(why)), -1);
	assert_string_equal(why, "is too large, expected at most 5 000");
	/* the limit is stated in units, not in the scaled value */
	assert_int_equal(p304_parse_decimal("12,5", 4, 2, 1000, &v, why, sizeof(why)), -1);
	assert_string_equal(why, "is too large, expected at most 10");
	assert_int_equal(p304_parse_decimal("99999999999999999999", 20, 3, -1, &v, why,
					    sizeof(why)), -1);
	assert_string_equal(why, "is too large, expected at most 9 223 372 036 854 775");
	/* every refusal but a blank cell says what was expected */
	assert_int_equal(p304_parse_decimal("-1", 2, 0, -1, &v, why, sizeof(why)), -1);
	assert_string_equal(why, "is negative, expected 0 or more");
	assert_int_equal(p304_parse_decimal("1,2345", 6, 3, -1, &v, why, sizeof(why)), -1);
	assert_string_equal(why, "has more than 3 decimals, expected at most 3");
	assert_int_equal(p304_parse_decimal("12 34", 5, 0, -1, &v, why, sizeof(why)), -1);
	assert_non_null(strstr(why, ", expected groups of 3 digits (1 234 567)"));
	assert_int_equal(p304_parse_decimal("1e400", 5, 0, -1, &v, why, sizeof(why)), -1);
	assert_string_equal(why, "is not a number, expected digits such as 1234567 or 1 234 567");
}

/* One field read with flags; returns the value or -1 with the reason in why. */
static int64_t parse_f(const char *s, int dec, unsigned flags, char *why)
{
	int64_t v = -1;

	why[0] = '\0';
	if (p304_parse_number(s, strlen(s), dec, -1, flags, &v, why, 256) != 0)
		return -1;
	return v;
}

/* Issue 12: a lone '.' or ',' before exactly 3 digits is a thousands
 * separator to whoever typed it; never read as decimals in a whole field. */
static void test_thousands_lookalikes(void **state)
{
	char why[256];

	(void)state;
	/* whole-euro fields (needs, caps, consumption, plans) */
	assert_true(parse_f("250.000", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "is ambiguous: the '.' before 3 digits may separate thousands (250 000) or decimals (250)"));
	assert_non_null(strstr(why, "1 500 000,00 \xE2\x82\xAC"));
	assert_true(parse_f("1.000", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "thousands (1 000)"));
	assert_true(parse_f("700,000", 0, 0, why) == -1);
	assert_non_null(strstr(why, "expected 1234567 or 1 234 567"));
	assert_true(parse_f("1 500.000", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "(1 500 000)"));
	assert_true(parse_f("1.500.000", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "could be misread"));
	assert_true(parse_f("1,500,000.00", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "could be misread"));
	assert_true(parse_f("1.500,00", 0, P304_NUM_EUR, why) == -1);
	/* cents: two digits, zero only */
	assert_true(parse_f("250,00", 0, 0, why) == 250);
	assert_true(parse_f("250.0", 0, 0, why) == 250);
	assert_true(parse_f("250,50", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "is not a whole number"));
	/* counts among criteria: ambiguous when it could be a first group */
	assert_true(parse_f("700.000", 3, P304_NUM_COUNT, why) == -1);
	assert_non_null(strstr(why, "write 700 000 for thousands, 700,0 for a decimal number"));
	assert_true(parse_f("1,450", 3, P304_NUM_COUNT, why) == -1);
	assert_non_null(strstr(why, "write 1 450 for thousands, 1,45 for a decimal number"));
	assert_true(parse_f("1,455", 3, P304_NUM_COUNT, why) == -1);
	assert_non_null(strstr(why, "1,4550 for a decimal number"));
	assert_true(parse_f("1,4550", 3, P304_NUM_COUNT, why) == 1455);
	assert_true(parse_f("0,450", 3, P304_NUM_COUNT, why) == 450);
	assert_true(parse_f("1234,567", 3, P304_NUM_COUNT, why) == 1234567);
	assert_true(parse_f("1 234,567", 3, P304_NUM_COUNT, why) == 1234567);
	assert_true(parse_f("14,5", 3, P304_NUM_COUNT, why) == 14500);
	assert_true(parse_f("14,52", 3, P304_NUM_COUNT, why) == 14520);
	/* rates and percentages keep their 3 decimals */
	assert_true(parse_f("1,450", 3, 0, why) == 1450);
	assert_true(parse_f("12.125", 3, 0, why) == 12125);
}

/* Issue 13: amounts as French Excel writes them. */
static void test_excel_amounts(void **state)
{
	char why[256];

	(void)state;
	assert_true(parse_f("1 500 000,00 \xE2\x82\xAC", 0, P304_NUM_EUR, why) == 1500000);
	assert_true(parse_f("1\xC2\xA0" "500\xC2\xA0" "000,00\xC2\xA0\xE2\x82\xAC", 0, P304_NUM_EUR, why) == 1500000);
	assert_true(parse_f("1 500 000 \xE2\x82\xAC", 0, P304_NUM_EUR, why) == 1500000);
	assert_true(parse_f("1500000 EUR", 0, P304_NUM_EUR, why) == 1500000);
	assert_true(parse_f("1500000eur", 0, P304_NUM_EUR, why) == 1500000);
	assert_true(parse_f("1500000 euros", 0, P304_NUM_EUR, why) == 1500000);
	assert_true(parse_f("\xE2\x82\xAC", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "is not a number"));
	assert_true(parse_f("1 500 000,50 \xE2\x82\xAC", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "cents must be 00"));
	assert_true(parse_f("-5 \xE2\x82\xAC", 0, P304_NUM_EUR, why) == -1);
	assert_non_null(strstr(why, "is negative"));
	/* the currency is for amounts only: a count with € is not a number */
	assert_true(parse_f("1500 \xE2\x82\xAC", 0, 0, why) == -1);
	assert_non_null(strstr(why, "is not a number"));
	assert_true(parse_f("1500 \xE2\x82\xAC \xE2\x82\xAC", 0, P304_NUM_EUR, why) == -1);
}

static void test_codes(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(p304_normalize_code("1", 1, out, sizeof(out)), 0);
	assert_string_equal(out, "01");
	assert_int_equal(p304_normalize_code(" 2a ", 4, out, sizeof(out)), 0);
	assert_string_equal(out, "2A");
	assert_int_equal(p304_normalize_code("971", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "971");
	assert_int_equal(p304_normalize_code("69m", 3, out, sizeof(out)), 0);
	assert_string_equal(out, "69M");
	assert_int_equal(p304_normalize_code("", 0, out, sizeof(out)), -1);
	assert_int_equal(p304_normalize_code("4 9", 3, out, sizeof(out)), -1);
	assert_int_equal(p304_normalize_code("49.0", 4, out, sizeof(out)), -1);
	assert_int_equal(p304_normalize_code("ABCDEFGHIJKLMNOPQRST", 20, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_refused_forms),
		cmocka_unit_test(test_whole_numbers_and_max),
		cmocka_unit_test(test_thousands_lookalikes),
		cmocka_unit_test(test_excel_amounts),
		cmocka_unit_test(test_codes),
	};

	return cmocka_run_group_tests_name("numbers", tests, NULL, NULL);
}
