/*
 * result_read.c - a result file of p304 read back. A colleague may have
 * edited it in a text editor: compare summed a code written twice (2 and
 * 02) and carried Windows-1252 text into comparaison.xlsx (issue 19). What
 * the CSV readers refuse is refused here too.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/fileutil.h"
#include "gettext.h"
#include "workflow/result_read.h"

/* 1234567 -> "1 234 567", as the other messages write euros. */
static const char *eur(char *buf, size_t size, int64_t v)
{
	return p304_format_eur(buf, size, v, " ", "");
}

int p304_result_looks_like(const char *text, size_t len)
{
	cJSON *root = strnlen(text, len) == len ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;
	int yes = cJSON_IsObject(root) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "rows")) &&
		  !cJSON_GetObjectItemCaseSensitive(root, "data");

	cJSON_Delete(root);
	return yes;
}

void p304_result_rows_free(struct p304_result_rows *r)
{
	if (!r)
		return;
	cJSON_Delete(r->root);
	free(r->auth);
	free(r->amount);
	free(r->status);
	memset(r, 0, sizeof(*r));
}

static p304_code check_text(const char *path, const char *text, size_t len, p304_error *err)
{
	long line;
	unsigned byte;

	if (strnlen(text, len) != len)
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
				      _("binary data (a NUL byte), expected JSON text"));
	if (p304_utf8_check(text, len, &line, &byte) != 0)
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("byte 0x%02X is not UTF-8 text: a result of p304 is UTF-8; it was saved "
			  "in another encoding, expected the file as p304 wrote it"), byte);
	return P304_OK;
}

static p304_code read_row(const char *path, struct p304_result_rows *r, const cJSON *it,
			  const p304_reference *ref, p304_error *err)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
	const cJSON *amt = cJSON_GetObjectItemCaseSensitive(it, r->field);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(it, "status");
	size_t k = r->n + 1;
	const p304_authority *a;

	if (!cJSON_IsString(code) || !cJSON_IsNumber(amt) || !isfinite(amt->valuedouble) ||
	    amt->valuedouble < 0 || amt->valuedouble > (double)P304_MAX_EUR ||
	    amt->valuedouble != floor(amt->valuedouble))
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("row %zu: expected \"code\" and a whole \"%s\""), k, r->field);
	if (!(a = p304_reference_find(ref, code->valuestring)))
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("row %zu: code '%s' is not in the reference list"), k, code->valuestring);
	for (size_t i = 0; i < r->n; i++)
		if (r->auth[i] == a)
			return p304_error_set(err, P304_ERR_INPUT, path, 0,
				_("duplicate code '%s' (rows %zu and %zu)"), a->code, i + 1, k);
	r->auth[r->n] = a;
	r->amount[r->n] = (int64_t)amt->valuedouble;
	r->status[r->n] = cJSON_IsString(st) ? st->valuestring : NULL;
	r->n++;
	return P304_OK;
}

/* The rows must add up to the total the file states: a row deleted or
 * changed by hand would otherwise pass unseen. */
static p304_code check_total(const char *path, struct p304_result_rows *r, p304_error *err)
{
	const char *key = strcmp(r->field, "notified_eur") ? "allocated_eur" : "notified_eur";
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->root, key);
	int64_t sum = 0;
	char b1[32], b2[32];

	if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || t->valuedouble < 0 ||
	    t->valuedouble > (double)P304_MAX_EUR || t->valuedouble != floor(t->valuedouble))
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("no whole \"%s\" (the total of the rows), expected the file as p304 wrote it"),
			key);
	r->total = (int64_t)t->valuedouble;
	for (size_t i = 0; i < r->n; i++)
		if (__builtin_add_overflow(sum, r->amount[i], &sum))
			sum = INT64_MAX;
	if (sum != r->total)
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("the rows add up to %s € but \"%s\" is %s €: the file was edited, expected "
			  "rows that add up to its total"),
			eur(b1, sizeof(b1), sum), key, eur(b2, sizeof(b2), r->total));
	return P304_OK;
}

p304_code p304_result_rows_read(const char *path, const char *text, size_t len,
				const p304_reference *ref, struct p304_result_rows *out,
				p304_error *err)
{
	const cJSON *rows, *it, *id;
	size_t n;
	p304_code rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_text(path, text, len, err)) != P304_OK)
		return rc;
	out->root = cJSON_ParseWithOpts(text, NULL, 1);
	rows = cJSON_GetObjectItemCaseSensitive(out->root, "rows");
	if (!cJSON_IsObject(out->root) || !cJSON_IsArray(rows)) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("not a p304 result (expected JSON with \"rows\": notification.json or repartition.json)"));
		goto fail;
	}
	id = cJSON_GetObjectItemCaseSensitive(out->root, "id");
	if (cJSON_IsString(id) && !p304_id_valid(id->valuestring)) {
		/* the id names an output folder (compare-A-vs-B, ID-avenant) */
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("\"id\" '%s' must be letters, digits, '.', '_' or '-' (it names the output folder)"),
			id->valuestring);
		goto fail;
	}
	if ((rc = p304_json_text_check(path, text, len, out->root, err)) != P304_OK)
		goto fail;
	n = (size_t)cJSON_GetArraySize(rows);
	if (n > 10000) {
		/* a reference list has a few hundred authorities */
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("%zu rows, expected at most one per authority of the reference list"), n);
		goto fail;
	}
	out->field = rows->child && cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur")
		? "notified_eur" : "amount_eur";
	out->auth = calloc(n ? n : 1, sizeof(*out->auth));
	out->amount = calloc(n ? n : 1, sizeof(*out->amount));
	out->status = calloc(n ? n : 1, sizeof(*out->status));
	if (!out->auth || !out->amount || !out->status) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto fail;
	}
	cJSON_ArrayForEach(it, rows)
		if ((rc = read_row(path, out, it, ref, err)) != P304_OK)
			goto fail;
	if ((rc = check_total(path, out, err)) != P304_OK)
		goto fail;
	return P304_OK;
fail:
	p304_result_rows_free(out);
	return rc;
}
