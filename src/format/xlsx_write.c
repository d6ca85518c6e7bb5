/*
 * xlsx_write.c - Excel workbooks of p304's results with libxlsxwriter: a
 * "Paramètres" sheet (scenario, weights, bounds, sources), the table sheet
 * and "Par région". Amounts are written as numbers with a euro format; the
 * totals row is an Excel formula (=SUM) whose cached value is our exact total,
 * so the file opens with the right figure even before Excel recalculates.
 */
#include <p304/format.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "gettext.h"
#include "format/xlsx_file.h"

struct fmts {
	lxw_format *head, *eur, *cents, *pct, *share, *bold, *bold_eur, *note;
};

/* One cell of a table: text, or a number. */
struct cell {
	const char *s;
	double v;
	int is_num;
};

typedef void (*cell_fn)(const void *ctx, size_t row, size_t col, struct cell *out);

struct table {
	const char *sheet;
	const char *const *head;
	size_t ncols, nrows;
	unsigned money;    /* bit c: column c is euros */
	unsigned percent;  /* bit c: column c is a percentage value (e.g. 3,45) */
	unsigned totals;   /* bit c: =SUM() in the totals row */
	unsigned cents;    /* bit c: euros with cents (formula amounts) */
	unsigned share;    /* bit c: a fraction shown as a percentage (0,0285 -> 2,85 %) */
	cell_fn cell;
	const void *ctx;
	const char *const *footer;
	size_t nfooter;
};

static void setup_formats(lxw_workbook *wb, struct fmts *f)
{
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_bg_color(f->head, 0xDCE6F1);
	format_set_text_wrap(f->head);
	/* shown "1 835 000 €" in a French Excel (the comma is the locale's
	 * thousands separator) */
	f->eur = workbook_add_format(wb);
	format_set_num_format(f->eur, "#,##0 \"€\"");
	f->cents = workbook_add_format(wb);
	format_set_num_format(f->cents, "#,##0.00 \"€\"");
	f->pct = workbook_add_format(wb);
	format_set_num_format(f->pct, "0.000000");
	/* a fraction shown "2,85 %" in a French Excel */
	f->share = workbook_add_format(wb);
	format_set_num_format(f->share, "0.00%");
	f->bold = workbook_add_format(wb);
	format_set_bold(f->bold);
	f->bold_eur = workbook_add_format(wb);
	format_set_bold(f->bold_eur);
	format_set_num_format(f->bold_eur, "#,##0 \"€\"");
	f->note = workbook_add_format(wb);
	format_set_italic(f->note);
}

static char col_letter(size_t c)
{
	return (char)('A' + c);
}

static lxw_worksheet *write_table(lxw_workbook *wb, struct fmts *f, const struct table *t)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, t->sheet);
	size_t last = t->nrows; /* header at row 0, data rows 1..nrows */

	for (size_t c = 0; c < t->ncols; c++) {
		worksheet_write_string(ws, 0, (lxw_col_t)c, t->head[c], f->head);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
				     c == 1 ? 32 : (t->money >> c) & 1 ? 18 : 14, NULL);
	}
	worksheet_freeze_panes(ws, 1, 0);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			struct cell x = { 0 };

			t->cell(t->ctx, r, c, &x);
			if (x.is_num)
				worksheet_write_number(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, x.v,
						       (t->cents >> c) & 1 ? f->cents :
						       (t->money >> c) & 1 ? f->eur :
						       (t->share >> c) & 1 ? f->share :
						       (t->percent >> c) & 1 ? f->pct : NULL);
			else if (x.s)
				worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, x.s, NULL);
		}
	worksheet_autofilter(ws, 0, 0, (lxw_row_t)last, (lxw_col_t)(t->ncols - 1));
	if (t->totals)   /* a table of spreads (Tornade) has nothing to add up */
		worksheet_write_string(ws, (lxw_row_t)(last + 1), 0, "TOTAL", f->bold);
	for (size_t c = 0; c < t->ncols; c++) {
		char formula[64];
		double sum = 0;

		if (!((t->totals >> c) & 1))
			continue;
		for (size_t r = 0; r < t->nrows; r++) {
			struct cell x = { 0 };

			t->cell(t->ctx, r, c, &x);
			if (x.is_num)
				sum += x.v; /* whole euros below 2^53: exact */
		}
		snprintf(formula, sizeof(formula), "=SUM(%c2:%c%zu)", col_letter(c), col_letter(c), last + 1);
		worksheet_write_formula_num(ws, (lxw_row_t)(last + 1), (lxw_col_t)c, formula,
					    (t->money >> c) & 1 ? f->bold_eur : f->bold, sum);
	}
	for (size_t i = 0; i < t->nfooter; i++)
		worksheet_write_string(ws, (lxw_row_t)(last + 4 + i), 0, t->footer[i], f->note);
	return ws;
}

