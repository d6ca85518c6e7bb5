/*
 * compare_run.c - `p304 compare A B`: two scenarios (or two result files)
 * side by side, joined across codings (a year with 67 and 68 against a year
 * with the CEA compares their sum), and every change split exactly between
 * the factors that differ (envelope, participants, weights, each criterion's
 * data, bounds, rounding) by the Shapley value over 2^k allocations.
 */
#include <p304/io.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileutil.h"

/* One side: a scenario run, or the amounts of a result file. */
struct side {
	p304_result *res;      /* scenario run, or NULL */
	char *id, *title;
	size_t n;
	char **codes;          /* canonical codes of the participants */
	int64_t *amount;
	char **status;
	p304_csv *table;       /* scenario: the whole criteria table */
	const p304_reference *ref;
};

static void side_free(struct side *s)
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

static p304_code add_note(p304_comparison *c, p304_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static p304_code add_note(p304_comparison *c, p304_error *err, const char *fmt, ...)
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
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	c->notes = p;
	c->nnotes++;
	return P304_OK;
}

static p304_code copy_inputs(p304_comparison *c, const p304_input_file *in, size_t n,
			     const char *prefix, p304_error *err)
{
	void *p = realloc(c->inputs, (c->ninputs + n) * sizeof(*c->inputs));

	if (!p)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	c->inputs = p;
	for (size_t i = 0; i < n; i++) {
		p304_input_file *d = &c->inputs[c->ninputs++];
		char role[64];

		snprintf(role, sizeof(role), "%s:%s", prefix, in[i].role);
		memcpy(d->sha256, in[i].sha256, sizeof(d->sha256));
		d->role = strdup(role);
		d->path = strdup(in[i].path);
		if (!d->role || !d->path)
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	return P304_OK;
}

static p304_code side_alloc(struct side *s, size_t n, p304_error *err)
{
	s->codes = calloc(n ? n : 1, sizeof(char *));
	s->amount = calloc(n ? n : 1, sizeof(int64_t));
	s->status = calloc(n ? n : 1, sizeof(char *));
	if (!s->codes || !s->amount || !s->status)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	return P304_OK;
}

/* A result file written by p304: the amounts, no decomposition. */
static p304_code read_result(struct side *s, p304_comparison *c, const char *path,
			     const cJSON *root, const p304_reference *ref, const char *label,
			     p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *it;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(root, "title");
	const char *field = rows && rows->child &&
		cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur") ? "notified_eur" : "amount_eur";
	p304_input_file in = { "result", (char *)path, "" };
	p304_code rc;
	size_t k = 0;

	if ((rc = p304_sha256_file(path, in.sha256, err)) != P304_OK ||
	    (rc = copy_inputs(c, &in, 1, label, err)) != P304_OK ||
	    (rc = side_alloc(s, (size_t)cJSON_GetArraySize(rows), err)) != P304_OK)
		return rc;
	s->id = strdup(cJSON_IsString(id) ? id->valuestring : path);
	s->title = strdup(cJSON_IsString(title) ? title->valuestring : s->id);
	cJSON_ArrayForEach(it, rows) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
		const cJSON *amt = cJSON_GetObjectItemCaseSensitive(it, field);
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(it, "status");
		const p304_authority *a;

		k++;
		if (!cJSON_IsString(code) || !cJSON_IsNumber(amt) || amt->valuedouble < 0 ||
		    amt->valuedouble > (double)P304_MAX_EUR || amt->valuedouble != (double)(int64_t)amt->valuedouble)
			return p304_error_set(err, P304_ERR_INPUT, path, 0,
				"row %zu: expected \"code\" and a whole \"%s\"", k, field);
		if (!(a = p304_reference_find(ref, code->valuestring)))
			return p304_error_set(err, P304_ERR_INPUT, path, 0,
				"row %zu: code '%s' is not in the reference list", k, code->valuestring);
		s->codes[s->n] = strdup(a->code);
		s->amount[s->n] = (int64_t)amt->valuedouble;
		s->status[s->n] = strdup(cJSON_IsString(st) ? st->valuestring : "free");
		if (!s->codes[s->n] || !s->status[s->n])
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		s->n++;
	}
	return s->id && s->title ? P304_OK : p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
}

