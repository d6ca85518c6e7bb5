/*
 * compare_join.c - the two sides of `p304 compare` (a scenario run, or the
 * amounts of a result file) and their rows joined across codings: a year
 * with 67 and 68 against a year with the Collectivité européenne d'Alsace
 * compares their sum with the CEA, and says so in a note.
 */
#include <p304/io.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "format/fileutil.h"
#include "gettext.h"
#include "workflow/result_read.h"

void compare_side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->codes[i]);
		free(s->status[i]);
	}
	free(s->codes);
	free(s->amount);
	free(s->status);
	free(s->id);
	free(s->title);
	p304_csv_free(s->table);
	p304_result_free(s->res);
}


static p304_code copy_inputs(p304_comparison *c, const p304_input_file *in, size_t n,
			     const char *prefix, p304_error *err)
{
	void *p = realloc(c->inputs, (c->ninputs + n) * sizeof(*c->inputs));

	if (!p)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	c->inputs = p;
	for (size_t i = 0; i < n; i++) {
		p304_input_file *d = &c->inputs[c->ninputs++];
		char role[64];

		snprintf(role, sizeof(role), "%s:%s", prefix, in[i].role);
		memcpy(d->sha256, in[i].sha256, sizeof(d->sha256));
		d->role = strdup(role);
		d->path = strdup(in[i].path);
		if (!d->role || !d->path)
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	return P304_OK;
}

static p304_code side_alloc(struct side *s, size_t n, p304_error *err)
{
	s->codes = calloc(n ? n : 1, sizeof(char *));
	s->amount = calloc(n ? n : 1, sizeof(int64_t));
	s->status = calloc(n ? n : 1, sizeof(char *));
	if (!s->codes || !s->amount || !s->status)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	return P304_OK;
}

/* A result file written by p304: the amounts, no decomposition. */
static p304_code read_result(p304_catalogue *cat, struct side *s, p304_comparison *c,
			     const char *path, const char *text, size_t len,
			     const p304_reference *ref, const char *label, p304_error *err)
{
	struct p304_result_rows r;
	const cJSON *id, *title;
	p304_input_file in = { "result", (char *)path, "" };
	p304_code rc;

	if ((rc = p304_result_rows_read(path, text, len, ref, &r, err)) != P304_OK)
		return rc;
	id = cJSON_GetObjectItemCaseSensitive(r.root, "id");
	title = cJSON_GetObjectItemCaseSensitive(r.root, "title");
	if ((rc = p304_catalogue_sha256(cat, path, in.sha256, err)) != P304_OK ||
	    (rc = copy_inputs(c, &in, 1, label, err)) != P304_OK ||
	    (rc = side_alloc(s, r.n, err)) != P304_OK)
		goto out;
	if (cJSON_IsString(id)) {
		s->id = strdup(id->valuestring);
	} else {
		/* no id: the file's name, up to its first '.', in safe characters */
		const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
		size_t n = strcspn(base, ".");

		if ((s->id = strndup(n ? base : "resultat", n ? (n > 100 ? 100 : n) : 8)) != NULL)
			for (char *p = s->id; *p; p++)
				if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
					*p = '_';
	}
	s->title = strdup(cJSON_IsString(title) ? title->valuestring : s->id ? s->id : "");
	for (size_t i = 0; i < r.n; i++) {
		s->codes[i] = strdup(r.auth[i]->code);
		s->amount[i] = r.amount[i];
		s->status[i] = strdup(r.status[i] ? r.status[i] : "free");
		if (!s->codes[i] || !s->status[i]) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto out;
		}
		s->n++;
	}
	if (!s->id || !s->title)
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
out:
	p304_result_rows_free(&r);
	return rc;
}

p304_code compare_read_side(p304_catalogue *cat, struct side *s, p304_comparison *c,
			    const char *path,
			   const char *default_reference, const p304_reference *ref,
			   const char *label, p304_error *err)
{
	char *text = NULL;
	size_t len;
	p304_code rc;

	if ((rc = p304_catalogue_text(cat, path, &text, &len, err)) != P304_OK)
		return rc;
	/* A result file has rows and no data table; a scenario the opposite. */
	if (p304_result_looks_like(text, len)) {
		rc = read_result(cat, s, c, path, text, len, ref, label, err);
		free(text);
		return rc;
	}
	free(text);
	if ((rc = p304_run_allocation_in(cat, path, &(p304_alloc_options){ .default_reference = default_reference },
					  &s->res, err)) != P304_OK ||
	    (rc = copy_inputs(c, s->res->inputs, s->res->ninputs, label, err)) != P304_OK ||
	    (rc = side_alloc(s, s->res->nrows, err)) != P304_OK)
		return rc;
	s->id = strdup(s->res->scenario->id);
	s->title = strdup(s->res->scenario->title);
	for (size_t i = 0; i < s->res->nrows; i++) {
		s->codes[i] = strdup(s->res->rows[i].code);
		s->amount[i] = s->res->rows[i].alloc.amount_eur;
		s->status[i] = strdup(p304_status_name(s->res->rows[i].alloc.status));
		if (!s->codes[i] || !s->status[i])
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	s->n = s->res->nrows;
	{
		/* in words, by the side's name (issue 21: « A : 'enfants_0_19'
		 * imputé … » reached the workbook and the page) */
		p304_source_text *src = NULL;
		char words[1200];

		if (p304_sources_read(s->res, &src, NULL) != P304_OK)
			src = NULL;
		for (size_t i = 0; i < s->res->nwarnings && rc == P304_OK; i++)
			rc = compare_add_note(c, err, "%s : %s", label[0] == 'A' ? "Référence" : "Scénario",
					      p304_warning_words(s->res, src, s->res->warnings[i], words,
								 sizeof(words)));
		p304_sources_free(src, s->res->scenario->ncriteria);
		if (rc != P304_OK)
			return rc;
	}
	if (!s->id || !s->title)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	return p304_catalogue_csv(cat, s->res->scenario->data_path, &s->table, err);
}

long compare_side_find(const struct side *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->codes[i], code))
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Joined rows                                                          */
/* ------------------------------------------------------------------ */


