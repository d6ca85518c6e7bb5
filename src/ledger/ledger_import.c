/*
 * ledger_import.c - what enters the ledger: p304's own result sets (named by
 * their folder, checked against their manifest first) and the officer's
 * tables of delegated and consumed amounts, read exactly as the needs file
 * is (src/format: csv_read.c, headers.c, numbers.c) with the same refusals.
 * Everything is checked before the one transaction that writes.
 */
#include "ledger_priv.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/fileutil.h"
#include "format/headers.h"

static p304_code load_json(const char *path, cJSON **out, p304_error *err)
{
	char *text;
	size_t len;
	p304_code rc = p304_read_file(path, &text, &len, err);

	if (rc != P304_OK)
		return rc;
	*out = cJSON_ParseWithLength(text, len);
	free(text);
	if (!*out || !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
				      _("not a JSON file written by p304"));
	}
	return P304_OK;
}

/* Every input of the manifest still has the SHA-256 it had when the set was
 * computed: a set whose inputs changed since is not what they say. */
static p304_code check_manifest(const char *dir, const char *main_name, p304_error *err)
{
	char path[4096];
	cJSON *m = NULL, *files, *inputs, *in;
	int listed = 0;
	p304_code rc;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((rc = load_json(path, &m, err)) != P304_OK)
		return rc;
	files = cJSON_GetObjectItemCaseSensitive(m, "files");
	inputs = cJSON_GetObjectItemCaseSensitive(m, "inputs");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "tool")) ||
	    strcmp(cJSON_GetObjectItemCaseSensitive(m, "tool")->valuestring, "p304") != 0 ||
	    !cJSON_IsArray(inputs)) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0, _("not a manifest of p304"));
		goto out;
	}
	cJSON_ArrayForEach(in, files)
		listed |= cJSON_IsString(in) && strcmp(in->valuestring, main_name) == 0;
	if (!listed) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
				    _("the manifest does not list '%s'"), main_name);
		goto out;
	}
	cJSON_ArrayForEach(in, inputs) {
		cJSON *res = cJSON_GetObjectItemCaseSensitive(in, "resolved");
		cJSON *sha = cJSON_GetObjectItemCaseSensitive(in, "sha256");
		cJSON *role = cJSON_GetObjectItemCaseSensitive(in, "role");
		cJSON *as = cJSON_GetObjectItemCaseSensitive(in, "path");
		char now[65];
		p304_error e2;

		if (!cJSON_IsString(res) || !cJSON_IsString(sha) || !cJSON_IsString(role)) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, 0, _("not a manifest of p304"));
			goto out;
		}
		/* a ledger grows after the set is computed from it (recording
		 * the set itself adds to it): its SHA-256 then says which state
		 * was read, it cannot be checked again */
		if (strcmp(role->valuestring, "ledger") == 0)
			continue;
		if (p304_sha256_file(res->valuestring, now, &e2) != P304_OK ||
		    strcmp(now, sha->valuestring) != 0) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
				_("input '%s' (%s) is missing or changed since the set was computed: "
				  "recompute the set (p304 verify says what differs)"),
				role->valuestring, cJSON_IsString(as) ? as->valuestring : res->valuestring);
			goto out;
		}
	}
	rc = P304_OK;
out:
	cJSON_Delete(m);
	return rc;
}

/* The amounts of each row of a result file: field → stage of year + dy. */
struct field_map {
	const char *main, *field;
	p304_stage stage;
	int dy;
	const char *total; /* the file's own total of the field */
};

static const struct field_map MAPS[] = {
	{ "notification.json", "need_eur", P304_STAGE_NEED, 0, "needs_eur" },
	{ "notification.json", "notified_eur", P304_STAGE_NOTIFIED, 0, "notified_eur" },
	{ "avenant.json", "next_eur", P304_STAGE_AVENANT, 1, "next_eur" },
	{ "repartition.json", "amount_eur", P304_STAGE_PRENOTIFIED, 0, "allocated_eur" },
};
#define NMAPS (sizeof(MAPS) / sizeof(MAPS[0]))

/* Each field's rows add up to the total the file states: p304 writes them
 * so, and the manifest holds no SHA-256 of its outputs, so an amount changed
 * by hand in the result file after p304 wrote it (the set "whose files
 * changed after the manifest") was recorded as p304's own result. */