/* One line of the Paramètres sheet: text, or a number shown in euros or as
 * a percentage (so that Excel can compute with it). */
enum pkind { P_TEXT = 0, P_EUR, P_PCT, P_INT };

struct param {
	const char *key, *text;
	double num;
	enum pkind kind;
};

static void write_params(lxw_workbook *wb, struct fmts *f, const struct param *p, size_t n)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Paramètres");

	worksheet_set_column(ws, 0, 0, 34, NULL);
	worksheet_set_column(ws, 1, 1, 110, NULL);
	worksheet_write_string(ws, 0, 0, "paramètre", f->head);
	worksheet_write_string(ws, 0, 1, "valeur", f->head);
	for (size_t i = 0; i < n; i++) {
		lxw_row_t r = (lxw_row_t)(i + 1);

		worksheet_write_string(ws, r, 0, p[i].key, f->bold);
		if (p[i].kind == P_TEXT)
			worksheet_write_string(ws, r, 1, p[i].text ? p[i].text : "", NULL);
		else
			worksheet_write_number(ws, r, 1, p[i].num, p[i].kind == P_EUR ? f->eur :
					       p[i].kind == P_PCT ? f->share : NULL);
	}
}

/* A new workbook (xlsx_file.h: a private temporary file, fixed document
 * properties) with the formats every sheet uses. */
static lxw_workbook *start(char *tmp, size_t size, struct fmts *f, p304_error *err)
{
	lxw_workbook *wb = p304_xlsx_begin(tmp, size, err);

	if (wb)
		setup_formats(wb, f);
	return wb;
}

static struct param ptext(const char *key, const char *text)
{
	return (struct param){ key, text, 0, P_TEXT };
}

/* An amount in euros, or the text "aucun" for a bound that is not set. */
static struct param peur(const char *key, int64_t v)
{
	if (v == P304_NO_BOUND)
		return ptext(key, "aucun");
	return (struct param){ key, NULL, (double)v, P_EUR };
}

/* Parameters common to allocation and notification, in the page's words
 * (issue 21: « Enveloppe », « Plancher », the criteria by their labels;
 * no column name, no internal key). */
static size_t scenario_params(const p304_result *res, struct param *p, char (*buf)[512], size_t max)
{
	const p304_scenario *sc = res->scenario;
	p304_source_text *src = NULL;
	size_t n = 0, nb = 0;

	p[n++] = ptext("Titre du scénario", sc->title);
	p[n++] = ptext("Identifiant", sc->id);
	p[n++] = peur("Enveloppe", sc->envelope_eur);
	p[n++] = peur("Plancher", sc->floor_eur);
	p[n++] = peur("Plafond", sc->ceiling_eur);
	p[n++] = peur("Arrondi (unité)", sc->rounding_eur);
	p[n++] = (struct param){ "Participants", NULL, (double)res->nrows, P_INT };
	/* the criteria by the names the page shows (« Enfants de 0 à 19 ans »),
	 * never the column names; their sources in the note's words */
	if (p304_sources_read(res, &src, NULL) != P304_OK)
		src = NULL;
	for (size_t c = 0; c < sc->ncriteria && nb + 3 <= 64 && n + 2 < max; c++) {
		const char *label = src ? src[c].label : sc->criteria[c].column;

		snprintf(buf[nb], 512, "Pondération « %s »", label);
		p[n++] = (struct param){ buf[nb++], NULL, sc->criteria[c].weight_pct / 100.0, P_PCT };
		snprintf(buf[nb], 512, "Source « %s »", label);
		/* a copy: src is freed below, the sheet is written later */
		snprintf(buf[nb + 1], 512, "%s", src ? src[c].words : res->sources && res->sources[c]
			 ? res->sources[c] : "source non renseignée");
		p[n++] = ptext(buf[nb], buf[nb + 1]);
		nb += 2;
	}
	/* the warnings as the note says them; their technical form is in
	 * repartition.json and the CSV */
	for (size_t w = 0; w < res->nwarnings && n < max && nb < 64; w++) {
		p304_warning_words(res, src, res->warnings[w], buf[nb], 512);
		p[n++] = ptext("Point d'attention", buf[nb++]);
	}
	p304_sources_free(src, sc->ncriteria);
	return n;
}

