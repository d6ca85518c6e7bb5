/*
 * catalogue.c - the files a workflow reads, asked for by path: from disk on
 * demand (the command line), or from tables loaded once from a data folder
 * and matched by file name only (the server), with per-request in-memory
 * files in front (an overlay). See include/p304/workflow.h.
 */
#include <p304/workflow.h>

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/fileutil.h"
#include "gettext.h"

struct entry {
	char *key;             /* files: the path as asked; closed: the file name */
	char *path;            /* where it was read */
	char *text;            /* closed catalogues: the bytes */
	size_t len;
	p304_csv *csv;         /* parsed once (or NULL) */
	p304_reference *ref;   /* loaded once as a reference list (or NULL) */
	char sha256[65];       /* "" until known */
	int is_table;          /* a criteria table of data/ */
};

struct p304_catalogue {
	int closed;            /* never opens a file after loading */
	int shared;            /* read-only: nothing is cached after loading */
	p304_catalogue *parent;/* overlay: asked when the name is not here */
	char *dir;
	struct entry *e;
	size_t n, cap;
	size_t *tables;        /* indexes of the data/ tables, in name order */
	size_t ntables;
};

static p304_code nomem(p304_error *err)
{
	return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
}

static p304_code new_cat(p304_catalogue **out, p304_error *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? P304_OK : nomem(err);
}

p304_code p304_catalogue_files(p304_catalogue **out, p304_error *err)
{
	return new_cat(out, err);
}

p304_code p304_catalogue_overlay(p304_catalogue *parent, p304_catalogue **out,
				 p304_error *err)
{
	p304_code rc = new_cat(out, err);

	if (rc == P304_OK) {
		(*out)->closed = 1;
		(*out)->parent = parent;
	}
	return rc;
}

void p304_catalogue_free(p304_catalogue *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n; i++) {
		free(cat->e[i].key);
		free(cat->e[i].path);
		free(cat->e[i].text);
		p304_csv_free(cat->e[i].csv);
		p304_reference_free(cat->e[i].ref);
	}
	free(cat->e);
	free(cat->tables);
	free(cat->dir);
	free(cat);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static struct entry *add_entry(p304_catalogue *cat, const char *key, const char *path,
			       p304_error *err)
{
	struct entry *e;

	if (cat->n == cat->cap) {
		size_t cap = cat->cap ? 2 * cat->cap : 16;
		void *p = realloc(cat->e, cap * sizeof(*cat->e));

		if (!p) {
			nomem(err);
			return NULL;
		}
		cat->e = p;
		cat->cap = cap;
	}
	e = &cat->e[cat->n];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	e->path = strdup(path);
	if (!e->key || !e->path) {
		free(e->key);
		free(e->path);
		nomem(err);
		return NULL;
	}
	cat->n++;
	return e;
}

/* The entry a path names: the path itself for files, else its file name
 * ("criteres-2025" also names criteres-2025.csv). */
static struct entry *find_here(p304_catalogue *cat, const char *path)
{
	const char *key = cat->closed ? base_name(path) : path;
	size_t klen = strlen(key);

	for (size_t i = 0; i < cat->n; i++)
		if (strcmp(cat->e[i].key, key) == 0)
			return &cat->e[i];
	if (cat->closed && klen && !strchr(key, '.'))
		for (size_t i = 0; i < cat->n; i++)
			if (strncmp(cat->e[i].key, key, klen) == 0 &&
			    strcmp(cat->e[i].key + klen, ".csv") == 0)
				return &cat->e[i];
	return NULL;
}

/* Finds (closed) or makes (files) the entry of path; in an overlay, the
 * catalogue that holds it is returned in *owner. */
static struct entry *lookup(p304_catalogue *cat, const char *path, p304_catalogue **owner,
			    p304_error *err)
{
	struct entry *e;

	for (p304_catalogue *c = cat; c; c = c->parent) {
		if ((e = find_here(c, path))) {
			*owner = c;
			return e;
		}
		if (!c->closed) {
			*owner = c;
			return add_entry(c, path, path, err);
		}
	}
	{
		/* Name what is there, so the officer can pick. */
		char known[400] = "";
		size_t o = 0;

		for (p304_catalogue *c = cat; c; c = c->parent)
			for (size_t i = 0; i < c->n && o < sizeof(known); i++)
				if (c->e[i].csv && !ends_with(c->e[i].key, ".sources.csv"))
					o += (size_t)snprintf(known + o, sizeof(known) - o, "%s%s",
							      o ? ", " : "", c->e[i].key);
		p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("'%s' is not one of the tables loaded at start, expected one of: %s"),
			base_name(path), known);
	}
	return NULL;
}

p304_code p304_catalogue_add_text(p304_catalogue *cat, const char *name,
				  const char *text, size_t len, p304_error *err)
{
	struct entry *e = add_entry(cat, name, name, err);

	if (!e)
		return err ? err->code : P304_ERR_NOMEM;
	if (!(e->text = malloc(len + 1)))
		return nomem(err);
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	e->len = len;
	return p304_sha256_buffer(text, len, e->sha256, err);
}