static p304_code check_totals(cJSON *root, const char *path, const char *main_name,
			      const p304_ledger_item *items, size_t n, p304_error *err)
{
	for (size_t m = 0; m < NMAPS; m++) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, MAPS[m].total);
		int64_t sum = 0;
		char stated[48] = "?";

		if (strcmp(MAPS[m].main, main_name) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			if (items[k].stage == MAPS[m].stage)
				sum += items[k].amount_eur;
		if (cJSON_IsNumber(t) && t->valuedouble == (double)sum)
			continue;
		if (cJSON_IsNumber(t))
			snprintf(stated, sizeof(stated), "%.17g", t->valuedouble);
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("the rows' '%s' add up to %lld but the file states '%s' = %s: the file "
			  "was changed after p304 wrote it; recompute the set"),
			MAPS[m].field, (long long)sum, MAPS[m].total, stated);
	}
	return P304_OK;
}

static p304_code set_items(cJSON *root, const char *path, const char *main_name, int year,
			   p304_ledger_item **items, size_t *n, p304_error *err)
{
	cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r;
	size_t cap = (size_t)cJSON_GetArraySize(rows) * 2 + 1, rank = 0;

	*n = 0;
	if (!cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, path, 0, _("not a JSON file written by p304"));
	if (!(*items = calloc(cap, sizeof(**items))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_ArrayForEach(r, rows) {
		cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");

		rank++;
		for (size_t m = 0; m < NMAPS; m++) {
			cJSON *v;
			p304_ledger_item *it;

			if (strcmp(MAPS[m].main, main_name) != 0)
				continue;
			v = cJSON_GetObjectItemCaseSensitive(r, MAPS[m].field);
			if (cJSON_IsNull(v))
				continue; /* no need expressed: nothing to record */
			if (!cJSON_IsString(code) || !cJSON_IsNumber(v) || v->valuedouble < 0 ||
			    v->valuedouble > (double)P304_MAX_EUR ||
			    v->valuedouble != (double)(int64_t)v->valuedouble || *n == cap)
				return p304_error_set(err, P304_ERR_INPUT, path, (long)rank,
					_("row %zu: no code or no whole amount '%s'"), rank,
					MAPS[m].field);
			it = &(*items)[(*n)++];
			if (p304_normalize_code(code->valuestring, strlen(code->valuestring), it->code,
						sizeof(it->code)) != 0)
				return p304_error_set(err, P304_ERR_INPUT, path, (long)rank,
					_("row %zu: no code or no whole amount '%s'"), rank,
					MAPS[m].field);
			it->year = year + MAPS[m].dy;
			it->stage = MAPS[m].stage;
			it->amount_eur = (int64_t)v->valuedouble;
			it->line = (long)rank;
		}
	}
	return P304_OK;
}

/* A result already read (from its folder or from the server) appended as one
 * set; its key is the SHA-256 of its bytes, so the same result recorded from
 * its folder and from the server is one set. */
static p304_code record_parsed(p304_ledger *lg, cJSON *root, const char *file,
			       const char *main_name, int year, const char *sha,
			       const char *comment, p304_ledger_outcome *out, p304_error *err)
{
	p304_ledger_item *items = NULL;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
	char key[80];
	size_t n = 0;
	p304_code rc = set_items(root, file, main_name, year, &items, &n, err);

	if (rc == P304_OK)
		rc = check_totals(root, file, main_name, items, n, err);
	if (rc == P304_OK && n == 0)
		rc = p304_error_set(err, P304_ERR_INPUT, file, 0, _("no amount to record"));
	if (rc == P304_OK) {
		p304_ledger_source src = {
			.kind = "record", .file = file, .sha256 = sha,
			.scenario = cJSON_IsString(id) ? id->valuestring : NULL,
			.set_key = key, .comment = comment,
		};

		snprintf(key, sizeof(key), "set:%s", sha);
		rc = p304_ledger_append(lg, &src, items, n, out, err);
	}
	free(items);
	return rc;
}

p304_code p304_ledger_record_set(p304_ledger *lg, const char *dir, int year,
				 const char *comment, p304_ledger_outcome *out,
				 p304_error *err)
{
	static const char *const MAINS[] = { "notification.json", "avenant.json",
					     "repartition.json" };
	const char *main_name = NULL;
	char path[4096], sha[65];
	cJSON *root = NULL;
	p304_code rc;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < 3 && !main_name; k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, MAINS[k]);
		if (access(path, F_OK) == 0)
			main_name = MAINS[k];
	}
	if (!main_name)
		return p304_error_set(err, P304_ERR_INPUT, dir, 0,
			_("not a result set of p304 (no notification.json, avenant.json or "
			  "repartition.json)"));
	if ((rc = check_manifest(dir, main_name, err)) == P304_OK &&
	    (rc = p304_sha256_file(path, sha, err)) == P304_OK &&
	    (rc = load_json(path, &root, err)) == P304_OK)
		rc = record_parsed(lg, root, path, main_name, year, sha, comment, out, err);
	cJSON_Delete(root);
	return rc;
}

