/*
 * writeutil.c - the small pieces every writer of p304 uses.
 */
#include "format/writeutil.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include "gettext.h"

cJSON *wu_int(int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return cJSON_CreateRaw(buf);
}

cJSON *wu_eur_or_null(int64_t v)
{
	return v == P304_NO_BOUND ? cJSON_CreateNull() : wu_int(v);
}

p304_code wu_print_json(cJSON *root, FILE *fp, p304_error *err)
{
	char *text;
	int ok;

	if (!root)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	ok = fputs(text, fp) >= 0 && fputc('\n', fp) != EOF;
	cJSON_free(text);
	return ok ? P304_OK : p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
}

/* A number as the writers print it: an optional '-', digits, at most one
 * decimal separator (',' or '.') followed by digits. Excel reads it as a
 * number, never as a formula. */
static int plain_number(const char *s)
{
	const char *p = s + (*s == '-');
	size_t digits = strspn(p, "0123456789");

	if (digits == 0)
		return 0;
	p += digits;
	if (*p == ',' || *p == '.') {
		digits = strspn(p + 1, "0123456789");
		if (digits == 0)
			return 0;
		p += 1 + digits;
	}
	return *p == '\0';
}

int wu_text_is_formula(const char *s)
{
	return strchr("=+-@\t\r", s[0]) && s[0] && !plain_number(s);
}

int wu_field(FILE *fp, const char *s, int first)
{
	int rc;
	char *guarded;
	size_t len = strlen(s);

	if (!first && fputc(';', fp) == EOF)
		return -1;
	if (!wu_text_is_formula(s))
		return csv_fwrite2(fp, s, len, '"');
	/* CSV formula injection (OWASP): a text such as =HYPERLINK(...),
	 * +cmd|..., -2+3 or @SUM(...) taken from a table would be evaluated
	 * by Excel; a leading apostrophe makes it a text */
	if (!(guarded = malloc(len + 2)))
		return -1;
	guarded[0] = '\'';
	memcpy(guarded + 1, s, len + 1);
	rc = csv_fwrite2(fp, guarded, len + 1, '"');
	free(guarded);
	return rc;
}

int wu_row(FILE *fp, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (wu_field(fp, fields[i], i == 0) != 0)
			return -1;
	return fputs("\r\n", fp) < 0 ? -1 : 0;
}

cJSON *wu_criteria(const p304_scenario *sc, char *const *sources)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t k = 0; arr && k < sc->ncriteria; k++) {
		cJSON *c = cJSON_CreateObject();
		char w[32];

		if (!c || !cJSON_AddItemToArray(arr, c))
			break;
		cJSON_AddStringToObject(c, "column", sc->criteria[k].column);
		snprintf(w, sizeof(w), "%.6g", sc->criteria[k].weight_pct);
		cJSON_AddItemToObject(c, "weight_pct", cJSON_CreateRaw(w));
		if (sources && sources[k])
			cJSON_AddStringToObject(c, "source", sources[k]);
		else
			cJSON_AddNullToObject(c, "source");
	}
	return arr;
}
