/*
 * api.c - the JSON API of `p304 serve` (docs/api.md) over the workflows:
 * each request's files (its scenario, its uploads) go into an in-memory
 * overlay in front of the tables loaded once at start, and the same
 * functions as the command line run on them. No path taken from a request
 * is ever opened.
 */
#include "server/server.h"
#include "server/routes.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <p304/chart.h>

#include "format/fileutil.h"
#include "server/api_priv.h"
#include "gettext.h"

struct shipped {
	char *id, *title, *text;
	size_t len;
};

/* What a listing read of one saved file; read again only when its inode,
 * size or modification time changed (issue 19: every listing re-read
 * every file). */
struct saved {
	char *id, *title;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int present;
};

struct srv_api {
	p304_catalogue *cat;
	char *datadir, *workspace, *default_ref, *tiles;
	struct shipped *sc;
	size_t nsc;
	char *tables_json;      /* GET /api/tables, built once */
	size_t tables_len;
	char *contours_json;    /* GET /api/contours, or NULL when absent */
	size_t contours_len;
	/* the workspace: its limits, and what was read of it (ws_mu) */
	size_t ws_max_count, ws_max_bytes;
	pthread_mutex_t ws_mu;
	struct saved *saved;    /* the titles of the saved files, by id */
	size_t nsaved, capsaved;
	struct api_ledger *ledger; /* api_ledger.c; NULL: no ledger */
};

static const char JSON[] = "application/json";

/* ------------------------------------------------------------------ */
/* Replies                                                              */
/* ------------------------------------------------------------------ */

static void reply_json(struct srv_reply *rp, unsigned status, cJSON *root)
{
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;

	cJSON_Delete(root);
	if (!text) {
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	rp->status = status;
	rp->body = text;
	rp->len = strlen(text);
	rp->type = JSON;
}

static void reply_copy(struct srv_reply *rp, const char *body, size_t len, const char *type)
{
	if (!(rp->body = malloc(len + 1))) {
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	memcpy(rp->body, body, len);
	rp->body[len] = '\0';
	rp->len = len;
	rp->status = 200;
	rp->type = type;
}

/* The server's own folders (data, workspace, temporary), never shown in an
 * answer (issue 19): a message naming a file below one of them names it
 * from there ("reference/tuiles.csv"). Set once by api_load, before any
 * request. */
static const char *hidden_dirs[3];

static void hide_dirs(const char *in, char *out, size_t size)
{
	size_t o = 0;

	while (*in && o + 1 < size) {
		size_t skip = 0;

		for (int k = 0; k < 3 && !skip; k++) {
			size_t n = hidden_dirs[k] ? strlen(hidden_dirs[k]) : 0;

			if (n > 1 && strncmp(in, hidden_dirs[k], n) == 0)
				skip = n + (in[n] == '/');
		}
		if (skip) {
			in += skip;
			continue;
		}
		out[o++] = *in++;
	}
	out[o] = '\0';
}

void api_error(struct srv_reply *rp, unsigned status, const char *code, const char *message,
	       const char *file, long line, const char *field)
{
	cJSON *root = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(root, "error");
	char *text, shown[2048];

	hide_dirs(message, shown, sizeof(shown));
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", shown);
	if (file)
		cJSON_AddStringToObject(e, "file", file);
	else
		cJSON_AddNullToObject(e, "file");
	if (line > 0)
		cJSON_AddNumberToObject(e, "line", (double)line);
	else
		cJSON_AddNullToObject(e, "line");
	if (field)
		cJSON_AddStringToObject(e, "field", field);
	else
		cJSON_AddNullToObject(e, "field");
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	free(rp->body);
	rp->status = status;
	rp->body = text;
	rp->len = text ? strlen(text) : 0;
	rp->type = JSON;
}

/* The JSON path ("criteria[1].weight_pct") of the first key or value on
 * line `line` of a JSON text, so the page can point at the field. Empty when
 * the line holds none. */
static void json_path_at_line(const char *t, size_t len, long line, char *out, size_t size)
{
	struct { int arr; long idx; char key[64]; } st[32];
	int depth = 0, expect_key = 0;
	long ln = 1;

	out[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		char ch = t[i];

		if (ch == '\n') {
			if (ln++ > line)
				return;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r')
			continue;
		if (ln == line && ch != '}' && ch != ']' && ch != ',' && ch != ':') {
			size_t o = 0;
			int is_key = ch == '"' && depth > 0 && !st[depth - 1].arr && expect_key;

			if (is_key) {
				size_t j = i + 1, k = 0;

				while (j < len && t[j] != '"') {
					if (t[j] == '\\')
						j++;
					else if (k + 1 < sizeof(st[0].key))
						st[depth - 1].key[k++] = t[j];
					j++;
				}
				st[depth - 1].key[k] = '\0';
			}
			for (int d = 0; d < depth && o < size; d++) {
				if (st[d].arr)
					o += (size_t)snprintf(out + o, size - o, "[%ld]", st[d].idx);
				else if (d < depth - 1 || is_key || !expect_key)
					o += (size_t)snprintf(out + o, size - o, "%s%s", o ? "." : "",
							      st[d].key);
			}
			return;
		}
		switch (ch) {
		case '{':
		case '[':
			if (depth == 32)
				return;
			st[depth].arr = ch == '[';
			st[depth].idx = 0;
			st[depth].key[0] = '\0';
			depth++;
			expect_key = ch == '{';
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			expect_key = 0;
			break;
		case ',':
			if (depth && st[depth - 1].arr)
				st[depth - 1].idx++;
			else
				expect_key = 1;
			break;
		case ':':
			expect_key = 0;
			break;
		case '"': {
			size_t j = i + 1, k = 0;
			int key = depth && !st[depth - 1].arr && expect_key;

			while (j < len && t[j] != '"') {
				if (t[j] == '\\')
					j++;
				else if (key && k + 1 < sizeof(st[0].key))
					st[depth - 1].key[k++] = t[j];
				j++;
			}
			if (key)
				st[depth - 1].key[k] = '\0';
			i = j;
			break;
		}
		default:
			break;
		}
	}
}

/* The message may name the key at fault inside the object of that line
 * ("criterion 'x': 'weight_pct' must be ..."): the last quoted word of the
 * message that is a key of the document replaces the last part of the path. */
static void refine_field(const char *msg, const char *doc, char *field, size_t size)
{
	char best[64] = "", pat[80], *last, *br;

	/* quoted 'x' (English) or « x » (French, with no-break spaces) */
	for (const char *p = msg; *p; p++) {
		const char *w = p + 1, *end;
		size_t n;

		if (*p == '\'') {
			end = strchr(w, '\'');
		} else if (strncmp(p, "«\u00a0", 4) == 0) {
			w = p + 4;
			end = strstr(w, "\u00a0»");
		} else {
			continue;
		}
		if (!end)
			break;
		n = (size_t)(end - w);
		p = w - 1;
		if (n && n < sizeof(best) && strspn(w, "abcdefghijklmnopqrstuvwxyz_") >= n) {
			snprintf(pat, sizeof(pat), "\"%.*s\":", (int)n, w);
			if (strstr(doc, pat))
				snprintf(best, sizeof(best), "%.*s", (int)n, w);
		}
		p = end;
	}
	if (!best[0] || !field[0])
		return;
	last = strrchr(field, '.');
	br = strrchr(field, ']');
	if (last && (!br || strchr(last, ']') == NULL))
		*last = '\0';
	else if (!last && !br)
		field[0] = '\0';
	if (strlen(field) + strlen(best) + 2 < size)
		snprintf(field + strlen(field), size - strlen(field), "%s%s", field[0] ? "." : "", best);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A JSON document of the request, by the name the workflows know it by. */
struct doc {
	const char *name;
	const char *text;
	size_t len;
};

/* The CLI's message for a workflow error, with the place at fault. */
static void reply_p304_error(struct srv_reply *rp, const p304_error *err,
			     const struct doc *docs, size_t ndocs, p304_catalogue *cat)
{
	char msg[1400], field[160] = "";
	const char *file = err->file[0] ? base_name(err->file) : NULL;
	const char *code = "input";
	unsigned status = 422;

	switch (err->code) {
	case P304_ERR_INFEASIBLE: code = "infeasible"; break;
	case P304_ERR_DEPENDENCY: code = "dependency"; status = 503; break;
	case P304_ERR_NOMEM:
	case P304_ERR_INTERNAL:
	case P304_ERR_IO: code = "internal"; status = 500; break;
	default: break;
	}
	if (file && err->line > 0)
		snprintf(msg, sizeof(msg), "%s:%ld: %s", file, err->line, err->message);
	else if (file)
		snprintf(msg, sizeof(msg), "%s: %s", file, err->message);
	else
		snprintf(msg, sizeof(msg), "%s", err->message);
	for (size_t i = 0; file && i < ndocs; i++)
		if (strcmp(file, docs[i].name) == 0 && err->line > 0) {
			json_path_at_line(docs[i].text, docs[i].len, err->line, field, sizeof(field));
			refine_field(err->message, docs[i].text, field, sizeof(field));
		}
	if (file && err->line == 0 && ndocs > 0 && cat && !p304_catalogue_has(cat, file)) {
		/* a file the scenario names: point at its key in the scenario */
		static const char *const keys[] = { "data", "reference", "participants" };
		cJSON *root = cJSON_ParseWithLength(docs[ndocs - 1].text, docs[ndocs - 1].len);

		for (size_t k = 0; root && k < 3; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[k]);
			char pat[32];

			/* "participants": {"file": "liste.csv"} (F8: its errors were not
			 * tied to the key, as data's and reference's are) */
			if (cJSON_IsObject(v))
				v = cJSON_GetObjectItemCaseSensitive(v, "file");
			const char *at;
			long line = 1;

			if (!cJSON_IsString(v) || strcmp(base_name(v->valuestring), file))
				continue;
			snprintf(pat, sizeof(pat), "\"%s\"", keys[k]);
			if ((at = strstr(docs[ndocs - 1].text, pat)))
				for (const char *p = docs[ndocs - 1].text; p < at; p++)
					line += *p == '\n';
			snprintf(field, sizeof(field), "%s", keys[k]);
			file = docs[ndocs - 1].name;
			snprintf(msg, sizeof(msg), "%s:%ld: %s", file, line, err->message);
			cJSON_Delete(root);
			api_error(rp, status, code, msg, file, line, field);
			return;
		}
		cJSON_Delete(root);
	}
	if (!field[0]) {
		/* a CSV message names its column: "column 'enfants_ase' ..." */
		const char *c = strstr(err->message, "column '"), *end = NULL;
		size_t skip = 8;

		if (!c && (c = strstr(err->message, "colonne «\u00a0")))
			skip = strlen("colonne «\u00a0");
		if (c)
			end = skip == 8 ? strchr(c + skip, '\'') : strstr(c + skip, "\u00a0»");
		if (end && (size_t)(end - c - skip) < sizeof(field))
			snprintf(field, sizeof(field), "%.*s", (int)(end - c - skip), c + skip);
	}
	api_error(rp, status, code, msg, file, err->line, field[0] ? field : NULL);
}

void api_reply_p304_error(struct srv_reply *rp, const p304_error *err)
{
	reply_p304_error(rp, err, NULL, 0, NULL);
}

const char *api_tiles(const struct srv_api *api)
{
	return api->tiles;
}

static const struct shipped *find_shipped(const struct srv_api *api, const char *id);
static int read_saved(const char *path, char **text, size_t *len);
static int id_ok(const char *id);

int api_scenario_text(struct srv_api *api, const char *id, char **text, size_t *len)
{
	char path[PATH_MAX + 80];
	const struct shipped *s = find_shipped(api, id);

	if (s) {
		if (!(*text = malloc(s->len + 1)))
			return 0;
		memcpy(*text, s->text, s->len);
		(*text)[s->len] = '\0';
		*len = s->len;
		return 1;
	}
	if (!id_ok(id))
		return 0;
	snprintf(path, sizeof(path), "%s/%s.json", api->workspace, id);
	return read_saved(path, text, len) == 0;
}

/* ------------------------------------------------------------------ */
/* Loading once                                                         */
/* ------------------------------------------------------------------ */

static int id_ok(const char *id)
{
	size_t n = strlen(id);

	return n >= 1 && n <= 64 && id[0] != '.' &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json file names of a folder with a valid id, sorted. */
static char **list_json(const char *dir, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *d;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!dp)
		return NULL;
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name);
		char id[80];

		if (len < 6 || len - 5 > 64 || strcmp(d->d_name + len - 5, ".json"))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)(len - 5), d->d_name);
		if (!id_ok(id))
			continue;
		if (*n == cap) {
			void *p = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(char *));

			if (!p)
				break;
			names = p;
		}
		if (!(names[*n] = strdup(id)))
			break;
		(*n)++;
	}
	closedir(dp);
	if (names)
		qsort(names, *n, sizeof(char *), str_cmp);
	return names;
}

