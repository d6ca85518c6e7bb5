/*
 * writeutil.c - the small pieces every writer of p304 uses.
 */
#include "format/writeutil.h"

#include <csv.h>
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

int wu_field(FILE *fp, const char *s, int first)
{
	if (!first && fputc(';', fp) == EOF)
		return -1;
	return csv_fwrite2(fp, s, strlen(s), '"');
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