static const char *status_fr(p304_status s)
{
	/* the page's words (STATUS_FR in state.js): a row lowered by the floors
	 * of others is still « selon la clé », never « formule » */
	return s == P304_FLOOR ? "au plancher" : s == P304_CEILING ? "au plafond" : "selon la clé";
}

static void alloc_cell(const void *ctx, size_t r, size_t c, struct cell *x)
{
	const p304_result *res = ctx;
	const p304_result_row *row = &res->rows[r];

	switch (c) {
	case 0: x->s = row->code; break;
	case 1: x->s = row->name; break;
	case 2: x->s = row->region_name; break;
	case 3: x->is_num = 1; x->v = (double)row->alloc.share; break;
	case 4: x->is_num = 1; x->v = (double)row->alloc.formula_eur; break;
	case 5: x->s = status_fr(row->alloc.status); break;
	/* the amount before the final rounding, as the page's fiche says it
	 * (« Après plancher et plafond », step-fiche.js) */
	case 6: x->is_num = 1; x->v = (double)row->alloc.exact_eur; break;
	default: x->is_num = 1; x->v = (double)row->alloc.amount_eur; break;
	}
}

struct reg_ctx {
	const p304_region_total *t;
};

static void region_cell(const void *ctx, size_t r, size_t c, struct cell *x)
{
	const p304_region_total *t = &((const struct reg_ctx *)ctx)->t[r];

	if (c == 0)
		x->s = t->code;
	else if (c == 1)
		x->s = t->name;
	else if (c == 2) {
		x->is_num = 1;
		x->v = (double)t->n;
	} else {
		x->is_num = 1;
		x->v = (double)t->amount[c - 3];
	}
}

static p304_code regions_sheet(lxw_workbook *wb, struct fmts *f, const p304_result *res,
			       const int64_t *a, const int64_t *b, const char *const *labels,
			       p304_error *err)
{
	p304_region_total *t = calloc(res->nrows ? res->nrows : 1, sizeof(*t));
	const char *head[] = { "code région", "région", "collectivités", labels[0], b ? labels[1] : NULL };
	struct reg_ctx rc = { t };
	struct table tb;

	if (!t)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	tb = (struct table){ "Par région", head, b ? 5 : 4, p304_region_totals(res->rows, res->nrows, a, b, t),
			     b ? 0x18u : 0x8u, 0, b ? 0x1Cu : 0xCu, 0, 0, region_cell, &rc, NULL, 0 };
	write_table(wb, f, &tb);
	free(t);
	return P304_OK;
}

/* The sources under the table, by the criteria's labels and in the
 * note's words (issue 21: « Source enfants_0_19 » was a column name). */
static const char **sources_footer(const p304_result *res, char (*buf)[512], size_t *n)
{
	static const char *lines[32];
	p304_source_text *src = NULL;

	*n = 0;
	if (p304_sources_read(res, &src, NULL) != P304_OK)
		src = NULL;
	for (size_t c = 0; c < res->scenario->ncriteria && *n < 32; c++) {
		snprintf(buf[*n], 512, "Source « %s » : %s",
			 src ? src[c].label : res->scenario->criteria[c].column,
			 src ? src[c].words : res->sources && res->sources[c] ? res->sources[c]
			 : "non renseignée");
		lines[*n] = buf[*n];
		(*n)++;
	}
	p304_sources_free(src, res->scenario->ncriteria);
	return lines;
}

