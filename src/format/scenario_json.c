/*
 * scenario_json.c - reads a scenario file (contract: docs/formats.md) with
 * cJSON. Strict on purpose: an unknown or misspelt key is an error naming the
 * nearest valid key, because a typo must not silently drop a floor.
 */
#include <p304/format.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format/fileutil.h"
#include "gettext.h"

static const char *const TOP_KEYS[] = {
	"id", "title", "description", "envelope_eur", "data", "reference",
	"criteria", "floor_eur", "ceiling_eur", "participants", "rounding_eur",
	"missing", "impute", "reconciliation", "framework", "complement", NULL
};
static const char *const CRITERION_KEYS[] = { "column", "weight_pct", "label", NULL };
static const char *const PARTICIPANTS_KEYS[] = { "file", NULL };
static const char *const IMPUTE_KEYS[] = { "column", "from", NULL };
static const char *const RECON_KEYS[] = {
	"available_eur", "missing_answer", "surplus", "shortfall", "caps_columns",
	"deadline", NULL
};



/* Line of the first occurrence of "key" in the text (1 when not found):
 * cJSON keeps no positions, and a line is what the officer needs. */
static long line_of_key(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;
	long line = 1;

	for (; *p; p++) {
		if (*p == '\n')
			line++;
		else if (*p == '"' && strncmp(p + 1, key, klen) == 0 && p[1 + klen] == '"')
			return line;
	}
	return 1;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

/* Every key of `obj` must be in `allowed` and appear once. */
static p304_code check_keys(const p304_scenario *sc, const cJSON *obj,
			    const char *const *allowed, const char *where,
			    p304_error *err)
{
	for (const cJSON *it = obj->child; it; it = it->next) {
		int known = 0;

		for (const cJSON *o = obj->child; o != it; o = o->next)
			if (strcmp(o->string, it->string) == 0)
				return p304_error_set(err, P304_ERR_INPUT, sc->path,
					line_of_key(sc->text, it->string),
					_("key '%s' appears twice in %s"), it->string, where);
		for (size_t i = 0; allowed[i]; i++)
			known |= strcmp(allowed[i], it->string) == 0;
		if (!known) {
			const char *best = allowed[0];
			size_t bestd = (size_t)-1;

			for (size_t i = 0; allowed[i]; i++) {
				size_t d = edit_distance(it->string, allowed[i]);

				if (d < bestd) {
					bestd = d;
					best = allowed[i];
				}
			}
			return p304_error_set(err, P304_ERR_INPUT, sc->path,
				line_of_key(sc->text, it->string),
				_("unknown key '%s' in %s; did you mean '%s'?"), it->string,
				where, best);
		}
	}
	return P304_OK;
}

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsString(v)) return _("a string");
	if (cJSON_IsNumber(v)) return _("a number");
	if (cJSON_IsBool(v)) return _("a boolean");
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsArray(v)) return _("an array");
	if (cJSON_IsObject(v)) return _("an object");
	return _("an invalid value");
}

/* The number after the first "key": in the text, as written (into buf, at
 * most size - 1 characters), or 0 when not found there. */
static int raw_number(const char *text, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), n;

	for (const char *p = text; (p = strchr(p, '"')); p++) {
		const char *q = p + 1 + klen;

		if (strncmp(p + 1, key, klen) || *q != '"')
			continue;
		q += 1 + strspn(q + 1, " \t\r\n");
		if (*q != ':')
			continue;
		q += 1 + strspn(q + 1, " \t\r\n");
		n = strspn(q, "0123456789+-.eE");
		if (n == 0 || n >= size)
			return 0;
		memcpy(buf, q, n);
		buf[n] = '\0';
		return 1;
	}
	return 0;
}

/* Whole euros from the number's text, as written: cJSON's double rounded
 * 70000000.0000000001 to a whole number (accepted) and 70000000.00000001 to
 * a message "is 70000000.00, expected whole euros" (F5). The double is the
 * fallback for a text not found or written with an exponent. */
