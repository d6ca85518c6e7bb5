/*
 * ledger_query.c - reading the ledger: current amounts, the history, the
 * online backup, the 2024 rule's caps (instruction 2024/72) and the yearly
 * avenant (instruction 2025/60) computed from what was delegated and
 * consumed.
 */
#include "ledger_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int p304_ledger_current(p304_ledger *lg, const char *code, int year, p304_stage stage,
			int64_t *amount, p304_error *err)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if (sqlite3_prepare_v2(lg->db, "SELECT amount_eur FROM entry WHERE code = ? AND year = ?"
			       " AND stage = ? ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		lg_sql_error(lg, err);
		return -1;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_text(st, 3, p304_stage_name(stage), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*amount = sqlite3_column_int64(st, 0);
		found = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		lg_sql_error(lg, err);
		return -1;
	}
	return found;
}

/* The demo ledger and the test tables say ILLUSTRATIF in their comment or
 * file name (issue 22: « labelled ILLUSTRATIF everywhere »); the page shows
 * the mark beside any figure that comes from them. Marked batches are few:
 * the join reads only their entries. */
int p304_ledger_illustrative(p304_ledger *lg, p304_stage a, p304_stage b, int year0, int year1,
			     p304_error *err)
{
	sqlite3_stmt *st;
	int rc, found = 0;

	if (sqlite3_prepare_v2(lg->db, "SELECT 1 FROM batch b JOIN entry e ON e.batch = b.id"
			       " WHERE (instr(upper(coalesce(b.comment, '')), 'ILLUSTRATIF')"
			       " OR instr(upper(b.file), 'ILLUSTRATIF'))"
			       " AND e.stage IN (?, ?) AND e.year BETWEEN ? AND ? LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		lg_sql_error(lg, err);
		return -1;
	}
	sqlite3_bind_text(st, 1, p304_stage_name(a), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p304_stage_name(b), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, year0);
	sqlite3_bind_int(st, 4, year1);
	rc = sqlite3_step(st);
	found = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		lg_sql_error(lg, err);
		return -1;
	}
	return found;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

p304_code p304_ledger_history(p304_ledger *lg, const char *code, int year,
			      int (*fn)(void *ctx, const p304_ledger_entry *e),
			      void *ctx, p304_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(lg->db,
		"SELECT e.id, coalesce(e.supersedes, 0), e.code, e.year, e.stage, e.amount_eur,"
		" e.line, b.kind, b.file, b.sha256, b.version, coalesce(b.scenario, ''), b.at,"
		" b.who, coalesce(b.comment, '')"
		" FROM entry e JOIN batch b ON b.id = e.batch"
		" WHERE (?1 IS NULL OR e.code = ?1) AND (?2 = 0 OR e.year = ?2)"
		" ORDER BY e.code, e.year, CASE e.stage WHEN 'prenotified' THEN 0 WHEN 'need' THEN 1"
		" WHEN 'notified' THEN 2 WHEN 'delegated' THEN 3 WHEN 'consumed' THEN 4 ELSE 5 END,"
		" e.id", -1, &st, NULL) != SQLITE_OK)
		return lg_sql_error(lg, err);
	if (code)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p304_ledger_entry e = {
			.id = (long)sqlite3_column_int64(st, 0),
			.supersedes = (long)sqlite3_column_int64(st, 1),
			.code = col_text(st, 2),
			.year = sqlite3_column_int(st, 3),
			.stage = (p304_stage)p304_stage_parse(col_text(st, 4)),
			.amount_eur = sqlite3_column_int64(st, 5),
			.line = (long)sqlite3_column_int64(st, 6),
			.kind = col_text(st, 7), .file = col_text(st, 8), .sha256 = col_text(st, 9),
			.version = col_text(st, 10), .scenario = col_text(st, 11),
			.at = col_text(st, 12), .who = col_text(st, 13), .comment = col_text(st, 14),
		};

		if (fn(ctx, &e))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		p304_code c = lg_sql_error(lg, err);

		sqlite3_finalize(st);
		return c;
	}
	sqlite3_finalize(st);
	return P304_OK;
}

