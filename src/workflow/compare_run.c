/*
 * compare_run.c - `p304 compare A B`: two scenarios (or two result files)
 * side by side, joined across codings (compare_join.c), every change split
 * exactly between the factors that differ (compare_decomp.c), with ranks,
 * statuses, notes and totals.
 */
#include <p304/io.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"
#include "gettext.h"

p304_code compare_add_note(p304_comparison *c, p304_error *err, const char *fmt, ...)
{
	char buf[600];
	va_list ap;
	void *p;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->nnotes; i++)
		if (!strcmp(c->notes[i], buf))
			return P304_OK; /* once is enough */
	p = realloc(c->notes, (c->nnotes + 1) * sizeof(char *));
	if (!p || !(((char **)p)[c->nnotes] = strdup(buf))) {
		if (p)
			c->notes = p;
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	c->notes = p;
	c->nnotes++;
	return P304_OK;
}

static void ranks(p304_comparison *c, int side)
{
	for (size_t i = 0; i < c->nrows; i++) {
		p304_compare_row *r = &c->rows[i];
		int in = side ? r->in_b : r->in_a, rank = 1;
		int64_t v = side ? r->b_eur : r->a_eur;

		if (!in) {
			*(side ? &r->rank_b : &r->rank_a) = 0;
			continue;
		}
		for (size_t j = 0; j < c->nrows; j++) {
			const p304_compare_row *o = &c->rows[j];
			int oin = side ? o->in_b : o->in_a;
			int64_t ov = side ? o->b_eur : o->a_eur;

			if (oin && (ov > v || (ov == v && j < i)))
				rank++;
		}
		*(side ? &r->rank_b : &r->rank_a) = rank;
	}
}

static const char *combined_status(const struct side *s, const struct joined *j, size_t row,
				   int *in)
{
	const char *st = NULL;

	*in = 0;
	for (size_t i = 0; i < s->n; i++) {
		if ((size_t)compare_joined_index(j, s->codes[i]) != row)
			continue;
		if (*in && strcmp(st, s->status[i]))
			st = "mixed";
		else if (!*in)
			st = s->status[i];
		*in = 1;
	}
	return *in ? st : "absent";
}

static int row_cmp(const void *x, const void *y)
{
	return strcmp(((const p304_compare_row *)x)->code, ((const p304_compare_row *)y)->code);
}

struct compare_call {
	const char *default_reference;
	p304_comparison **out;
};

static p304_code compare_files(p304_catalogue *cat, const char *const *paths, void *ctx,
			       p304_error *err)
{
	const struct compare_call *c = ctx;

	return p304_run_compare_in(cat, paths[0], paths[1], c->default_reference, c->out, err);
}

p304_code p304_run_compare(const char *a_path, const char *b_path,
			   const char *default_reference, p304_comparison **out,
			   p304_error *err)
{
	struct compare_call c = { default_reference, out };
	const char *paths[2] = { a_path, b_path };

	*out = NULL;
	return p304_run_on_files(paths, 2, compare_files, &c, err);
}