static int euros_as_written(const p304_scenario *sc, const char *key, double d, int64_t min,
			    int64_t *out, p304_code *rc, p304_error *err)
{
	char tok[64];
	const char *dot;
	int64_t v;
	long line = line_of_key(sc->text, key);

	if (!raw_number(sc->text, key, tok, sizeof(tok)) || strpbrk(tok, "eE+"))
		return 0;
	dot = strchr(tok, '.');
	if (tok[0] != '-' && p304_parse_decimal(tok, dot ? (size_t)(dot - tok) : strlen(tok), 0,
						INT64_MAX / 10, &v, NULL, 0) == 0 &&
	    fabs((double)v - d) > 1.0 + fabs(d) * 1e-15)
		return 0;   /* another "key": than the one cJSON read */
	if (dot && dot[1 + strspn(dot + 1, "0")] != '\0')
		*rc = p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				     _("'%s' is %s, expected whole euros"), key, tok);
	else if (tok[0] == '-' ||
		 p304_parse_decimal(tok, dot ? (size_t)(dot - tok) : strlen(tok), 0, P304_MAX_EUR,
				    &v, NULL, 0) != 0 || v < min)
		*rc = p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'%s' is %s, expected between %lld and 10^15 euros"), key, tok,
			(long long)min);
	else {
		*out = v;
		*rc = P304_OK;
	}
	return 1;
}

/* Whole euros from a JSON number: cJSON gives a double, so check it is
 * finite, integral and in range before converting (never read valueint,
 * which saturates). */
static p304_code get_euros(const p304_scenario *sc, const cJSON *obj,
			   const char *key, int required, int64_t min,
			   int64_t *out, p304_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	long line = line_of_key(sc->text, key);
	double d;

	if (!v || cJSON_IsNull(v)) {
		if (required)
			return p304_error_set(err, P304_ERR_INPUT, sc->path, 1,
					      _("key '%s' is missing, expected whole euros"), key);
		*out = P304_NO_BOUND;
		return P304_OK;
	}
	if (!cJSON_IsNumber(v))
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'%s' is %s, expected a number of euros without quotes "
			"(e.g. 50000000)"), key, json_type(v));
	d = v->valuedouble;
	{
		p304_code rc;

		if (euros_as_written(sc, key, d, min, out, &rc, err))
			return rc;
	}
	if (!isfinite(d))
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				      _("'%s' is not a finite number"), key);
	if (d != floor(d))
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				      _("'%s' is %.2f, expected whole euros"), key, d);
	if (d < (double)min || d > (double)P304_MAX_EUR)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'%s' is %.0f, expected between %lld and 10^15 euros"), key, d,
			(long long)min);
	*out = (int64_t)d;
	return P304_OK;
}

static p304_code get_string(const p304_scenario *sc, const cJSON *obj,
			    const char *key, int required, char **out,
			    p304_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!v) {
		if (required)
			return p304_error_set(err, P304_ERR_INPUT, sc->path, 1,
					      _("key '%s' is missing"), key);
		return P304_OK;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return p304_error_set(err, P304_ERR_INPUT, sc->path,
			line_of_key(sc->text, key), _("'%s' is %s, expected a non-empty string"),
			key, cJSON_IsString(v) ? "empty" : json_type(v));
	*out = strdup(v->valuestring);
	if (!*out)
		return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
	return P304_OK;
}

static _Thread_local const p304_criterion *sort_crit;

static int crit_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_crit[i].column, sort_crit[j].column);

	return c ? c : (i > j) - (i < j);
}

/* A column used by two criteria, found by sorting (n log n: 80 000
 * criteria took 11 s pairwise); reported at its second use, the earliest. */
static p304_code check_twice(const p304_scenario *sc, p304_error *err)
{
	size_t n = sc->ncriteria, *idx = malloc((n ? n : 1) * sizeof(size_t)), dup = 0;
	int found = 0;

	if (!idx)
		return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, "out of memory");
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_crit = sc->criteria;
	qsort(idx, n, sizeof(size_t), crit_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(sc->criteria[idx[i - 1]].column, sc->criteria[idx[i]].column) == 0 &&
		    (!found || idx[i] < dup)) {
			dup = idx[i];
			found = 1;
		}
	free(idx);
	if (found)
		return p304_error_set(err, P304_ERR_INPUT, sc->path,
			line_of_key(sc->text, sc->criteria[dup].column),
			_("column '%s' is used by two criteria"), sc->criteria[dup].column);
	return P304_OK;
}