static char *title_of(const char *text, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "title");
	char *title = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;

	cJSON_Delete(root);
	return title;
}

static p304_code load_shipped(struct srv_api *api, p304_error *err)
{
	char dir[PATH_MAX];
	size_t n;
	char **ids;

	snprintf(dir, sizeof(dir), "%s/scenarios", api->datadir);
	ids = list_json(dir, &n);
	api->sc = calloc(n ? n : 1, sizeof(*api->sc));
	if (!api->sc) {
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 80];
		struct shipped *s = &api->sc[api->nsc];

		snprintf(path, sizeof(path), "%s/%s.json", dir, ids[i]);
		if (p304_read_file(path, &s->text, &s->len, err) != P304_OK) {
			free(ids[i]);
			continue;
		}
		s->id = ids[i];
		s->title = title_of(s->text, s->len);
		api->nsc++;
	}
	free(ids);
	return P304_OK;
}

/* "67|68" -> ["67", "68"] */
static cJSON *split_list(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	while (a && s && *s) {
		size_t n = strcspn(s, "|");
		char buf[64];

		if (n) {
			snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
			cJSON_AddItemToArray(a, cJSON_CreateString(buf));
		}
		s += n;
		if (*s)
			s++;
	}
	return a;
}

static p304_code build_tables(struct srv_api *api, p304_error *err)
{
	cJSON *root = cJSON_CreateObject(), *tables = cJSON_AddArrayToObject(root, "tables");
	cJSON *refs = cJSON_AddArrayToObject(root, "reference");
	p304_reference *ref = NULL;
	p304_code rc;

	for (size_t i = 0; i < p304_catalogue_ntables(api->cat); i++) {
		const p304_csv *csv = p304_catalogue_table_csv(api->cat, i);
		const p304_csv *src = p304_catalogue_table_sources(api->cat, i);
		const char *id = p304_catalogue_table_id(api->cat, i);
		cJSON *t = cJSON_CreateObject(), *cols, *sources;
		const char *y = id + strcspn(id, "0123456789");

		cJSON_AddItemToArray(tables, t);
		cJSON_AddStringToObject(t, "id", id);
		cJSON_AddStringToObject(t, "file", p304_catalogue_table_file(api->cat, i));
		if (strspn(y, "0123456789") >= 4) {
			char v[5];

			snprintf(v, sizeof(v), "%.4s", y);
			cJSON_AddStringToObject(t, "vintage", v);
		} else {
			cJSON_AddNullToObject(t, "vintage");
		}
		cJSON_AddNumberToObject(t, "rows", (double)p304_csv_nrows(csv));
		cols = cJSON_AddArrayToObject(t, "columns");
		for (size_t c = 0; c < p304_csv_ncols(csv); c++) {
			const char *h = p304_csv_header(csv, c);

			if (strcasecmp(h, "code") && strcasecmp(h, "nom"))
				cJSON_AddItemToArray(cols, cJSON_CreateString(h));
		}
		sources = cJSON_AddArrayToObject(t, "sources");
		if (src) {
			static const char *const keys[][2] = {
				{ "colonne", "column" }, { "libelle", "label" },
				{ "producteur", "producer" }, { "publication", "publication" },
				{ "date_reference", "reference_date" }, { "statut", "status" },
				{ "methode", "method" },
			};

			for (size_t r = 0; r < p304_csv_nrows(src); r++) {
				cJSON *o = cJSON_CreateObject();

				cJSON_AddItemToArray(sources, o);
				for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
					long col = p304_csv_find_column(src, keys[k][0]);

					if (col >= 0)
						cJSON_AddStringToObject(o, keys[k][1],
							p304_csv_cell(src, r, (size_t)col));
				}
			}
		}
	}
	if ((rc = p304_catalogue_reference(api->cat, api->default_ref, &ref, err)) != P304_OK) {
		cJSON_Delete(root);
		return rc;
	}
	for (size_t i = 0; i < p304_reference_count(ref); i++) {
		const p304_authority *a = p304_reference_at(ref, i);
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(refs, o);
		cJSON_AddStringToObject(o, "code", a->code);
		cJSON_AddStringToObject(o, "name", a->name);
		cJSON_AddStringToObject(o, "region", a->region_code);
		cJSON_AddStringToObject(o, "region_name", a->region_name);
		cJSON_AddStringToObject(o, "kind", a->kind);
		if (a->valid_from)
			cJSON_AddNumberToObject(o, "valid_from", a->valid_from);
		else
			cJSON_AddNullToObject(o, "valid_from");
		if (a->valid_to)
			cJSON_AddNumberToObject(o, "valid_to", a->valid_to);
		else
			cJSON_AddNullToObject(o, "valid_to");
		cJSON_AddItemToObject(o, "aliases", split_list(a->aliases));
		cJSON_AddItemToObject(o, "members", split_list(a->members));
	}
	p304_reference_free(ref);
	api->tables_json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!api->tables_json)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	api->tables_len = strlen(api->tables_json);
	return P304_OK;
}

/* reference/contours.csv -> {"contours": [{"code", "rings": [[[x,y],..],..]}]} */
static p304_code build_contours(struct srv_api *api, p304_error *err)
{
	char path[PATH_MAX + 64];
	p304_csv *csv = NULL;
	cJSON *root, *list, *cur = NULL, *ring = NULL;
	long ccode, cring, cx, cy;
	char last_code[32] = "", last_ring[32] = "";
	struct stat st;
	p304_code rc;

	snprintf(path, sizeof(path), "%s/reference/contours.csv", api->datadir);
	if (stat(path, &st) != 0)
		return P304_OK;   /* 404 until the outlines are built */
	if ((rc = p304_csv_load(path, &csv, err)) != P304_OK)
		return rc;
	ccode = p304_csv_find_column(csv, "code");
	cring = p304_csv_find_column(csv, "anneau");
	cx = p304_csv_find_column(csv, "x");
	cy = p304_csv_find_column(csv, "y");
	if (ccode < 0 || cring < 0 || cx < 0 || cy < 0) {
		p304_csv_free(csv);
		return p304_error_set(err, P304_ERR_INPUT, path, 1,
				      _("expected the columns code,anneau,x,y"));
	}
	root = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(root, "contours");
	for (size_t r = 0; r < p304_csv_nrows(csv); r++) {
		const char *code = p304_csv_cell(csv, r, (size_t)ccode);
		const char *rg = p304_csv_cell(csv, r, (size_t)cring);
		cJSON *pt;
		char *end1, *end2;
		double x = strtod(p304_csv_cell(csv, r, (size_t)cx), &end1);
		double y = strtod(p304_csv_cell(csv, r, (size_t)cy), &end2);

		if (*end1 || *end2) {
			cJSON_Delete(root);
			rc = p304_error_set(err, P304_ERR_INPUT, path, p304_csv_line(csv, r),
					    _("x and y must be numbers"));
			p304_csv_free(csv);
			return rc;
		}
		if (!cur || strcmp(code, last_code)) {
			cur = cJSON_CreateObject();
			cJSON_AddItemToArray(list, cur);
			cJSON_AddStringToObject(cur, "code", code);
			cJSON_AddArrayToObject(cur, "rings");
			snprintf(last_code, sizeof(last_code), "%s", code);
			last_ring[0] = '\0';
			ring = NULL;
		}
		if (!ring || strcmp(rg, last_ring)) {
			ring = cJSON_CreateArray();
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(cur, "rings"), ring);
			snprintf(last_ring, sizeof(last_ring), "%s", rg);
		}
		pt = cJSON_CreateArray();
		cJSON_AddItemToArray(pt, cJSON_CreateNumber(x));
		cJSON_AddItemToArray(pt, cJSON_CreateNumber(y));
		cJSON_AddItemToArray(ring, pt);
	}
	p304_csv_free(csv);
	api->contours_json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!api->contours_json)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	api->contours_len = strlen(api->contours_json);
	return P304_OK;
}