p304_code p304_run_compare_in(p304_catalogue *cat, const char *a_path, const char *b_path,
			      const char *default_reference, p304_comparison **out,
			      p304_error *err)
{
	p304_comparison *c = calloc(1, sizeof(*c));
	struct side a = { 0 }, b = { 0 };
	struct joined j = { 0 };
	p304_reference *ref = NULL;
	const p304_reference *r;
	p304_code rc;

	*out = NULL;
	if (!c)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if ((rc = p304_catalogue_reference(cat, default_reference, &ref, err)) != P304_OK ||
	    (rc = compare_read_side(cat, &a, c, a_path, default_reference, ref, "A", err)) != P304_OK ||
	    (rc = compare_read_side(cat, &b, c, b_path, default_reference, ref, "B", err)) != P304_OK)
		goto fail;
	r = a.res ? a.res->reference : ref;
	if ((rc = compare_build_join(&j, c, &a, &b, r, err)) != P304_OK)
		goto fail;
	c->a_id = strdup(a.id);
	c->b_id = strdup(b.id);
	c->a_title = strdup(a.title);
	c->b_title = strdup(b.title);
	c->rows = calloc(j.n ? j.n : 1, sizeof(*c->rows));
	if (!c->a_id || !c->b_id || !c->a_title || !c->b_title || !c->rows) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto fail;
	}
	/* Rows in code order: sort the joined codes first, then rebuild the map. */
	for (size_t i = 0; i < j.n; i++) {
		const p304_authority *au = p304_reference_find(r, j.code[i]);

		c->rows[i].code = strdup(j.code[i]);
		c->rows[i].name = strdup(au ? au->name : j.code[i]);
		if (!c->rows[i].code || !c->rows[i].name) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto fail;
		}
	}
	c->nrows = j.n;
	qsort(c->rows, c->nrows, sizeof(*c->rows), row_cmp);
	for (size_t i = 0; i < j.nraw; i++)
		for (size_t k = 0; k < c->nrows; k++)
			if (!strcmp(c->rows[k].code, j.code[j.to[i]])) {
				j.to[i] = k;
				break;
			}
	for (size_t i = 0; i < j.n; i++) {
		free(j.code[i]);
		j.code[i] = strdup(c->rows[i].code);
	}
	for (size_t k = 0; k < c->nrows; k++) {
		p304_compare_row *row = &c->rows[k];

		row->status_a = combined_status(&a, &j, k, &row->in_a);
		row->status_b = combined_status(&b, &j, k, &row->in_b);
	}
	for (size_t i = 0; i < a.n; i++)
		c->rows[compare_joined_index(&j, a.codes[i])].a_eur += a.amount[i];
	for (size_t i = 0; i < b.n; i++)
		c->rows[compare_joined_index(&j, b.codes[i])].b_eur += b.amount[i];
	/* status strings point into the sides, which are freed below: copy the
	 * few distinct values into static storage by name. */
	for (size_t k = 0; k < c->nrows; k++) {
		static const char *const known[] = { "floor", "ceiling", "free", "absent", "mixed" };
		const char **st[2] = { &c->rows[k].status_a, &c->rows[k].status_b };

		for (int s2 = 0; s2 < 2; s2++) {
			const char *v = *st[s2];

			*st[s2] = "free";
			for (size_t q = 0; q < 5; q++)
				if (!strcmp(v, known[q]))
					*st[s2] = known[q];
		}
	}
	for (size_t k = 0; k < c->nrows; k++) {
		p304_compare_row *row = &c->rows[k];

		c->a_total += row->a_eur;
		c->b_total += row->b_eur;
		if (row->in_a && row->in_b) {
			if (row->b_eur > row->a_eur)
				c->winners++;
			else if (row->b_eur < row->a_eur)
				c->losers++;
			else
				c->unchanged++;
		} else if (row->in_b) {
			c->entering++;
		} else {
			c->leaving++;
		}
	}
	ranks(c, 0);
	ranks(c, 1);
	if (a.res && b.res && (rc = compare_decompose(c, &a, &b, &j, err)) != P304_OK)
		goto fail;
	if (!c->decomposed && (rc = compare_add_note(c, err, "A ou B est un fichier de résultat : les "
					      "montants sont comparés, l'écart n'est pas décomposé")) != P304_OK)
		goto fail;
	compare_joined_free(&j);
	compare_side_free(&a);
	compare_side_free(&b);
	p304_reference_free(ref);
	*out = c;
	return P304_OK;
fail:
	compare_joined_free(&j);
	compare_side_free(&a);
	compare_side_free(&b);
	p304_reference_free(ref);
	p304_comparison_free(c);
	return rc;
}

void p304_comparison_free(p304_comparison *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrows; i++) {
		free(c->rows[i].code);
		free(c->rows[i].name);
		free(c->rows[i].contrib);
		free(c->rows[i].note);
	}
	free(c->rows);
	for (size_t i = 0; i < c->nfactors && c->factors; i++)
		free(c->factors[i]);
	free(c->factors);
	free(c->differs);
	for (size_t i = 0; i < c->nnotes; i++)
		free(c->notes[i]);
	free(c->notes);
	for (size_t i = 0; i < c->ninputs; i++) {
		free(c->inputs[i].role);
		free(c->inputs[i].path);
	}
	free(c->inputs);
	free(c->a_id);
	free(c->b_id);
	free(c->a_title);
	free(c->b_title);
	free(c);
}

double p304_compare_pct(const p304_compare_row *r)
{
	return r->a_eur ? ((double)r->b_eur - (double)r->a_eur) * 100.0 / (double)r->a_eur : 0.0;
}

struct mover_key {
	const p304_compare_row *r;
	double key;
};

static int by_key_desc(const void *x, const void *y)
{
	const struct mover_key *a = x, *b = y;

	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return strcmp(a->r->code, b->r->code);
}

size_t p304_compare_movers(const p304_comparison *c, int by_pct, size_t per_side,
			   const p304_compare_row **out, size_t *nrises)
{
	struct mover_key *k = malloc((c->nrows ? c->nrows : 1) * sizeof(*k));
	size_t m = 0, n = 0;

	*nrises = 0;
	if (!k)
		return 0;
	for (size_t i = 0; i < c->nrows; i++) {
		const p304_compare_row *r = &c->rows[i];

		if (!r->in_a || !r->in_b || r->a_eur == r->b_eur || (by_pct && r->a_eur == 0))
			continue;
		k[m].r = r;
		k[m].key = by_pct ? p304_compare_pct(r) : (double)(r->b_eur - r->a_eur);
		m++;
	}
	qsort(k, m, sizeof(*k), by_key_desc);
	for (size_t i = 0; i < m && i < per_side && k[i].key > 0; i++)
		out[n++] = k[i].r;
	*nrises = n;
	for (size_t i = 0; i < m && i < per_side && k[m - 1 - i].key < 0; i++)
		out[n++] = k[m - 1 - i].r;
	free(k);
	return n;
}