static p304_code read_criteria(p304_scenario *sc, const cJSON *root,
			       p304_error *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "criteria");
	long line = line_of_key(sc->text, "criteria");
	double sum = 0.0;
	size_t n, i = 0;
	const cJSON *it;
	p304_code rc0;

	if (!arr)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, 1,
				      _("key 'criteria' is missing"));
	if (!cJSON_IsArray(arr) || (n = (size_t)cJSON_GetArraySize(arr)) == 0)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'criteria' must be a non-empty array of {\"column\", \"weight_pct\"}"));
	if (n > P304_MAX_COLUMNS - 1)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'criteria' holds %zu criteria, expected at most %d (one per column, "
			  "and a spreadsheet holds 16 384 columns)"), n, P304_MAX_COLUMNS - 1);
	sc->criteria = calloc(n, sizeof(p304_criterion));
	if (!sc->criteria)
		return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
	cJSON_ArrayForEach(it, arr) {
		p304_criterion *c = &sc->criteria[i];
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(it, "weight_pct");
		p304_code rc;
		char where[64];

		snprintf(where, sizeof(where), _("criterion %zu"), i + 1);
		if (!cJSON_IsObject(it))
			return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				_("criterion %zu is %s, expected {\"column\", \"weight_pct\"}"),
				i + 1, json_type(it));
		if ((rc = check_keys(sc, it, CRITERION_KEYS, where, err)) != P304_OK)
			return rc;
		if ((rc = get_string(sc, it, "column", 1, &c->column, err)) != P304_OK)
			return rc;
		sc->ncriteria = ++i;
		if (!w || !cJSON_IsNumber(w) || !isfinite(w->valuedouble) ||
		    w->valuedouble < 0.0 || w->valuedouble > 100.0)
			return p304_error_set(err, P304_ERR_INPUT, sc->path,
				line_of_key(sc->text, c->column),
				_("criterion '%s': 'weight_pct' must be a number from 0 to 100"),
				c->column);
		c->weight_pct = w->valuedouble;
		sum += c->weight_pct;
	}
	if ((rc0 = check_twice(sc, err)) != P304_OK)
		return rc0;
	if (fabs(sum - 100.0) > 1e-9) {
		char shown[40];

		/* as many digits as it takes to differ from 100 (99.99999999) */
		for (int digits = 6; digits <= 17; digits++) {
			snprintf(shown, sizeof(shown), "%.*g", digits, sum);
			if (strcmp(shown, "100") != 0)
				break;
		}
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("criteria weights sum to %s %%, expected 100 %%"), shown);
	}
	return P304_OK;
}

static p304_code read_participants(p304_scenario *sc, const cJSON *root,
				   p304_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "participants");
	long line = line_of_key(sc->text, "participants");
	const cJSON *it;
	size_t n, i = 0;

	if (!v || (cJSON_IsString(v) && strcmp(v->valuestring, "all") == 0)) {
		sc->participants_kind = P304_PARTICIPANTS_ALL;
		return P304_OK;
	}
	if (cJSON_IsObject(v)) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, "file");
		p304_code rc = check_keys(sc, v, PARTICIPANTS_KEYS, _("'participants'"), err);

		if (rc != P304_OK)
			return rc;
		if (!cJSON_IsString(f) || !f->valuestring[0])
			return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				_("'participants' object needs a \"file\" string"));
		sc->participants_kind = P304_PARTICIPANTS_FILE;
		sc->participants_path = p304_path_relative_to(sc->path, f->valuestring);
		return sc->participants_path ? P304_OK
			: p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
	}
	if (!cJSON_IsArray(v) || (n = (size_t)cJSON_GetArraySize(v)) == 0)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'participants' must be \"all\", a non-empty list of codes or "
			"{\"file\": \"list.csv\"}"));
	sc->participants_kind = P304_PARTICIPANTS_LIST;
	sc->participants = calloc(n, sizeof(char *));
	sc->participants_pos = calloc(n, sizeof(long));
	if (!sc->participants || !sc->participants_pos)
		return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it))
			return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				_("participant %zu is %s, expected a code in quotes (e.g. \"02\")"),
				i + 1, json_type(it));
		sc->participants[i] = strdup(it->valuestring);
		if (!sc->participants[i])
			return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
		sc->participants_pos[i] = line;
		sc->nparticipants = ++i;
	}
	return P304_OK;
}