p304_code p304_write_xlsx_allocation(const p304_result *res, FILE *fp, p304_error *err)
{
	static const char *const head[] = {
		"code", "collectivité", "région", "part de la clé", "montant selon la clé seule (€)", "statut",
		"après plancher et plafond (€)", "montant pré-notifié (€)"
	};
	static const char *const labels[] = { "montant pré-notifié (€)" };
	char tmp[64], buf[64][512], fbuf[32][512];
	struct param prm[96];
	size_t np, nf;
	const char **foot;
	p304_source_text *src = NULL;
	int64_t *a;
	struct fmts f;
	struct table t;
	lxw_workbook *wb = start(tmp, sizeof(tmp), &f, err);
	p304_code rc;

	if (!wb)
		return err ? err->code : P304_ERR_IO;
	np = scenario_params(res, prm, buf, 96);
	write_params(wb, &f, prm, np);
	foot = sources_footer(res, fbuf, &nf);
	if (p304_sources_read(res, &src, NULL) != P304_OK)
		src = NULL;
	{
		/* authorities left out for missing data, by name, above the sources */
		const char *lines[64];
		char ebuf[30][512];
		size_t nl = 0;

		for (size_t i = 0, k = 0; i < res->nwarnings && k < 30; i++) {
			/* « Mayotte (976) n'est pas dans la répartition : … » */
			if (!strstr(res->warnings[i], ") exclu : "))
				continue;
			p304_warning_words(res, src, res->warnings[i], ebuf[k], sizeof(ebuf[k]));
			lines[nl++] = ebuf[k++];
		}
		for (size_t i = 0; i < nf; i++)
			lines[nl++] = foot[i];
		t = (struct table){ "Répartition", head, 8, res->nrows, 0xD0u, 0, 0xD0u, 0x50u,
				    0x8u, alloc_cell, res, lines, nl };
		write_table(wb, &f, &t);
	}
	p304_sources_free(src, res->scenario->ncriteria);
	a = malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t));
	if (!a) {
		workbook_close(wb);
		unlink(tmp);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	for (size_t i = 0; i < res->nrows; i++)
		a[i] = res->rows[i].alloc.amount_eur;
	rc = regions_sheet(wb, &f, res, a, NULL, labels, err);
	free(a);
	if (rc != P304_OK) {
		workbook_close(wb);
		unlink(tmp);
		return rc;
	}
	return p304_xlsx_end(wb, tmp, fp, err);
}

static const char *reason_fr(p304_reason r)
{
	static const char *const t[] = {
		"montant pré-notifié", "besoin inférieur", "besoin supérieur", "demande plafonnée",
		"sans réponse", "hors délai", "réduit", "complété"
	};

	return (size_t)r < sizeof(t) / sizeof(t[0]) ? t[r] : "";
}

static void notif_cell(const void *ctx, size_t r, size_t c, struct cell *x)
{
	const p304_notification *nt = ctx;
	const p304_result_row *row = &nt->alloc->rows[r];
	int64_t v = 0;

	switch (c) {
	case 0: x->s = row->code; return;
	case 1: x->s = row->name; return;
	case 2: x->s = row->region_name; return;
	case 3: v = row->alloc.amount_eur; break;
	case 4: v = nt->need[r]; break;
	case 5: v = nt->cap[r]; break;
	case 6: v = nt->rows[r].granted_eur; break;
	case 7: v = nt->rows[r].notified_eur; break;
	default: x->s = reason_fr(nt->rows[r].reason); return;
	}
	if (v != P304_NO_BOUND) {
		x->is_num = 1;
		x->v = (double)v;
	}
}