p304_code p304_ledger_record_text(p304_ledger *lg, const char *main_name, const char *text,
				  size_t len, int year, const char *label, const char *comment,
				  p304_ledger_outcome *out, p304_error *err)
{
	char sha[65];
	cJSON *root = NULL;
	p304_code rc;

	memset(out, 0, sizeof(*out));
	if ((rc = p304_sha256_buffer(text, len, sha, err)) != P304_OK)
		return rc;
	root = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(root))
		rc = p304_error_set(err, P304_ERR_INPUT, label, 0, _("not a JSON file written by p304"));
	else
		rc = record_parsed(lg, root, label, main_name, year, sha, comment, out, err);
	cJSON_Delete(root);
	return rc;
}

/* The amount column of a delegation or consumption table: its machine name,
 * else « délégué 2024 » for the year imported. */
static long amount_column(const p304_csv *csv, p304_stage stage, int year, p304_error *err)
{
	const char *name = stage == P304_STAGE_DELEGATED ? "delegue_eur" : "consomme_eur";
	const char *const cols[] = { "code", name, NULL };
	char yearly[32];
	long c = p304_csv_find_header_year(csv, name, cols, year, NULL);

	if (c >= 0)
		return c;
	snprintf(yearly, sizeof(yearly), "%s_%d",
		 stage == P304_STAGE_DELEGATED ? "delegue" : "consomme", year);
	if ((c = p304_csv_find_header(csv, yearly, cols, NULL)) >= 0)
		return c;
	/* « Délégué 2023 » imported as 2029: another year's figures, refused
	 * with that year named rather than as an unknown column */
	for (size_t k = 0; k < p304_csv_ncols(csv); k++) {
		char key[128];
		size_t pre = strcspn(yearly, "_") + 1;

		p304_header_key(p304_csv_header(csv, k), key, sizeof(key));
		if (strncmp(key, yearly, pre) == 0 && strlen(key) == pre + 4 &&
		    strspn(key + pre, "0123456789") == 4)
			return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
				_("column '%s' holds the amounts of %s, not of %d (--year): import it "
				  "with --year %s, or name the column '%s'"),
				p304_csv_header(csv, k), key + pre, year, key + pre, name), -1;
	}
	return p304_csv_find_header(csv, name, cols, err);
}

/* Reads the items of the table into items[], *n of them: all its rows but
 * a final TOTAL row equal to their sum, which total[] then names. */