p304_code api_load(struct srv_api **out, const struct srv_config *cfg, p304_error *err)
{
	struct srv_api *api = calloc(1, sizeof(*api));
	const char *datadir = cfg->datadir, *workspace = cfg->workspace;
	p304_code rc;

	*out = NULL;
	if (!api || !(api->datadir = strdup(datadir)) || !(api->workspace = strdup(workspace)) ||
	    asprintf(&api->default_ref, "%s/reference/collectivites.csv", datadir) < 0 ||
	    asprintf(&api->tiles, "%s/reference/tuiles.csv", datadir) < 0) {
		if (api)
			api->default_ref = api->tiles = NULL;
		api_free(api);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	{
		static char tmpdir[PATH_MAX];
		const char *t = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s", t && t[0] == '/' ? t : "/tmp");
		hidden_dirs[0] = api->datadir;
		hidden_dirs[1] = api->workspace;
		hidden_dirs[2] = tmpdir;
	}
	api->ws_max_count = cfg->ws_max_count ? cfg->ws_max_count : SRV_WS_MAX_COUNT;
	api->ws_max_bytes = cfg->ws_max_bytes ? cfg->ws_max_bytes : SRV_WS_MAX_BYTES;
	pthread_mutex_init(&api->ws_mu, NULL);
	if ((rc = p304_catalogue_load_dir(datadir, &api->cat, err)) != P304_OK ||
	    (rc = load_shipped(api, err)) != P304_OK ||
	    (rc = build_tables(api, err)) != P304_OK ||
	    (rc = build_contours(api, err)) != P304_OK ||
	    (cfg->ledger && (rc = api_ledger_open(cfg->ledger, api->default_ref, &api->ledger,
						  err)) != P304_OK)) {
		api_free(api);
		return rc;
	}
	*out = api;
	return P304_OK;
}

void api_free(struct srv_api *api)
{
	if (!api)
		return;
	api_ledger_free(api->ledger);
	p304_catalogue_free(api->cat);
	for (size_t i = 0; i < api->nsc; i++) {
		free(api->sc[i].id);
		free(api->sc[i].title);
		free(api->sc[i].text);
	}
	free(api->sc);
	free(api->datadir);
	free(api->workspace);
	free(api->default_ref);
	free(api->tiles);
	free(api->tables_json);
	free(api->contours_json);
	for (size_t i = 0; i < api->nsaved; i++) {
		free(api->saved[i].id);
		free(api->saved[i].title);
	}
	free(api->saved);
	pthread_mutex_destroy(&api->ws_mu);
	free(api);
}

/* ------------------------------------------------------------------ */
/* Request bodies                                                       */
/* ------------------------------------------------------------------ */

/* The byte range of member `key` of the top-level object of a valid JSON
 * text (the request body), so a scenario inside a request keeps its exact
 * text: same checks, same lines as a file. */
int member_span(const char *t, size_t len, const char *key, size_t *start, size_t *end)
{
	size_t i = 0, klen = strlen(key);
	int depth = 0;

	while (i < len && t[i] != '{')
		i++;
	if (i == len)
		return -1;
	i++;
	while (i < len) {
		size_t ks, ke, vs;

		while (i < len && t[i] != '"' && t[i] != '}')
			i++;
		if (i >= len || t[i] == '}')
			return -1;
		ks = ++i;
		while (i < len && t[i] != '"') {
			if (t[i] == '\\')
				i++;
			i++;
		}
		ke = i++;
		while (i < len && t[i] != ':')
			i++;
		i++;
		while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
			i++;
		vs = i;
		depth = 0;
		for (; i < len; i++) {
			char ch = t[i];

			if (ch == '"') {
				for (i++; i < len && t[i] != '"'; i++)
					if (t[i] == '\\')
						i++;
				continue;
			}
			if (ch == '{' || ch == '[')
				depth++;
			else if (ch == '}' || ch == ']') {
				if (depth == 0)
					break;
				depth--;
			} else if (ch == ',' && depth == 0)
				break;
		}
		if (ke - ks == klen && memcmp(t + ks, key, klen) == 0) {
			*start = vs;
			*end = i;
			while (*end > vs && (t[*end - 1] == ' ' || t[*end - 1] == '\n' ||
					     t[*end - 1] == '\r' || t[*end - 1] == '\t'))
				(*end)--;
			return 0;
		}
		if (i < len && t[i] == ',')
			i++;
	}
	return -1;
}

/* The line of the first \u0000 inside a JSON string of `t`, or 0. cJSON
 * decodes it to a NUL that ends the C string: a title "A\u0000B" became
 * "A", an id cut short (issue 19). Refused, never truncated. */
static long nul_escape_line(const char *t, size_t len)
{
	long line = 1;
	int in_str = 0;

	for (size_t i = 0; i < len; i++) {
		if (t[i] == '\n')
			line++;
		if (t[i] == '"') {
			in_str = !in_str;
		} else if (in_str && t[i] == '\\' && i + 1 < len) {
			if (t[i + 1] == 'u' && i + 5 < len && strncmp(t + i + 2, "0000", 4) == 0)
				return line;
			i++;
		}
	}
	return 0;
}

/* An upper bound of the values of a JSON text (commas and openings outside
 * strings, plus one), counted before cJSON builds its tree: an 8 MiB body
 * {"a":[0,0,...]} of 4.2 million values took 9 s and 360 MB (F2). */
static size_t json_values(const char *t, size_t len)
{
	size_t n = 1;
	int in_str = 0;

	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (t[i] == '\\')
				i++;
			else if (t[i] == '"')
				in_str = 0;
		} else if (t[i] == '"') {
			in_str = 1;
		} else if (t[i] == ',' || t[i] == '[' || t[i] == '{') {
			n++;
		}
	}
	return n;
}

/* Refuses a JSON text of the request holding \u0000 (400) or more values
 * than any scenario or result (413, docs/api.md "Limits"). */
static int refuse_nul(const char *name, const char *t, size_t len, struct srv_reply *rp)
{
	long line = nul_escape_line(t, len);
	size_t nv = json_values(t, len);
	char msg[300];

	if (nv > SRV_MAX_JSON_VALUES) {
		snprintf(msg, sizeof(msg), _("%s: about %zu JSON values, expected at most %d (a "
			 "scenario holds about a hundred, a result a few thousand): nothing was "
			 "read"), name, nv, SRV_MAX_JSON_VALUES);
		api_error(rp, 413, "too_large", msg, NULL, 0, NULL);
		return 1;
	}
	if (!line)
		return 0;
	snprintf(msg, sizeof(msg), _("%s:%ld: \\u0000 (a NUL character) in a text, which would "
		 "cut it short; remove it"), name, line);
	api_error(rp, 400, "bad_request", msg, name, line, NULL);
	return 1;
}

/* The body as a JSON object, or a 400. */
static cJSON *parse_object(const struct srv_request *rq, struct srv_reply *rp)
{
	cJSON *root;

	if (refuse_nul(_("request body"), rq->body, rq->len, rp))
		return NULL;
	root = cJSON_ParseWithLength(rq->body, rq->len);

	if (!root || !cJSON_IsObject(root)) {
		const char *at = cJSON_GetErrorPtr();
		long line = 1;
		char msg[200];

		if (root) {
			cJSON_Delete(root);
			api_error(rp, 400, "bad_request", _("the body must be a JSON object"),
				  NULL, 0, NULL);
			return NULL;
		}
		for (const char *p = rq->body; at && p < at && p < rq->body + rq->len; p++)
			line += *p == '\n';
		snprintf(msg, sizeof(msg), _("request body:%ld: not valid JSON"), line);
		api_error(rp, 400, "bad_request", msg, NULL, line, NULL);
		return NULL;
	}
	return root;
}

/* A fresh overlay holding `name` = text. */
static p304_catalogue *overlay_with(struct srv_api *api, struct srv_reply *rp,
				    const struct doc *docs, size_t ndocs)
{
	p304_catalogue *ov = NULL;
	p304_error err;

	if (p304_catalogue_overlay(api->cat, &ov, &err) != P304_OK) {
		reply_p304_error(rp, &err, NULL, 0, NULL);
		return NULL;
	}
	for (size_t i = 0; i < ndocs; i++)
		if ((strstr(docs[i].name, ".json") &&
		     refuse_nul(docs[i].name, docs[i].text, docs[i].len, rp)) ||
		    p304_catalogue_add_text(ov, docs[i].name, docs[i].text, docs[i].len, &err) != P304_OK) {
			if (rp->status != 400 && rp->status != 413)
				reply_p304_error(rp, &err, NULL, 0, NULL);
			p304_catalogue_free(ov);
			return NULL;
		}
	return ov;
}

/* Writes with `write` into memory. */
typedef p304_code (*writer)(const void *x, FILE *fp, p304_error *err);

static void reply_written(struct srv_reply *rp, writer w, const void *x, const char *type)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	p304_error err;
	p304_code rc;

	if (!fp) {
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
		return;
	}
	rc = w(x, fp, &err);
	if (fclose(fp) != 0 && rc == P304_OK)
		rc = p304_error_set(&err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	if (rc != P304_OK) {
		free(buf);
		reply_p304_error(rp, &err, NULL, 0, NULL);
		return;
	}
	rp->status = 200;
	rp->body = buf;
	rp->len = len;
	rp->type = type;
}