static p304_code read_side(struct side *s, p304_comparison *c, const char *path,
			   const char *default_reference, const p304_reference *ref,
			   const char *label, p304_error *err)
{
	char *text = NULL;
	size_t len;
	cJSON *root;
	p304_code rc;

	if ((rc = p304_read_file(path, &text, &len, err)) != P304_OK)
		return rc;
	root = cJSON_ParseWithOpts(text, NULL, 1);
	free(text);
	/* A result file has rows and no data table; a scenario the opposite. */
	if (root && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "rows")) &&
	    !cJSON_GetObjectItemCaseSensitive(root, "data")) {
		rc = read_result(s, c, path, root, ref, label, err);
		cJSON_Delete(root);
		return rc;
	}
	cJSON_Delete(root);
	if ((rc = p304_run_allocation(path, default_reference, &s->res, err)) != P304_OK ||
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
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	s->n = s->res->nrows;
	for (size_t i = 0; i < s->res->nwarnings; i++)
		if ((rc = add_note(c, err, "%s : %s", label, s->res->warnings[i])) != P304_OK)
			return rc;
	if (!s->id || !s->title)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	return p304_csv_load(s->res->scenario->data_path, &s->table, err);
}

static long side_find(const struct side *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->codes[i], code))
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Joined rows                                                          */
/* ------------------------------------------------------------------ */

struct joined {
	char **code;   /* joined row codes */
	size_t n, cap;
	char **raw;    /* raw code -> joined index (parallel arrays) */
	size_t *to;
	size_t nraw, rawcap;
};

static long joined_index(const struct joined *j, const char *code)
{
	for (size_t i = 0; i < j->nraw; i++)
		if (!strcmp(j->raw[i], code))
			return (long)j->to[i];
	return -1;
}

static p304_code join_add(struct joined *j, const char *row, const char *raw, p304_error *err)
{
	long r = -1;

	if (joined_index(j, raw) >= 0)
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
	return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
}

static void joined_free(struct joined *j)
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
		if (side_find(other, tok) >= 0)
			return 0;
		some |= side_find(s, tok) >= 0;
	}
	return some;
}

/* A gathering authority on one side (6AE) against its members on the other
 * (67, 68): one row, the members' sum, and a note. */