p304_code p304_ledger_backup(p304_ledger *lg, const char *dest, p304_error *err)
{
	char *tmp = NULL;
	sqlite3 *to = NULL;
	sqlite3_backup *bk;
	p304_code rc = P304_OK;
	int fd;

	if (access(dest, F_OK) == 0 || errno != ENOENT)
		return p304_error_set(err, P304_ERR_IO, dest, 0,
				      _("already exists: a backup never replaces a file"));
	if (asprintf(&tmp, "%s.XXXXXX", dest) < 0)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if ((fd = mkstemp(tmp)) < 0) {
		rc = p304_error_set(err, P304_ERR_IO, dest, 0, _("cannot write: %s"), strerror(errno));
		free(tmp);
		return rc;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    !(bk = sqlite3_backup_init(to, "main", lg->db, "main"))) {
		rc = p304_error_set(err, P304_ERR_IO, dest, 0, _("cannot write: %s"),
				    to ? sqlite3_errmsg(to) : _("out of memory"));
		goto out;
	}
	/* all pages in one step: a consistent copy even while others write */
	sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK) {
		rc = p304_error_set(err, P304_ERR_IO, dest, 0, _("cannot write: %s"),
				    sqlite3_errmsg(to));
		goto out;
	}
	/* the copy in rollback-journal mode: one self-contained file */
	sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	if (sqlite3_close(to) != SQLITE_OK) {
		to = NULL;
		rc = p304_error_set(err, P304_ERR_IO, dest, 0, _("cannot write the backup"));
		goto out;
	}
	to = NULL;
	/* link(): fails rather than replace a file created meanwhile */
	if (link(tmp, dest) != 0)
		rc = p304_error_set(err, P304_ERR_IO, dest, 0, _("cannot write: %s"), strerror(errno));
out:
	if (to)
		sqlite3_close(to);
	unlink(tmp);
	free(tmp);
	return rc;
}

void p304_cap_rule(int year, int64_t del1, int64_t del2, int64_t *cap, int *from)
{
	/* « ou à défaut en 2022 pour les collectivités non financées en
	 * 2023 »: a delegation of 0 is not being funded */
	if (del1 != P304_NO_BOUND && del1 > 0) {
		*cap = del1;
		*from = year - 1;
	} else if (del2 != P304_NO_BOUND && del2 > 0) {
		*cap = del2;
		*from = year - 2;
	} else {
		*cap = P304_NO_BOUND;
		*from = 0;
	}
}

/* Codes with a current entry of `stage` in [y0, y1], in code order. */
static p304_code codes_with(p304_ledger *lg, p304_stage stage, p304_stage stage2, int y0,
			    int y1, char (**codes)[16], size_t *n, p304_error *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*codes = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(lg->db, "SELECT DISTINCT code FROM entry WHERE stage IN (?, ?)"
			       " AND year BETWEEN ? AND ? ORDER BY code", -1, &st, NULL) != SQLITE_OK)
		return lg_sql_error(lg, err);
	sqlite3_bind_text(st, 1, p304_stage_name(stage), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p304_stage_name(stage2), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, y0);
	sqlite3_bind_int(st, 4, y1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 128;
			char (*g)[16] = realloc(*codes, nc * sizeof(**codes));

			if (!g) {
				sqlite3_finalize(st);
				free(*codes);
				*codes = NULL;
				return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			}
			*codes = g;
			cap = nc;
		}
		snprintf((*codes)[(*n)++], 16, "%s", col_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*codes);
		*codes = NULL;
		return lg_sql_error(lg, err);
	}
	return P304_OK;
}

