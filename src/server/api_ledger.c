/*
 * api_ledger.c - the campaign ledger through the API (issue 22, "Using it"
 * and "Never lose the campaign"): the départements × years view, a
 * collectivité's history, the caps of the 2024 rule and the avenant
 * preview (readers), the import of delegated or consumed amounts and the
 * record of the current round (writers). The ledger is the one `serve`
 * was started with (--ledger, default WORKSPACE/campagne.sqlite): no path
 * ever comes from a request.
 *
 * Writes are serialised by one writer connection under a mutex (and
 * SQLite's busy timeout against another process, such as the command
 * line); readers take a connection of their own from a small pool and, the
 * file being in WAL, keep reading while a write runs.
 */
#include "server/server.h"
#include "server/routes.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p304/chart.h>
#include <p304/ledger.h>

#include "gettext.h"

/* Reader connections kept open between requests (more may be open at
 * once; past this many they are closed after use). */
#define AL_POOL 8

struct api_ledger {
	char *path;
	p304_reference *ref;     /* names of the collectivités */
	pthread_mutex_t wmu;     /* the one writer */
	p304_ledger *writer;     /* opened (and the file created) on first write */
	pthread_mutex_t pmu;     /* the pool */
	p304_ledger *pool[AL_POOL];
	size_t npool;
};

static const char JSON[] = "application/json";

/* ------------------------------------------------------------------ */
/* Connections                                                          */
/* ------------------------------------------------------------------ */

p304_code api_ledger_open(const char *path, const char *reference, struct api_ledger **out,
			  p304_error *err)
{
	struct api_ledger *al = calloc(1, sizeof(*al));
	p304_code rc;

	*out = NULL;
	if (!al || !(al->path = strdup(path))) {
		free(al);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	pthread_mutex_init(&al->wmu, NULL);
	pthread_mutex_init(&al->pmu, NULL);
	if ((rc = p304_reference_load(reference, &al->ref, err)) != P304_OK) {
		api_ledger_free(al);
		return rc;
	}
	/* A ledger already there is checked now (foreign, damaged, newer:
	 * serve refuses to start, the file untouched); an absent one is
	 * created by the first write only. */
	if (access(path, F_OK) == 0) {
		p304_ledger *lg;

		if ((rc = p304_ledger_open(path, 0, &lg, err)) != P304_OK) {
			api_ledger_free(al);
			return rc;
		}
		al->pool[al->npool++] = lg;
	}
	*out = al;
	return P304_OK;
}

void api_ledger_free(struct api_ledger *al)
{
	if (!al)
		return;
	for (size_t i = 0; i < al->npool; i++)
		p304_ledger_close(al->pool[i]);
	p304_ledger_close(al->writer);
	p304_reference_free(al->ref);
	pthread_mutex_destroy(&al->wmu);
	pthread_mutex_destroy(&al->pmu);
	free(al->path);
	free(al);
}

/* A reader connection: 1 and *lg; 0 when the ledger does not exist yet
 * (nothing recorded: the answers are empty); -1 and rp the refusal. */
static int reader_take(struct api_ledger *al, p304_ledger **lg, struct srv_reply *rp)
{
	p304_error err;

	*lg = NULL;
	pthread_mutex_lock(&al->pmu);
	if (al->npool)
		*lg = al->pool[--al->npool];
	pthread_mutex_unlock(&al->pmu);
	if (*lg)
		return 1;
	if (access(al->path, F_OK) != 0 && errno == ENOENT)
		return 0;
	p304_error_clear(&err);
	if (p304_ledger_open(al->path, 0, lg, &err) != P304_OK) {
		api_reply_p304(rp, &err);
		return -1;
	}
	return 1;
}

static void reader_give(struct api_ledger *al, p304_ledger *lg)
{
	if (!lg)
		return;
	pthread_mutex_lock(&al->pmu);
	if (al->npool < AL_POOL) {
		al->pool[al->npool++] = lg;
		lg = NULL;
	}
	pthread_mutex_unlock(&al->pmu);
	p304_ledger_close(lg);
}

int api_ledger_digest(struct api_ledger *al, int year0, int year1, p304_ledger_digest **d,
		      struct srv_reply *rp)
{
	p304_ledger *lg;
	p304_error err;
	int have;

	*d = NULL;
	if (!al || (have = reader_take(al, &lg, rp)) <= 0)
		return al ? have : 0;
	p304_error_clear(&err);
	if (p304_ledger_digest_make(lg, year0, year1, d, &err) != P304_OK) {
		api_reply_p304(rp, &err);
		have = -1;
	}
	reader_give(al, lg);
	return have;
}

/* mkdir -p of the ledger's folder (the workspace may not exist yet). */
static void make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0777);
			*p = '/';
		}
	mkdir(dir, 0777);
}