long compare_joined_index(const struct joined *j, const char *code)
{
	for (size_t i = 0; i < j->nraw; i++)
		if (!strcmp(j->raw[i], code))
			return (long)j->to[i];
	return -1;
}

static p304_code join_add(struct joined *j, const char *row, const char *raw, p304_error *err)
{
	long r = -1;

	if (compare_joined_index(j, raw) >= 0)
		return P304_OK;
	for (size_t i = 0; i < j->n; i++)
		if (!strcmp(j->code[i], row))
			r = (long)i;
	if (r < 0) {
		if (j->n == j->cap) {
			void *p = realloc(j->code, (j->cap = j->cap ? 2 * j->cap : 64) * sizeof(char *));

			if (!p)
				goto nomem;
			j->code = p;
		}
		if (!(j->code[j->n] = strdup(row)))
			goto nomem;
		r = (long)j->n++;
	}
	if (j->nraw == j->rawcap) {
		size_t cap = j->rawcap ? 2 * j->rawcap : 64;
		void *p = realloc(j->raw, cap * sizeof(char *)), *q;

		if (!p)
			goto nomem;
		j->raw = p;
		if (!(q = realloc(j->to, cap * sizeof(size_t))))
			goto nomem;
		j->to = q;
		j->rawcap = cap;
	}
	if (!(j->raw[j->nraw] = strdup(raw)))
		goto nomem;
	j->to[j->nraw++] = (size_t)r;
	return P304_OK;
nomem:
	return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
}

void compare_joined_free(struct joined *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->code[i]);
	for (size_t i = 0; i < j->nraw; i++)
		free(j->raw[i]);
	free(j->code);
	free(j->raw);
	free(j->to);
}

/* Some members of `members` take part in s, none in `other`. */
static int members_in(const struct side *s, const struct side *other, const char *members)
{
	char buf[128], *save = NULL, *tok;
	int some = 0;

	snprintf(buf, sizeof(buf), "%s", members);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		if (compare_side_find(other, tok) >= 0)
			return 0;
		some |= compare_side_find(s, tok) >= 0;
	}
	return some;
}

/* A gathering authority on one side (6AE) against its members on the other
 * (67, 68): one row, the members' sum, and a note. */
p304_code compare_build_join(struct joined *j, p304_comparison *c, const struct side *a,
			    const struct side *b, const p304_reference *ref, p304_error *err)
{
	p304_code rc;

	for (size_t i = 0; i < p304_reference_count(ref); i++) {
		const p304_authority *x = p304_reference_at(ref, i);
		const struct side *one = NULL;

		if (!x->members[0])
			continue;
		if (compare_side_find(b, x->code) >= 0 && compare_side_find(a, x->code) < 0 && members_in(a, b, x->members)) {
			one = a;
		} else if (compare_side_find(a, x->code) >= 0 && compare_side_find(b, x->code) < 0 &&
			   members_in(b, a, x->members)) {
			one = b;
		}
		if (!one)
			continue;
		{
			char buf[128], *save = NULL, *tok, plus[128] = "";
			size_t o = 0;

			snprintf(buf, sizeof(buf), "%s", x->members);
			if ((rc = join_add(j, x->code, x->code, err)) != P304_OK)
				return rc;
			for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
				if (compare_side_find(one, tok) < 0)
					continue; /* only the members taking part */
				if ((rc = join_add(j, x->code, tok, err)) != P304_OK)
					return rc;
				o += (size_t)snprintf(plus + o, sizeof(plus) - o, "%s%s", o ? " + " : "", tok);
			}
			if ((rc = compare_add_note(c, err, "%s (%s) dans %s est comparée à %s dans %s%s",
					   x->code, x->name, one == a ? "B" : "A", plus,
					   one == a ? "A" : "B", strchr(plus, '+') ? " (leur somme)" :
					   " (le seul de ses membres qui y participe)")) != P304_OK)
				return rc;
		}
	}
	for (size_t i = 0; i < a->n; i++)
		if ((rc = join_add(j, a->codes[i], a->codes[i], err)) != P304_OK)
			return rc;
	for (size_t i = 0; i < b->n; i++)
		if ((rc = join_add(j, b->codes[i], b->codes[i], err)) != P304_OK)
			return rc;
	return P304_OK;
}

