/*
 * ledger_write.c - the ledger as officers read it: the départements × years
 * view (or the écart between two stages) as CSV for Excel and as a
 * workbook, and the whole history as a workbook for archiving
 * (libxlsxwriter). Names beside codes, euros as numbers, deterministic.
 */
#include "ledger_priv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "format/writeutil.h"
#include "format/xlsx_file.h"

static const char *name_of(const p304_reference *ref, const char *code)
{
	const p304_authority *a = ref ? p304_reference_find(ref, code) : NULL;

	return a ? a->name : "";
}

static void view_title(const p304_ledger_view *v, char *buf, size_t size)
{
	if (v->minus == v->stage)
		snprintf(buf, size, "%s", p304_stage_label_fr(v->stage));
	else
		snprintf(buf, size, "écart %s − %s", p304_stage_label_fr(v->stage),
			 p304_stage_label_fr(v->minus));
}

p304_code p304_write_ledger_view_csv(const p304_ledger_view *v, const p304_reference *ref,
				     FILE *fp, p304_error *err)
{
	char title[96], head[64][128], cell[64][32];
	const char *f[66];

	if (v->nyears > 60)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("at most 60 years in a view"));
	view_title(v, title, sizeof(title));
	f[0] = "code";
	f[1] = "collectivité";
	for (int y = 0; y < v->nyears; y++) {
		snprintf(head[y], sizeof(head[y]), "%s %d (€)", title, v->year0 + y);
		f[2 + y] = head[y];
	}
	/* the BOM: Excel opens the accents right */
	if (fputs("\xEF\xBB\xBF", fp) < 0 || wu_row(fp, f, 2 + (size_t)v->nyears) != 0)
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
	for (size_t i = 0; i < v->nrows; i++) {
		f[0] = v->codes[i];
		f[1] = name_of(ref, v->codes[i]);
		for (int y = 0; y < v->nyears; y++) {
			int64_t a = v->v[i * (size_t)v->nyears + (size_t)y];

			if (a == P304_LEDGER_NONE)
				cell[y][0] = '\0';
			else
				snprintf(cell[y], sizeof(cell[y]), "%lld", (long long)a);
			f[2 + y] = cell[y];
		}
		if (wu_row(fp, f, 2 + (size_t)v->nyears) != 0)
			return p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
	}
	return P304_OK;
}

static void head_row(lxw_worksheet *ws, lxw_format *h, const char *const *names, size_t n)
{
	for (size_t c = 0; c < n; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, names[c], h);
	worksheet_freeze_panes(ws, 1, 0);
}

p304_code p304_write_ledger_view_xlsx(const p304_ledger_view *v, const p304_reference *ref,
				      FILE *fp, p304_error *err)
{
	char tmp[64], title[96], head[128];
	lxw_workbook *wb = p304_xlsx_begin(tmp, sizeof(tmp), err);
	lxw_worksheet *ws;
	lxw_format *h, *eur;

	if (!wb)
		return err->code;
	ws = workbook_add_worksheet(wb, "Collectivités × années");
	h = workbook_add_format(wb);
	format_set_bold(h);
	format_set_bg_color(h, 0xDCE6F1);
	format_set_text_wrap(h);
	eur = workbook_add_format(wb);
	format_set_num_format(eur, "#,##0 \"€\"");
	view_title(v, title, sizeof(title));
	worksheet_write_string(ws, 0, 0, "code", h);
	worksheet_write_string(ws, 0, 1, "collectivité", h);
	worksheet_set_column(ws, 1, 1, 28, NULL);
	worksheet_set_column(ws, 2, (lxw_col_t)(1 + v->nyears), 16, NULL);
	for (int y = 0; y < v->nyears; y++) {
		snprintf(head, sizeof(head), "%s %d (€)", title, v->year0 + y);
		worksheet_write_string(ws, 0, (lxw_col_t)(2 + y), head, h);
	}
	worksheet_freeze_panes(ws, 1, 2);
	for (size_t i = 0; i < v->nrows; i++) {
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, v->codes[i], NULL);
		worksheet_write_string(ws, (lxw_row_t)(i + 1), 1, name_of(ref, v->codes[i]), NULL);
		for (int y = 0; y < v->nyears; y++) {
			int64_t a = v->v[i * (size_t)v->nyears + (size_t)y];

			if (a != P304_LEDGER_NONE)
				worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)(2 + y),
						       (double)a, eur);
		}
	}
	if (v->nrows)
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)v->nrows, (lxw_col_t)(1 + v->nyears));
	return p304_xlsx_end(wb, tmp, fp, err);
}

