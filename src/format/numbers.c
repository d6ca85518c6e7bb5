/*
 * numbers.c - strict parsing of numbers and codes as Excel exports them in a
 * French locale. No strtod, no locale: every accepted form is listed in
 * docs/formats.md and everything else is refused with a reason.
 */
#include <p304/format.h>

#include <stdio.h>
#include <string.h>
#include "gettext.h"

#include "gettext.h"

/* Length of a "space" at s (ASCII space or tab, U+00A0, U+202F), or 0. */
static size_t space_len(const char *s, size_t left)
{
	const unsigned char *u = (const unsigned char *)s;

	if (left >= 1 && (u[0] == ' ' || u[0] == '\t'))
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xAF)
		return 3;
	return 0;
}

static void trim(const char **s, size_t *len)
{
	size_t n;

	while (*len > 0 && (n = space_len(*s, *len)) > 0) {
		*s += n;
		*len -= n;
	}
	for (;;) {
		size_t cut = 0;

		if (*len >= 1 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
			cut = 1;
		else if (*len >= 2 && space_len(*s + *len - 2, 2) == 2)
			cut = 2;
		else if (*len >= 3 && space_len(*s + *len - 3, 3) == 3)
			cut = 3;
		if (!cut)
			break;
		*len -= cut;
	}
}

static int fail(char *why, size_t size, const char *reason)
{
	if (why && size)
		snprintf(why, size, "%s", reason);
	return -1;
}

/* The forms a field accepts, for the messages ("1500000 or 1 500 000"). */
static const char *accepted_forms(int max_decimals, unsigned flags)
{
	if (flags & P304_NUM_EUR)
		return _("1500000, 1 500 000, 1 500 000,00 \xE2\x82\xAC or 1500000 EUR");
	if (max_decimals > 0)
		return _("1234567, 1 234 567 or 1234,5");
	return _("1234567 or 1 234 567");
}

/* Every reason says what was expected too (the rule for messages: what is
 * wrong, what was expected); "is empty" stays bare, callers test for it
 * (translated: compare with _("is empty")). In French each reason is a
 * predicate that agrees with any subject ("la valeur", "le montant"). */
static int not_a_number(char *why, size_t size, int max_decimals, unsigned flags)
{
	if (why && size)
		snprintf(why, size, _("is not a number, expected digits such as %s"),
			 accepted_forms(max_decimals, flags));
	return -1;
}

static int misplaced_separator(char *why, size_t size)
{
	return fail(why, size, _("has a thousands separator in the wrong place, "
		    "expected groups of 3 digits (1 234 567)"));
}

/* "at most 5 000" from the scaled maximum (-1: what 64 bits hold). */
static int too_large(char *why, size_t size, int max_decimals, int64_t max_scaled)
{
	char grouped[40];

	if (max_scaled < 0)
		max_scaled = INT64_MAX;
	for (int d = 0; d < max_decimals; d++)
		max_scaled /= 10;
	p304_format_eur(grouped, sizeof(grouped), max_scaled, " ", "");
	if (why && size)
		snprintf(why, size, _("is too large, expected at most %s"), grouped);
	return -1;
}

/* Strips a trailing "€", "EUR" or "euros" (any case) and the spaces before it. */
static void strip_currency(const char *s, size_t *len)
{
	static const char *const SUFFIX[] = { "\xE2\x82\xAC", "EUR", "EUROS" };

	for (size_t k = 0; k < sizeof(SUFFIX) / sizeof(SUFFIX[0]); k++) {
		size_t n = strlen(SUFFIX[k]), i;

		if (*len < n)
			continue;
		for (i = 0; i < n; i++) {
			char c = s[*len - n + i];

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c != SUFFIX[k][i])
				break;
		}
		/* "EUR" must not be the tail of a word ("1500000EUR" is fine). */
		if (i == n) {
			*len -= n;
			trim(&s, len);
			return;
		}
	}
}