static p304_code build_join(struct joined *j, p304_comparison *c, const struct side *a,
			    const struct side *b, const p304_reference *ref, p304_error *err)
{
	p304_code rc;

	for (size_t i = 0; i < p304_reference_count(ref); i++) {
		const p304_authority *x = p304_reference_at(ref, i);
		const struct side *one = NULL;

		if (!x->members[0])
			continue;
		if (side_find(b, x->code) >= 0 && side_find(a, x->code) < 0 && members_in(a, b, x->members)) {
			one = a;
		} else if (side_find(a, x->code) >= 0 && side_find(b, x->code) < 0 &&
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
				if (side_find(one, tok) < 0)
					continue; /* only the members taking part */
				if ((rc = join_add(j, x->code, tok, err)) != P304_OK)
					return rc;
				o += (size_t)snprintf(plus + o, sizeof(plus) - o, "%s%s", o ? " + " : "", tok);
			}
			if ((rc = add_note(c, err, "%s (%s) dans %s est comparée à %s dans %s%s",
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

/* ------------------------------------------------------------------ */
/* Decomposition                                                        */
/* ------------------------------------------------------------------ */

enum { F_ENVELOPE, F_PARTICIPANTS, F_WEIGHTS, F_BOUNDS, F_ROUNDING, F_FIXED };
#define HOLE INT64_MIN

struct decomp {
	size_t k;                 /* criteria (A's column order) */
	char **cols;
	long double wa[32], wb[32];
	size_t nu;                /* union of participants */
	char **u;                 /* codes */
	int64_t *va, *vb;         /* nu × k values on each side (fallbacks filled) */
};

static long table_row(const p304_csv *t, const p304_reference *ref, const char *code)
{
	long cc = -1;

	for (size_t i = 0; i < p304_csv_ncols(t); i++)
		if (!strcasecmp(p304_csv_header(t, i), "code"))
			cc = (long)i;
	if (cc < 0)
		return -1;
	for (size_t r = 0; r < p304_csv_nrows(t); r++) {
		const p304_authority *a = p304_reference_find(ref, p304_csv_cell(t, r, (size_t)cc));

		if (a && !strcmp(a->code, code))
			return (long)r;
	}
	return -1;
}

/* A value of `code` in side s: its own (imputed) figure when it takes part,
 * else the cell of its table; HOLE when neither exists. */
static int64_t side_value(const struct side *s, const char *code, const char *col)
{
	const p304_scenario *sc = s->res->scenario;
	long i = side_find(s, code), r, c;
	size_t k;

	for (k = 0; k < sc->ncriteria; k++)
		if (!strcmp(sc->criteria[k].column, col))
			break;
	if (i >= 0 && k < sc->ncriteria)
		return s->res->rows[i].criteria[k];
	r = table_row(s->table, s->res->reference, code);
	c = p304_csv_find_column(s->table, col);
	if (r >= 0 && c >= 0) {
		const char *cell = p304_csv_cell(s->table, (size_t)r, (size_t)c);
		int64_t v;

		if (p304_parse_decimal(cell, strlen(cell), 3, -1, &v, NULL, 0) == 0)
			return v;
	}
	return HOLE;
}

/* A gathering authority absent from a table (the CEA in a 2020 table) has,
 * on that side, the sum of its members' figures (67 + 68) when all exist. */
static int64_t side_value_or_members(const struct side *s, const char *code, const char *col,
				     int *summed)
{
	const p304_authority *a = p304_reference_find(s->res->reference, code);
	int64_t v = side_value(s, code, col), sum = 0;
	char buf[128], *save = NULL, *tok;

	*summed = 0;
	if (v != HOLE || !a || !a->members[0])
		return v;
	snprintf(buf, sizeof(buf), "%s", a->members);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		int64_t m = side_value(s, tok, col);

		if (m == HOLE)
			return HOLE;
		sum += m;
	}
	*summed = 1;
	return sum;
}

/* A member missing from a table whose gathering authority is there (68 in
 * a 2025 table that has the CEA): the authority's figure split in
 * proportion to the members' figures of the other table. HOLE otherwise;
 * *parent names the gathering authority used. */
static int64_t member_split(const struct side *s, const struct side *other, const char *code,
			    const char *col, const char **parent)
{
	const p304_reference *ref = s->res->reference;

	for (size_t i = 0; i < p304_reference_count(ref); i++) {
		const p304_authority *g = p304_reference_at(ref, i);
		char buf[128], *save = NULL, *tok;
		int64_t whole, mine = HOLE, sum = 0;
		int member = 0;

		if (!g->members[0])
			continue;
		snprintf(buf, sizeof(buf), "%s", g->members);
		for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
			member |= !strcmp(tok, code);
		if (!member || (whole = side_value(s, g->code, col)) == HOLE)
			continue;
		snprintf(buf, sizeof(buf), "%s", g->members);
		for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
			int64_t v = side_value(other, tok, col);

			if (v == HOLE)
				return HOLE;
			sum += v;
			if (!strcmp(tok, code))
				mine = v;
		}
		if (sum <= 0 || mine == HOLE)
			return HOLE;
		*parent = g->code;
		return (int64_t)roundl((long double)whole * (long double)mine / (long double)sum);
	}
	return HOLE;
}

static p304_code decomp_prepare(struct decomp *d, p304_comparison *c, const struct side *a,
				const struct side *b, p304_error *err)
{
	const p304_scenario *sa = a->res->scenario, *sb = b->res->scenario;
	p304_code rc;

	d->k = sa->ncriteria;
	if (sa->ncriteria != sb->ncriteria || d->k > 32)
		goto different;
	d->cols = calloc(d->k, sizeof(char *));
	if (!d->cols)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < d->k; i++) {
		size_t j;

		d->cols[i] = sa->criteria[i].column;
		d->wa[i] = (long double)sa->criteria[i].weight_pct / 100.0L;
		for (j = 0; j < sb->ncriteria; j++)
			if (!strcmp(sb->criteria[j].column, d->cols[i]))
				break;
		if (j == sb->ncriteria)
			goto different;
		d->wb[i] = (long double)sb->criteria[j].weight_pct / 100.0L;
	}
	d->u = calloc(a->n + b->n + 1, sizeof(char *));
	if (!d->u)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < a->n; i++)
		d->u[d->nu++] = a->codes[i];
	for (size_t i = 0; i < b->n; i++)
		if (side_find(a, b->codes[i]) < 0)
			d->u[d->nu++] = b->codes[i];
	d->va = malloc((d->nu ? d->nu : 1) * d->k * sizeof(int64_t));
	d->vb = malloc((d->nu ? d->nu : 1) * d->k * sizeof(int64_t));
	if (!d->va || !d->vb)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t u = 0; u < d->nu; u++) {
		for (size_t k = 0; k < d->k; k++) {
			int sx, sy;
			int64_t x = side_value_or_members(a, d->u[u], d->cols[k], &sx);
			int64_t y = side_value_or_members(b, d->u[u], d->cols[k], &sy);
			const p304_authority *au = p304_reference_find(a->res->reference, d->u[u]);

			if (sx || sy) {
				char plus[128] = "";
				size_t o = 0;

				for (const char *m = au ? au->members : ""; *m && o + 4 < sizeof(plus); m++)
					o += (size_t)snprintf(plus + o, sizeof(plus) - o,
							      *m == '|' ? " + " : "%c", *m);
				if ((rc = add_note(c, err, "dans la table de %s, %s est la somme de %s",
						   sx ? "A" : "B", d->u[u], plus)))
					return rc;
			}

			/* A mixed combination needs A's figure for B's participants
			 * and the reverse: a figure one table lacks is taken from
			 * the other, and said. */
			if (x == HOLE || y == HOLE) {
				const char *parent = NULL;
				int64_t *fill = x == HOLE ? &x : &y;

				*fill = x == HOLE ? member_split(a, b, d->u[u], d->cols[k], &parent)
						  : member_split(b, a, d->u[u], d->cols[k], &parent);
				if (*fill != HOLE && (rc = add_note(c, err, "dans la table de %s, le chiffre "
						"de '%s' pour %s est celui de %s, réparti au prorata de l'autre table",
						fill == &x ? "A" : "B", d->cols[k], d->u[u], parent)))
					return rc;
			}
			if (x == HOLE && y == HOLE)
				return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					"no figure of '%s' for '%s' in either table: cannot decompose",
					d->cols[k], d->u[u]);
			if (x == HOLE && (rc = add_note(c, err, "aucun chiffre de '%s' pour %s dans la table de A : "
					"celui de B sert aux combinaisons mixtes", d->cols[k], d->u[u])))
				return rc;
			if (y == HOLE && (rc = add_note(c, err, "aucun chiffre de '%s' pour %s dans la table de B : "
					"celui de A sert aux combinaisons mixtes", d->cols[k], d->u[u])))
				return rc;
			d->va[u * d->k + k] = x == HOLE ? y : x;
			d->vb[u * d->k + k] = y == HOLE ? x : y;
		}
	}
	return P304_OK;
