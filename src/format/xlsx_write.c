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

/* Parameters common to allocation and notification. */
static size_t scenario_params(const p304_result *res, struct param *p, char (*buf)[512], size_t max)
{
	const p304_scenario *sc = res->scenario;
	p304_source_text *src = NULL;
	size_t n = 0;

	p[n++] = ptext("scénario", sc->id);
	p[n++] = ptext("titre", sc->title);
	p[n++] = peur("enveloppe", sc->envelope_eur);
	p[n++] = peur("plancher", sc->floor_eur);
	p[n++] = peur("plafond", sc->ceiling_eur);
	p[n++] = peur("unité d'arrondi", sc->rounding_eur);
	p[n++] = (struct param){ "participants", NULL, (double)res->nrows, P_INT };
	/* the criteria by the names the page shows (« Enfants de 0 à 19 ans »),
	 * never the column names (issue 21) */
	if (p304_sources_read(res, &src, NULL) != P304_OK)
		src = NULL;
	for (size_t c = 0; c < sc->ncriteria && c < 32 && n + 2 < max; c++) {
		const char *label = src ? src[c].label : sc->criteria[c].column;

		snprintf(buf[c], 512, "pondération « %s »", label);
		p[n++] = (struct param){ buf[c], NULL, sc->criteria[c].weight_pct / 100.0, P_PCT };
		snprintf(buf[32 + c], 512, "source « %s »", label);
		p[n++] = ptext(buf[32 + c], res->sources && res->sources[c] ? res->sources[c]
			       : "source non renseignée");
	}
	p304_sources_free(src, sc->ncriteria);
	for (size_t w = 0; w < res->nwarnings && n < max; w++)
		p[n++] = ptext("avertissement", res->warnings[w]);
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

static const char **sources_footer(const p304_result *res, char (*buf)[512], size_t *n)
{
	static const char *lines[32];

	*n = 0;
	for (size_t c = 0; c < res->scenario->ncriteria && *n < 32; c++) {
		snprintf(buf[*n], 512, "Source %s : %s", res->scenario->criteria[c].column,
			 res->sources && res->sources[c] ? res->sources[c] : "non renseignée");
		lines[*n] = buf[*n];
		(*n)++;
	}
	return lines;
}

p304_code p304_write_xlsx_allocation(const p304_result *res, FILE *fp, p304_error *err)
{
	static const char *const head[] = {
		"code", "collectivité", "région", "part de la clé", "montant selon la clé seule (€)", "statut",
		"montant pré-notifié (€)"
	};
	static const char *const labels[] = { "montant pré-notifié (€)" };
	char tmp[64], buf[64][512], fbuf[32][512];
	struct param prm[96];
	size_t np, nf;
	const char **foot;
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
	{
		/* authorities left out for missing data, by name, above the sources */
		const char *lines[64];
		char ebuf[30][512];
		size_t nl = 0;

		for (size_t i = 0; i < res->nexcluded && i < 30; i++) {
			snprintf(ebuf[i], sizeof(ebuf[i]), "Exclu : %s %s (aucune valeur dans %s)",
				 res->excluded[i].code, res->excluded[i].name,
				 res->excluded[i].columns);
			lines[nl++] = ebuf[i];
		}
		for (size_t i = 0; i < nf; i++)
			lines[nl++] = foot[i];
		t = (struct table){ "Répartition", head, 7, res->nrows, 0x50u, 0, 0x50u, 0x10u,
				    0x8u, alloc_cell, res, lines, nl };
		write_table(wb, &f, &t);
	}
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
	static const char *const missing[] = { "renoncement", "maintien du pré-notifié" };
	static const char *const surplus[] = { "non réparti", "selon la clé", "au prorata des besoins non couverts" };
	char tmp[64], buf[64][512], fbuf[32][512], mbuf[2][1100];
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
	prm[np++] = peur("crédits disponibles", nt->available_eur);
	prm[np++] = ptext("réponse manquante", missing[res->scenario->recon.missing]);
	prm[np++] = ptext("reliquat", surplus[res->scenario->recon.surplus]);
	prm[np++] = ptext("insuffisance", "réduction proportionnelle");
	write_params(wb, &f, prm, np);
	foot = sources_footer(res, fbuf, &nf);
	{
		/* who did not answer, by name, above the sources */
		const char *lines[34];
		size_t nl = 0;

		for (int late = 0; late <= 1; late++) {
			char list[1000];

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
	case 6: x->s = p304_status_label_fr(row->status_a); return;
	case 7: x->s = p304_status_label_fr(row->status_b); return;
	default:
		x->is_num = 1;
		x->v = row->contrib ? (double)row->contrib[cc->fac[c - 8]] : 0;
	}
}

p304_code p304_write_xlsx_comparison(const p304_comparison *cmp, FILE *fp, p304_error *err)
{
	const char *head[8 + 16] = {
		"code", "collectivité", "référence A (€)", "scénario B (€)", "écart B − A (€)", "écart (%)",
		"statut A", "statut B"
	};
	char tmp[64], names[16][80];
	struct param prm[3];
	size_t *order = malloc((cmp->nrows ? cmp->nrows : 1) * sizeof(size_t));
	struct cmp_ctx cc = { cmp, order, { 0 }, 0 };
	struct fmts f;
	struct table t;
	unsigned money = 0x1Cu, totals = 0x1Cu;
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
	prm[0] = ptext("A (référence)", cmp->a_title);
	prm[1] = ptext("B (scénario)", cmp->b_title);
	prm[2] = ptext("méthode", cmp->decomposed ? "écart = B − A, décomposé par la valeur de Shapley "
		"(docs/compare.md) : les contributions s'additionnent exactement à l'écart ; "
		"lignes triées par écart décroissant"
		: "écart = B − A ; montants comparés, écart non décomposé ; lignes triées par écart décroissant");
	write_params(wb, &f, prm, 3);
	t = (struct table){ "Comparaison", head, 8 + cc.nfac, cmp->nrows, money, 0, totals, 0, 0x20u,
			    cmp_cell, &cc, (const char *const *)cmp->notes, cmp->nnotes };
	write_table(wb, &f, &t);
	rc = p304_xlsx_end(wb, tmp, fp, err);
	free(order);
	return rc;
}