p304_code p304_catalogue_text(p304_catalogue *cat, const char *path, char **text,
			      size_t *len, p304_error *err)
{
	p304_catalogue *owner;
	struct entry *e = lookup(cat, path, &owner, err);

	*text = NULL;
	*len = 0;
	if (!e)
		return err ? err->code : P304_ERR_INPUT;
	if (!owner->closed)
		return p304_read_file(path, text, len, err);
	if (!e->text)
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
				      _("is a table, expected a JSON file"));
	if (!(*text = malloc(e->len + 1)))
		return nomem(err);
	memcpy(*text, e->text, e->len + 1);
	*len = e->len;
	return P304_OK;
}

p304_code p304_catalogue_csv(p304_catalogue *cat, const char *path, p304_csv **out,
			     p304_error *err)
{
	p304_catalogue *owner;
	struct entry *e = lookup(cat, path, &owner, err);
	p304_code rc;

	*out = NULL;
	if (!e)
		return err ? err->code : P304_ERR_INPUT;
	if (!e->csv) {
		p304_csv *csv = NULL;

		rc = owner->closed ? p304_csv_parse(e->path, e->text ? e->text : "",
						    e->len, &csv, err)
				   : p304_csv_load(path, &csv, err);
		if (rc != P304_OK)
			return rc;
		if (owner->shared) {   /* nothing cached: the caller owns it */
			*out = csv;
			return P304_OK;
		}
		e->csv = csv;
	}
	*out = p304_csv_ref(e->csv);
	return P304_OK;
}

p304_code p304_catalogue_reference(p304_catalogue *cat, const char *path,
				   p304_reference **out, p304_error *err)
{
	p304_catalogue *owner;
	struct entry *e = lookup(cat, path, &owner, err);
	p304_code rc;

	*out = NULL;
	if (!e)
		return err ? err->code : P304_ERR_INPUT;
	if (!e->ref) {
		if (owner->closed)
			return p304_error_set(err, P304_ERR_INPUT, path, 0,
				_("is not a reference list, expected a file such as "
				  "collectivites.csv"));
		if ((rc = p304_reference_load(path, &e->ref, err)) != P304_OK)
			return rc;
	}
	*out = p304_reference_ref(e->ref);
	return P304_OK;
}

int p304_catalogue_has(p304_catalogue *cat, const char *path)
{
	struct stat st;

	for (p304_catalogue *c = cat; c; c = c->parent) {
		if (find_here(c, path))
			return 1;
		if (!c->closed)
			return stat(path, &st) == 0;
	}
	return 0;
}

p304_code p304_catalogue_sha256(p304_catalogue *cat, const char *path, char hex[65],
				p304_error *err)
{
	p304_catalogue *owner;
	struct entry *e = lookup(cat, path, &owner, err);
	p304_code rc;

	if (!e)
		return err ? err->code : P304_ERR_INPUT;
	if (!e->sha256[0]) {
		if (owner->closed)
			return p304_error_set(err, P304_ERR_INTERNAL, path, 0, _("no SHA-256"));
		if ((rc = p304_sha256_file(path, e->sha256, err)) != P304_OK)
			return rc;
	}
	memcpy(hex, e->sha256, 65);
	return P304_OK;
}

const char *p304_catalogue_where(p304_catalogue *cat, const char *path)
{
	for (p304_catalogue *c = cat; c; c = c->parent) {
		struct entry *e = find_here(c, path);

		if (e)
			return e->path;
		if (!c->closed)
			break;
	}
	return path;
}