different:
	return p304_error_set(err, P304_ERR_INPUT, sb->path, 0,
		"A and B do not use the same criteria columns: the decomposition needs the same "
		"columns (weights may differ); compare their result files to see amounts only");
}

static long ucode(const struct decomp *d, const char *code)
{
	for (size_t i = 0; i < d->nu; i++)
		if (!strcmp(d->u[i], code))
			return (long)i;
	return -1;
}

/* The amounts of one combination: factors in `bits` take B's value. */
static p304_code evaluate(const struct decomp *d, p304_comparison *c, const struct side *a,
			  const struct side *b, const int *fac, size_t nd, size_t bits,
			  const struct joined *j, int64_t *out, p304_workspace *ws,
			  p304_error *err)
{
	const p304_scenario *sa = a->res->scenario, *sb = b->res->scenario;
	int use[F_FIXED + 32] = { 0 };
	const struct side *ps;
	const p304_scenario *bnd;
	const char **codes = NULL;
	int64_t *values = NULL;
	long double w[32];
	p304_row *rows = NULL;
	p304_summary sum;
	p304_problem p;
	p304_code rc = P304_OK;

	for (size_t f = 0; f < nd; f++)
		use[fac[f]] = (bits >> f) & 1;
	ps = use[F_PARTICIPANTS] ? b : a;
	bnd = use[F_BOUNDS] ? sb : sa;
	codes = calloc(ps->n + 1, sizeof(char *));
	values = calloc((ps->n + 1) * d->k, sizeof(int64_t));
	rows = calloc(ps->n + 1, sizeof(p304_row));
	if (!codes || !values || !rows) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < d->k; k++)
		w[k] = use[F_WEIGHTS] ? d->wb[k] : d->wa[k];
	for (size_t i = 0; i < ps->n; i++) {
		long u = ucode(d, ps->codes[i]);

		codes[i] = ps->codes[i];
		for (size_t k = 0; k < d->k; k++)
			values[i * d->k + k] = use[F_FIXED + k] ? d->vb[u * d->k + k] : d->va[u * d->k + k];
	}
	p = (p304_problem){ .n = ps->n, .k = d->k, .codes = codes, .values = values, .weights = w,
		.envelope_eur = use[F_ENVELOPE] ? sb->envelope_eur : sa->envelope_eur,
		.floor_eur = bnd->floor_eur, .ceiling_eur = bnd->ceiling_eur,
		.unit_eur = use[F_ROUNDING] ? sb->rounding_eur : sa->rounding_eur };
	/* A mixed combination may be infeasible (B's 100 participants with A's
	 * envelope and floor): the floor is lowered (the ceiling raised) to the
	 * nearest feasible value for that combination only, and said. */
	if (p.floor_eur != P304_NO_BOUND && (int64_t)p.n * p.floor_eur > p.envelope_eur) {
		p.floor_eur = p.envelope_eur / (int64_t)p.n / p.unit_eur * p.unit_eur;
		if ((rc = add_note(c, err, "une combinaison mixte était infaisable : son plancher a été "
				   "ramené à enveloppe / participants")))
			goto out;
	}
	if (p.ceiling_eur != P304_NO_BOUND && (int64_t)p.n * p.ceiling_eur < p.envelope_eur) {
		int64_t need = (p.envelope_eur + (int64_t)p.n - 1) / (int64_t)p.n;

		p.ceiling_eur = (need + p.unit_eur - 1) / p.unit_eur * p.unit_eur;
		if ((rc = add_note(c, err, "une combinaison mixte était infaisable : son plafond a été "
				   "porté à enveloppe / participants")))
			goto out;
	}
	if (p.floor_eur != P304_NO_BOUND && p.floor_eur % p.unit_eur)
		p.floor_eur -= p.floor_eur % p.unit_eur;
	if (p.ceiling_eur != P304_NO_BOUND && p.ceiling_eur % p.unit_eur)
		p.ceiling_eur += p.unit_eur - p.ceiling_eur % p.unit_eur;
	if ((rc = p304_allocate(&p, ws, rows, &sum, err)) != P304_OK)
		goto out;
	for (size_t i = 0; i < ps->n; i++)
		out[joined_index(j, ps->codes[i])] += rows[i].amount_eur;