static p304_code read_impute(p304_scenario *sc, const cJSON *root,
			     p304_error *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "impute"), *it;
	long line = line_of_key(sc->text, "impute");
	size_t n, i = 0;

	if (!arr)
		return P304_OK;
	if (!cJSON_IsArray(arr) || (n = (size_t)cJSON_GetArraySize(arr)) == 0)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
			_("'impute' must be a list of {\"column\", \"from\"}"));
	sc->impute = calloc(n, sizeof(*sc->impute));
	if (!sc->impute)
		return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
	cJSON_ArrayForEach(it, arr) {
		p304_impute_rule *r = &sc->impute[i];
		p304_code rc;
		int used = 0;

		if (!cJSON_IsObject(it))
			return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				_("impute rule %zu is %s, expected {\"column\", \"from\"}"),
				i + 1, json_type(it));
		if ((rc = check_keys(sc, it, IMPUTE_KEYS, _("an impute rule"), err)) != P304_OK)
			return rc;
		sc->nimpute = ++i;
		if ((rc = get_string(sc, it, "column", 1, &r->column, err)) != P304_OK ||
		    (rc = get_string(sc, it, "from", 1, &r->from, err)) != P304_OK)
			return rc;
		for (size_t k = 0; k < sc->ncriteria; k++)
			used |= strcmp(sc->criteria[k].column, r->column) == 0;
		if (!used || strcmp(r->column, r->from) == 0)
			return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
				_("impute rule %zu: 'column' must be one of the criteria and "
				"differ from 'from'"), i);
		for (size_t j = 0; j + 1 < i; j++)
			if (strcmp(sc->impute[j].column, r->column) == 0)
				return p304_error_set(err, P304_ERR_INPUT, sc->path, line,
					_("column '%s' has two impute rules"), r->column);
	}
	return P304_OK;
}

/* One of `names` (NULL-terminated) for a string key; *out = its index. */
static p304_code get_choice(const p304_scenario *sc, const cJSON *obj,
			    const char *key, const char *const *names, int *out,
			    p304_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char list[200] = "";
	size_t o = 0;

	if (!v)
		return P304_OK;
	for (int i = 0; names[i]; i++) {
		if (cJSON_IsString(v) && strcmp(v->valuestring, names[i]) == 0) {
			*out = i;
			return P304_OK;
		}
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
				      i ? ", " : "", names[i]);
	}
	return p304_error_set(err, P304_ERR_INPUT, sc->path, line_of_key(sc->text, key),
			      _("'%s' must be one of %s"), key, list);
}

static p304_code read_reconciliation(p304_scenario *sc, const cJSON *root,
				     p304_error *err)
{
	static const char *const missing[] = { "renounce", "keep", NULL };
	static const char *const surplus[] = { "none", "criteria", "unmet_need", NULL };
	static const char *const shortfall[] = { "proportional", NULL };
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "reconciliation"), *v;
	int choice;
	p304_code rc;

	sc->recon.available_eur = P304_NO_BOUND;
	if (!o)
		return P304_OK;
	if (!cJSON_IsObject(o))
		return p304_error_set(err, P304_ERR_INPUT, sc->path,
			line_of_key(sc->text, "reconciliation"),
			_("'reconciliation' must be an object {...}"));
	if ((rc = check_keys(sc, o, RECON_KEYS, _("'reconciliation'"), err)) != P304_OK ||
	    (rc = get_euros(sc, o, "available_eur", 0, 0, &sc->recon.available_eur, err)) != P304_OK)
		return rc;
	choice = 0;
	if ((rc = get_choice(sc, o, "missing_answer", missing, &choice, err)) != P304_OK)
		return rc;
	sc->recon.missing = (p304_missing_answer)choice;
	choice = 0;
	if ((rc = get_choice(sc, o, "surplus", surplus, &choice, err)) != P304_OK)
		return rc;
	sc->recon.surplus = (p304_surplus)choice;
	choice = 0;
	if ((rc = get_choice(sc, o, "shortfall", shortfall, &choice, err)) != P304_OK)
		return rc;
	sc->recon.shortfall = (p304_shortfall)choice;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "deadline")) != NULL) {
		if (!cJSON_IsString(v) || (sc->recon.deadline = p304_parse_date(v->valuestring)) < 0)
			return p304_error_set(err, P304_ERR_INPUT, sc->path,
				line_of_key(sc->text, "deadline"),
				_("'deadline' must be a date \"2025-06-30\" or \"30/06/2025\""));
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "caps_columns")) != NULL) {
		const cJSON *it;
		size_t n = cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) : 0;

		if (n == 0)
			return p304_error_set(err, P304_ERR_INPUT, sc->path,
				line_of_key(sc->text, "caps_columns"),
				_("'caps_columns' must be a non-empty list of column names"));
		sc->recon.caps_columns = calloc(n, sizeof(char *));
		if (!sc->recon.caps_columns)
			return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it) || !it->valuestring[0])
				return p304_error_set(err, P304_ERR_INPUT, sc->path,
					line_of_key(sc->text, "caps_columns"),
					_("'caps_columns' must hold column names in quotes"));
			if (!(sc->recon.caps_columns[sc->recon.ncaps_columns] = strdup(it->valuestring)))
				return p304_error_set(err, P304_ERR_NOMEM, sc->path, 0, _("out of memory"));
			sc->recon.ncaps_columns++;
		}
	}
	return P304_OK;
}