static p304_code w_result(const void *x, FILE *fp, p304_error *e) { return p304_write_result_json(x, fp, e); }
static p304_code w_result_csv(const void *x, FILE *fp, p304_error *e) { return p304_write_result_csv(x, fp, e); }
static p304_code w_result_xlsx(const void *x, FILE *fp, p304_error *e) { return p304_write_xlsx_allocation(x, fp, e); }
static p304_code w_cmp(const void *x, FILE *fp, p304_error *e) { return p304_write_comparison_json(x, fp, e); }
static p304_code w_cmp_csv(const void *x, FILE *fp, p304_error *e) { return p304_write_comparison_csv(x, fp, e); }
static p304_code w_cmp_xlsx(const void *x, FILE *fp, p304_error *e) { return p304_write_xlsx_comparison(x, fp, e); }
static p304_code w_nt(const void *x, FILE *fp, p304_error *e) { return p304_write_notification_json(x, fp, e); }
static p304_code w_nt_csv(const void *x, FILE *fp, p304_error *e) { return p304_write_notification_csv(x, fp, e); }
static p304_code w_nt_xlsx(const void *x, FILE *fp, p304_error *e) { return p304_write_xlsx_notification(x, fp, e); }
static p304_code w_sweep(const void *x, FILE *fp, p304_error *e) { return p304_write_sweep_json(x, fp, e); }
static p304_code w_sweep_csv(const void *x, FILE *fp, p304_error *e) { return p304_write_sweep_csv(x, fp, e); }
static p304_code w_sweep_xlsx(const void *x, FILE *fp, p304_error *e) { return p304_write_xlsx_sweep(x, fp, e); }

/* ------------------------------------------------------------------ */
/* The workflows                                                        */
/* ------------------------------------------------------------------ */

p304_result *do_allocate(struct srv_api *api, const char *text, size_t len,
				struct srv_reply *rp)
{
	struct doc d = { "scenario.json", text, len };
	p304_catalogue *ov = overlay_with(api, rp, &d, 1);
	p304_result *res = NULL;
	p304_error err;

	if (!ov)
		return NULL;
	if (p304_run_allocation_in(ov, "scenario.json",
				   &(p304_alloc_options){ .default_reference = api->default_ref }, &res, &err) != P304_OK)
		reply_p304_error(rp, &err, &d, 1, ov);
	else if (api_rename_modified(api, text, len, &res->scenario->id, &res->scenario->title,
				     res->scenario->envelope_eur, res->nrows) < 0) {
		p304_result_free(res);
		res = NULL;
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
	}
	p304_catalogue_free(ov);
	return res;
}

/* Each side sent as a scenario under a known id with other parameters is
 * a new scenario (api_modified.c); a result keeps its names. */
static int rename_compared(struct srv_api *api, p304_comparison *cmp, const struct doc *d,
			   const int *is_result)
{
	size_t na = 0, nb = 0;

	for (size_t r = 0; r < cmp->nrows; r++) {
		na += cmp->rows[r].in_a != 0;
		nb += cmp->rows[r].in_b != 0;
	}
	if (!is_result[0] && api_rename_modified(api, d[0].text, d[0].len, &cmp->a_id, &cmp->a_title,
						 cmp->a_total, na) < 0)
		return -1;
	if (!is_result[1] && api_rename_modified(api, d[1].text, d[1].len, &cmp->b_id, &cmp->b_title,
						 cmp->b_total, nb) < 0)
		return -1;
	return 0;
}

/* {"reference": A, "scenario": B}: A and B as their own documents. */
p304_comparison *do_compare(struct srv_api *api, const struct srv_request *rq,
				   struct srv_reply *rp)
{
	cJSON *root = parse_object(rq, rp);
	struct doc d[2] = { { "reference.json", NULL, 0 }, { "scenario.json", NULL, 0 } };
	static const char *const keys[2] = { "reference", "scenario" };
	int is_result[2] = { 0, 0 };
	p304_comparison *cmp = NULL;
	p304_catalogue *ov;
	p304_error err;

	if (!root)
		return NULL;
	for (int i = 0; i < 2; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[i]);
		size_t s, e;

		if (!cJSON_IsObject(v) || member_span(rq->body, rq->len, keys[i], &s, &e)) {
			char msg[200];

			snprintf(msg, sizeof(msg), _("'%s' is missing or is not an object, expected "
				 "a scenario or {\"result\": ...}"), keys[i]);
			api_error(rp, 400, "bad_request", msg, NULL, 0, keys[i]);
			cJSON_Delete(root);
			return NULL;
		}
		d[i].text = rq->body + s;
		d[i].len = e - s;
		/* {"result": {...}}: the result itself is the document */
		if (cJSON_GetObjectItemCaseSensitive(v, "result") &&
		    member_span(d[i].text, d[i].len, "result", &s, &e) == 0) {
			is_result[i] = 1;
			d[i].text += s;
			d[i].len = e - s;
		}
	}
	cJSON_Delete(root);
	if (!(ov = overlay_with(api, rp, d, 2)))
		return NULL;
	if (p304_run_compare_in(ov, "reference.json", "scenario.json", api->default_ref, &cmp,
				&err) != P304_OK)
		reply_p304_error(rp, &err, d, 2, ov);
	else if (rename_compared(api, cmp, d, is_result) < 0) {
		p304_comparison_free(cmp);
		cmp = NULL;
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
	}
	p304_catalogue_free(ov);
	return cmp;
}

/* Part `name` of a multipart request (NULL when absent). */
static const char *part_of(const struct srv_request *rq, const char *name, size_t *len)
{
	int i = rq->multipart && rq->parts ? srv_parts_index(rq->parts, name) : -1;

	*len = 0;
	if (i < 0 || !rq->parts->seen[i])
		return NULL;
	*len = rq->parts->len[i];
	return rq->parts->data[i] ? rq->parts->data[i] : "";
}

/* An error in the uploaded part `doc` (read as besoins.csv) names the file
 * the officer gave (besoins-2026.csv): the name of part `part`, if sent. */
static int name_uploaded(p304_error *err, const struct srv_request *rq, const char *doc,
			 const char *part)
{
	int i = rq->multipart && rq->parts ? srv_parts_index(rq->parts, part) : -1;

	if (i < 0 || !rq->parts->filename[i][0] || strcmp(err->file, doc) != 0)
		return 0;
	snprintf(err->file, sizeof(err->file), "%s", rq->parts->filename[i]);
	return 1;
}

/* The name the officer's needs file had (« besoins-2026.csv »), so that
 * the warnings the workflow writes about it (cents rounded, TOTAL row
 * skipped) name it as the command line does (issue 21); the part's own
 * name when none was sent or it would stand for another document. */
static const char *needs_doc_name(struct srv_api *api, const struct srv_request *rq)
{
	int i = rq->multipart && rq->parts ? srv_parts_index(rq->parts, "needs") : -1;
	const char *f = i >= 0 ? rq->parts->filename[i] : "";
	size_t n = strlen(f);

	if (n < 5 || f[0] == '.' || strpbrk(f, "/\\") || strcasecmp(f + n - 4, ".csv") ||
	    !strcmp(f, "plafonds.csv") || p304_catalogue_has(api->cat, f))
		return "besoins.csv";   /* a shipped table's name would hide the table */
	return f;
}

p304_notification *do_reconcile(struct srv_api *api, const struct srv_request *rq,
				       struct srv_reply *rp)
{
	struct doc d[3] = {
		{ "scenario.json", NULL, 0 },
		{ needs_doc_name(api, rq), NULL, 0 },
		{ "plafonds.csv", NULL, 0 },
	};
	p304_notification *nt = NULL;
	p304_catalogue *ov;
	p304_error err;

	d[0].text = part_of(rq, "scenario", &d[0].len);
	d[1].text = part_of(rq, "needs", &d[1].len);
	d[2].text = part_of(rq, "caps", &d[2].len);
	if (!d[0].text || !d[1].text) {
		api_error(rp, 400, "bad_request", _("expected a multipart/form-data body with the "
			  "parts 'scenario' and 'needs' (and optionally 'caps')"), NULL, 0,
			  !rq->multipart ? NULL : !d[0].text ? "scenario" : "needs");
		return NULL;
	}
	if (!(ov = overlay_with(api, rp, d, d[2].text ? 3 : 2)))
		return NULL;
	if (p304_run_reconcile_in(ov, "scenario.json", api->default_ref, d[1].name,
				  d[2].text ? "plafonds.csv" : NULL, &nt, &err) != P304_OK) {
		if (!name_uploaded(&err, rq, "besoins.csv", "needs"))
			name_uploaded(&err, rq, "plafonds.csv", "caps");
		reply_p304_error(rp, &err, d, 1, ov);
	}
	else if (api_rename_modified(api, d[0].text, d[0].len, &nt->alloc->scenario->id,
				     &nt->alloc->scenario->title, nt->alloc->scenario->envelope_eur,
				     nt->alloc->nrows) < 0) {
		p304_notification_free(nt);
		nt = NULL;
		api_error(rp, 500, "internal", "out of memory", NULL, 0, NULL);
	}
	p304_catalogue_free(ov);
	return nt;
}

/* ------------------------------------------------------------------ */
/* Numbers of the API: every bound in this one table (issue 19)         */
/* ------------------------------------------------------------------ */

/* The bounds are the CLI's (cmd_sweep.c) but for samples, which the server
 * caps lower; a range "MIN:MAX" is read by the CLI's p304_parse_decimal with
 * its bound P304_MAX_EUR (10^15 €: "0:9223372036854775807" overflowed in
 * sweep.c). A JSON number is a double: a whole-number field refuses 1.5
 * instead of rounding it, and nothing beyond 2^53, where doubles skip
 * integers. */
enum num_kind { NUM_WHOLE, NUM_MILLI, NUM_RANGE };

struct num_field {
	const char *key;
	enum num_kind kind;
	double min, max;
	const char *expected;   /* msgid: what the field takes */
};