/*
 * "1.500.000", "1,500,000.00", "1.500,00": more than one '.' or ',' in what
 * is otherwise digits and spaces. Thousands written with '.' or ',' are read
 * differently by different spreadsheets, so the value is refused with the
 * forms that cannot be misread.
 */
static int several_marks(const char *s, size_t len)
{
	size_t marks = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' || s[i] == ',')
			marks++;
		else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != ' ')
			return 0;
	}
	return marks >= 2;
}

/* The digits of s[0, len) grouped by three with spaces: "250.000" -> "250 000". */
static void thousands_reading(const char *s, size_t len, char *out, size_t size)
{
	char digits[40];
	size_t n = 0, o = 0;

	for (size_t i = 0; i < len && n + 1 < sizeof(digits); i++)
		if (s[i] >= '0' && s[i] <= '9')
			digits[n++] = s[i];
	for (size_t i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ' ';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

int p304_parse_number(const char *s, size_t len, int max_decimals,
		      int64_t max_scaled, unsigned flags, int64_t *out,
		      char *why, size_t why_size)
{
	size_t i = 0, group = 0, ngroups = 0, ndigits = 0, int_digits;
	int64_t v = 0;
	int decimals = 0, separated = 0;

	trim(&s, &len);
	if (len == 0)
		return fail(why, why_size, _("is empty"));
	if (flags & P304_NUM_EUR)
		strip_currency(s, &len);
	if (len == 0)
		return not_a_number(why, why_size, max_decimals, flags);
	if (s[0] == '-')
		return fail(why, why_size, _("is negative, expected 0 or more"));
	if (several_marks(s, len)) {
		if (why && why_size)
			snprintf(why, why_size, _("could be misread: '.' and ',' between thousands "
				 "are read differently by different spreadsheets, expected %s"),
				 accepted_forms(max_decimals, flags));
		return -1;
	}
	/* Integer part: groups of digits, separated by single spaces. */
	while (i < len) {
		size_t sp;

		if (s[i] >= '0' && s[i] <= '9') {
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, s[i] - '0', &v))
				return too_large(why, why_size, max_decimals, max_scaled);
			group++;
			ndigits++;
			i++;
			continue;
		}
		sp = space_len(s + i, len - i);
		/* A space not followed by a digit ends the number ("40000 €"):
		 * what follows is trailing text, not a misplaced separator. */
		if (sp == 0 || group == 0 || i + sp >= len || s[i + sp] < '0' || s[i + sp] > '9')
			break;
		/* A thousands separator: the group before it must be 1-3 digits
		 * (first group) or exactly 3 (later groups). */
		if ((ngroups == 0 && group > 3) || (ngroups > 0 && group != 3))
			return misplaced_separator(why, why_size);
		ngroups++;
		separated = 1;
		group = 0;
		i += sp;
	}
	if (ndigits == 0 || (separated && group == 0))
		return not_a_number(why, why_size, max_decimals, flags);
	if (separated && group != 3)
		return misplaced_separator(why, why_size);
	int_digits = ndigits;
	if (i < len && (s[i] == ',' || s[i] == '.')) {
		char mark = s[i];
		size_t start = ++i, nfrac;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		nfrac = i - start;
		if (nfrac == 0 || i < len)
			return not_a_number(why, why_size, max_decimals, flags);
		/*
		 * One mark followed by exactly 3 digits: "250.000" is 250 000 to
		 * whoever wrote it with a thousands point and 250 to a parser.
		 * Never a decimal in a whole-number field (cents take 2 digits);
		 * in a decimal field flagged P304_NUM_COUNT ambiguous when the
		 * integer part could be a first group of thousands (1-3 digits,
		 * not a lone 0, no space groups).
		 */
		if (nfrac == 3 && (max_decimals == 0 ||
				   ((flags & P304_NUM_COUNT) && !separated && int_digits <= 3 &&
				    !(int_digits == 1 && s[0] == '0')))) {
			char whole[48], dec[48];
			const char *f = s + start;

			thousands_reading(s, start + 3, whole, sizeof(whole));
			if (max_decimals == 0) {
				if (why && why_size)
					snprintf(why, why_size, _("is ambiguous: the '%c' before 3 digits "
						 "may separate thousands (%s) or decimals (%.*s), expected "
						 "%s"), mark, whole, (int)(start - 1), s,
						 accepted_forms(max_decimals, flags));
				return -1;
			}
			if (f[2] == '0')
				snprintf(dec, sizeof(dec), "%.*s,%.*s", (int)int_digits, s,
					 f[1] == '0' ? 1 : 2, f);
			else
				snprintf(dec, sizeof(dec), "%.*s,%.3s0", (int)int_digits, s, f);
			if (why && why_size)
				snprintf(why, why_size, _("is ambiguous: the '%c' before 3 digits "
					 "may separate thousands or decimals; write %s for thousands, "
					 "%s for a decimal number"), mark, whole, dec);
			return -1;
		}
		for (size_t k = start; k < i; k++) {
			if (decimals < max_decimals) {
				if (__builtin_mul_overflow(v, 10, &v) ||
				    __builtin_add_overflow(v, s[k] - '0', &v))
					return too_large(why, why_size, max_decimals, max_scaled);
				decimals++;
			} else if (s[k] != '0') {
				char buf[128];

				if (max_decimals == 0 && (flags & P304_NUM_EUR))
					return fail(why, why_size, _("is not a whole number, expected no decimals "
						    "(cents must be 00: 1 500 000,00 \xE2\x82\xAC)"));
				if (max_decimals == 0)
					return fail(why, why_size, _("is not a whole number, expected no decimals"));
				snprintf(buf, sizeof(buf), Q_("has more than %d decimal, expected at most %d",
							      "has more than %d decimals, expected at most %d",
							      max_decimals), max_decimals, max_decimals);
				return fail(why, why_size, buf);
			}
		}
	}
	if (i < len)
		return not_a_number(why, why_size, max_decimals, flags);
	for (int d = decimals; d < max_decimals; d++) {
		if (__builtin_mul_overflow(v, 10, &v))
			return too_large(why, why_size, max_decimals, max_scaled);
	}
	if (max_scaled >= 0 && v > max_scaled)
		return too_large(why, why_size, max_decimals, max_scaled);
	*out = v;
	return 0;
}