p304_code p304_write_xlsx_notification(const p304_notification *nt, FILE *fp, p304_error *err)
{
	static const char *const head[] = {
		"code", "collectivité", "région", "montant pré-notifié (€)", "besoin exprimé (€)",
		"plafond de la demande (€)", "montant accordé (€)", "montant notifié (€)", "motif"
	};
	static const char *const labels[] = { "montant pré-notifié (€)", "montant notifié (€)" };
	/* the page's choices, word for word (index.html) */
	static const char *const missing[] = { "renonce aux crédits", "garde le montant pré-notifié" };
	static const char *const surplus[] = { "restent en reliquat", "redistribués selon les critères",
		"redistribués aux besoins non couverts" };
	char tmp[64], buf[64][512], fbuf[32][512];
	char mbuf[2][P304_MISSING_TEXT_MAX + 32], list[P304_MISSING_TEXT_MAX];
	struct param prm[96];
	size_t np, nf;
	const char **foot;
	int64_t *a, *b;
	lxw_worksheet *ws;
	struct fmts f;
	struct table t;
	lxw_workbook *wb = start(tmp, sizeof(tmp), &f, err);
	const p304_result *res = nt->alloc;
	p304_code rc;

	if (!wb)
		return err ? err->code : P304_ERR_IO;
	np = scenario_params(res, prm, buf, 90);
	prm[np++] = peur("Crédits disponibles", nt->available_eur);
	prm[np++] = ptext("Sans réponse", missing[res->scenario->recon.missing]);
	prm[np++] = ptext("Crédits restants", surplus[res->scenario->recon.surplus]);
	prm[np++] = ptext("Crédits insuffisants", "chaque montant réduit dans la même proportion");
	write_params(wb, &f, prm, np);
	foot = sources_footer(res, fbuf, &nf);
	{
		/* who did not answer, by name, above the sources */
		const char *lines[34];
		size_t nl = 0;

		for (int late = 0; late <= 1; late++) {
			if (p304_notification_missing_text(nt, late, list, sizeof(list)) == 0)
				continue;
			snprintf(mbuf[late], sizeof(mbuf[late]), "%s : %s",
				 late ? "Hors délai" : "Sans réponse", list);
			lines[nl++] = mbuf[late];
		}
		for (size_t i = 0; i < nf && nl < 34; i++)
			lines[nl++] = foot[i];
		t = (struct table){ "Notification", head, 9, res->nrows, 0xF8u, 0, 0xD8u, 0, 0,
				    notif_cell, nt, lines, nl };
		ws = write_table(wb, &f, &t);
	}
	/* what is not notified, under the notified total, so that TOTAL +
	 * RELIQUAT = the credits available, as in notification.csv */
	worksheet_write_string(ws, (lxw_row_t)(res->nrows + 2), 0, "RELIQUAT", f.bold);
	worksheet_write_string(ws, (lxw_row_t)(res->nrows + 2), 1, "crédits disponibles non notifiés", NULL);
	worksheet_write_number(ws, (lxw_row_t)(res->nrows + 2), 7, (double)nt->summary.unallocated_eur, f.bold_eur);
	a = malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t));
	b = malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t));
	if (!a || !b) {
		free(a);
		free(b);
		workbook_close(wb);
		unlink(tmp);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	for (size_t i = 0; i < res->nrows; i++) {
		a[i] = res->rows[i].alloc.amount_eur;
		b[i] = nt->rows[i].notified_eur;
	}
	rc = regions_sheet(wb, &f, res, a, b, labels, err);
	free(a);
	free(b);
	if (rc != P304_OK) {
		workbook_close(wb);
		unlink(tmp);
		return rc;
	}
	return p304_xlsx_end(wb, tmp, fp, err);
}

/* "floor" -> « au plancher »: the page's words, as status_fr. */
static const char *status_name_fr(const char *s)
{
	return !strcmp(s, "floor") ? "au plancher" : !strcmp(s, "ceiling") ? "au plafond"
	     : !strcmp(s, "free") ? "selon la clé" : p304_status_label_fr(s);
}

/* A note of the comparison without « A : » / « B : » (issue 21): the
 * reference and the scenario by those words. Into buf, returned. */