static const struct num_field SWEEP_NUMBERS[] = {
	{ "samples", NUM_WHOLE, 1, 100000, N_("a whole number from 1 to 100000") },
	{ "seed", NUM_WHOLE, 0, 9007199254740992.0, N_("a whole number from 0 to 2^53") },
	{ "weights", NUM_MILLI, 0, 100, N_("points from 0 to 100 (at most 3 decimals)") },
	{ "data", NUM_MILLI, 0, 100, N_("a percentage from 0 to 100 (at most 3 decimals)") },
	{ "floor", NUM_RANGE, 0, (double)P304_MAX_EUR,
	  N_("\"MIN:MAX\" in whole euros, 0 <= MIN <= MAX <= 10^15") },
	{ "ceiling", NUM_RANGE, 0, (double)P304_MAX_EUR,
	  N_("\"MIN:MAX\" in whole euros, 0 <= MIN <= MAX <= 10^15") },
};

/* A number field read from its text as written in `body` (JSON numbers
 * carry no more than a double: seed 9007199254740993 was taken as ...992,
 * F5): digits, and for NUM_MILLI at most 3 decimals. 0, or -1. */
static int number_as_written(const char *body, size_t len, const struct num_field *f,
			     double *out)
{
	size_t s, e;
	int64_t v;
	int dec = f->kind == NUM_MILLI ? 3 : 0;
	const char *dot;

	if (member_span(body, len, f->key, &s, &e) || e <= s)
		return -1;
	dot = memchr(body + s, '.', e - s);
	if (dec == 0 && dot && strspn(dot + 1, "0") < (size_t)(body + e - dot - 1))
		return -1;   /* 1.5; 1.0 is 1 */
	if (dec == 0 && dot)
		e = (size_t)(dot - body);
	if (strspn(body + s, "0123456789.") < e - s ||
	    p304_parse_decimal(body + s, e - s, dec, (int64_t)(f->max * (dec ? 1000 : 1)), &v,
			       NULL, 0) != 0)
		return -1;
	*out = dec ? (double)v / 1000.0 : (double)v;
	return *out >= f->min ? 0 : -1;
}

/* Reads field f of `root` when present into out[0] (and out[1] for a
 * range). 0, or -1 when present and not as the table says. */
static int read_number(const cJSON *root, const char *body, size_t len,
		       const struct num_field *f, double out[2])
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, f->key);

	if (!v)
		return 0;
	if (f->kind == NUM_RANGE) {
		const char *t = cJSON_IsString(v) ? v->valuestring : NULL, *colon;
		int64_t a, b;

		if (!t || !(colon = strchr(t, ':')) ||
		    p304_parse_decimal(t, (size_t)(colon - t), 0, P304_MAX_EUR, &a, NULL, 0) ||
		    p304_parse_decimal(colon + 1, strlen(colon + 1), 0, P304_MAX_EUR, &b, NULL, 0) ||
		    b < a)
			return -1;
		out[0] = (double)a;
		out[1] = (double)b;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return -1;
	return number_as_written(body, len, f, &out[0]);
}

/* All of `fields` present in `root`, checked; *bad names the first wrong. */
static int read_numbers(const cJSON *root, const char *body, size_t len,
			const struct num_field *fields, size_t n, double (*out)[2],
			const struct num_field **bad)
{
	for (size_t i = 0; i < n; i++)
		if (read_number(root, body, len, &fields[i], out[i])) {
			*bad = &fields[i];
			return -1;
		}
	return 0;
}

static p304_sweep_result *do_sweep(struct srv_api *api, const struct srv_request *rq,
				   struct srv_reply *rp)
{
	enum { N = sizeof(SWEEP_NUMBERS) / sizeof(SWEEP_NUMBERS[0]) };
	cJSON *root = parse_object(rq, rp);
	p304_sweep_options o = { .samples = 1000, .seed = 1, .vary_weights = 1, .vary_data = 1,
		.weight_points = 2.0, .data_pct = 5.0, .floor_min = P304_NO_BOUND,
		.floor_max = P304_NO_BOUND, .ceiling_min = P304_NO_BOUND,
		.ceiling_max = P304_NO_BOUND, .threads = 1 };
	double v[N][2] = { { 1000, 0 }, { 1, 0 }, { 2.0, 0 }, { 5.0, 0 }, { -1, -1 }, { -1, -1 } };
	const struct num_field *bad = NULL;
	struct doc d = { "scenario.json", NULL, 0 };
	p304_sweep_result *sw = NULL;
	p304_catalogue *ov;
	p304_error err;
	size_t s, e;
	char msg[400];

	if (!root)
		return NULL;
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "scenario")) ||
	    member_span(rq->body, rq->len, "scenario", &s, &e)) {
		cJSON_Delete(root);
		api_error(rp, 400, "bad_request", _("'scenario' is missing or is not an object, "
			  "expected the scenario to sweep"), NULL, 0, "scenario");
		return NULL;
	}
	if (read_numbers(root, rq->body, rq->len, SWEEP_NUMBERS, N, v, &bad)) {
		cJSON_Delete(root);
		snprintf(msg, sizeof(msg), _("'%s' is out of range or not of its type, expected %s"),
			 bad->key, _(bad->expected));
		api_error(rp, 400, "bad_request", msg, NULL, 0, bad->key);
		return NULL;
	}
	cJSON_Delete(root);
	o.samples = (size_t)v[0][0];
	o.seed = (uint64_t)v[1][0];
	o.weight_points = v[2][0];
	o.data_pct = v[3][0];
	if (v[4][0] >= 0) {
		o.floor_min = (int64_t)v[4][0];
		o.floor_max = (int64_t)v[4][1];
	}
	if (v[5][0] >= 0) {
		o.ceiling_min = (int64_t)v[5][0];
		o.ceiling_max = (int64_t)v[5][1];
	}
	o.vary_weights = o.weight_points > 0;
	o.vary_data = o.data_pct > 0;
	d.text = rq->body + s;
	d.len = e - s;
	if (!(ov = overlay_with(api, rp, &d, 1)))
		return NULL;
	if (p304_run_sweep_in(ov, "scenario.json", api->default_ref, &o, &sw, &err) != P304_OK)
		reply_p304_error(rp, &err, &d, 1, ov);
	p304_catalogue_free(ov);
	return sw;
}

/* ------------------------------------------------------------------ */
/* Scenarios                                                            */
/* ------------------------------------------------------------------ */

static const struct shipped *find_shipped(const struct srv_api *api, const char *id)
{
	for (size_t i = 0; i < api->nsc; i++)
		if (strcmp(api->sc[i].id, id) == 0)
			return &api->sc[i];
	return NULL;
}

/* A saved scenario is a regular file of the workspace with one name, never
 * a link planted there (a symbolic or hard link to another file would be
 * served, F7): checked on the descriptor read, so nothing can be swapped
 * between the check and the read (O_NONBLOCK: a FIFO must not block). 0
 * with *text malloc'd (the caller frees it), or -1. */
static int read_saved(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t off = 0;
	char *buf;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    (uintmax_t)st.st_size > SRV_WS_MAX_BYTES * 16 ||
	    !(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	buf[off] = '\0';
	*text = buf;
	*len = off;
	return 0;
}

static struct saved *saved_entry(struct srv_api *api, const char *id)
{
	for (size_t i = 0; i < api->nsaved; i++)
		if (strcmp(api->saved[i].id, id) == 0)
			return &api->saved[i];
	if (api->nsaved == api->capsaved) {
		size_t nc = api->capsaved ? 2 * api->capsaved : 16;
		struct saved *p = realloc(api->saved, nc * sizeof(*p));

		if (!p)
			return NULL;
		api->saved = p;
		api->capsaved = nc;
	}
	memset(&api->saved[api->nsaved], 0, sizeof(api->saved[0]));
	if (!(api->saved[api->nsaved].id = strdup(id)))
		return NULL;
	api->saved[api->nsaved].size = -1;
	return &api->saved[api->nsaved++];
}

/* The title of a saved file, from the cache when the file is unchanged.
 * Called with ws_mu held. 0 when the file is not a saved scenario. */
static int saved_title(struct srv_api *api, const char *id, const struct stat *st,
		       const char **title)
{
	struct saved *e = saved_entry(api, id);
	char path[PATH_MAX + 80], *text;
	size_t len;

	if (!e)
		return 0;
	e->present = 1;
	if (e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	    e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec) {
		*title = e->title;
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.json", api->workspace, id);
	if (read_saved(path, &text, &len) != 0)
		return 0;
	free(e->title);
	e->title = title_of(text, len);
	free(text);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	*title = e->title;
	return 1;
}

/* Forgets the files that are gone. ws_mu held. */
static void saved_sweep(struct srv_api *api)
{
	size_t o = 0;

	for (size_t i = 0; i < api->nsaved; i++) {
		if (api->saved[i].present) {
			api->saved[i].present = 0;
			api->saved[o++] = api->saved[i];
		} else {
			free(api->saved[i].id);
			free(api->saved[i].title);
		}
	}
	api->nsaved = o;
}

/* The needs and caps files saved with a scenario (issue 21: a saved round
 * reopens with its notification, without the officer reloading the file):
 * WORKSPACE/ID.besoins.csv and ID.plafonds.csv, written by PUT only. */
static const char *const SIDECAR[2] = { "besoins.csv", "plafonds.csv" };

void api_list_scenarios(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "scenarios");
	size_t n;
	char **ids = list_json(api->workspace, &n);

	(void)rq;
	for (size_t i = 0; i < api->nsc; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(list, o);
		cJSON_AddStringToObject(o, "id", api->sc[i].id);
		if (api->sc[i].title)
			cJSON_AddStringToObject(o, "title", api->sc[i].title);
		else
			cJSON_AddNullToObject(o, "title");
		cJSON_AddStringToObject(o, "origin", "shipped");
	}
	pthread_mutex_lock(&api->ws_mu);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 80];
		const char *title = NULL;
		struct stat st;
		cJSON *o;

		snprintf(path, sizeof(path), "%s/%s.json", api->workspace, ids[i]);
		if (!find_shipped(api, ids[i]) && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_nlink == 1 && saved_title(api, ids[i], &st, &title)) {
			o = cJSON_CreateObject();
			cJSON_AddItemToArray(list, o);
			cJSON_AddStringToObject(o, "id", ids[i]);
			if (title)
				cJSON_AddStringToObject(o, "title", title);
			else
				cJSON_AddNullToObject(o, "title");
			cJSON_AddStringToObject(o, "origin", "saved");
			for (int k = 0; k < 2; k++) {
				snprintf(path, sizeof(path), "%s/%s.%s", api->workspace, ids[i], SIDECAR[k]);
				cJSON_AddBoolToObject(o, k ? "caps" : "needs",
						      lstat(path, &st) == 0 && S_ISREG(st.st_mode));
			}
		}
		free(ids[i]);
	}
	saved_sweep(api);
	pthread_mutex_unlock(&api->ws_mu);
	free(ids);
	reply_json(rp, 200, root);
}