static int64_t amount_or_none(p304_ledger *lg, const char *code, int year, p304_stage s,
			      int *fail, p304_error *err)
{
	int64_t v = P304_NO_BOUND;
	int r = p304_ledger_current(lg, code, year, s, &v, err);

	if (r < 0)
		*fail = 1;
	return r == 1 ? v : P304_NO_BOUND;
}

/* Appends an empty cap for `code` to *c (grown by doubling), and to *d2 its
 * delegation of N − 2; 0 or -1 out of memory. */
static int caps_push(p304_ledger_cap **c, int64_t **d2, size_t *n, size_t *cap, const char *code)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 128;
		p304_ledger_cap *g = realloc(*c, nc * sizeof(**c));
		int64_t *h;

		if (!g)
			return -1;
		*c = g;
		if (!(h = realloc(*d2, nc * sizeof(**d2))))
			return -1;
		*d2 = h;
		*cap = nc;
	}
	memset(&(*c)[*n], 0, sizeof(**c));
	snprintf((*c)[*n].code, sizeof((*c)[*n].code), "%s", code);
	(*c)[*n].cap_eur = P304_NO_BOUND; /* the delegation of N − 1 until the rule */
	(*d2)[*n] = P304_NO_BOUND;
	(*n)++;
	return 0;
}

p304_code p304_ledger_caps(p304_ledger *lg, int year, p304_ledger_cap **out, size_t *n,
			   p304_error *err)
{
	sqlite3_stmt *st;
	p304_ledger_cap *c = NULL;
	int64_t *d2 = NULL;
	size_t cap = 0;
	int r;

	*out = NULL;
	*n = 0;
	/* the current delegations of N − 1 and N − 2 in one pass, by code */
	if (sqlite3_prepare_v2(lg->db, "SELECT code, year, amount_eur FROM current_entry"
			       " WHERE stage = 'delegated' AND year IN (?, ?) ORDER BY code",
			       -1, &st, NULL) != SQLITE_OK)
		return lg_sql_error(lg, err);
	sqlite3_bind_int(st, 1, year - 1);
	sqlite3_bind_int(st, 2, year - 2);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = col_text(st, 0);

		if ((*n == 0 || strcmp(c[*n - 1].code, code) != 0) &&
		    caps_push(&c, &d2, n, &cap, code) != 0) {
			r = SQLITE_NOMEM;
			break;
		}
		if (sqlite3_column_int(st, 1) == year - 1)
			c[*n - 1].cap_eur = sqlite3_column_int64(st, 2);
		else
			d2[*n - 1] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		free(c);
		free(d2);
		*n = 0;
		return r == SQLITE_NOMEM ? p304_error_set(err, P304_ERR_NOMEM, NULL, 0,
							  _("out of memory")) : lg_sql_error(lg, err);
	}
	for (size_t i = 0; i < *n; i++)
		p304_cap_rule(year, c[i].cap_eur, d2[i], &c[i].cap_eur, &c[i].from_year);
	free(d2);
	*out = c;
	return P304_OK;
}