static p304_code table_items(const p304_csv *csv, const p304_reference *ref, p304_stage stage,
			     int year, p304_ledger_item *items, size_t *n, char *total,
			     size_t total_size, p304_error *err)
{
	const char *path = p304_csv_path(csv);
	const char *const cols[] = { "code", "delegue_eur", "consomme_eur", NULL };
	long cc, ca;
	int has_total;

	if ((cc = p304_csv_find_header(csv, "code", cols, err)) < 0 ||
	    (ca = amount_column(csv, stage, year, err)) < 0)
		return err->code;
	/* the assistant's TOTAL row: never recorded as a collectivité */
	if ((has_total = p304_csv_total_row(csv, cc, &ca, 1, total, total_size, err)) < 0)
		return err->code;
	*n = p304_csv_nrows(csv) - (size_t)has_total;
	for (size_t r = 0; r < *n; r++) {
		const char *code = p304_csv_cell(csv, r, (size_t)cc);
		const char *cell = p304_csv_cell(csv, r, (size_t)ca);
		long line = p304_csv_line(csv, r);
		const p304_authority *a = p304_reference_find(ref, code);
		char why[256];

		if (!a) {
			p304_reference_unknown_hint(ref, code, why, sizeof(why));
			return p304_error_set(err, P304_ERR_INPUT, path, line,
					      _("code '%s' is not in the reference list%s"), code, why);
		}
		if (p304_parse_number(cell, strlen(cell), 0, P304_MAX_EUR, P304_NUM_EUR,
				      &items[r].amount_eur, why, sizeof(why)))
			/* a blank amount is a figure forgotten, not a zero */
			return p304_error_set(err, P304_ERR_INPUT, path, line,
				_("amount '%s' in column '%s' %s"), cell,
				p304_csv_header(csv, (size_t)ca),
				strcmp(why, _("is empty")) == 0
				? _("is empty, expected whole euros (0 if none)") : why);
		snprintf(items[r].code, sizeof(items[r].code), "%s", a->code);
		items[r].year = year;
		items[r].stage = stage;
		items[r].line = line;
	}
	{
		size_t j, k;
		int dup = lg_find_duplicate(items, *n, &j, &k);

		if (dup < 0)
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		if (dup)
			return p304_error_set(err, P304_ERR_INPUT, path, items[k].line,
				_("duplicate code '%s' (lines %ld and %ld)"), items[k].code,
				items[j].line, items[k].line);
	}
	return P304_OK;
}

static p304_code import_csv(p304_ledger *lg, const p304_reference *ref, p304_csv *csv,
			    const char *sha, p304_stage stage, int year, const char *comment,
			    p304_ledger_outcome *out, p304_error *err)
{
	size_t n = p304_csv_nrows(csv);
	p304_ledger_item *items;
	char key[128], total[400] = "";
	p304_code rc;

	memset(out, 0, sizeof(*out));
	if (stage != P304_STAGE_DELEGATED && stage != P304_STAGE_CONSUMED)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
				      _("only delegated and consumed amounts are imported"));
	if (n == 0)
		return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
				      _("no amount to record"));
	if (!(items = calloc(n, sizeof(*items))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if ((rc = table_items(csv, ref, stage, year, items, &n, total, sizeof(total), err)) ==
	    P304_OK) {
		p304_ledger_source src = {
			.kind = "import", .file = p304_csv_path(csv), .sha256 = sha,
			.set_key = key, .comment = comment,
		};

		snprintf(key, sizeof(key), "import:%s:%d:%s", p304_stage_name(stage), year, sha);
		rc = p304_ledger_append(lg, &src, items, n, out, err);
		snprintf(out->total_note, sizeof(out->total_note), "%s", total);
	}
	free(items);
	return rc;
}

p304_code p304_ledger_import_buffer(p304_ledger *lg, const p304_reference *ref,
				    const char *path, const char *data, size_t len,
				    p304_stage stage, int year, const char *comment,
				    p304_ledger_outcome *out, p304_error *err)
{
	p304_csv *csv = NULL;
	char sha[65];
	p304_code rc;

	memset(out, 0, sizeof(*out));
	if ((rc = p304_sha256_buffer(data, len, sha, err)) != P304_OK ||
	    (rc = p304_csv_parse(path, data, len, &csv, err)) != P304_OK)
		return rc;
	rc = import_csv(lg, ref, csv, sha, stage, year, comment, out, err);
	p304_csv_free(csv);
	return rc;
}

p304_code p304_ledger_import_csv(p304_ledger *lg, const p304_reference *ref,
				 const char *path, p304_stage stage, int year,
				 const char *comment, p304_ledger_outcome *out,
				 p304_error *err)
{
	char *text;
	size_t len;
	p304_code rc;

	memset(out, 0, sizeof(*out));
	if ((rc = p304_read_file(path, &text, &len, err)) != P304_OK)
		return rc;
	rc = p304_ledger_import_buffer(lg, ref, path, text, len, stage, year, comment, out, err);
	free(text);
	return rc;
}