out:
	free(codes);
	free(values);
	free(rows);
	return rc;
}

static int participants_differ(const struct side *a, const struct side *b)
{
	if (a->n != b->n)
		return 1;
	for (size_t i = 0; i < a->n; i++)
		if (side_find(b, a->codes[i]) < 0)
			return 1;
	return 0;
}

static p304_code decompose(p304_comparison *c, const struct side *a, const struct side *b,
			   const struct joined *j, p304_error *err)
{
	const p304_scenario *sa = a->res->scenario, *sb = b->res->scenario;
	struct decomp d = { 0 };
	int fac[P304_MAX_FACTORS];
	size_t nd = 0, nrows = j->n;
	int64_t *vals = NULL, *contrib = NULL;
	p304_workspace *ws = p304_workspace_new();
	p304_code rc;

	if (!ws)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	if ((rc = decomp_prepare(&d, c, a, b, err)) != P304_OK)
		goto out;
	c->nfactors = F_FIXED + d.k;
	c->factors = calloc(c->nfactors, sizeof(char *));
	c->differs = calloc(c->nfactors, 1);
	if (!c->factors || !c->differs) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	c->factors[F_ENVELOPE] = strdup("envelope");
	c->factors[F_PARTICIPANTS] = strdup("participants");
	c->factors[F_WEIGHTS] = strdup("weights");
	c->factors[F_BOUNDS] = strdup("bounds");
	c->factors[F_ROUNDING] = strdup("rounding");
	c->differs[F_ENVELOPE] = sa->envelope_eur != sb->envelope_eur;
	c->differs[F_PARTICIPANTS] = participants_differ(a, b);
	c->differs[F_BOUNDS] = sa->floor_eur != sb->floor_eur || sa->ceiling_eur != sb->ceiling_eur;
	c->differs[F_ROUNDING] = sa->rounding_eur != sb->rounding_eur;
	for (size_t k = 0; k < d.k; k++) {
		char name[160];

		c->differs[F_WEIGHTS] |= d.wa[k] != d.wb[k];
		snprintf(name, sizeof(name), "data:%s", d.cols[k]);
		c->factors[F_FIXED + k] = strdup(name);
		for (size_t u = 0; u < d.nu; u++)
			c->differs[F_FIXED + k] |= d.va[u * d.k + k] != d.vb[u * d.k + k];
	}
	for (size_t f = 0; f < c->nfactors; f++) {
		if (!c->factors[f]) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
			goto out;
		}
		if (c->differs[f]) {
			if (nd == P304_MAX_FACTORS) {
				rc = p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					"more than %d factors differ: too many to attribute", P304_MAX_FACTORS);
				goto out;
			}
			fac[nd++] = (int)f;
		}
	}
	vals = calloc(((size_t)1 << nd) * (nrows ? nrows : 1), sizeof(int64_t));
	contrib = calloc((nrows ? nrows : 1) * (nd ? nd : 1), sizeof(int64_t));
	if (!vals || !contrib) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (size_t s = 0; s < ((size_t)1 << nd); s++)
		if ((rc = evaluate(&d, c, a, b, fac, nd, s, j, vals + s * nrows, ws, err)) != P304_OK)
			goto out;
	/* The two ends must be the published A and B: a check of the method. */
	for (size_t r = 0; r < nrows; r++) {
		if (vals[r] != c->rows[r].a_eur ||
		    vals[(((size_t)1 << nd) - 1) * nrows + r] != c->rows[r].b_eur) {
			rc = p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
				"decomposition of %s does not reproduce A and B", c->rows[r].code);
			goto out;
		}
	}
	if ((rc = p304_shapley(nrows, nd, vals, contrib, err)) != P304_OK)
		goto out;
	for (size_t r = 0; r < nrows; r++) {
		c->rows[r].contrib = calloc(c->nfactors, sizeof(int64_t));
		if (!c->rows[r].contrib) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
			goto out;
		}
		for (size_t f = 0; f < nd; f++)
			c->rows[r].contrib[fac[f]] = contrib[r * nd + f];
	}
	c->decomposed = 1;