static const char *note_words(const char *note, char *buf, size_t size)
{
	static const char *const from[] = { "A : ", "B : ", "table de A", "table de B", "A ou B " };
	static const char *const to[] = { "Référence : ", "Scénario : ", "table de la référence",
		"table du scénario", "La référence ou le scénario " };
	size_t o = 0;

	while (*note && o + 1 < size) {
		size_t k = 0;

		while (k < 5 && strncmp(note, from[k], strlen(from[k])))
			k++;
		/* « A : » only at the start; the others where they stand */
		if (k < 5 && (k >= 2 || o == 0)) {
			o += (size_t)snprintf(buf + o, size - o, "%s", to[k]);
			note += strlen(from[k]);
		} else {
			buf[o++] = *note++;
		}
		if (o >= size)
			o = size - 1;
	}
	buf[o] = '\0';
	return buf;
}

struct cmp_ctx {
	const p304_comparison *c;
	const size_t *order; /* rows sorted by change */
	size_t fac[16];
	size_t nfac;
};

static void cmp_cell(const void *ctx, size_t r, size_t c, struct cell *x)
{
	const struct cmp_ctx *cc = ctx;
	const p304_compare_row *row = &cc->c->rows[cc->order[r]];

	switch (c) {
	case 0: x->s = row->code; return;
	case 1: x->s = row->name; return;
	case 2: x->is_num = 1; x->v = (double)row->a_eur; return;
	case 3: x->is_num = 1; x->v = (double)row->b_eur; return;
	case 4: x->is_num = 1; x->v = (double)(row->b_eur - row->a_eur); return;
	case 5:
		if (row->a_eur) {
			x->is_num = 1;
			x->v = (double)(row->b_eur - row->a_eur) / (double)row->a_eur;
		}
		return;
	case 6: x->s = status_name_fr(row->status_a); return;
	case 7: x->s = status_name_fr(row->status_b); return;
	default:
		x->is_num = 1;
		x->v = row->contrib ? (double)row->contrib[cc->fac[c - 8]] : 0;
	}
}