/* The id names the output directory: keep it a plain file name. */
int p304_id_valid(const char *id)
{
	if (!id[0] || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 100)
		return 0;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789._-") == strlen(id);
}

/*
 * What cJSON accepts or reports badly and an officer types: a number with a
 * leading zero (0100; JSON forbids it, cJSON reads 100) and a decimal comma
 * after a key ("weight_pct": 34,5; cJSON says "invalid JSON" further on).
 * Scanned outside strings before parsing.
 */
static p304_code check_numbers(const char *path, const char *text, p304_error *err)
{
	long line = 1;
	char prev = '\0'; /* last non-space character outside numbers */

	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			line++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '\n')
					line++;
			}
			if (!*p)
				break;
			prev = '"';
			continue;
		}
		if ((*p == '-' || (*p >= '0' && *p <= '9')) &&
		    (prev == ':' || prev == '[' || prev == ',' || prev == '\0')) {
			const char *start = p, *d = *p == '-' ? p + 1 : p;
			size_t len;

			while (*p && strchr("0123456789+-.eE", *p))
				p++;
			len = (size_t)(p - start);
			if (d[0] == '0' && d[1] >= '0' && d[1] <= '9') {
				const char *z = d + strspn(d, "0");

				if (*z < '0' || *z > '9')
					z--; /* "00.5" -> "0.5" */
				return p304_error_set(err, P304_ERR_INPUT, path, line,
					_("number '%.*s' starts with a zero, expected %s%.*s (JSON "
					  "numbers take no leading zero)"), (int)len, start,
					d > start ? "-" : "", (int)(p - z), z);
			}
			if (prev == ':' && *p == ',' && p[1] >= '0' && p[1] <= '9') {
				size_t frac = strspn(p + 1, "0123456789");

				return p304_error_set(err, P304_ERR_INPUT, path, line,
					_("'%.*s,%.*s' has a decimal comma: JSON decimals take a point, "
					  "expected %.*s.%.*s"), (int)len, start, (int)frac, p + 1,
					(int)len, start, (int)frac, p + 1);
			}
			p--;
			prev = '0';
			continue;
		}
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			prev = *p;
	}
	return P304_OK;
}

p304_code p304_scenario_load(const char *path, const char *default_reference,
			     p304_scenario **out, p304_error *err)
{
	char *text;
	size_t len;
	p304_code rc;

	*out = NULL;
	if ((rc = p304_read_file(path, &text, &len, err)) != P304_OK)
		return rc;
	rc = p304_scenario_parse(path, text, len, default_reference, out, err);
	free(text);
	return rc;
}

/* JSON is UTF-8 (RFC 8259); cJSON copies any byte through, and a title saved
 * in Windows-1252 would end as invalid text inside the workbook (a damaged
 * .xlsx) and the JSON outputs: refused here, with its line. */