int p304_parse_decimal(const char *s, size_t len, int max_decimals,
		       int64_t max_scaled, int64_t *out, char *why,
		       size_t why_size)
{
	return p304_parse_number(s, len, max_decimals, max_scaled, 0, out, why, why_size);
}

int p304_normalize_code(const char *s, size_t len, char *out, size_t out_size)
{
	size_t o = 0;
	int all_digits = 1;

	trim(&s, &len);
	if (len == 0 || len + 2 > out_size)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return -1;
		if (c < '0' || c > '9')
			all_digits = 0;
		out[o++] = c;
	}
	out[o] = '\0';
	/* Excel turns "01" into 1: put the zero back. */
	if (all_digits && o == 1) {
		out[1] = out[0];
		out[0] = '0';
		out[2] = '\0';
	}
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* 2025-06-30 (ISO, what JSON and most exports write) or 30/06/2025 (French
 * Excel). Anything else, or an impossible date, is -1. */
long p304_parse_date(const char *s)
{
	int y, m, d, n = 0;
	size_t len;

	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 &&
	    s[4] == '-' && s[7] == '-') {
		/* parsed */
	} else if (len == 10 && sscanf(s, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && n == 10 &&
		   s[2] == '/' && s[5] == '/') {
		/* parsed */
	} else {
		return -1;
	}
	for (size_t i = 0; i < 10; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '/'))
			return -1;
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	return (long)y * 10000 + m * 100 + d;
}