p304_code p304_write_xlsx_comparison(const p304_comparison *cmp, FILE *fp, p304_error *err)
{
	const char *head[8 + 16] = {
		"code", "collectivité", "référence (€)", "scénario (€)", "écart (€)", "écart (%)",
		"statut (référence)", "statut (scénario)"
	};
	char tmp[64], names[16][80];
	struct param prm[3];
	size_t *order = malloc((cmp->nrows ? cmp->nrows : 1) * sizeof(size_t));
	struct cmp_ctx cc = { cmp, order, { 0 }, 0 };
	struct fmts f;
	struct table t;
	unsigned money = 0x1Cu, totals = 0x1Cu;
	char **notes;
	lxw_workbook *wb;
	p304_code rc;

	if (!order)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if (!(wb = start(tmp, sizeof(tmp), &f, err))) {
		free(order);
		return err ? err->code : P304_ERR_IO;
	}
	p304_compare_order(cmp, order);
	for (size_t i = 0; cmp->decomposed && i < cmp->nfactors && cc.nfac < 16; i++) {
		char fr[96];

		if (!cmp->differs[i])
			continue;
		snprintf(names[cc.nfac], sizeof(names[0]), "dont %s (€)",
			 p304_factor_label_fr(cmp->factors[i], fr, sizeof(fr)));
		head[8 + cc.nfac] = names[cc.nfac];
		money |= 1u << (8 + cc.nfac);
		totals |= 1u << (8 + cc.nfac);
		cc.fac[cc.nfac++] = i;
	}
	prm[0] = ptext("Référence", cmp->a_title);
	prm[1] = ptext("Scénario", cmp->b_title);
	prm[2] = ptext("Méthode", cmp->decomposed ? "écart = scénario moins référence ; chaque facteur "
		"est passé de la référence au scénario dans tous les ordres possibles et reçoit la "
		"moyenne de ses effets : les colonnes « dont » s'additionnent exactement à l'écart ; "
		"lignes triées par écart décroissant"
		: "écart = scénario moins référence ; montants comparés, écart non décomposé ; "
		"lignes triées par écart décroissant");
	write_params(wb, &f, prm, 3);
	notes = calloc(cmp->nnotes ? cmp->nnotes : 1, sizeof(*notes));
	for (size_t i = 0; notes && i < cmp->nnotes; i++) {
		char words[1200];

		notes[i] = strdup(note_words(cmp->notes[i], words, sizeof(words)));
	}
	t = (struct table){ "Comparaison", head, 8 + cc.nfac, cmp->nrows, money, 0, totals, 0, 0x20u,
			    cmp_cell, &cc, notes ? (const char *const *)notes : NULL,
			    notes ? cmp->nnotes : 0 };
	for (size_t i = 0; notes && i < cmp->nnotes; i++)
		if (!notes[i])
			t.nfooter = 0;   /* out of memory: the table without its notes */
	write_table(wb, &f, &t);
	for (size_t i = 0; notes && i < cmp->nnotes; i++)
		free(notes[i]);
	free(notes);
	rc = p304_xlsx_end(wb, tmp, fp, err);
	free(order);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Sensitivity (issue 21: the page's « Sensibilité » as a workbook)     */
/* ------------------------------------------------------------------ */

struct sweep_ctx {
	const p304_sweep_result *sw;
	size_t feasible;
	const size_t *order;   /* rows by scenario amount, largest first */
};

static void sweep_cell(const void *ctx, size_t r, size_t c, struct cell *x)
{
	const struct sweep_ctx *sc = ctx;
	size_t i = sc->order[r];
	const p304_sweep_stat *s = &sc->sw->stats[i];
	const int64_t v[6] = { s->base_eur, s->min_eur, s->p5_eur, s->median_eur, s->p95_eur,
			       s->max_eur };

	if (c == 0) {
		x->s = sc->sw->base->rows[i].code;
	} else if (c == 1) {
		x->s = sc->sw->base->rows[i].name;
	} else if (c < 8) {
		x->is_num = 1;
		x->v = (double)v[c - 2];
	} else if (c == 8) {
		x->is_num = 1;
		x->v = (double)(s->p95_eur - s->p5_eur);
	} else {
		x->is_num = 1;
		x->v = sc->feasible ? (double)(c == 9 ? s->at_floor : s->at_ceiling) /
			(double)sc->feasible : 0.0;
	}
}

struct tornado_ctx {
	const p304_sweep_result *sw;
	char (*label)[160];
};

static void tornado_cell(const void *ctx, size_t r, size_t c, struct cell *x)
{
	const struct tornado_ctx *tc = ctx;

	if (c == 0) {
		x->s = tc->label[r];
	} else {
		x->is_num = 1;
		x->v = (double)tc->sw->tornado[r].spread_eur;
	}
}

static int by_base_desc(const void *a, const void *b, void *arg)
{
	const p304_sweep_result *sw = arg;
	int64_t x = sw->stats[*(const size_t *)a].base_eur;
	int64_t y = sw->stats[*(const size_t *)b].base_eur;

	return x < y ? 1 : x > y ? -1 : (*(const size_t *)a > *(const size_t *)b) -
		(*(const size_t *)a < *(const size_t *)b);
}

/* « Données : Ménages pauvres » (the criterion's name of its sources file,
 * as the page shows it), « Pondérations », « Plancher »… */
static void tornado_label(const p304_sweep_result *sw, const p304_source_text *src,
			  const char *factor, char *buf, size_t size)
{
	const p304_scenario *sc = sw->base->scenario;

	if (!strncmp(factor, "data:", 5))
		for (size_t c = 0; c < sc->ncriteria; c++)
			if (src && !strcmp(sc->criteria[c].column, factor + 5) && src[c].label) {
				snprintf(buf, size, "Données : %s", src[c].label);
				return;
			}
	p304_factor_label_fr(factor, buf, size);
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
}

p304_code p304_write_xlsx_sweep(const p304_sweep_result *sw, FILE *fp, p304_error *err)
{
	static const char *const head[] = {
		"code", "collectivité", "montant du scénario (€)", "minimum (€)", "5e centile (€)",
		"médiane (€)", "95e centile (€)", "maximum (€)", "largeur 5e – 95e centile (€)",
		"au plancher (part des variantes)", "au plafond (part des variantes)"
	};
	static const char *const thead[] = { "ce qui varie", "écart moyen d'un montant (€)" };
	static const char *const tfoot[] = {
		"Chaque ligne : on ne fait varier que ce facteur, et on mesure pour chaque "
		"collectivité l'écart entre son montant bas et son montant haut (5e et 95e centiles "
		"des variantes) ; le chiffre est la moyenne de ces écarts sur les collectivités."
	};
	const p304_scenario *sc = sw->base->scenario;
	size_t n = sw->base->nrows, *order = malloc((n ? n : 1) * sizeof(size_t));
	char (*label)[160] = calloc(sw->ntornado ? sw->ntornado : 1, sizeof(*label));
	char tmp[64], sizes[4][96];
	struct param prm[10];
	size_t np = 0;
	struct sweep_ctx ctx = { sw, sw->summary.done - sw->summary.infeasible, order };
	struct tornado_ctx tc = { sw, label };
	p304_source_text *src = NULL;
	struct fmts f;
	struct table t;
	lxw_workbook *wb;
	p304_code rc;

	if (!order || !label) {
		free(order);
		free(label);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	if (!(wb = start(tmp, sizeof(tmp), &f, err))) {
		free(order);
		free(label);
		return err ? err->code : P304_ERR_IO;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(size_t), by_base_desc, (void *)sw);
	if (p304_sources_read(sw->base, &src, NULL) != P304_OK)
		src = NULL;
	for (size_t i = 0; i < sw->ntornado; i++)
		tornado_label(sw, src, sw->tornado[i].factor, label[i], sizeof(label[i]));
	p304_sources_free(src, sc->ncriteria);
	prm[np++] = ptext("scénario", sc->id);
	prm[np++] = ptext("titre", sc->title);
	prm[np++] = peur("enveloppe", sc->envelope_eur);
	prm[np++] = (struct param){ "variantes", NULL, (double)sw->opt.samples, P_INT };
	prm[np++] = (struct param){ "variantes écartées (bornes impossibles)", NULL,
				    (double)sw->summary.infeasible, P_INT };
	snprintf(sizes[0], sizeof(sizes[0]), "± %g points (ramenées à 100 %%)", sw->opt.weight_points);
	snprintf(sizes[1], sizeof(sizes[1]), "± %g %%", sw->opt.data_pct);
	for (int k = 0; k < 2; k++)
		if (strchr(sizes[k], '.'))
			*strchr(sizes[k], '.') = ',';
	prm[np++] = ptext("pondérations", sw->opt.vary_weights ? sizes[0] : "fixes");
	prm[np++] = ptext("données", sw->opt.vary_data ? sizes[1] : "fixes");
	if (sw->opt.floor_min != P304_NO_BOUND) {
		snprintf(sizes[2], sizeof(sizes[2]), "tiré entre %lld € et %lld €",
			 (long long)sw->opt.floor_min, (long long)sw->opt.floor_max);
		prm[np++] = ptext("plancher", sizes[2]);
	}
	if (sw->opt.ceiling_min != P304_NO_BOUND) {
		snprintf(sizes[3], sizeof(sizes[3]), "tiré entre %lld € et %lld €",
			 (long long)sw->opt.ceiling_min, (long long)sw->opt.ceiling_max);
		prm[np++] = ptext("plafond", sizes[3]);
	}
	/* the seed last: a detail for whoever reruns it, not for the reader */
	prm[np++] = (struct param){ "tirage reproductible (graine)", NULL, (double)sw->opt.seed, P_INT };
	write_params(wb, &f, prm, np);
	t = (struct table){ "Sensibilité", head, 11, n, 0x1FCu, 0, 0x4u, 0, 0x600u, sweep_cell, &ctx,
			    NULL, 0 };
	write_table(wb, &f, &t);
	t = (struct table){ "Tornade", thead, 2, sw->ntornado, 0x2u, 0, 0, 0, 0, tornado_cell, &tc,
			    tfoot, 1 };
	write_table(wb, &f, &t);
	rc = p304_xlsx_end(wb, tmp, fp, err);
	free(order);
	free(label);
	return rc;
}