static p304_code add_ledger_input(p304_ledger *lg, p304_avenant_result *av, p304_error *err)
{
	av->inputs = calloc(1, sizeof(*av->inputs));
	if (!av->inputs || !(av->inputs[0].role = strdup("ledger")) ||
	    !(av->inputs[0].path = strdup(lg->path)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	av->ninputs = 1;
	/* the file as it was when read (WAL checkpointed first, so that the
	 * SHA-256 is that of the whole ledger) */
	sqlite3_wal_checkpoint_v2(lg->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return lg_sha256(lg, av->inputs[0].sha256, err);
}

static p304_code avenant_lines(p304_ledger *lg, p304_reference *ref, p304_avenant_result *av,
			       int year, p304_error *err)
{
	char (*codes)[16];
	size_t n;
	int fail = 0;
	p304_code rc = codes_with(lg, P304_STAGE_DELEGATED, P304_STAGE_DELEGATED, year, year,
				  &codes, &n, err);

	if (rc != P304_OK)
		return rc;
	if (n == 0) {
		free(codes);
		return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
				      _("no delegated amount in %d: import them first "
					"(p304 ledger import --stage delegated)"), year);
	}
	av->lines = calloc(n, sizeof(*av->lines));
	if (!av->lines) {
		free(codes);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	for (size_t i = 0; i < n && !fail; i++) {
		p304_avenant_line *l = &av->lines[av->nlines];

		l->auth = p304_reference_find(ref, codes[i]);
		if (!l->auth) {
			rc = p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
					    _("code '%s' is not in the reference list"), codes[i]);
			break;
		}
		l->current_eur = amount_or_none(lg, codes[i], year, P304_STAGE_DELEGATED, &fail, err);
		l->consumed_eur = amount_or_none(lg, codes[i], year, P304_STAGE_CONSUMED, &fail, err);
		av->nlines++;
	}
	free(codes);
	if (rc == P304_OK && fail)
		rc = err->code;
	return rc;
}

p304_code p304_ledger_avenant(p304_ledger *lg, p304_reference *ref, int year,
			      p304_avenant_rule rule, int rate_bp,
			      p304_avenant_result **out, p304_error *err)
{
	p304_avenant_result *av = calloc(1, sizeof(*av));
	const char *base = strrchr(lg->path, '/');
	p304_code rc;

	*out = NULL;
	if (!av)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	av->reference = p304_reference_ref(ref);
	av->rule = rule;
	av->rate_bp = rule == P304_AVENANT_STABLE ? 0 : rate_bp;
	base = base ? base + 1 : lg->path;
	if (asprintf(&av->id, "%.*s-%d-avenant", (int)strcspn(base, "."), base, year + 1) < 0) {
		av->id = NULL;
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto fail;
	}
	if (lg_exec(lg, "BEGIN") != 0) {
		rc = lg_sql_error(lg, err);
		goto fail;
	}
	rc = avenant_lines(lg, ref, av, year, err);
	lg_exec(lg, "COMMIT");
	if (rc != P304_OK || (rc = add_ledger_input(lg, av, err)) != P304_OK)
		goto fail;
	if ((rc = p304_avenant_apply(av, rule, err)) != P304_OK)
		goto fail;
	*out = av;
	return P304_OK;
fail:
	p304_avenant_result_free(av);
	return rc;
}

/* One amount read for a view, in the order written (k). */
struct vcell {
	char code[16];
	int y;
	int is_a;
	int64_t v;
	size_t k;
};

static int vcell_cmp(const void *a, const void *b)
{
	const struct vcell *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c)
		return c;
	if (x->is_a != y->is_a)
		return x->is_a > y->is_a ? -1 : 1;
	if (x->y != y->y)
		return x->y < y->y ? -1 : 1;
	return x->k < y->k ? -1 : 1;
}

/* Every entry of the two stages in the years, in the order written: one
 * pass of the table (the key index would need a lookup per entry, and
 * its first column is the code, not the stage), issue 22: the server's
 * view of 101 × 10 years in p95 <= 5 ms. */
static p304_code view_read(p304_ledger *lg, p304_stage stage, p304_stage minus, int year0,
			   int year1, struct vcell **out, size_t *n, p304_error *err)
{
	sqlite3_stmt *st = NULL;
	struct vcell *c = NULL;
	size_t cap = 0;
	p304_code rc = P304_OK;
	int r;

	*n = 0;
	if (sqlite3_prepare_v2(lg->db, "SELECT code, year, stage, amount_eur FROM entry"
			       " WHERE stage IN (?1, ?2) AND year BETWEEN ?3 AND ?4 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return lg_sql_error(lg, err);
	sqlite3_bind_text(st, 1, p304_stage_name(stage), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p304_stage_name(minus), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, year0);
	sqlite3_bind_int(st, 4, year1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t nc = cap ? 2 * cap : 1024;
			struct vcell *g = realloc(c, nc * sizeof(*g));

			if (!g) {
				rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
				break;
			}
			c = g;
			cap = nc;
		}
		snprintf(c[*n].code, sizeof(c[*n].code), "%s", col_text(st, 0));
		c[*n].y = sqlite3_column_int(st, 1) - year0;
		c[*n].is_a = strcmp(col_text(st, 2), p304_stage_name(stage)) == 0;
		c[*n].v = sqlite3_column_int64(st, 3);
		c[*n].k = *n;
		(*n)++;
	}
	if (rc == P304_OK && r != SQLITE_DONE)
		rc = lg_sql_error(lg, err);
	sqlite3_finalize(st);
	if (rc != P304_OK) {
		free(c);
		*n = 0;
		return rc;
	}
	*out = c;
	return P304_OK;
}

/* Adds a row for `code` to the view (grown by doubling); -1 out of memory. */
static int view_push_code(p304_ledger_view *v, size_t *cap, const char *code)
{
	if (v->nrows == *cap) {
		size_t nc = *cap ? 2 * *cap : 128;
		char (*g)[16] = realloc(v->codes, nc * sizeof(*g));
		int64_t *h;

		if (!g)
			return -1;
		v->codes = g;
		if (!(h = realloc(v->v, nc * 2 * (size_t)v->nyears * sizeof(int64_t))))
			return -1;
		v->v = h;
		*cap = nc;
	}
	snprintf(v->codes[v->nrows], 16, "%s", code);
	v->nrows++;
	return 0;
}

/* The view's matrix is built with two planes per row (stage, minus) side
 * by side while reading, then folded into one. The amounts, sorted by key
 * then in the order written, leave the current one (the last) in place. */
p304_code p304_ledger_view_make(p304_ledger *lg, p304_stage stage, p304_stage minus,
				int year0, int year1, p304_ledger_view **out,
				p304_error *err)
{
	p304_ledger_view *v = calloc(1, sizeof(*v));
	struct vcell *c = NULL;
	size_t cap = 0, ny, n = 0;
	p304_code rc;

	*out = NULL;
	if (!v)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	v->stage = stage;
	v->minus = minus;
	v->year0 = year0;
	v->nyears = year1 - year0 + 1;
	ny = (size_t)v->nyears;
	if ((rc = view_read(lg, stage, minus, year0, year1, &c, &n, err)) != P304_OK) {
		free(v);
		return rc;
	}
	if (n)
		qsort(c, n, sizeof(*c), vcell_cmp);
	for (size_t k = 0; k < n; k++) {
		int64_t *row;

		if (v->nrows == 0 || strcmp(v->codes[v->nrows - 1], c[k].code) != 0) {
			if (view_push_code(v, &cap, c[k].code) != 0) {
				free(c);
				p304_ledger_view_free(v);
				return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			}
			row = v->v + (v->nrows - 1) * 2 * ny;
			for (size_t j = 0; j < 2 * ny; j++)
				row[j] = P304_LEDGER_NONE;
		}
		row = v->v + (v->nrows - 1) * 2 * ny;
		row[(c[k].is_a ? 0 : ny) + (size_t)c[k].y] = c[k].v;
	}
	free(c);
	/* fold: the stage itself, or the écart (both amounts needed) */
	for (size_t i = 0; i < v->nrows; i++) {
		const int64_t *a = v->v + i * 2 * ny, *b = a + ny;
		int64_t *o = v->v + i * ny;

		for (size_t y = 0; y < ny; y++) {
			int64_t x = a[y], m = b[y];

			o[y] = minus == stage ? x : x == P304_LEDGER_NONE || m == P304_LEDGER_NONE
			       ? P304_LEDGER_NONE : x - m;
		}
	}
	*out = v;
	return P304_OK;
}

void p304_ledger_view_free(p304_ledger_view *v)
{
	if (!v)
		return;
	free(v->codes);
	free(v->v);
	free(v);
}
