/*
 * ledger_digest.c - the history of a campaign as a plain value for the
 * documents (issue 22): the minister's note cites the delegated and
 * consumed amounts of the years before, the département sheets show each
 * one's years × stages with the file they came from. src/chart writes them
 * from this value and never opens the ledger (docs/ARCHITECTURE.md).
 */
#include "ledger_priv.h"

#include <stdlib.h>
#include <string.h>

/* One current entry, as the history walk leaves it. */
struct dent {
	char code[16];
	int year;
	p304_stage stage;
	int64_t amount;
	int file, illustrative;
	char at[32];
};

struct walk {
	p304_ledger_digest *d;
	struct dent *e;
	size_t n, cap;
	int year0, year1;   /* 0, 0: every year */
	int nomem;
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* How a document names an entry's origin: the file without its folders,
 * but a result set by its folder too ("2020-vague1/repartition.json"):
 * every set has a repartition.json. */
static const char *origin_name(const char *path)
{
	const char *b = base_name(path), *p = b;

	if (strcmp(b, "repartition.json") && strcmp(b, "notification.json") && strcmp(b, "avenant.json"))
		return b;
	if (p > path + 1)
		for (p -= 2; p > path && p[-1] != '/'; p--)
			;
	return p;
}

/* The index of `file` (as origin_name names it) in d->files, added when
 * new. */
static int file_index(p304_ledger_digest *d, const char *path)
{
	const char *b = origin_name(path);
	char **grown;

	for (size_t i = 0; i < d->nfiles; i++)
		if (!strcmp(d->files[i], b))
			return (int)i;
	if (!(grown = realloc(d->files, (d->nfiles + 1) * sizeof(*grown))))
		return -2;
	d->files = grown;
	if (!(d->files[d->nfiles] = strdup(b)))
		return -2;
	return (int)d->nfiles++;
}

/* The walk is by code, year, stage, then in the order written: the last
 * entry of a key is its current amount, so it replaces the one before. */
static int take(void *ctx, const p304_ledger_entry *e)
{
	struct walk *w = ctx;
	struct dent *last = w->n ? &w->e[w->n - 1] : NULL;
	struct dent *t;

	if (w->year0 && (e->year < w->year0 || e->year > w->year1))
		return 0;
	if (last && !strcmp(last->code, e->code) && last->year == e->year && last->stage == e->stage) {
		t = last;
	} else {
		if (w->n == w->cap) {
			size_t nc = w->cap ? 2 * w->cap : 256;
			struct dent *g = realloc(w->e, nc * sizeof(*g));

			if (!g)
				return w->nomem = 1;
			w->e = g;
			w->cap = nc;
		}
		t = &w->e[w->n++];
	}
	snprintf(t->code, sizeof(t->code), "%s", e->code);
	t->year = e->year;
	t->stage = e->stage;
	t->amount = e->amount_eur;
	/* the demo ledger's convention (Makefile, inputs/registre/README.md),
	 * read as p304_ledger_illustrative reads it: comment or file name */
	t->illustrative = (e->comment && strcasestr(e->comment, "ILLUSTRATIF")) ||
			  (e->file && strcasestr(e->file, "ILLUSTRATIF"));
	snprintf(t->at, sizeof(t->at), "%s", e->at ? e->at : "");
	if ((t->file = file_index(w->d, e->file ? e->file : "")) < -1)
		return w->nomem = 1;
	return 0;
}

/* Rows, years and cells from the walk's current entries. */
static int fill(p304_ledger_digest *d, const struct walk *w)
{
	size_t ny, per;

	if (!w->n)
		return 0;
	d->year0 = w->year0;
	d->nyears = w->year0 ? w->year1 - w->year0 + 1 : 0;
	if (!w->year0) {
		int lo = w->e[0].year, hi = lo;

		for (size_t k = 1; k < w->n; k++) {
			lo = w->e[k].year < lo ? w->e[k].year : lo;
			hi = w->e[k].year > hi ? w->e[k].year : hi;
		}
		d->year0 = lo;
		d->nyears = hi - lo + 1;
	}
	for (size_t k = 0; k < w->n; k++)
		if (k == 0 || strcmp(w->e[k].code, w->e[k - 1].code))
			d->nrows++;
	ny = (size_t)d->nyears;
	per = ny * P304_NSTAGES;
	d->codes = calloc(d->nrows, sizeof(*d->codes));
	d->cell = calloc(d->nrows * per, sizeof(*d->cell));
	if (!d->codes || !d->cell)
		return -1;
	for (size_t i = 0; i < d->nrows * per; i++)
		d->cell[i] = (p304_ledger_cell){ P304_LEDGER_NONE, -1, 0 };
	for (size_t k = 0, r = 0; k < w->n; k++) {
		const struct dent *e = &w->e[k];
		p304_ledger_cell *c;

		if (k > 0 && strcmp(e->code, w->e[k - 1].code))
			r++;
		memcpy(d->codes[r], e->code, sizeof(d->codes[r]));
		c = &d->cell[r * per + (size_t)(e->year - d->year0) * P304_NSTAGES + e->stage];
		*c = (p304_ledger_cell){ e->amount, e->file, e->illustrative };
		d->illustrative |= e->illustrative;
		if (strcmp(e->at, d->at) > 0)
			memcpy(d->at, e->at, sizeof(d->at));
	}
	return 0;
}

p304_code p304_ledger_digest_make(p304_ledger *lg, int year0, int year1,
				  p304_ledger_digest **out, p304_error *err)
{
	p304_ledger_digest *d = calloc(1, sizeof(*d));
	struct walk w = { .d = d, .year0 = year0, .year1 = year1 };
	p304_code rc;

	*out = NULL;
	if (!d)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	snprintf(d->ledger, sizeof(d->ledger), "%s", base_name(p304_ledger_path(lg)));
	rc = p304_ledger_history(lg, NULL, 0, take, &w, err);
	if (rc == P304_OK && (w.nomem || fill(d, &w) != 0))
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	free(w.e);
	if (rc != P304_OK) {
		p304_ledger_digest_free(d);
		return rc;
	}
	*out = d;
	return P304_OK;
}

void p304_ledger_digest_free(p304_ledger_digest *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	free(d->codes);
	free(d->cell);
	free(d);
}

long p304_ledger_digest_row(const p304_ledger_digest *d, const char *code)
{
	for (size_t i = 0; d && i < d->nrows; i++)
		if (!strcmp(d->codes[i], code))
			return (long)i;
	return -1;
}

const p304_ledger_cell *p304_ledger_digest_cell(const p304_ledger_digest *d, size_t row,
						int year, p304_stage stage)
{
	if (!d || row >= d->nrows || year < d->year0 || year >= d->year0 + d->nyears ||
	    (int)stage < 0 || stage >= P304_NSTAGES)
		return NULL;
	return &d->cell[(row * (size_t)d->nyears + (size_t)(year - d->year0)) * P304_NSTAGES + stage];
}

void p304_ledger_year_totals_of(const p304_ledger_digest *d, int year,
				p304_ledger_year_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t r = 0; d && r < d->nrows; r++) {
		const p304_ledger_cell *del, *con;

		for (int s = 0; s < P304_NSTAGES; s++) {
			const p304_ledger_cell *c = p304_ledger_digest_cell(d, r, year, (p304_stage)s);

			if (!c || c->amount_eur == P304_LEDGER_NONE)
				continue;
			/* amounts are at most P304_MAX_EUR each: no overflow
			 * over a few hundred collectivités */
			t->total[s] += c->amount_eur;
			t->count[s]++;
			t->illustrative |= c->illustrative;
		}
		del = p304_ledger_digest_cell(d, r, year, P304_STAGE_DELEGATED);
		con = p304_ledger_digest_cell(d, r, year, P304_STAGE_CONSUMED);
		if (!del || del->amount_eur == P304_LEDGER_NONE)
			continue;
		t->n_funded += del->amount_eur > 0;
		/* a delegation of 0 € (not funded that year) expects no report */
		if (con->amount_eur == P304_LEDGER_NONE) {
			t->n_no_report += del->amount_eur > 0;
			continue;
		}
		t->delegated_reported += del->amount_eur;
		t->consumed_reported += con->amount_eur;
		t->n_reported++;
		t->n_under += con->amount_eur < del->amount_eur;
	}
}

int p304_ledger_year_executed(const p304_ledger_digest *d, int year)
{
	p304_ledger_year_totals t;

	p304_ledger_year_totals_of(d, year, &t);
	return t.count[P304_STAGE_DELEGATED] + t.count[P304_STAGE_CONSUMED] > 0;
}

static int year_in(const char *s)
{
	for (size_t i = 0; s && s[i]; i++) {
		int y;

		if ((i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') ||
		    !(s[i] >= '0' && s[i] <= '9') || !(s[i + 1] >= '0' && s[i + 1] <= '9') ||
		    !(s[i + 2] >= '0' && s[i + 2] <= '9') || !(s[i + 3] >= '0' && s[i + 3] <= '9') ||
		    (s[i + 4] >= '0' && s[i + 4] <= '9'))
			continue;
		y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
		if (y >= 1990 && y <= 2099)
			return y;
	}
	return 0;
}

int p304_campaign_year(const char *id, const char *title)
{
	int y = year_in(id);

	return y ? y : year_in(title);
}