/* The saved scenarios' count and bytes, without `except` (the file a PUT
 * replaces). ws_mu held. */
static void workspace_usage(struct srv_api *api, const char *except, size_t *count,
			    size_t *bytes)
{
	size_t n;
	char **ids = list_json(api->workspace, &n);

	*count = *bytes = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 80];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s.json", api->workspace, ids[i]);
		if (strcmp(ids[i], except) && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			(*count)++;
			*bytes += (size_t)st.st_size;
			/* the needs saved with it count in the megabytes (issue 21) */
			for (int k = 0; k < 2; k++) {
				snprintf(path, sizeof(path), "%s/%s.%s", api->workspace, ids[i], SIDECAR[k]);
				if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
					*bytes += (size_t)st.st_size;
			}
		}
		free(ids[i]);
	}
	free(ids);
}

void api_get_scenario(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	const char *id = rq->id, *part = rq->query[0];
	char path[PATH_MAX + 80], *text;
	size_t len;
	const struct shipped *s;

	if (!id_ok(id)) {
		api_error(rp, 404, "not_found", _("no such scenario"), NULL, 0, NULL);
		return;
	}
	if (part && strcmp(part, "needs") && strcmp(part, "caps")) {
		api_error(rp, 400, "bad_request", _("part must be needs or caps"), NULL, 0, "part");
		return;
	}
	if (part) {
		/* the needs (caps) file saved with the scenario, as it was sent */
		int k = !strcmp(part, "caps");

		snprintf(path, sizeof(path), "%s/%s.%s", api->workspace, id, SIDECAR[k]);
		if (find_shipped(api, id) || read_saved(path, &text, &len) != 0) {
			api_error(rp, 404, "not_found", _("no needs file saved with this scenario"),
				  NULL, 0, NULL);
			return;
		}
		rp->status = 200;
		rp->body = text;
		rp->len = len;
		rp->type = "text/csv";
		if (asprintf(&rp->filename, "%s-%s", id, SIDECAR[k]) < 0)
			rp->filename = NULL;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.json", api->workspace, id);
	if (!find_shipped(api, id) && read_saved(path, &text, &len) == 0) {
		rp->status = 200;
		rp->body = text;
		rp->len = len;
		rp->type = JSON;
		return;
	}
	if ((s = find_shipped(api, id))) {
		reply_copy(rp, s->text, s->len, JSON);
		return;
	}
	api_error(rp, 404, "not_found", _("no such scenario"), NULL, 0, NULL);
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* 507 when saving `len` bytes under `id` would pass the workspace's limits
 * (serve --max-scenarios, --max-workspace-mb). ws_mu held. */
static int workspace_full(struct srv_api *api, const char *id, size_t len, struct srv_reply *rp)
{
	size_t count, bytes;
	char msg[400];

	workspace_usage(api, id, &count, &bytes);
	if (count + 1 <= api->ws_max_count && bytes + len <= api->ws_max_bytes)
		return 0;
	snprintf(msg, sizeof(msg), _("the workspace is full (%zu saved scenarios, %zu KiB; at most "
		 "%zu scenarios and %zu KiB): delete saved scenarios you no longer need, or start "
		 "p304 serve with a larger --max-scenarios or --max-workspace-mb"), count,
		 bytes / 1024, api->ws_max_count, api->ws_max_bytes / 1024);
	api_error(rp, 507, "insufficient_storage", msg, NULL, 0, NULL);
	return 1;
}

/* Writes len bytes to dir/name atomically (a temp file in the same folder,
 * fsync, rename): a reader sees the old file or the new, never half. 0, or
 * -1 with errno set and nothing left behind. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX + 80], tmp[PATH_MAX + 96];
	size_t off = 0;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	if ((fd = mkstemp(tmp)) < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != len || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		e = off != len && errno == 0 ? EIO : errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* 409 when ID.json, or a needs/caps file of the id, is held in the
 * workspace by anything but a regular file (never replaced). ws_mu held. */
static int held_by_other(struct srv_api *api, const char *id, struct srv_reply *rp)
{
	for (int k = 0; k < 3; k++) {
		char path[PATH_MAX + 80], name[100], msg[500];
		struct stat st;

		snprintf(name, sizeof(name), "%s.%s", id, k == 0 ? "json" : SIDECAR[k - 1]);
		snprintf(path, sizeof(path), "%s/%s", api->workspace, name);
		if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
			continue;
		/* a folder (or a link) of that name: a bare 500 "is a directory"
		 * said nothing of why (F8); it is never replaced */
		snprintf(msg, sizeof(msg), _("the scenario '%s' cannot be saved: the workspace "
			 "holds a %s named %s, which is never replaced; save it under "
			 "another id, or move that %s away"), id,
			 S_ISDIR(st.st_mode) ? _("folder") : _("link or special file"), name,
			 S_ISDIR(st.st_mode) ? _("folder") : _("link or special file"));
		api_error(rp, 409, "conflict", msg, NULL, 0, "id");
		return 1;
	}
	return 0;
}

/* The scenario of a PUT: the body, or its part `scenario` when the body is
 * multipart (then with `needs`, optionally `caps`). Checked as p304 validate
 * (and, with needs, as p304 reconcile): 0 when it may be written. */
static int put_checked(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp,
		       struct srv_request *sub)
{
	const char *id = rq->id;
	const cJSON *jid;
	cJSON *root;

	*sub = *rq;
	if (rq->multipart) {
		size_t nlen;

		sub->body = part_of(rq, "scenario", &sub->len);
		if (!sub->body || !part_of(rq, "needs", &nlen)) {
			api_error(rp, 400, "bad_request", _("a scenario saved with its needs is a "
				  "multipart/form-data body with the parts 'scenario' and 'needs' (and "
				  "optionally 'caps')"), NULL, 0, !sub->body ? "scenario" : "needs");
			return -1;
		}
	}
	if (!(root = parse_object(sub, rp)))
		return -1;
	jid = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (cJSON_IsString(jid) && strcmp(jid->valuestring, id)) {
		char msg[300];

		snprintf(msg, sizeof(msg), _("the scenario's id '%.64s' differs from the id in the "
			 "address '%s'"), jid->valuestring, id);
		cJSON_Delete(root);
		api_error(rp, 400, "bad_request", msg, NULL, 0, "id");
		return -1;
	}
	cJSON_Delete(root);
	if (rq->multipart) {
		p304_notification *nt = do_reconcile(api, rq, rp);
		int ok = nt != NULL;   /* a needs file that does not read: nothing written */

		p304_notification_free(nt);
		return ok ? 0 : -1;
	} else {
		p304_result *res = do_allocate(api, sub->body, sub->len, rp);
		int ok = res != NULL;  /* checked like p304 validate: nothing written */

		p304_result_free(res);
		return ok ? 0 : -1;
	}
}

void api_put_scenario(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	const char *id = rq->id;
	char path[PATH_MAX + 80], name[100];
	struct srv_request sub;
	const char *side[2] = { NULL, NULL };
	size_t slen[2] = { 0, 0 }, total;
	struct stat st;
	int existed, dfd, bad = 0;

	if (!id_ok(id)) {
		api_error(rp, 404, "not_found", _("a scenario id is 1 to 64 letters, digits, '.', "
			  "'_' or '-', not starting with '.'"), NULL, 0, NULL);
		return;
	}
	if (find_shipped(api, id)) {
		api_error(rp, 409, "conflict", _("a shipped scenario is never overwritten: save it "
			  "under another id"), NULL, 0, "id");
		return;
	}
	if (put_checked(api, rq, rp, &sub) != 0)
		return;
	side[0] = part_of(rq, "needs", &slen[0]);
	side[1] = part_of(rq, "caps", &slen[1]);
	total = sub.len + slen[0] + slen[1];
	if (make_dirs(api->workspace) != 0) {
		api_error(rp, 500, "internal", strerror(errno), NULL, 0, NULL);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.json", api->workspace, id);
	/* One save at a time: of two first PUTs of one id, exactly one is
	 * 201 (issue 19), and the limits below are checked against what is
	 * really there. */
	pthread_mutex_lock(&api->ws_mu);
	existed = lstat(path, &st) == 0;
	if (held_by_other(api, id, rp) || workspace_full(api, id, total, rp)) {
		pthread_mutex_unlock(&api->ws_mu);
		return;
	}
	/* the needs first, the scenario last: a scenario is listed once its
	 * files are there; a save without needs drops those of an earlier save
	 * of the same id (they belonged to the round it replaces) */
	for (int k = 0; k < 2 && !bad; k++) {
		snprintf(name, sizeof(name), "%s.%s", id, SIDECAR[k]);
		if (side[k])
			bad = write_atomic(api->workspace, name, side[k], slen[k]) != 0;
		else {
			char p2[PATH_MAX + 80];

			snprintf(p2, sizeof(p2), "%s/%s", api->workspace, name);
			if (unlink(p2) != 0 && errno != ENOENT)
				bad = 1;
		}
	}
	snprintf(name, sizeof(name), "%s.json", id);
	if (bad || write_atomic(api->workspace, name, sub.body, sub.len) != 0) {
		int e = errno;

		pthread_mutex_unlock(&api->ws_mu);
		api_error(rp, 500, "internal", strerror(e), NULL, 0, NULL);
		return;
	}
	if ((dfd = open(api->workspace, O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	pthread_mutex_unlock(&api->ws_mu);
	{
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "origin", "saved");
		cJSON_AddBoolToObject(o, "needs", side[0] != NULL);
		reply_json(rp, existed ? 200 : 201, o);
	}
}

/* ------------------------------------------------------------------ */
/* Export                                                               */
/* ------------------------------------------------------------------ */

static const char XLSX[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
static const char CSV[] = "text/csv; charset=utf-8";

/* A private folder (mode 0700) under $TMPDIR or /tmp. */
static char *make_temp_dir(char *buf, size_t size)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, size, "%s/p304-serve-XXXXXX", t && t[0] == '/' ? t : "/tmp");
	return mkdtemp(buf);
}

/* Draws a chart of a result held in memory: the JSON and the PNG live in a
 * private temporary folder, removed before returning. */
static void reply_chart(struct srv_reply *rp, writer w, const void *x, p304_chart_kind kind,
			const char *tiles, const char *map_value, const char *code)
{
	char dir[512], json[600], png[600];
	p304_chart_request req = { .kind = kind, .format = P304_FORMAT_PNG, .tiles_path = tiles,
				   .map_value = map_value, .code = code };
	p304_error err;
	FILE *fp;
	p304_code rc;
	char *data = NULL;
	size_t len = 0;

	if (!make_temp_dir(dir, sizeof(dir))) {
		api_error(rp, 500, "internal", strerror(errno), NULL, 0, NULL);
		return;
	}
	snprintf(json, sizeof(json), "%s/result.json", dir);
	snprintf(png, sizeof(png), "%s/chart.png", dir);
	if (!(fp = fopen(json, "wb"))) {
		rc = p304_error_set(&err, P304_ERR_IO, NULL, 0, "%s", strerror(errno));
	} else {
		rc = w(x, fp, &err);
		if (fclose(fp) != 0 && rc == P304_OK)
			rc = p304_error_set(&err, P304_ERR_IO, NULL, 0, "write failed");
	}
	req.result_path = json;
	req.out_path = png;
	if (rc == P304_OK && (rc = p304_chart_render(&req, &err)) == P304_OK)
		rc = p304_read_file(png, &data, &len, &err);
	unlink(png);
	unlink(json);
	rmdir(dir);
	if (rc != P304_OK) {
		err.file[0] = '\0';   /* the temporary names mean nothing to the officer */
		reply_p304_error(rp, &err, NULL, 0, NULL);
		return;
	}
	rp->status = 200;
	rp->body = data;
	rp->len = len;
	rp->type = "image/png";
}

static p304_code w_note(const void *x, FILE *fp, p304_error *e) { return p304_write_note_html(x, fp, e); }

/* note.html of an allocation (and of a comparison), with the map, the bars
 * (and the comparison) drawn as SVG in a private temporary folder; without
 * gnuplot the note has no charts, as with p304 note. */
static void reply_note(struct srv_api *api, struct srv_reply *rp, const p304_result *res,
		       const p304_comparison *cmp)
{
	char dir[512], files[5][600] = { "" };
	const char *svg[3] = { NULL, NULL, NULL };
	p304_error err;
	p304_code rc = P304_OK;
	FILE *fp;

	if (!make_temp_dir(dir, sizeof(dir))) {
		api_error(rp, 500, "internal", strerror(errno), NULL, 0, NULL);
		return;
	}
	snprintf(files[0], sizeof(files[0]), "%s/repartition.json", dir);
	snprintf(files[1], sizeof(files[1]), "%s/comparaison.json", dir);
	for (int i = 0; i < 2 && rc == P304_OK; i++) {
		if (i == 1 && !cmp)
			break;
		if (!(fp = fopen(files[i], "wb"))) {
			rc = p304_error_set(&err, P304_ERR_IO, NULL, 0, "%s", strerror(errno));
			break;
		}
		rc = i == 0 ? p304_write_result_json(res, fp, &err)
			    : p304_write_comparison_json(cmp, fp, &err);
		if (fclose(fp) != 0 && rc == P304_OK)
			rc = p304_error_set(&err, P304_ERR_IO, NULL, 0, "write failed");
	}
	for (int k = 0; k < 3 && rc == P304_OK; k++) {
		p304_chart_request req = { .format = P304_FORMAT_SVG, .tiles_path = api->tiles };

		if (k == 2 && !cmp)
			break;
		req.kind = k == 0 ? P304_CHART_MAP : k == 1 ? P304_CHART_BARS : P304_CHART_COMPARE;
		req.result_path = k == 2 ? files[1] : files[0];
		snprintf(files[2 + k], sizeof(files[2 + k]), "%s/chart-%d.svg", dir, k);
		req.out_path = files[2 + k];
		if ((rc = p304_chart_render(&req, &err)) == P304_ERR_DEPENDENCY) {
			rc = P304_OK;   /* no gnuplot: a note without charts */
			break;
		}
		if (rc == P304_OK)
			svg[k] = files[2 + k];
	}
	if (rc == P304_OK) {
		time_t now = time(NULL);
		struct tm tm;
		p304_note note;

		localtime_r(&now, &tm);
		note = (p304_note){ .alloc = res, .cmp = cmp, .svg_map = svg[0], .svg_bars = svg[1],
			.svg_compare = svg[2],
			.date = (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday };

		reply_written(rp, w_note, &note, "text/html; charset=utf-8");
	} else {
		err.file[0] = '\0';
		reply_p304_error(rp, &err, NULL, 0, NULL);
	}
	for (int i = 0; i < 5; i++)
		if (files[i][0])
			unlink(files[i]);   /* absent ones: ENOENT, harmless */
	rmdir(dir);
}

static void set_name(struct srv_reply *rp, const char *id, const char *name)
{
	if (rp->status == 200 && asprintf(&rp->filename, "%s-%s", id, name) < 0)
		rp->filename = NULL;
}

/* The chart a `chart=` query asks for, by kind of body (issue 21: the
 * page's « Graphiques » give the map, the bars and, for a comparison, the
 * waterfall of one participant); its file name's ending after the scenario
 * id. 0 when that chart is not drawn from that body. */
struct chart_choice {
	const char *kind, *chart;
	p304_chart_kind draw;
	const char *map_value, *name;
};

static const struct chart_choice chart_choices[] = {
	{ "allocate", "bars", P304_CHART_BARS, NULL, "repartition.png" },
	{ "allocate", "map", P304_CHART_MAP, "amount", "repartition-carte.png" },
	{ "compare", "compare", P304_CHART_COMPARE, NULL, ".png" },
	{ "compare", "map", P304_CHART_MAP, "change", "-carte.png" },
	{ "compare", "waterfall", P304_CHART_WATERFALL, NULL, "-cascade" },
	{ "reconcile", "reconcile", P304_CHART_RECONCILE, NULL, "notification.png" },
	{ "reconcile", "map", P304_CHART_MAP, "amount", "notification-carte.png" },
	{ "sweep", "sweep", P304_CHART_SWEEP, NULL, "sensibilite.png" },
	{ "sweep", "tornado", P304_CHART_TORNADO, NULL, "sensibilite-tornade.png" },
};

/* The chart of `kind` named by `chart` (NULL: the kind's first), or NULL
 * after a 400 naming the field at fault. */
static const struct chart_choice *chart_choice(const char *kind, const char *chart,
					       const char *code, struct srv_reply *rp)
{
	for (size_t i = 0; i < sizeof(chart_choices) / sizeof(chart_choices[0]); i++) {
		const struct chart_choice *c = &chart_choices[i];

		if (strcmp(c->kind, kind) || (chart && strcmp(c->chart, chart)))
			continue;
		if (c->draw == P304_CHART_WATERFALL && (!code || !id_ok(code))) {
			api_error(rp, 400, "bad_request", _("chart=waterfall needs code=CODE, the "
				  "participant whose change is decomposed"), NULL, 0, "code");
			return NULL;
		}
		return c;
	}
	api_error(rp, 400, "bad_request", _("chart must be bars or map (kind=allocate), compare, "
		  "map or waterfall (compare), reconcile or map (reconcile), sweep or tornado "
		  "(sweep)"), NULL, 0, "chart");
	return NULL;
}

/* A comparison's files name both sides, the scenario's id first:
 * 2026-tour-comparaison-2025-national.xlsx. Two comparisons of one scenario
 * with two references are two documents, never one file name (issue 21). */
static void name_compare(struct srv_reply *rp, const p304_comparison *cmp, const char *end)
{
	if (rp->status == 200 &&
	    asprintf(&rp->filename, "%s-comparaison-%s%s", cmp->b_id, cmp->a_id, end) < 0)
		rp->filename = NULL;
}

static void name_chart(struct srv_reply *rp, const char *id, const struct chart_choice *c)
{
	if (rp->status != 200)
		return;
	if (asprintf(&rp->filename, "%s-%s", id, c->name) < 0)
		rp->filename = NULL;
}

void api_export(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	const char *f = rq->query[0] ? rq->query[0] : "";
	const char *k = rq->query[1] ? rq->query[1] : "allocate";
	const char *code = rq->query[3];
	int xlsx = !strcmp(f, "xlsx"), csv = !strcmp(f, "csv"), chart = !strcmp(f, "chart");
	int note = !strcmp(f, "note");
	const struct chart_choice *cc = NULL;

	if (!xlsx && !csv && !chart && !note) {
		api_error(rp, 400, "bad_request", _("format must be xlsx, csv, note or chart"), NULL,
			  0, "format");
		return;
	}
	if (rq->query[2] && !chart) {
		api_error(rp, 400, "bad_request", _("chart= goes with format=chart"), NULL, 0,
			  "chart");
		return;
	}
	if (chart && !(cc = chart_choice(k, rq->query[2], code, rp)))
		return;
	if (note && (!strcmp(k, "allocate") || !strcmp(k, "compare"))) {
		const char *text = rq->body;
		size_t len = rq->len, s, e;
		p304_comparison *cmp = NULL;
		p304_result *res;

		if (!strcmp(k, "compare")) {
			if (!(cmp = do_compare(api, rq, rp)))
				return;
			member_span(rq->body, rq->len, "scenario", &s, &e);
			text = rq->body + s;
			len = e - s;
		}
		if ((res = do_allocate(api, text, len, rp))) {
			reply_note(api, rp, res, cmp);
			set_name(rp, res->scenario->id, "note.html");
			p304_result_free(res);
		}
		p304_comparison_free(cmp);
		return;
	}
	if (!strcmp(k, "allocate")) {
		p304_result *res = do_allocate(api, rq->body, rq->len, rp);

		if (!res)
			return;
		if (xlsx)
			reply_written(rp, w_result_xlsx, res, XLSX);
		else if (csv)
			reply_written(rp, w_result_csv, res, CSV);
		else
			reply_chart(rp, w_result, res, cc->draw, api->tiles, cc->map_value, NULL);
		if (chart)
			name_chart(rp, res->scenario->id, cc);
		else
			set_name(rp, res->scenario->id, xlsx ? "repartition.xlsx" : "repartition.csv");
		p304_result_free(res);
	} else if (!strcmp(k, "compare")) {
		p304_comparison *cmp = do_compare(api, rq, rp);

		if (!cmp)
			return;
		if (xlsx)
			reply_written(rp, w_cmp_xlsx, cmp, XLSX);
		else if (csv)
			reply_written(rp, w_cmp_csv, cmp, CSV);
		else
			reply_chart(rp, w_cmp, cmp, cc->draw, api->tiles, cc->map_value, code);
		if (chart && cc->draw == P304_CHART_WATERFALL) {
			char end[96];

			snprintf(end, sizeof(end), "-cascade-%s.png", code);
			name_compare(rp, cmp, end);
		} else {
			name_compare(rp, cmp, chart ? cc->name : xlsx ? ".xlsx" : ".csv");
		}
		p304_comparison_free(cmp);
	} else if (!strcmp(k, "reconcile") && !note) {
		p304_notification *nt = do_reconcile(api, rq, rp);

		if (!nt)
			return;
		if (xlsx)
			reply_written(rp, w_nt_xlsx, nt, XLSX);
		else if (csv)
			reply_written(rp, w_nt_csv, nt, CSV);
		else
			reply_chart(rp, w_nt, nt, cc->draw, api->tiles, cc->map_value, NULL);
		if (chart)
			name_chart(rp, nt->alloc->scenario->id, cc);
		else
			set_name(rp, nt->alloc->scenario->id, xlsx ? "notification.xlsx"
				 : "notification.csv");
		p304_notification_free(nt);
	} else if (!strcmp(k, "sweep") && !note) {
		p304_sweep_result *sw = do_sweep(api, rq, rp);

		if (!sw)
			return;
		if (xlsx)
			reply_written(rp, w_sweep_xlsx, sw, XLSX);
		else if (csv)
			reply_written(rp, w_sweep_csv, sw, CSV);
		else
			reply_chart(rp, w_sweep, sw, cc->draw, api->tiles, NULL, NULL);
		if (chart)
			name_chart(rp, sw->base->scenario->id, cc);
		else
			set_name(rp, sw->base->scenario->id, xlsx ? "sensibilite.xlsx"
				 : "sensibilite.csv");
		p304_sweep_result_free(sw);
	} else {
		api_error(rp, 400, "bad_request", _("kind must be allocate, compare, reconcile or "
			  "sweep (note: allocate or compare)"), NULL, 0, "kind");
	}
}

/* ------------------------------------------------------------------ */
/* Routing                                                              */
/* ------------------------------------------------------------------ */

void api_tables(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	(void)rq;
	reply_copy(rp, api->tables_json, api->tables_len, JSON);
}

void api_contours(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	(void)rq;
	if (api->contours_json)
		reply_copy(rp, api->contours_json, api->contours_len, JSON);
	else
		api_error(rp, 404, "not_found", _("no outlines: reference/contours.csv is "
			  "not installed"), NULL, 0, NULL);
}

void api_allocate(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	p304_result *res;
	cJSON *root = parse_object(rq, rp);

	if (!root)
		return;
	cJSON_Delete(root);
	if ((res = do_allocate(api, rq->body, rq->len, rp))) {
		reply_written(rp, w_result, res, JSON);
		p304_result_free(res);
	}
}

void api_compare(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	p304_comparison *cmp = do_compare(api, rq, rp);

	if (cmp) {
		reply_written(rp, w_cmp, cmp, JSON);
		p304_comparison_free(cmp);
	}
}

void api_reconcile(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	p304_notification *nt = do_reconcile(api, rq, rp);

	if (nt) {
		reply_written(rp, w_nt, nt, JSON);
		p304_notification_free(nt);
	}
}

void api_sweep(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	p304_sweep_result *sw = do_sweep(api, rq, rp);

	if (sw) {
		reply_written(rp, w_sweep, sw, JSON);
		p304_sweep_result_free(sw);
	}
}

/* ------------------------------------------------------------------ */
/* Action plans: p304 check-plan                                        */
/* ------------------------------------------------------------------ */

static cJSON *plan_findings_json(const p304_plan *plan, p304_framework fw,
				 const p304_finding *found, size_t nfound)
{
	cJSON *root = cJSON_CreateObject(), *list;

	cJSON_AddStringToObject(root, "file", "plan.csv");
	cJSON_AddNumberToObject(root, "lines", (double)plan->nlines);
	cJSON_AddStringToObject(root, "framework", fw == P304_FRAMEWORK_2020 ? "2020" : "2025");
	list = cJSON_AddArrayToObject(root, "problems");
	for (size_t i = 0; i < nfound; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(list, o);
		if (found[i].line > 0)
			cJSON_AddNumberToObject(o, "line", (double)found[i].line);
		else
			cJSON_AddNullToObject(o, "line");
		cJSON_AddStringToObject(o, "message", found[i].message);
	}
	return root;
}

/* The plan (raw body, or the "plan" part) and the framework: the query's,
 * else the "scenario" part's; the reference list: the scenario's, else the
 * shipped one. Then the same two calls as the CLI. */
void api_check_plan(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	const char *fw_text = rq->query[0], *text = rq->body, *sc_text = NULL;
	size_t len = rq->len, sc_len = 0;
	p304_framework fw = P304_FRAMEWORK_NONE;
	p304_scenario *sc = NULL;
	p304_reference *ref = NULL;
	p304_csv *csv = NULL;
	p304_plan *plan = NULL;
	p304_finding *found = NULL;
	size_t nfound = 0;
	p304_error err;
	struct doc d = { "scenario.json", NULL, 0 };

	if (rq->multipart) {
		text = part_of(rq, "plan", &len);
		sc_text = part_of(rq, "scenario", &sc_len);
		if (!text) {
			api_error(rp, 400, "bad_request", _("expected the part 'plan' (the action "
				  "plan CSV) and optionally 'scenario'"), NULL, 0, "plan");
			return;
		}
	}
	if (fw_text && !strcmp(fw_text, "2020"))
		fw = P304_FRAMEWORK_2020;
	else if (fw_text && !strcmp(fw_text, "2025"))
		fw = P304_FRAMEWORK_2025;
	else if (fw_text) {
		char msg[200];

		snprintf(msg, sizeof(msg), _("--framework takes 2020 or 2025, not '%s'"), fw_text);
		api_error(rp, 400, "bad_request", msg, NULL, 0, "framework");
		return;
	}
	d.text = sc_text;
	d.len = sc_len;
	if (sc_text && refuse_nul(d.name, sc_text, sc_len, rp))
		return;
	if (sc_text && p304_scenario_parse("scenario.json", sc_text, sc_len, api->default_ref, &sc,
					   &err) != P304_OK) {
		reply_p304_error(rp, &err, &d, 1, NULL);
		return;
	}
	if (fw == P304_FRAMEWORK_NONE && sc)
		fw = sc->framework;
	if (fw == P304_FRAMEWORK_NONE) {
		p304_scenario_free(sc);
		api_error(rp, 400, "bad_request", _("no framework: give --framework 2020|2025 "
			  "or a scenario with \"framework\""), NULL, 0, "framework");
		return;
	}
	if (p304_catalogue_reference(api->cat, sc ? sc->reference_path : api->default_ref, &ref,
				     &err) != P304_OK ||
	    p304_csv_parse("plan.csv", text, len, &csv, &err) != P304_OK ||
	    p304_plan_from_csv(csv, "plan.csv", ref, &plan, &err) != P304_OK ||
	    p304_plan_check(plan, fw, &found, &nfound, &err) != P304_OK)
		reply_p304_error(rp, &err, &d, sc ? 1 : 0, sc ? api->cat : NULL);
	else
		reply_json(rp, 200, plan_findings_json(plan, fw, found, nfound));
	free(found);
	p304_plan_free(plan);
	p304_csv_free(csv);
	p304_reference_free(ref);
	p304_scenario_free(sc);
}

/* ------------------------------------------------------------------ */
/* For the ledger's routes (api_ledger.c)                               */
/* ------------------------------------------------------------------ */

struct api_ledger *api_ledger_of(struct srv_api *api)
{
	return api->ledger;
}

void api_reply_p304(struct srv_reply *rp, const p304_error *err)
{
	reply_p304_error(rp, err, NULL, 0, NULL);
}

int api_compute(struct srv_api *api, const struct srv_request *rq, int reconcile,
		struct srv_reply *rp)
{
	if (reconcile) {
		p304_notification *nt = do_reconcile(api, rq, rp);

		if (!nt)
			return -1;
		reply_written(rp, w_nt, nt, JSON);
		p304_notification_free(nt);
	} else {
		size_t len = rq->len;
		const char *text = rq->multipart ? part_of(rq, "scenario", &len) : rq->body;
		p304_result *res;

		if (!text) {
			api_error(rp, 400, "bad_request", _("expected the scenario as the JSON body "
				  "or as the part 'scenario'"), NULL, 0, "scenario");
			return -1;
		}
		if (!rq->multipart) {
			/* the body refused as /api/allocate refuses it */
			cJSON *root = parse_object(rq, rp);

			if (!root)
				return -1;
			cJSON_Delete(root);
		}
		if (!(res = do_allocate(api, text, len, rp)))
			return -1;
		reply_written(rp, w_result, res, JSON);
		p304_result_free(res);
	}
	return rp->status == 200 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Routing: the table of routes.c                                       */
/* ------------------------------------------------------------------ */

void api_handle(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	if (rq->route)
		rq->route->handler(api, rq, rp);
	else
		api_error(rp, 404, "not_found", _("no such address in the API (see docs/api.md)"),
			  NULL, 0, NULL);
}