/* Takes the writer (wmu held on success, to give back with writer_give). */
static int writer_take(struct api_ledger *al, struct srv_reply *rp)
{
	p304_error err;

	pthread_mutex_lock(&al->wmu);
	if (al->writer)
		return 0;
	make_parent(al->path);
	p304_error_clear(&err);
	if (p304_ledger_open(al->path, 1, &al->writer, &err) != P304_OK) {
		pthread_mutex_unlock(&al->wmu);
		api_reply_p304(rp, &err);
		return -1;
	}
	return 0;
}

static void writer_give(struct api_ledger *al)
{
	pthread_mutex_unlock(&al->wmu);
}

/* ------------------------------------------------------------------ */
/* Query values                                                         */
/* ------------------------------------------------------------------ */

/* The value of the route's query key `key`, or NULL. */
static const char *query(const struct srv_request *rq, const char *key)
{
	int i = api_route_query(rq->route, key);

	return i >= 0 && i < API_MAX_QUERY ? rq->query[i] : NULL;
}

static void bad_query(struct srv_reply *rp, const char *key, const char *message)
{
	api_error(rp, 400, "bad_request", message, NULL, 0, key);
}

/* A server started without a ledger (a test harness): said, not crashed. */
static int no_ledger(const struct api_ledger *al, struct srv_reply *rp)
{
	if (al)
		return 0;
	api_error(rp, 503, "no_ledger", _("this server has no campaign ledger (p304 serve "
		  "--ledger FILE)"), NULL, 0, NULL);
	return 1;
}

/* A year 1900 .. 2999 from `s`; -1 otherwise. */
static int year_of(const char *s, const char **end)
{
	long y = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && p - s < 5)
		y = y * 10 + (*p++ - '0');
	if (p - s != 4 || y < 1900 || y > 2999)
		return -1;
	*end = p;
	return (int)y;
}

/* Query key `year`, required: 0 and *year, or -1 and a 400. */
static int need_year(const struct srv_request *rq, struct srv_reply *rp, int *year)
{
	const char *s = query(rq, "year"), *end;

	if (!s || (*year = year_of(s, &end)) < 0 || *end) {
		bad_query(rp, "year", _("year: expected a year such as 2025 (year=2025)"));
		return -1;
	}
	return 0;
}

/* Query key `years`: "2020:2029" or one year; default 2020:2030 as the
 * command line's view. */
static int need_years(const struct srv_request *rq, struct srv_reply *rp, int *y0, int *y1)
{
	const char *s = query(rq, "years"), *end;

	*y0 = 2020;
	*y1 = 2030;
	if (!s)
		return 0;
	if ((*y0 = year_of(s, &end)) >= 0) {
		*y1 = *y0;
		if (*end == ':' && (*y1 = year_of(end + 1, &end)) < 0)
			end = "x";
	}
	if (*y0 < 0 || *end || *y1 < *y0 || *y1 - *y0 >= 60) {
		bad_query(rp, "years", _("years: expected two years such as 2020:2029, at most "
			  "60 years apart"));
		return -1;
	}
	return 0;
}