struct hist_ctx {
	lxw_worksheet *ws;
	lxw_format *eur;
	const p304_reference *ref;
	lxw_row_t row;
};

static int hist_row(void *c, const p304_ledger_entry *e)
{
	struct hist_ctx *x = c;
	lxw_row_t r = ++x->row;

	worksheet_write_number(x->ws, r, 0, (double)e->id, NULL);
	worksheet_write_string(x->ws, r, 1, e->code, NULL);
	worksheet_write_string(x->ws, r, 2, name_of(x->ref, e->code), NULL);
	worksheet_write_number(x->ws, r, 3, e->year, NULL);
	worksheet_write_string(x->ws, r, 4, p304_stage_label_fr(e->stage), NULL);
	worksheet_write_number(x->ws, r, 5, (double)e->amount_eur, x->eur);
	if (e->supersedes)
		worksheet_write_number(x->ws, r, 6, (double)e->supersedes, NULL);
	worksheet_write_string(x->ws, r, 7, e->at, NULL);
	worksheet_write_string(x->ws, r, 8, e->who, NULL);
	worksheet_write_string(x->ws, r, 9, e->kind, NULL);
	worksheet_write_string(x->ws, r, 10, e->file, NULL);
	worksheet_write_number(x->ws, r, 11, (double)e->line, NULL);
	worksheet_write_string(x->ws, r, 12, e->sha256, NULL);
	worksheet_write_string(x->ws, r, 13, e->version, NULL);
	worksheet_write_string(x->ws, r, 14, e->scenario, NULL);
	worksheet_write_string(x->ws, r, 15, e->comment, NULL);
	return 0;
}

p304_code p304_write_ledger_history_xlsx(p304_ledger *lg, const p304_reference *ref,
					 FILE *fp, p304_error *err)
{
	static const char *const HEAD[] = {
		"n°", "code", "collectivité", "année", "étape", "montant (€)", "corrige le n°",
		"enregistré le (UTC)", "par", "origine", "fichier", "ligne", "SHA-256",
		"version de p304", "scénario", "commentaire"
	};
	char tmp[64];
	lxw_workbook *wb = p304_xlsx_begin(tmp, sizeof(tmp), err);
	struct hist_ctx x = { 0 };
	lxw_format *h;
	p304_code rc;

	if (!wb)
		return err->code;
	x.ws = workbook_add_worksheet(wb, "Historique");
	x.ref = ref;
	h = workbook_add_format(wb);
	format_set_bold(h);
	format_set_bg_color(h, 0xDCE6F1);
	x.eur = workbook_add_format(wb);
	format_set_num_format(x.eur, "#,##0 \"€\"");
	head_row(x.ws, h, HEAD, sizeof(HEAD) / sizeof(HEAD[0]));
	worksheet_set_column(x.ws, 2, 2, 28, NULL);
	worksheet_set_column(x.ws, 5, 5, 16, NULL);
	worksheet_set_column(x.ws, 7, 7, 22, NULL);
	worksheet_set_column(x.ws, 10, 10, 40, NULL);
	if ((rc = p304_ledger_history(lg, NULL, 0, hist_row, &x, err)) != P304_OK) {
		workbook_close(wb);
		unlink(tmp);
		return rc;
	}
	if (x.row)
		worksheet_autofilter(x.ws, 0, 0, x.row, 15);
	return p304_xlsx_end(wb, tmp, fp, err);
}