/* ------------------------------------------------------------------ */
/* A data folder loaded once                                            */
/* ------------------------------------------------------------------ */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.csv (and, in scenarios/, *.json) of dir/sub, in name order. */
static p304_code load_folder(p304_catalogue *cat, const char *sub, p304_error *err)
{
	char dirpath[PATH_MAX];
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *d;
	DIR *dp;
	p304_code rc = P304_OK;

	snprintf(dirpath, sizeof(dirpath), "%s/%s", cat->dir, sub);
	if (!(dp = opendir(dirpath)))
		return P304_OK;   /* a folder may be absent (no saved tables) */
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' || !(ends_with(d->d_name, ".csv") ||
					     (!strcmp(sub, "scenarios") && ends_with(d->d_name, ".json"))))
			continue;
		if (n == cap) {
			void *p = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(char *));

			if (!p) {
				rc = nomem(err);
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(d->d_name))) {
			rc = nomem(err);
			break;
		}
		n++;
	}
	closedir(dp);
	if (names)
		qsort(names, n, sizeof(char *), str_cmp);
	for (size_t i = 0; i < n && rc == P304_OK; i++) {
		char path[PATH_MAX + 256];
		char *text;
		size_t len;
		struct entry *e;

		snprintf(path, sizeof(path), "%s/%s", dirpath, names[i]);
		if (find_here(cat, names[i]))
			continue;   /* one file per name: the first folder wins */
		if ((rc = p304_read_file(path, &text, &len, err)) != P304_OK)
			break;
		if (!(e = add_entry(cat, names[i], path, err))) {
			free(text);
			rc = err ? err->code : P304_ERR_NOMEM;
			break;
		}
		e->text = text;
		e->len = len;
		if ((rc = p304_sha256_buffer(text, len, e->sha256, err)) != P304_OK)
			break;
		if (!ends_with(names[i], ".csv"))
			continue;
		if ((rc = p304_csv_parse(path, text, len, &e->csv, err)) != P304_OK)
			break;
		if (!strcmp(sub, "reference")) {
			/* the lists of authorities are those that load as one */
			p304_error ignored;

			if (p304_reference_load(path, &e->ref, &ignored) != P304_OK)
				e->ref = NULL;
		} else if (!strcmp(sub, "data") && !ends_with(names[i], ".sources.csv")) {
			e->is_table = 1;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

p304_code p304_catalogue_load_dir(const char *datadir, p304_catalogue **out,
				  p304_error *err)
{
	p304_catalogue *cat;
	p304_code rc;
	static const char *const subs[] = { "reference", "data", "scenarios", "complements" };

	*out = NULL;
	if ((rc = new_cat(&cat, err)) != P304_OK)
		return rc;
	cat->closed = 1;
	if (!(cat->dir = strdup(datadir))) {
		p304_catalogue_free(cat);
		return nomem(err);
	}
	for (size_t s = 0; s < sizeof(subs) / sizeof(subs[0]); s++)
		if ((rc = load_folder(cat, subs[s], err)) != P304_OK) {
			p304_catalogue_free(cat);
			return rc;
		}
	cat->tables = calloc(cat->n ? cat->n : 1, sizeof(size_t));
	if (!cat->tables) {
		p304_catalogue_free(cat);
		return nomem(err);
	}
	for (size_t i = 0; i < cat->n; i++)
		if (cat->e[i].is_table)
			cat->tables[cat->ntables++] = i;
	cat->shared = 1;
	*out = cat;
	return P304_OK;
}

size_t p304_catalogue_ntables(const p304_catalogue *cat) { return cat->ntables; }
const char *p304_catalogue_dir(const p304_catalogue *cat) { return cat->dir; }

const char *p304_catalogue_table_file(const p304_catalogue *cat, size_t i)
{
	return cat->e[cat->tables[i]].key;
}

const char *p304_catalogue_table_id(const p304_catalogue *cat, size_t i)
{
	static _Thread_local char id[256];
	const char *f = p304_catalogue_table_file(cat, i);

	snprintf(id, sizeof(id), "%.*s", (int)(strlen(f) - 4), f);
	return id;
}

const p304_csv *p304_catalogue_table_csv(const p304_catalogue *cat, size_t i)
{
	return cat->e[cat->tables[i]].csv;
}

const p304_csv *p304_catalogue_table_sources(const p304_catalogue *cat, size_t i)
{
	const char *f = p304_catalogue_table_file(cat, i);
	char name[300];

	snprintf(name, sizeof(name), "%.*s.sources.csv", (int)(strlen(f) - 4), f);
	for (size_t k = 0; k < cat->n; k++)
		if (!strcmp(cat->e[k].key, name))
			return cat->e[k].csv;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The data folder                                                      */
/* ------------------------------------------------------------------ */

#ifndef P304_DATADIR
#define P304_DATADIR "inputs"
#endif

const char *p304_datadir(void)
{
	static char installed[PATH_MAX + 64];
	static int done;
	const char *env = getenv("P304_DATA");
	char exe[PATH_MAX], probe[PATH_MAX + 96];
	ssize_t len;

	if (env && env[0])
		return env;
	if (done)
		return installed[0] ? installed : P304_DATADIR;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';   /* PREFIX/bin -> PREFIX */
			snprintf(probe, sizeof(probe), "%s/share/p304/reference/collectivites.csv", exe);
			if (access(probe, R_OK) == 0)
				snprintf(installed, sizeof(installed), "%s/share/p304", exe);
		}
	}
	done = 1;
	return installed[0] ? installed : P304_DATADIR;
}

const char *p304_shipped_path(const char *path, char *buf, size_t size)
{
	struct stat st;

	if (strncmp(path, "inputs/", 7) != 0 || stat(path, &st) == 0)
		return path;
	snprintf(buf, size, "%s/%s", p304_datadir(), path + 7);
	return stat(buf, &st) == 0 ? buf : path;
}

p304_code p304_run_on_files(const char *const *paths, size_t npaths, p304_files_fn fn,
			    void *ctx, p304_error *err)
{
	char shipped[2][4096];
	const char *where[2];
	p304_catalogue *cat;
	p304_code rc;

	if (npaths > 2)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, "p304_run_on_files: %zu paths",
				      npaths);
	for (size_t i = 0; i < npaths; i++)
		where[i] = p304_shipped_path(paths[i], shipped[i], sizeof(shipped[i]));
	if ((rc = p304_catalogue_files(&cat, err)) != P304_OK)
		return rc;
	rc = fn(cat, where, ctx, err);
	p304_catalogue_free(cat);
	return rc;
}