/* Query key `key` as a stage; dflt when absent (-1: required). */
static int need_stage(const struct srv_request *rq, struct srv_reply *rp, const char *key,
		      int dflt)
{
	const char *s = query(rq, key);
	int st = s ? p304_stage_parse(s) : dflt;

	if (st < 0) {
		char msg[300];

		snprintf(msg, sizeof(msg), _("%s: expected prenotified, need, notified, delegated, "
			 "consumed or avenant"), key);
		bad_query(rp, key, msg);
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* Answers                                                              */
/* ------------------------------------------------------------------ */

static void reply_root(struct srv_reply *rp, cJSON *root)
{
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;

	cJSON_Delete(root);
	if (!text) {
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	free(rp->body);
	rp->status = 200;
	rp->body = text;
	rp->len = strlen(text);
	rp->type = JSON;
}

static const char *name_of(const struct api_ledger *al, const char *code)
{
	const p304_authority *a = p304_reference_find(al->ref, code);

	return a ? a->name : "";
}

/* An amount in JSON: a number (exact below 2^53, and euros stop at 10^15),
 * or null for nothing. */
static void add_amount(cJSON *o, const char *key, int64_t v)
{
	if (v == P304_LEDGER_NONE || v == P304_NO_BOUND)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *outcome_json(const p304_ledger_outcome *o, int year)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddNumberToObject(r, "year", year);
	cJSON_AddNumberToObject(r, "batch", (double)o->batch);
	cJSON_AddNumberToObject(r, "added", (double)o->added);
	cJSON_AddNumberToObject(r, "superseded", (double)o->superseded);
	cJSON_AddNumberToObject(r, "unchanged", (double)o->unchanged);
	cJSON_AddBoolToObject(r, "already", o->already);
	cJSON_AddBoolToObject(r, "again", o->again);
	if (o->already || o->again) {
		cJSON_AddStringToObject(r, "already_at", o->already_at);
		cJSON_AddStringToObject(r, "already_who", o->already_who);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* GET /api/ledger/view                                                 */
/* ------------------------------------------------------------------ */

/* A download of the view: the CSV p304 ledger view prints, the vue.xlsx
 * of -o, or the evolution chart of --chart (the codes asked for, or the 12
 * largest of the last year, by name), each written by the function the
 * command line calls. */
enum view_kind { VIEW_CSV, VIEW_XLSX, VIEW_PNG };

static p304_code view_download(const p304_ledger_view *v, const struct api_ledger *al,
			       enum view_kind kind, const char *const *codes, size_t ncodes,
			       struct srv_reply *rp, p304_error *err)
{
	static const char *const types[] = { "text/csv; charset=utf-8",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/png" };
	static const char *const names[] = { "vue.csv", "vue.xlsx", "evolution.png" };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	p304_code rc;

	if (!fp)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	rc = kind == VIEW_CSV ? p304_write_ledger_view_csv(v, al->ref, fp, err)
	   : kind == VIEW_XLSX ? p304_write_ledger_view_xlsx(v, al->ref, fp, err)
			       : p304_chart_ledger_evolution(v, al->ref, codes, ncodes, fp, err);
	if (fclose(fp) != 0 && rc == P304_OK)
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	if (rc != P304_OK) {
		free(buf);
		return rc;
	}
	rp->status = 200;
	rp->body = buf;
	rp->len = len;
	rp->type = types[kind];
	rp->filename = strdup(names[kind]);
	return P304_OK;
}

/* The codes of ?codes=59,62 (at most 12, as the chart draws): 0, or -1
 * after a 400 naming the key. buf keeps the texts list points into. */
static int chart_codes(const struct srv_request *rq, struct srv_reply *rp, char *buf, size_t size,
		       const char **list, size_t *n)
{
	const char *s = query(rq, "codes");

	*n = 0;
	if (!s || !*s)
		return 0;
	if (strlen(s) >= size)
		goto bad;
	strcpy(buf, s);
	for (char *tok = buf, *comma; tok; tok = comma) {
		size_t len = strspn(tok, "0123456789ABab");

		if ((comma = strchr(tok, ',')))
			*comma++ = '\0';
		if (*n == 12 || len == 0 || len > 3 || tok[len] != '\0')
			goto bad; /* an empty code too: "59,,62" */
		list[(*n)++] = tok;
	}
	return 0;
bad:
	bad_query(rp, "codes", _("codes: expected at most 12 codes of collectivités separated by commas, "
				 "such as 59,62,2A"));
	return -1;
}

static void json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	fputc('"', fp);
}

/* Written by hand rather than through cJSON: its numbers are doubles
 * printed twice over (%1.15g, %1.17g), and the view is the page's most
 * frequent read (issue 22: p95 <= 5 ms for 101 x 10 years). */
static p304_code view_json(const p304_ledger_view *v, const struct api_ledger *al,
			   struct srv_reply *rp, p304_error *err, int illustrative)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	fprintf(fp, "{\"stage\":\"%s\",\"minus\":", p304_stage_name(v->stage));
	if (v->minus != v->stage)
		fprintf(fp, "\"%s\"", p304_stage_name(v->minus));
	else
		fputs("null", fp);
	fputs(",\"years\":[", fp);
	for (int y = 0; y < v->nyears; y++)
		fprintf(fp, "%s%d", y ? "," : "", v->year0 + y);
	fprintf(fp, "],\"illustrative\":%s,\"rows\":[", illustrative ? "true" : "false");
	for (size_t i = 0; i < v->nrows; i++) {
		fprintf(fp, "%s{\"code\":", i ? "," : "");
		json_string(fp, v->codes[i]);
		fputs(",\"name\":", fp);
		json_string(fp, name_of(al, v->codes[i]));
		fputs(",\"amounts_eur\":[", fp);
		for (int y = 0; y < v->nyears; y++) {
			int64_t x = v->v[i * (size_t)v->nyears + (size_t)y];

			if (y)
				fputc(',', fp);
			if (x == P304_LEDGER_NONE)
				fputs("null", fp);
			else
				fprintf(fp, "%lld", (long long)x);
		}
		fputs("]}", fp);
	}
	fputs("]}", fp);
	if (fclose(fp) != 0) {
		free(buf);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	rp->status = 200;
	rp->body = buf;
	rp->len = len;
	rp->type = JSON;
	return P304_OK;
}

/* The view of an absent ledger: no row. */
static p304_ledger_view *empty_view(int stage, int minus, int y0, int y1)
{
	p304_ledger_view *v = calloc(1, sizeof(*v));

	if (v) {
		v->stage = (p304_stage)stage;
		v->minus = (p304_stage)minus;
		v->year0 = y0;
		v->nyears = y1 - y0 + 1;
	}
	return v;
}

void api_ledger_view(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	struct api_ledger *al = api_ledger_of(api);
	const char *fmt = query(rq, "format"), *codes[12];
	char codes_buf[128];
	size_t ncodes = 0;
	p304_ledger_view *v = NULL;
	p304_ledger *lg;
	p304_error err;
	int stage, minus, y0, y1, have, illustrative = 0;

	if (no_ledger(al, rp))
		return;
	if ((stage = need_stage(rq, rp, "stage", -1)) < 0 ||
	    (minus = need_stage(rq, rp, "minus", stage)) < 0 || need_years(rq, rp, &y0, &y1))
		return;
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv") && strcmp(fmt, "xlsx") && strcmp(fmt, "png")) {
		bad_query(rp, "format", _("format: expected json, csv, xlsx or png"));
		return;
	}
	if (chart_codes(rq, rp, codes_buf, sizeof(codes_buf), codes, &ncodes) < 0)
		return;
	if ((have = reader_take(al, &lg, rp)) < 0)
		return;
	p304_error_clear(&err);
	if (have && (p304_ledger_view_make(lg, (p304_stage)stage, (p304_stage)minus, y0, y1, &v,
					   &err) != P304_OK ||
		     (illustrative = p304_ledger_illustrative(lg, (p304_stage)stage,
							      (p304_stage)minus, y0, y1, &err)) < 0)) {
		p304_ledger_view_free(v);
		reader_give(al, lg);
		api_reply_p304(rp, &err);
		return;
	}
	reader_give(al, lg);
	if (!have && !(v = empty_view(stage, minus, y0, y1))) {
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	if ((fmt && strcmp(fmt, "json")
	     ? view_download(v, al, !strcmp(fmt, "csv") ? VIEW_CSV : !strcmp(fmt, "xlsx") ? VIEW_XLSX : VIEW_PNG,
			     codes, ncodes, rp, &err)
	     : view_json(v, al, rp, &err, illustrative)) != P304_OK)
		api_reply_p304(rp, &err);
	p304_ledger_view_free(v);
}

/* ------------------------------------------------------------------ */
/* GET /api/ledger/history/{code}                                       */
/* ------------------------------------------------------------------ */

static void add_text(cJSON *o, const char *key, const char *s)
{
	if (s && *s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

/* The file as stored, by its last two names at most: a folder of the
 * command line ("2024-notification/notification.json") says what it was,
 * the rest of the path is the officer's machine, not the page's business. */
static const char *short_file(const char *f)
{
	const char *last = strrchr(f, '/'), *p;

	if (!last)
		return f;
	for (p = last - 1; p >= f && *p != '/'; p--)
		;
	return p + 1;
}

static int history_entry(void *ctx, const p304_ledger_entry *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)e->id);
	if (e->supersedes)
		cJSON_AddNumberToObject(o, "supersedes", (double)e->supersedes);
	else
		cJSON_AddNullToObject(o, "supersedes");
	cJSON_AddNumberToObject(o, "year", e->year);
	cJSON_AddStringToObject(o, "stage", p304_stage_name(e->stage));
	cJSON_AddStringToObject(o, "stage_label", p304_stage_label_fr(e->stage));
	cJSON_AddNumberToObject(o, "amount_eur", (double)e->amount_eur);
	cJSON_AddStringToObject(o, "at", e->at);
	add_text(o, "who", e->who);
	add_text(o, "kind", e->kind);
	add_text(o, "file", short_file(e->file ? e->file : ""));
	cJSON_AddNumberToObject(o, "line", (double)e->line);
	add_text(o, "sha256", e->sha256);
	add_text(o, "version", e->version);
	add_text(o, "scenario", e->scenario);
	add_text(o, "comment", e->comment);
	cJSON_AddItemToArray(ctx, o);
	return 0;
}

void api_ledger_history(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	struct api_ledger *al = api_ledger_of(api);
	const p304_authority *a;
	const char *ys = query(rq, "year"), *end;
	cJSON *root, *entries;
	p304_ledger *lg;
	p304_error err;
	int year = 0, have;

	if (no_ledger(al, rp))
		return;
	if (!(a = rq->id ? p304_reference_find(al->ref, rq->id) : NULL)) {
		api_error(rp, 404, "not_found", _("no such collectivité in the reference list: "
			  "expected a code such as 59 or 2A"), NULL, 0, "code");
		return;
	}
	if (ys && ((year = year_of(ys, &end)) < 0 || *end)) {
		bad_query(rp, "year", _("year: expected a year such as 2025 (year=2025)"));
		return;
	}
	if ((have = reader_take(al, &lg, rp)) < 0)
		return;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "code", a->code);
	cJSON_AddStringToObject(root, "name", a->name);
	entries = cJSON_AddArrayToObject(root, "entries");
	p304_error_clear(&err);
	if (have && p304_ledger_history(lg, a->code, year, history_entry, entries, &err)
	    != P304_OK) {
		reader_give(al, lg);
		cJSON_Delete(root);
		api_reply_p304(rp, &err);
		return;
	}
	reader_give(al, lg);
	reply_root(rp, root);
}

/* ------------------------------------------------------------------ */
/* GET /api/ledger/caps, GET /api/ledger/avenant                         */
/* ------------------------------------------------------------------ */

void api_ledger_caps(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	struct api_ledger *al = api_ledger_of(api);
	p304_ledger_cap *caps = NULL;
	size_t n = 0;
	cJSON *root, *arr;
	p304_ledger *lg;
	p304_error err;
	int year, have, illustrative = 0;

	if (no_ledger(al, rp))
		return;
	if (need_year(rq, rp, &year) || (have = reader_take(al, &lg, rp)) < 0)
		return;
	p304_error_clear(&err);
	/* the caps of Y and the avenant of Y come from Y − 2 and Y − 1 */
	if (have && (p304_ledger_caps(lg, year, &caps, &n, &err) != P304_OK ||
		     (illustrative = p304_ledger_illustrative(lg, P304_STAGE_DELEGATED,
							      P304_STAGE_CONSUMED, year - 2,
							      year - 1, &err)) < 0)) {
		free(caps);
		reader_give(al, lg);
		api_reply_p304(rp, &err);
		return;
	}
	reader_give(al, lg);
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "year", year);
	/* instruction 2024/72: delegated in N − 1, else N − 2 */
	cJSON_AddStringToObject(root, "rule", "2024");
	cJSON_AddBoolToObject(root, "illustrative", illustrative);
	arr = cJSON_AddArrayToObject(root, "caps");
	for (size_t i = 0; i < n; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "code", caps[i].code);
		cJSON_AddStringToObject(c, "name", name_of(al, caps[i].code));
		add_amount(c, "cap_eur", caps[i].from_year ? caps[i].cap_eur : P304_NO_BOUND);
		if (caps[i].from_year)
			cJSON_AddNumberToObject(c, "from_year", caps[i].from_year);
		else
			cJSON_AddNullToObject(c, "from_year");
		cJSON_AddItemToArray(arr, c);
	}
	free(caps);
	reply_root(rp, root);
}

static int need_rule(const struct srv_request *rq, struct srv_reply *rp, p304_avenant_rule *rule,
		     int *rate_bp)
{
	const char *r = query(rq, "rule"), *rate = query(rq, "rate");
	int64_t v = 10000;

	*rule = P304_AVENANT_STABLE;
	if (r && strcmp(r, "reduce-unconsumed") == 0)
		*rule = P304_AVENANT_REDUCE_UNCONSUMED;
	else if (r && strcmp(r, "stable") != 0) {
		bad_query(rp, "rule", _("rule: expected stable or reduce-unconsumed"));
		return -1;
	}
	if (rate && p304_parse_decimal(rate, strlen(rate), 2, 10000, &v, NULL, 0) != 0) {
		bad_query(rp, "rate", _("rate: expected a percentage from 0 to 100 (at most 2 "
			  "decimals)"));
		return -1;
	}
	*rate_bp = (int)v;
	return 0;
}

static void reply_avenant(struct srv_reply *rp, p304_avenant_result *av)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	p304_error err;
	p304_code rc;

	/* the ledger by its name, not the server's folders */
	if (av->ninputs && av->inputs[0].path) {
		const char *base = strrchr(av->inputs[0].path, '/');

		if (base)
			memmove(av->inputs[0].path, base + 1, strlen(base + 1) + 1);
	}
	if (!(fp = open_memstream(&buf, &len))) {
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	rc = p304_write_avenant_json(av, fp, &err);
	if (fclose(fp) != 0 || rc != P304_OK) {
		free(buf);
		if (rc != P304_OK)
			api_reply_p304(rp, &err);
		else
			api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	rp->status = 200;
	rp->body = buf;
	rp->len = len;
	rp->type = JSON;
}

void api_ledger_avenant(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	struct api_ledger *al = api_ledger_of(api);
	p304_avenant_result *av = NULL;
	p304_avenant_rule rule;
	p304_ledger *lg;
	p304_error err;
	int year, rate, have;

	if (no_ledger(al, rp))
		return;
	if (need_year(rq, rp, &year) || need_rule(rq, rp, &rule, &rate) ||
	    (have = reader_take(al, &lg, rp)) < 0)
		return;
	p304_error_clear(&err);
	if (!have) {
		p304_error_set(&err, P304_ERR_INPUT, NULL, 0, _("no delegated amount in %d: import "
			       "them first (p304 ledger import --stage delegated)"), year);
		api_reply_p304(rp, &err);
		return;
	}
	if (p304_ledger_avenant(lg, al->ref, year, rule, rate, &av, &err) != P304_OK) {
		reader_give(al, lg);
		api_reply_p304(rp, &err);
		return;
	}
	reader_give(al, lg);
	reply_avenant(rp, av);
	p304_avenant_result_free(av);
}

/* ------------------------------------------------------------------ */
/* POST /api/ledger/import, POST /api/ledger/record                      */
/* ------------------------------------------------------------------ */

void api_ledger_import(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	struct api_ledger *al = api_ledger_of(api);
	const char *data = rq->body;
	size_t len = rq->len;
	p304_ledger_outcome o;
	p304_error err;
	char name[64];
	int stage, year;
	p304_code rc;

	if (no_ledger(al, rp))
		return;
	if ((stage = need_stage(rq, rp, "stage", -1)) < 0 || need_year(rq, rp, &year))
		return;
	if (stage != P304_STAGE_DELEGATED && stage != P304_STAGE_CONSUMED) {
		bad_query(rp, "stage", _("stage: only delegated and consumed amounts are "
			  "imported (stage=delegated or stage=consumed)"));
		return;
	}
	if (rq->multipart) {
		int i = rq->parts ? srv_parts_index(rq->parts, "file") : -1;

		if (i < 0 || !rq->parts->seen[i]) {
			api_error(rp, 400, "bad_request", _("expected the table as the body or as "
				  "the part 'file'"), NULL, 0, "file");
			return;
		}
		data = rq->parts->data[i] ? rq->parts->data[i] : "";
		len = rq->parts->len[i];
	}
	/* the name the ledger keeps and messages give: what it is, not a
	 * path of this machine */
	snprintf(name, sizeof(name), "%s-%d.csv",
		 stage == P304_STAGE_DELEGATED ? "delegue" : "consomme", year);
	if (writer_take(al, rp))
		return;
	p304_error_clear(&err);
	rc = p304_ledger_import_buffer(al->writer, al->ref, name, data, len, (p304_stage)stage,
				       year, query(rq, "comment"), &o, &err);
	writer_give(al);
	if (rc != P304_OK)
		api_reply_p304(rp, &err);
	else
		reply_root(rp, outcome_json(&o, year));
}

void api_ledger_record(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	struct api_ledger *al = api_ledger_of(api);
	struct srv_reply res = { 0 };
	p304_ledger_outcome o;
	p304_error err;
	char label[64];
	int stage, year, reconcile;
	p304_code rc;

	if (no_ledger(al, rp))
		return;
	if ((stage = need_stage(rq, rp, "stage", P304_STAGE_PRENOTIFIED)) < 0 ||
	    need_year(rq, rp, &year))
		return;
	if (stage != P304_STAGE_PRENOTIFIED && stage != P304_STAGE_NOTIFIED) {
		bad_query(rp, "stage", _("stage: the current round is recorded as prenotified "
			  "(the allocation) or notified (the reconciliation)"));
		return;
	}
	reconcile = stage == P304_STAGE_NOTIFIED;
	/* the result computed here as /api/allocate and /api/reconcile do,
	 * recorded as its JSON: the same bytes as the command line's file */
	if (api_compute(api, rq, reconcile, &res)) {
		*rp = res;
		return;
	}
	snprintf(label, sizeof(label), "%s-%d/%s", reconcile ? "notification" : "repartition",
		 year, reconcile ? "notification.json" : "repartition.json");
	if (writer_take(al, rp)) {
		free(res.body);
		return;
	}
	p304_error_clear(&err);
	rc = p304_ledger_record_text(al->writer, reconcile ? "notification.json" : "repartition.json",
				     res.body, res.len, year, label, query(rq, "comment"), &o, &err);
	writer_give(al);
	free(res.body);
	if (rc != P304_OK)
		api_reply_p304(rp, &err);
	else
		reply_root(rp, outcome_json(&o, year));
}