static p304_code check_utf8(const char *path, const char *text, p304_error *err)
{
	long line;
	unsigned byte;

	if (p304_utf8_check(text, strlen(text), &line, &byte) == 0)
		return P304_OK;
	return p304_error_set(err, P304_ERR_INPUT, path, line,
		_("byte 0x%02X is not UTF-8 text: save the scenario as UTF-8 "
		  "(JSON files are UTF-8), expected letters such as 'é' written in UTF-8"), byte);
}

/* A title with U+FFFF gave a workbook whose sharedStrings.xml was not
 * well-formed, with exit 0 (issue 19); \u0000 would cut a title short. */
p304_code p304_json_text_check(const char *path, const char *text, size_t len,
			       const cJSON *root, p304_error *err)
{
	char where[128];
	long line = p304_json_nul_escape(text, len), cp;

	if (line)
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("the text holds the character \\u0000, which no text field may hold; "
			  "remove it"));
	if ((cp = p304_json_xml_bad(root, where, sizeof(where))) >= 0)
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("'%s' holds the character U+%04lX, which a workbook cannot hold; "
			  "remove it"), where, (unsigned long)cp);
	return P304_OK;
}

p304_code p304_scenario_parse(const char *path, const char *text, size_t len,
			      const char *default_reference, p304_scenario **out,
			      p304_error *err)
{
	p304_scenario *sc;
	cJSON *root = NULL;
	const char *end = NULL;
	p304_code rc;
	char *s = NULL;
	const cJSON *miss;

	*out = NULL;
	sc = calloc(1, sizeof(*sc));
	if (!sc || !(sc->path = strdup(path)) || !(sc->text = malloc(len + 1))) {
		if (sc)
			free(sc->path);
		free(sc);
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	}
	memcpy(sc->text, text, len);
	sc->text[len] = '\0';
	if (strlen(sc->text) != len) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
				    _("binary data (a NUL byte), expected JSON text"));
		goto fail;
	}
	if ((rc = check_utf8(path, sc->text, err)) != P304_OK ||
	    (rc = check_numbers(path, sc->text, err)) != P304_OK)
		goto fail;
	root = cJSON_ParseWithOpts(sc->text, &end, 1);
	if (!root) {
		long line = 1, col = 1;
		const char *at = end ? end : cJSON_GetErrorPtr();

		for (const char *p = sc->text; at && p < at && *p; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		if (strspn(sc->text, " \t\r\n") == len)
			rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				_("file is empty, expected a JSON object {...}"));
		else if (at && *at == '\0')
			/* cJSON stops at the end: something was left open */
			rc = p304_error_set(err, P304_ERR_INPUT, path, line,
				_("the JSON ends too early (column %ld), expected a closing '}', ']' "
				"or '\"'"), col);
		else
			rc = p304_error_set(err, P304_ERR_INPUT, path, line,
				_("invalid JSON at column %ld, near '%.20s'"), col, at ? at : "");
		if (err)
			err->column = col;
		goto fail;
	}
	if (!cJSON_IsObject(root)) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				    _("the scenario must be a JSON object {...}"));
		goto fail;
	}
	if ((rc = p304_json_text_check(path, sc->text, len, root, err)) != P304_OK)
		goto fail;
	if ((rc = check_keys(sc, root, TOP_KEYS, _("the scenario"), err)) != P304_OK)
		goto fail;
	if ((rc = get_string(sc, root, "id", 1, &sc->id, err)) != P304_OK)
		goto fail;
	if (!p304_id_valid(sc->id)) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, line_of_key(sc->text, "id"),
			_("id '%s' must be letters, digits, '.', '_' or '-' (it names the output folder)"),
			sc->id);
		goto fail;
	}
	if ((rc = get_string(sc, root, "title", 0, &sc->title, err)) != P304_OK)
		goto fail;
	if (!sc->title && !(sc->title = strdup(sc->id)))
		goto nomem;
	if ((rc = get_euros(sc, root, "envelope_eur", 1, 1, &sc->envelope_eur, err)) != P304_OK ||
	    (rc = get_euros(sc, root, "floor_eur", 0, 0, &sc->floor_eur, err)) != P304_OK ||
	    (rc = get_euros(sc, root, "ceiling_eur", 0, 0, &sc->ceiling_eur, err)) != P304_OK ||
	    (rc = get_euros(sc, root, "rounding_eur", 0, 1, &sc->rounding_eur, err)) != P304_OK)
		goto fail;
	if (sc->rounding_eur == P304_NO_BOUND)
		sc->rounding_eur = 1;
	if (sc->floor_eur != P304_NO_BOUND && sc->ceiling_eur != P304_NO_BOUND &&
	    sc->floor_eur > sc->ceiling_eur) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, line_of_key(sc->text, "floor_eur"),
			_("floor_eur %lld is above ceiling_eur %lld"), (long long)sc->floor_eur,
			(long long)sc->ceiling_eur);
		goto fail;
	}
	if ((rc = get_string(sc, root, "data", 1, &s, err)) != P304_OK)
		goto fail;
	sc->data_path = p304_path_relative_to(path, s);
	free(s);
	s = NULL;
	if (!sc->data_path)
		goto nomem;
	/* issue 21: figures the shipped tables lack, with their sources */
	if ((rc = get_string(sc, root, "complement", 0, &s, err)) != P304_OK)
		goto fail;
	if (s) {
		sc->complement_path = p304_path_relative_to(path, s);
		free(s);
		s = NULL;
		if (!sc->complement_path)
			goto nomem;
	}
	if ((rc = get_string(sc, root, "reference", 0, &s, err)) != P304_OK)
		goto fail;
	if (s) {
		sc->reference_path = p304_path_relative_to(path, s);
		free(s);
		s = NULL;
	} else if (default_reference) {
		sc->reference_path = strdup(default_reference);
	} else {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				    _("key 'reference' is missing and no default reference list is known"));
		goto fail;
	}
	if (!sc->reference_path)
		goto nomem;
	if ((rc = read_criteria(sc, root, err)) != P304_OK ||
	    (rc = read_participants(sc, root, err)) != P304_OK ||
	    (rc = read_impute(sc, root, err)) != P304_OK ||
	    (rc = read_reconciliation(sc, root, err)) != P304_OK)
		goto fail;
	{
		const cJSON *fw = cJSON_GetObjectItemCaseSensitive(root, "framework");

		if (fw && cJSON_IsString(fw) && strcmp(fw->valuestring, "2020") == 0)
			sc->framework = P304_FRAMEWORK_2020;
		else if (fw && cJSON_IsString(fw) && strcmp(fw->valuestring, "2025") == 0)
			sc->framework = P304_FRAMEWORK_2025;
		else if (fw) {
			rc = p304_error_set(err, P304_ERR_INPUT, path,
				line_of_key(sc->text, "framework"),
				_("'framework' must be \"2020\" or \"2025\" (in quotes)"));
			goto fail;
		}
	}
	miss = cJSON_GetObjectItemCaseSensitive(root, "missing");
	if (miss) {
		if (cJSON_IsString(miss) && strcmp(miss->valuestring, "error") == 0)
			sc->missing = P304_MISSING_ERROR;
		else if (cJSON_IsString(miss) && strcmp(miss->valuestring, "exclude") == 0)
			sc->missing = P304_MISSING_EXCLUDE;
		else {
			rc = p304_error_set(err, P304_ERR_INPUT, path,
				line_of_key(sc->text, "missing"),
				_("'missing' must be \"error\" or \"exclude\""));
			goto fail;
		}
	}
	cJSON_Delete(root);
	*out = sc;
	return P304_OK;
nomem:
	rc = p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
fail:
	free(s);
	cJSON_Delete(root);
	p304_scenario_free(sc);
	return rc;
}

void p304_scenario_free(p304_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->ncriteria; i++)
		free(sc->criteria[i].column);
	free(sc->criteria);
	for (size_t i = 0; i < sc->nparticipants; i++)
		free(sc->participants[i]);
	free(sc->participants);
	free(sc->participants_pos);
	free(sc->participants_path);
	for (size_t i = 0; i < sc->nimpute; i++) {
		free(sc->impute[i].column);
		free(sc->impute[i].from);
	}
	free(sc->impute);
	for (size_t i = 0; i < sc->recon.ncaps_columns; i++)
		free(sc->recon.caps_columns[i]);
	free(sc->recon.caps_columns);
	free(sc->path);
	free(sc->id);
	free(sc->title);
	free(sc->data_path);
	free(sc->complement_path);
	free(sc->reference_path);
	free(sc->text);
	free(sc);
}