out:
	free(d.cols);
	free(d.u);
	free(d.va);
	free(d.vb);
	free(vals);
	free(contrib);
	p304_workspace_free(ws);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The comparison                                                       */
/* ------------------------------------------------------------------ */

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
		if ((size_t)joined_index(j, s->codes[i]) != row)
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

p304_code p304_run_compare(const char *a_path, const char *b_path,
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
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	if ((rc = p304_reference_load(default_reference, &ref, err)) != P304_OK ||
	    (rc = read_side(&a, c, a_path, default_reference, ref, "A", err)) != P304_OK ||
	    (rc = read_side(&b, c, b_path, default_reference, ref, "B", err)) != P304_OK)
		goto fail;
	r = a.res ? a.res->reference : ref;
	if ((rc = build_join(&j, c, &a, &b, r, err)) != P304_OK)
		goto fail;
	c->a_id = strdup(a.id);
	c->b_id = strdup(b.id);
	c->a_title = strdup(a.title);
	c->b_title = strdup(b.title);
	c->rows = calloc(j.n ? j.n : 1, sizeof(*c->rows));
	if (!c->a_id || !c->b_id || !c->a_title || !c->b_title || !c->rows) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	/* Rows in code order: sort the joined codes first, then rebuild the map. */
	for (size_t i = 0; i < j.n; i++) {
		const p304_authority *au = p304_reference_find(r, j.code[i]);

		c->rows[i].code = strdup(j.code[i]);
		c->rows[i].name = strdup(au ? au->name : j.code[i]);
		if (!c->rows[i].code || !c->rows[i].name) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
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
		c->rows[joined_index(&j, a.codes[i])].a_eur += a.amount[i];
	for (size_t i = 0; i < b.n; i++)
		c->rows[joined_index(&j, b.codes[i])].b_eur += b.amount[i];
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
	if (a.res && b.res && (rc = decompose(c, &a, &b, &j, err)) != P304_OK)
		goto fail;
	if (!c->decomposed && (rc = add_note(c, err, "A ou B est un fichier de résultat : les "
					      "montants sont comparés, l'écart n'est pas décomposé")) != P304_OK)
		goto fail;
	joined_free(&j);
	side_free(&a);
	side_free(&b);
	p304_reference_free(ref);
	*out = c;
	return P304_OK;
fail:
	joined_free(&j);
	side_free(&a);
	side_free(&b);
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
