/*
 * note.c - the note for the minister: two A4 pages (page 1: date, title,
 * object, key figures, the decision asked, the map; page 2: the largest
 * movers by € and by %, the notification, the regional table, the sources in
 * words), then an annex (the full table by authority, the other charts, the
 * sources and the method). One text, written as self-contained HTML (prints
 * on A4 from a browser) or as Markdown (read as is, or turned into .docx and
 * .odt by pandoc). Every text taken from a file is escaped for the format.
 */
#include <p304/chart.h>
#include <p304/ledger.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../format/fileutil.h"
#include "gettext.h"

/* ------------------------------------------------------------------ */
/* Numbers in French                                                   */
/* ------------------------------------------------------------------ */

#define NNBSP "\xE2\x80\xAF" /* U+202F narrow no-break space */
#define NBSP "\xC2\xA0"

static const char *eur(char *buf, size_t size, long long v)
{
	return p304_format_eur(buf, size, (int64_t)v, NNBSP, NBSP "€");
}

/* "+1 234 €", "-1 234 €", "0 €". */
static const char *eur_signed(char *buf, size_t size, long long v)
{
	char e[64];

	snprintf(buf, size, "%s%s", v > 0 ? "+" : "", eur(e, sizeof(e), v));
	return buf;
}

/* 28.5 -> "28,5" (decimal comma, no locale). */
static const char *num_fr(char *buf, size_t size, double v)
{
	char *dot;

	snprintf(buf, size, "%g", v);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

/* +12.345 -> "+12,3 %". */
static const char *pct_signed(char *buf, size_t size, double v)
{
	char *dot;

	snprintf(buf, size, "%+.1f" NNBSP "%%", v);
	if (!strcmp(buf, "-0.0" NNBSP "%") || !strcmp(buf, "+0.0" NNBSP "%"))
		snprintf(buf, size, "0,0" NNBSP "%%");
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

/* "aucune ne gagne", "aucune n'est inchangée", "1 gagne", "27 gagnent":
 * counts of collectivités read as French (singular for 0 and 1, elision of
 * "ne" before a vowel). */
static const char *count_verb(char *buf, size_t size, size_t n, const char *one, const char *many)
{
	/* "est", "entre", "augmente": elided; the bytes of é, è, ê start with 0xC3 */
	int vowel = strchr("aeiouyh\xC3", one[0]) != NULL;

	if (n == 0)
		snprintf(buf, size, "aucune %s%s", vowel ? "n'" : "ne ", one);
	else
		snprintf(buf, size, "%zu %s", n, n == 1 ? one : many);
	return buf;
}

/* "aucune collectivité", "1 collectivité", "30 collectivités". */
static const char *count_coll(char *buf, size_t size, size_t n)
{
	if (n == 0)
		snprintf(buf, size, "aucune collectivité");
	else
		snprintf(buf, size, "%zu collectivité%s", n, n > 1 ? "s" : "");
	return buf;
}

/* "à l'euro", or "au multiple de 1 000 €" for another rounding unit. */
static const char *rounding_fr(char *buf, size_t size, int64_t unit)
{
	char e[64];

	if (unit <= 1)
		snprintf(buf, size, "à l'euro");
	else
		snprintf(buf, size, "au multiple de %s", eur(e, sizeof(e), unit));
	return buf;
}

/* ------------------------------------------------------------------ */
/* One writer, two formats                                             */
/* ------------------------------------------------------------------ */

struct doc {
	FILE *fp;
	int md;       /* Markdown (else HTML) */
	int pandoc;   /* Markdown for pandoc: page breaks as raw Word XML */
};

/* Text from a file or a computation, escaped: in HTML the five special
 * characters; in Markdown every character that could start markup (a
 * backslash before ASCII punctuation is literal in CommonMark and pandoc).
 * Newlines and other control characters become spaces, so a title on two
 * lines cannot break a heading or a table row. */
static void d_text(const struct doc *d, const char *s)
{
	const char *start = s;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7F) {
			fputc(' ', d->fp);
		} else if (!d->md) {
			switch (c) {
			case '&': fputs("&amp;", d->fp); break;
			case '<': fputs("&lt;", d->fp); break;
			case '>': fputs("&gt;", d->fp); break;
			case '"': fputs("&quot;", d->fp); break;
			case '\'': fputs("&#39;", d->fp); break;
			default: fputc(c, d->fp);
			}
		} else {
			/* inline markup anywhere; list and heading markers where a
			 * text may start a line or a list item ("- x", "1. x") */
			int lead = s == start && strchr("-+=", c);
			int numdot = 0;

			if ((c == '.' || c == ')') && s > start) {
				const char *q = start;

				while (q < s && *q >= '0' && *q <= '9')
					q++;
				numdot = q == s;
			}
			if (strchr("\\`*_[]<>#|~&$^@", c) || lead || numdot)
				fputc('\\', d->fp);
			fputc(c, d->fp);
		}
	}
}

/* printf then escape. */
static void d_textf(const struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void d_textf(const struct doc *d, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d_text(d, buf);
}

static void d_raw(const struct doc *d, const char *s)
{
	fputs(s, d->fp);
}

/* A heading; `cls` is an HTML class (may be NULL). */
static void d_heading(const struct doc *d, int level, const char *cls, const char *text)
{
	if (d->md) {
		for (int i = 0; i < level; i++)
			fputc('#', d->fp);
		fputc(' ', d->fp);
		d_text(d, text);
		fputs("\n\n", d->fp);
	} else {
		fprintf(d->fp, "<h%d%s%s%s>", level, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
		d_text(d, text);
		fprintf(d->fp, "</h%d>\n", level);
	}
}

static void d_para_begin(const struct doc *d, const char *cls)
{
	if (!d->md)
		fprintf(d->fp, "<p%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
}

static void d_para_end(const struct doc *d)
{
	d_raw(d, d->md ? "\n\n" : "</p>\n");
}

static void d_list_begin(const struct doc *d, const char *cls)
{
	if (!d->md)
		fprintf(d->fp, "<ul%s%s%s>\n", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
}

static void d_item_begin(const struct doc *d)
{
	d_raw(d, d->md ? "- " : "<li>");
}

static void d_item_end(const struct doc *d)
{
	d_raw(d, d->md ? "\n" : "</li>\n");
}

static void d_list_end(const struct doc *d)
{
	d_raw(d, d->md ? "\n" : "</ul>\n");
}

static void d_strong(const struct doc *d, const char *text)
{
	d_raw(d, d->md ? "**" : "<strong>");
	d_text(d, text);
	d_raw(d, d->md ? "**" : "</strong>");
}

/* Tables: `align` holds one letter per column, 'l' or 'r' (numbers);
 * `width` (or NULL) the relative widths of the columns in Word, as pandoc
 * reads them from the dashes of a long pipe table. */
static void d_table_begin_w(const struct doc *d, const char *cls, const char *align,
			    const char *const *head, const int *width)
{
	size_t n = strlen(align);
	int sum = 0, scale;

	if (d->md) {
		for (size_t i = 0; i < n; i++) {
			d_raw(d, "| ");
			d_text(d, head[i]);
			d_raw(d, " ");
		}
		d_raw(d, "|\n");
		/* the dashes are pandoc's relative column widths, each read as a
		 * fraction of 72 once a line is longer than that (the separator
		 * always is): 70 in all, the name column twice the others, so
		 * that the table takes the page's width and « 600 000 € » does
		 * not wrap in Word as it did in equal columns (issue 21); or the
		 * widths asked for, scaled up to at least 80 in all */
		for (size_t i = 0; width && i < n; i++)
			sum += width[i];
		scale = sum && sum < 80 ? (80 + sum - 1) / sum : 1;
		for (size_t i = 0; i < n; i++) {
			int w = width ? width[i] * scale : (int)(70 * (i == 0 ? 2 : 1) / (n + 1));

			d_raw(d, "|");
			if (align[i] != 'r')
				d_raw(d, ":");
			for (int k = 0; k < w; k++)
				fputc('-', d->fp);
			if (align[i] == 'r')
				d_raw(d, ":");
		}
		d_raw(d, "|\n");
	} else {
		fprintf(d->fp, "<table%s%s%s><thead><tr>", cls ? " class=\"" : "", cls ? cls : "",
			cls ? "\"" : "");
		for (size_t i = 0; i < n; i++) {
			fputs(align[i] == 'r' ? "<th class=\"n\">" : "<th>", d->fp);
			d_text(d, head[i]);
			fputs("</th>", d->fp);
		}
		fputs("</tr></thead><tbody>\n", d->fp);
	}
}

static void d_table_begin(const struct doc *d, const char *cls, const char *align,
			  const char *const *head)
{
	d_table_begin_w(d, cls, align, head, NULL);
}

/* One row; `total` = a bold totals row. Empty cells are written "—" in
 * Markdown (an empty pipe-table cell is fine, but a dash reads better). */
static void d_table_row(const struct doc *d, const char *align, const char *const *cell, int total)
{
	size_t n = strlen(align);

	if (!d->md)
		fputs(total ? "<tr class=\"total\">" : "<tr>", d->fp);
	for (size_t i = 0; i < n; i++) {
		if (d->md) {
			d_raw(d, "| ");
			if (total && cell[i][0])
				d_raw(d, "**");
			d_text(d, cell[i]);
			if (total && cell[i][0])
				d_raw(d, "**");
			d_raw(d, " ");
		} else {
			fputs(align[i] == 'r' ? "<td class=\"n\">" : "<td>", d->fp);
			d_text(d, cell[i]);
			fputs("</td>", d->fp);
		}
	}
	d_raw(d, d->md ? "|\n" : "</tr>\n");
}

static void d_table_end(const struct doc *d)
{
	d_raw(d, d->md ? "\n" : "</tbody></table>\n");
}

/* A page break before what follows: CSS in HTML (see CSS below), raw Word
 * XML for pandoc's .docx, nothing in plain Markdown. */
static void d_section(const struct doc *d, const char *cls)
{
	if (d->md) {
		if (d->pandoc)
			/* an empty paragraph starting a page: a page-break run
			 * after a full page left a blank page (issue 21) */
			d_raw(d, "```{=openxml}\n<w:p><w:pPr><w:pageBreakBefore/><w:spacing w:before=\"0\" "
			      "w:after=\"0\"/></w:pPr></w:p>\n```\n\n");
	} else {
		fprintf(d->fp, "</section>\n<section class=\"%s\">\n", cls);
	}
}

static const char *base_png(char *buf, size_t size, const char *path)
{
	const char *s = strrchr(path, '/');
	char *dot;

	snprintf(buf, size, "%s", s ? s + 1 : path);
	if ((dot = strrchr(buf, '.')) && (size_t)(dot - buf) + 5 <= size)
		strcpy(dot, ".png");
	return buf;
}

/* The size of a chart in .docx and .odt: gnuplot's PNG at its pixel size
 * ran off an A4 page (issue 21), so it is fitted, ratio kept, in 15 cm
 * wide (the text width of an A4 or Letter page inside pandoc's 2,5 cm
 * margins) and max_h cm high (the map shares page 1 with the key figures;
 * 21 cm leaves room for a caption). The PNG beside the SVG gives the
 * ratio (its IHDR); without it, the width alone. */
static void png_size(const struct doc *d, const char *svg_path, double max_h)
{
	char path[1024], *dot;
	unsigned char h[24];
	double w_cm = 15.0, h_cm;
	unsigned long pw, ph;
	FILE *fp;
	size_t got = 0;

	snprintf(path, sizeof(path), "%s", svg_path);
	if ((dot = strrchr(path, '.')) && (size_t)(dot - path) + 5 <= sizeof(path))
		strcpy(dot, ".png");
	if ((fp = fopen(path, "rb"))) {
		got = fread(h, 1, sizeof(h), fp);
		fclose(fp);
	}
	pw = got == sizeof(h) ? (unsigned long)h[16] << 24 | h[17] << 16 | h[18] << 8 | h[19] : 0;
	ph = got == sizeof(h) ? (unsigned long)h[20] << 24 | h[21] << 16 | h[22] << 8 | h[23] : 0;
	if (!pw || !ph) {
		fprintf(d->fp, "{width=%.1fcm}", w_cm);
		return;
	}
	h_cm = w_cm * (double)ph / (double)pw;
	if (h_cm > max_h) {
		w_cm *= max_h / h_cm;
		h_cm = max_h;
	}
	fprintf(d->fp, "{width=%.1fcm height=%.1fcm}", w_cm, h_cm);
}

/* A chart: the SVG inline in HTML, the PNG of the same name in Markdown. */
static void d_figure(const struct doc *d, const char *cls, const char *svg_path, const char *caption)
{
	char *svg = NULL, *start;
	size_t len;

	if (!svg_path)
		return;
	if (d->md) {
		char png[256];

		d_raw(d, "![");
		d_text(d, caption);
		fprintf(d->fp, "](%s)", base_png(png, sizeof(png), svg_path));
		if (d->pandoc)
			png_size(d, svg_path, !strcmp(cls, "map") ? 8.0 : 21.0);
		d_raw(d, "\n\n");
		return;
	}
	if (p304_read_file(svg_path, &svg, &len, NULL) != P304_OK)
		return;
	/* the <svg> element only: the XML prologue may not stand inside HTML */
	start = strstr(svg, "<svg");
	fprintf(d->fp, "<figure class=\"%s\">", cls);
	if (start)
		fputs(start, d->fp);
	fputs("<figcaption>", d->fp);
	d_text(d, caption);
	fputs("</figcaption></figure>\n", d->fp);
	free(svg);
}

/* ------------------------------------------------------------------ */
/* The content                                                         */
/* ------------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static p304_region_total *regions(const p304_note *n, size_t *count)
{
	const p304_result *res = n->alloc;
	size_t m = res->nrows ? res->nrows : 1;
	p304_region_total *t = calloc(m, sizeof(*t));
	int64_t *a = malloc(m * sizeof(int64_t));
	int64_t *b = n->nt ? malloc(m * sizeof(int64_t)) : NULL;

	*count = 0;
	if (!t || !a || (n->nt && !b)) {
		free(t);
		free(a);
		free(b);
		return NULL;
	}
	for (size_t i = 0; i < res->nrows; i++) {
		a[i] = res->rows[i].alloc.amount_eur;
		if (b)
			b[i] = n->nt->rows[i].notified_eur;
	}
	*count = p304_region_totals(res->rows, res->nrows, a, b, t);
	free(a);
	free(b);
	return t;
}

static void key_figures(const struct doc *d, const p304_note *n)
{
	const p304_result *res = n->alloc;
	const p304_scenario *sc = res->scenario;
	size_t nr = res->nrows;
	long long *v = malloc((nr ? nr : 1) * sizeof(long long)), med = 0;
	char e[64], lo[64], hi[64], md[64], f[64], c[64], w[64];

	d_heading(d, 2, NULL, "Chiffres clés");
	d_list_begin(d, "key");
	d_item_begin(d);
	d_textf(d, "Enveloppe de %s répartie entre %s selon %zu critère%s pondéré%s.",
		eur(e, sizeof(e), sc->envelope_eur), count_coll(w, sizeof(w), nr), sc->ncriteria,
		sc->ncriteria > 1 ? "s" : "", sc->ncriteria > 1 ? "s" : "");
	d_item_end(d);
	if (v && nr > 0) {
		for (size_t i = 0; i < nr; i++)
			v[i] = res->rows[i].alloc.amount_eur;
		qsort(v, nr, sizeof(*v), cmp_i64);
		med = nr % 2 ? v[nr / 2] : (v[nr / 2 - 1] + v[nr / 2]) / 2;
		d_item_begin(d);
		d_textf(d, "Montants pré-notifiés de %s à %s (médiane %s).", eur(lo, sizeof(lo), v[0]),
			eur(hi, sizeof(hi), v[nr - 1]), eur(md, sizeof(md), med));
		d_item_end(d);
	}
	free(v);
	d_item_begin(d);
	if (sc->floor_eur != P304_NO_BOUND || sc->ceiling_eur != P304_NO_BOUND) {
		char a1[64], a2[64];

		d_textf(d, "Plancher %s : %s ; plafond %s : %s.",
			sc->floor_eur == P304_NO_BOUND ? "(aucun)" : eur(f, sizeof(f), sc->floor_eur),
			count_coll(a1, sizeof(a1), res->summary.n_floor),
			sc->ceiling_eur == P304_NO_BOUND ? "(aucun)" : eur(c, sizeof(c), sc->ceiling_eur),
			count_coll(a2, sizeof(a2), res->summary.n_ceiling));
	} else {
		d_text(d, "Ni plancher ni plafond : chaque montant est proportionnel à la part de la collectivité.");
	}
	if (res->summary.unallocated_eur)
		d_textf(d, " L'arrondi laisse %s non répartis.", eur(e, sizeof(e), res->summary.unallocated_eur));
	d_item_end(d);
	if (n->cmp) {
		const p304_comparison *cm = n->cmp;
		char a[64], b[64], dd[64], p[32], wv[64], lv[64], uv[64], en[64], le[64];
		size_t both = cm->winners + cm->losers + cm->unchanged;

		d_item_begin(d);
		d_textf(d, "Par rapport à la référence « %s » (%s), le total passe de %s à %s (%s",
			cm->a_title, cm->a_id, eur(a, sizeof(a), cm->a_total), eur(b, sizeof(b), cm->b_total),
			eur_signed(dd, sizeof(dd), cm->b_total - cm->a_total));
		if (cm->a_total)
			d_textf(d, ", %s", pct_signed(p, sizeof(p),
				((double)cm->b_total - (double)cm->a_total) * 100.0 / (double)cm->a_total));
		d_textf(d, "). Sur %s présente%s des deux côtés, %s, %s et %s ; %s, %s.",
			count_coll(a, sizeof(a), both), both > 1 ? "s" : "",
			count_verb(wv, sizeof(wv), cm->winners, "gagne", "gagnent"),
			count_verb(lv, sizeof(lv), cm->losers, "perd", "perdent"),
			count_verb(uv, sizeof(uv), cm->unchanged, "est inchangée", "sont inchangées"),
			count_verb(en, sizeof(en), cm->entering, "entre (absente de la référence)",
				   "entrent (absentes de la référence)"),
			count_verb(le, sizeof(le), cm->leaving, "sort (absente du scénario)",
				   "sortent (absentes du scénario)"));
		d_item_end(d);
	}
	if (n->nt) {
		const p304_recon_summary *s = &n->nt->summary;
		char a[64], b[64], c2[64], dd[64], r1[64];

		d_item_begin(d);
		d_textf(d, "Besoins exprimés : %s (%s ; sans réponse : %zu ; hors délai : %zu). "
			"Crédits disponibles : %s ; montants notifiés : %s ; reliquat : %s.",
			eur(a, sizeof(a), s->needs_eur), count_coll(r1, sizeof(r1), s->n_answered),
			s->n_no_answer, s->n_late, eur(b, sizeof(b), n->nt->available_eur),
			eur(c2, sizeof(c2), s->notified_eur), eur(dd, sizeof(dd), s->unallocated_eur));
		d_item_end(d);
	}
	d_list_end(d);
}

static void decision(const struct doc *d, const p304_note *n)
{
	const p304_result *res = n->alloc;
	char e[64], w[64], x[64];

	d_heading(d, 2, NULL, "Décision demandée");
	d_para_begin(d, "decision");
	d_textf(d, "Valider la répartition de %s entre %s présentée en annexe 1",
		eur(e, sizeof(e), res->summary.allocated_eur), count_coll(w, sizeof(w), res->nrows));
	if (n->nt)
		d_textf(d, ", et la notification de %s au vu des besoins exprimés (reliquat : %s)",
			eur(x, sizeof(x), n->nt->summary.notified_eur),
			eur(w, sizeof(w), n->nt->summary.unallocated_eur));
	else
		d_text(d, ", en vue de la pré-notification des montants aux collectivités");
	d_text(d, ".");
	d_para_end(d);
}

/* "floor" -> « au plancher »: the page's words (STATUS_FR, state.js),
 * never « formule » for a row lowered by the floors of others. */
static const char *status_words(const char *s)
{
	return !strcmp(s, "floor") ? "au plancher" : !strcmp(s, "ceiling") ? "au plafond"
	     : !strcmp(s, "free") ? "selon la clé" : p304_status_label_fr(s);
}

static const char *main_factor(const p304_comparison *c, const p304_compare_row *r,
			       char *buf, size_t size)
{
	const char *f = p304_compare_main_factor(c, r);

	return f ? p304_factor_label_fr(f, buf, size) : "";
}

/* "Seine-et-Marne (77)". */
static const char *named(char *buf, size_t size, const char *name, const char *code)
{
	snprintf(buf, size, "%s (%s)", name, code);
	return buf;
}

static void movers_table(const struct doc *d, const p304_comparison *c, int by_pct)
{
	static const char *const head[] = { "collectivité", "référence", "scénario", "écart", "écart (%)",
		"surtout" };
	const char *align = c->decomposed ? "lrrrrl" : "lrrrr";
	const p304_compare_row *mv[10];
	size_t nrises, m = p304_compare_movers(c, by_pct, 5, mv, &nrises);

	d_heading(d, 3, NULL, by_pct ? "En pourcentage du montant de référence" : "En euros");
	if (m == 0) {
		d_para_begin(d, NULL);
		d_text(d, "Aucune collectivité présente des deux côtés ne change de montant.");
		d_para_end(d);
		return;
	}
	d_table_begin(d, "movers", align, head);
	for (size_t i = 0; i < m; i++) {
		char nm[256], a[64], b[64], dd[64], p[32], f[128];
		const char *cell[6];

		cell[0] = named(nm, sizeof(nm), mv[i]->name, mv[i]->code);
		cell[1] = eur(a, sizeof(a), mv[i]->a_eur);
		cell[2] = eur(b, sizeof(b), mv[i]->b_eur);
		cell[3] = eur_signed(dd, sizeof(dd), mv[i]->b_eur - mv[i]->a_eur);
		cell[4] = mv[i]->a_eur ? pct_signed(p, sizeof(p), p304_compare_pct(mv[i])) : "";
		cell[5] = main_factor(c, mv[i], f, sizeof(f));
		d_table_row(d, align, cell, 0);
	}
	d_table_end(d);
}

static void movers(const struct doc *d, const p304_note *n)
{
	const p304_comparison *c = n->cmp;

	d_heading(d, 2, NULL, "Les plus fortes variations");
	d_para_begin(d, "small");
	d_textf(d, "Écart = scénario « %s » moins référence « %s » ; les cinq plus fortes hausses, "
		"puis les cinq plus fortes baisses, parmi les collectivités présentes des deux côtés.",
		c->b_id, c->a_id);
	if (c->decomposed)
		d_text(d, " « Surtout » : le facteur qui explique le plus l'écart (hors enveloppe, "
		       "quand l'enveloppe n'explique pas tout).");
	d_para_end(d);
	movers_table(d, c, 0);
	if (!n->nt)   /* with the notification, page 2 holds one table */
		movers_table(d, c, 1);
}

/* Who did not answer (above = 0: no answer or late), or who asked more
 * than the amount offered (above = 1): their indices into idx, the former
 * by pre-notified amount at stake, the latter by the gap asked beyond the
 * offer, largest first (ties in code order). Returns how many. */
static size_t notif_pick(const p304_note *n, int above, size_t *idx)
{
	const p304_notification *nt = n->nt;
	const p304_result *res = n->alloc;
	size_t k = 0;

	for (size_t i = 0; i < res->nrows; i++) {
		const p304_recon_row *r = &nt->rows[i];
		int64_t key;
		size_t j = k;

		if (above ? nt->need[i] == P304_NO_BOUND || nt->late[i] ||
			    nt->need[i] <= res->rows[i].alloc.amount_eur
			  : r->reason != P304_REASON_NO_ANSWER && r->reason != P304_REASON_LATE)
			continue;
		key = above ? nt->need[i] - res->rows[i].alloc.amount_eur : res->rows[i].alloc.amount_eur;
		/* insertion: at most a few hundred participants */
		while (j > 0) {
			size_t p = idx[j - 1];
			int64_t pk = above ? nt->need[p] - res->rows[p].alloc.amount_eur
					   : res->rows[p].alloc.amount_eur;

			if (pk >= key)
				break;
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
		k++;
	}
	return k;
}

/* The body names only the few that matter (issue 21: page 2 listed 42
 * départements inline); the full lists are the annex's. */
#define NOTE_FEW 5

/* The names of the body: every one when they are few, else the NOTE_FEW
 * first of idx and where the full list is. */
static void notification_names(const struct doc *d, const p304_note *n, int above,
			       const size_t *idx, size_t k, const char *annex)
{
	const p304_notification *nt = n->nt;
	const p304_result *res = n->alloc;
	size_t few = above ? NOTE_FEW - 2 : NOTE_FEW;  /* those come with two amounts */
	size_t shown = k <= few + 1 ? k : few;
	char nm[256], a[64], b[64], w[64];

	if (k == 0) {
		d_text(d, " aucune.");
		return;
	}
	if (shown < k) {
		int64_t sum = 0;

		for (size_t j = 0; j < k; j++)
			sum += above ? nt->need[idx[j]] - res->rows[idx[j]].alloc.amount_eur
				     : res->rows[idx[j]].alloc.amount_eur;
		if (above)
			d_textf(d, " %s, qui demandent ensemble %s de plus que les montants proposés ; "
				"les plus forts écarts :", count_coll(w, sizeof(w), k), eur(a, sizeof(a), sum));
		else
			d_textf(d, " %s (%s pré-notifiés), dont les plus dotées :",
				count_coll(w, sizeof(w), k), eur(a, sizeof(a), sum));
	}
	for (size_t j = 0; j < shown; j++) {
		size_t i = idx[j];

		d_text(d, j ? ", " : " ");
		d_text(d, named(nm, sizeof(nm), res->rows[i].name, res->rows[i].code));
		if (above)
			d_textf(d, " (%s demandés pour %s proposés)", eur(a, sizeof(a), nt->need[i]),
				eur(b, sizeof(b), res->rows[i].alloc.amount_eur));
		else if (nt->rows[i].reason == P304_REASON_LATE)
			d_text(d, " (hors délai)");
	}
	if (shown < k)
		d_textf(d, " ; liste complète en %s", annex);
	d_text(d, ".");
}

/* The notification's method as the policy actually used ran it (issue 21):
 * « au plus son montant pré-notifié » is false once the reliquat has been
 * handed out to unmet needs (Ain: 1 250 000 € for 600 000 € pre-notified). */
static void method_notification(const struct doc *d, const p304_note *n)
{
	const p304_notification *nt = n->nt;
	const p304_recon_policy *pol = &n->alloc->scenario->recon;
	int64_t added = 0;
	size_t raised = 0;
	char a[64];

	for (size_t i = 0; i < n->alloc->nrows; i++)
		if (nt->rows[i].notified_eur > n->alloc->rows[i].alloc.amount_eur) {
			raised++;
			added += nt->rows[i].notified_eur - n->alloc->rows[i].alloc.amount_eur;
		}
	d_textf(d, "Notification : chaque collectivité se voit d'abord accorder au plus son montant "
		"pré-notifié et au plus son besoin exprimé ; sans réponse dans les délais, %s. ",
		pol->missing == P304_MISSING_KEEP ? "elle garde son montant pré-notifié"
						   : "elle renonce aux crédits");
	if (pol->surplus == P304_SURPLUS_NONE)
		d_text(d, "Le reliquat n'est pas redistribué : aucune collectivité ne reçoit plus que son "
		       "montant pré-notifié.");
	else {
		d_textf(d, "Le reliquat est ensuite réparti entre les besoins non couverts, %s, sans "
			"dépasser le besoin exprimé ni le plafond : une collectivité peut alors recevoir "
			"plus que son montant pré-notifié",
			pol->surplus == P304_SURPLUS_CRITERIA ? "en proportion des parts de la clé"
							      : "en proportion de ces besoins");
		if (raised)
			d_textf(d, " (ici %zu collectivité%s, pour %s au total).", raised, raised > 1 ? "s" : "",
				eur(a, sizeof(a), added));
		else
			d_text(d, " (ici aucune).");
	}
}

static void notification_who(const struct doc *d, const p304_note *n, const char *annex)
{
	const p304_notification *nt = n->nt;
	const p304_recon_policy *pol = &n->alloc->scenario->recon;
	size_t *idx = malloc((n->alloc->nrows ? n->alloc->nrows : 1) * sizeof(size_t)), k;
	char a[64];

	if (!idx)
		return;
	k = notif_pick(n, 0, idx);
	d_para_begin(d, NULL);
	d_strong(d, "Sans réponse dans les délais :");
	notification_names(d, n, 0, idx, k, annex);
	if (k)
		d_textf(d, " %s", pol->missing == P304_MISSING_KEEP
			? "Elles gardent leur montant pré-notifié."
			: "Leur absence de réponse vaut renoncement aux crédits.");
	d_para_end(d);
	k = notif_pick(n, 1, idx);
	d_para_begin(d, NULL);
	d_strong(d, "Demandes supérieures au montant proposé :");
	notification_names(d, n, 1, idx, k, annex);
	d_para_end(d);
	free(idx);
	d_para_begin(d, NULL);
	d_strong(d, "Reliquat :");
	if (nt->summary.unallocated_eur == 0)
		d_text(d, " aucun : les crédits disponibles sont entièrement notifiés.");
	else if (pol->surplus == P304_SURPLUS_NONE)
		d_textf(d, " %s restent non notifiés ; il est proposé de les garder en réserve pour "
			"une redistribution ultérieure (aux besoins non couverts ou selon les critères).",
			eur(a, sizeof(a), nt->summary.unallocated_eur));
	else
		d_textf(d, " %s restent non notifiés après la redistribution %s, faute de besoins "
			"non couverts à servir.", eur(a, sizeof(a), nt->summary.unallocated_eur),
			pol->surplus == P304_SURPLUS_CRITERIA ? "selon les critères"
							      : "aux besoins non couverts");
	d_para_end(d);
}

/* The full lists the body only counts: who did not answer, who asked more
 * than offered (issue 21). */
static void notification_annex(const struct doc *d, const p304_note *n, const char *title)
{
	const p304_notification *nt = n->nt;
	const p304_result *res = n->alloc;
	size_t *idx = malloc((res->nrows ? res->nrows : 1) * sizeof(size_t)), k;
	static const char *const h0[] = { "collectivité", "pré-notifié", "notifié", "motif" };
	static const char *const h1[] = { "collectivité", "demandé", "proposé", "écart", "notifié" };
	char nm[256], a[64], b[64], c[64], e[64], head[160];
	const char *row[5];

	if (!idx)
		return;
	d_heading(d, 2, NULL, title);
	k = notif_pick(n, 0, idx);
	snprintf(head, sizeof(head), "Sans réponse dans les délais (%zu)", k);
	d_heading(d, 3, NULL, head);
	if (k) {
		d_table_begin(d, "full", "lrrl", h0);
		for (size_t j = 0; j < k; j++) {
			size_t i = idx[j];

			row[0] = named(nm, sizeof(nm), res->rows[i].name, res->rows[i].code);
			row[1] = eur(a, sizeof(a), res->rows[i].alloc.amount_eur);
			row[2] = eur(b, sizeof(b), nt->rows[i].notified_eur);
			row[3] = nt->rows[i].reason == P304_REASON_LATE ? "hors délai"
				 : nt->absent && nt->absent[i] ? "absente du fichier des besoins" : "sans réponse";
			d_table_row(d, "lrrl", row, 0);
		}
		d_table_end(d);
	}
	k = notif_pick(n, 1, idx);
	snprintf(head, sizeof(head), "Demandes supérieures au montant proposé (%zu)", k);
	d_heading(d, 3, NULL, head);
	if (k) {
		d_table_begin(d, "full", "lrrrr", h1);
		for (size_t j = 0; j < k; j++) {
			size_t i = idx[j];

			row[0] = named(nm, sizeof(nm), res->rows[i].name, res->rows[i].code);
			row[1] = eur(a, sizeof(a), nt->need[i]);
			row[2] = eur(b, sizeof(b), res->rows[i].alloc.amount_eur);
			row[3] = eur_signed(c, sizeof(c), nt->need[i] - res->rows[i].alloc.amount_eur);
			row[4] = eur(e, sizeof(e), nt->rows[i].notified_eur);
			d_table_row(d, "lrrrr", row, 0);
		}
		d_table_end(d);
	}
	free(idx);
}

/* Every motif counted, as the page's cards do (issue 21: « 0 complété,
 * 0 réduit » while Lozère was cut to its need and Nord held at its
 * pre-notified amount). */
static void notification_motifs(const struct doc *d, const p304_note *n)
{
	static const struct { p304_reason r; const char *one, *many; } m[] = {
		{ P304_REASON_NEED_BELOW, "ramené au besoin exprimé, inférieur au montant proposé",
		  "ramenés au besoin exprimé, inférieur au montant proposé" },
		{ P304_REASON_NEED_ABOVE, "maintenu au montant proposé, la demande étant supérieure",
		  "maintenus au montant proposé, la demande étant supérieure" },
		{ P304_REASON_AS_PRENOTIFIED, "égal au montant pré-notifié", "égaux au montant pré-notifié" },
		{ P304_REASON_CAPPED, "limité par le plafond de la demande", "limités par le plafond de la demande" },
		{ P304_REASON_REDUCED, "réduit faute de crédits", "réduits faute de crédits" },
		{ P304_REASON_TOPPED_UP, "complété sur le reliquat", "complétés sur le reliquat" },
	};
	size_t said = 0;

	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		size_t c = 0;

		for (size_t i = 0; i < n->alloc->nrows; i++)
			c += n->nt->rows[i].reason == m[k].r;
		if (!c)
			continue;
		d_textf(d, "%s%zu montant%s %s", said++ ? " ; " : " Montants notifiés : ", c,
			c > 1 ? "s" : "", c > 1 ? m[k].many : m[k].one);
	}
	if (said)
		d_text(d, ".");
}

static void notification(const struct doc *d, const p304_note *n, const char *annex)
{
	const p304_recon_summary *s = &n->nt->summary;
	static const char *const head[] = { "", "montant" };
	char a[64], b[64], c[64], e[64], f[64];
	const char *row[2];

	d_heading(d, 2, NULL, "Notification");
	d_table_begin(d, "notif", "lr", head);
	row[0] = "Montants pré-notifiés";
	row[1] = eur(a, sizeof(a), n->alloc->summary.allocated_eur);
	d_table_row(d, "lr", row, 0);
	row[0] = "Besoins exprimés dans les délais";
	row[1] = eur(b, sizeof(b), s->needs_eur);
	d_table_row(d, "lr", row, 0);
	row[0] = "Crédits disponibles";
	row[1] = eur(c, sizeof(c), n->nt->available_eur);
	d_table_row(d, "lr", row, 0);
	row[0] = "Montants notifiés";
	row[1] = eur(e, sizeof(e), s->notified_eur);
	d_table_row(d, "lr", row, 1);
	row[0] = "Reliquat (non notifié)";
	row[1] = eur(f, sizeof(f), s->unallocated_eur);
	d_table_row(d, "lr", row, 0);
	d_table_end(d);
	d_para_begin(d, "small");
	d_textf(d, "%zu réponse%s dans les délais, %zu sans réponse, %zu hors délai.",
		s->n_answered, s->n_answered > 1 ? "s" : "", s->n_no_answer, s->n_late);
	notification_motifs(d, n);
	d_para_end(d);
	notification_who(d, n, annex);
}

static void regional(const struct doc *d, const p304_note *n, const char *title)
{
	static const char *const head[] = { "région", "collectivités", "pré-notifié", "notifié" };
	const char *align = n->nt ? "lrrr" : "lrr";
	p304_region_total *t;
	size_t nt = 0;
	char a[64], b[64], k[32];
	const char *row[4];

	d_heading(d, 2, NULL, title ? title : "Par région");
	d_table_begin(d, "regions", align, head);
	t = regions(n, &nt);
	for (size_t i = 0; t && i < nt; i++) {
		snprintf(k, sizeof(k), "%zu", t[i].n);
		row[0] = t[i].name;
		row[1] = k;
		row[2] = eur(a, sizeof(a), t[i].amount[0]);
		row[3] = n->nt ? eur(b, sizeof(b), t[i].amount[1]) : "";
		d_table_row(d, align, row, 0);
	}
	free(t);
	snprintf(k, sizeof(k), "%zu", n->alloc->nrows);
	row[0] = "Total";
	row[1] = k;
	row[2] = eur(a, sizeof(a), n->alloc->summary.allocated_eur);
	row[3] = n->nt ? eur(b, sizeof(b), n->nt->summary.notified_eur) : "";
	d_table_row(d, align, row, 1);
	d_table_end(d);
}

static void sources_box(const struct doc *d, const p304_note *n, const p304_source_text *src)
{
	const p304_scenario *sc = n->alloc->scenario;
	char p[32];

	if (!d->md)
		d_raw(d, "<div class=\"box\">");
	d_para_begin(d, NULL);
	d_strong(d, "Sources.");
	d_text(d, " Critères et pondérations :");
	d_para_end(d);
	d_list_begin(d, NULL);
	for (size_t k = 0; k < sc->ncriteria; k++) {
		d_item_begin(d);
		d_textf(d, "%s (%s %%) : %s", src ? src[k].label : sc->criteria[k].column,
			num_fr(p, sizeof(p), sc->criteria[k].weight_pct),
			src ? src[k].words : "source non renseignée");
		d_item_end(d);
	}
	d_list_end(d);
	if (!d->md)
		d_raw(d, "</div>\n");
}

/* The full table: every authority of the scenario (and, with a
 * comparison, every one of the reference). */
static void annex_table(const struct doc *d, const p304_note *n)
{
	const p304_result *res = n->alloc;
	const p304_comparison *c = n->cmp;
	char align[8], e1[64], e2[64], e3[64], e4[64], p[32], nm[256];
	const char *head[7], *row[7];
	size_t nh = 0;

	d_heading(d, 2, NULL, "Annexe 1 — Montants par collectivité");
	head[nh++] = "code";
	head[nh++] = "collectivité";
	head[nh++] = "statut";
	head[nh++] = "montant";
	if (c) {
		head[nh++] = "référence";
		head[nh++] = "écart";
		head[nh++] = "écart (%)";
	} else if (n->nt) {
		head[nh++] = "notifié";
	}
	memcpy(align, "llrr", 4);
	for (size_t i = 4; i < nh; i++)
		align[i] = 'r';
	align[2] = 'l';
	align[nh] = '\0';
	d_para_begin(d, "small");
	if (c)
		d_textf(d, "Montant = scénario « %s » ; référence = « %s » ; « — » : absente de ce côté. "
			"Statut : selon la clé (montant proportionnel à la part), au plancher ou au plafond.",
			c->b_id, c->a_id);
	else
		d_text(d, "Statut : selon la clé (montant proportionnel à la part), au plancher ou au plafond.");
	d_para_end(d);
	d_table_begin(d, "full", align, head);
	if (c) {
		for (size_t i = 0; i < c->nrows; i++) {
			const p304_compare_row *r = &c->rows[i];

			row[0] = r->code;
			row[1] = r->name;
			row[2] = r->in_b ? status_words(r->status_b) : "—";
			row[3] = r->in_b ? eur(e1, sizeof(e1), r->b_eur) : "—";
			row[4] = r->in_a ? eur(e2, sizeof(e2), r->a_eur) : "—";
			row[5] = r->in_a && r->in_b ? eur_signed(e3, sizeof(e3), r->b_eur - r->a_eur) : "—";
			row[6] = r->in_a && r->in_b && r->a_eur ? pct_signed(p, sizeof(p), p304_compare_pct(r)) : "—";
			d_table_row(d, align, row, 0);
		}
		row[0] = "";
		row[1] = "Total";
		row[2] = "";
		row[3] = eur(e1, sizeof(e1), c->b_total);
		row[4] = eur(e2, sizeof(e2), c->a_total);
		row[5] = eur_signed(e3, sizeof(e3), c->b_total - c->a_total);
		row[6] = "";
		d_table_row(d, align, row, 1);
	} else {
		for (size_t i = 0; i < res->nrows; i++) {
			const p304_result_row *r = &res->rows[i];

			row[0] = r->code;
			row[1] = r->name;
			row[2] = status_words(p304_status_name(r->alloc.status));
			row[3] = eur(e1, sizeof(e1), r->alloc.amount_eur);
			row[4] = n->nt ? eur(e2, sizeof(e2), n->nt->rows[i].notified_eur) : "";
			d_table_row(d, align, row, 0);
		}
		row[0] = "";
		row[1] = "Total";
		row[2] = "";
		row[3] = eur(e1, sizeof(e1), res->summary.allocated_eur);
		row[4] = n->nt ? eur(e4, sizeof(e4), n->nt->summary.notified_eur) : "";
		d_table_row(d, align, row, 1);
	}
	d_table_end(d);
	(void)nm;
}

static void method(const struct doc *d, const p304_note *n, const p304_source_text *src, int number)
{
	const p304_result *res = n->alloc;
	const p304_scenario *sc = res->scenario;
	char a[64], p[32], title[64];

	snprintf(title, sizeof(title), "Annexe %d — Sources et méthode", number);
	d_heading(d, 2, NULL, title);
	d_heading(d, 3, NULL, "Données");
	d_list_begin(d, NULL);
	for (size_t k = 0; k < sc->ncriteria; k++) {
		d_item_begin(d);
		d_textf(d, "%s (pondération %s %%) : %s.", src ? src[k].label : sc->criteria[k].column,
			num_fr(p, sizeof(p), sc->criteria[k].weight_pct),
			src ? src[k].words : "source non renseignée");
		if (src && src[k].method[0])
			d_textf(d, " Construction : %s.", src[k].method);
		d_item_end(d);
	}
	d_list_end(d);
	d_heading(d, 3, NULL, "Méthode");
	d_list_begin(d, NULL);
	d_item_begin(d);
	d_text(d, "Part de chaque collectivité : somme, critère par critère, de sa valeur rapportée au "
	       "total des participants, multipliée par la pondération du critère.");
	d_item_end(d);
	d_item_begin(d);
	d_textf(d, "Entre plancher et plafond, chacune reçoit le même multiple de sa part, de sorte "
		"que le total soit l'enveloppe ; arrondi %s par la méthode des plus forts restes "
		"(chaque tableau tombe juste à l'euro).", rounding_fr(a, sizeof(a), sc->rounding_eur));
	d_item_end(d);
	if (n->cmp && n->cmp->decomposed) {
		d_item_begin(d);
		d_text(d, "Écarts avec la référence répartis entre les facteurs qui diffèrent "
		       "(enveloppe, participants, pondérations, données de chaque critère, plancher et "
		       "plafond, arrondi) : chaque facteur est passé de la référence au scénario dans tous "
		       "les ordres possibles et reçoit la moyenne de ses effets, de sorte que les "
		       "contributions s'additionnent à l'euro près à l'écart.");
		d_item_end(d);
	}
	if (n->nt) {
		d_item_begin(d);
		method_notification(d, n);
		d_item_end(d);
	}
	d_list_end(d);
	if (res->nwarnings) {
		d_heading(d, 3, NULL, "Données complétées ou écartées");
		d_list_begin(d, NULL);
		for (size_t w = 0; w < res->nwarnings; w++) {
			char words[1200];

			d_item_begin(d);
			d_text(d, p304_warning_words(res, src, res->warnings[w], words, sizeof(words)));
			d_item_end(d);
		}
		d_list_end(d);
	}
	/* file and column names only here, for whoever checks the figures
	 * (issue 21: no technical word in the note outside a « détails » part) */
	d_heading(d, 3, NULL, "Détails techniques");
	d_list_begin(d, NULL);
	d_item_begin(d);
	d_textf(d, "Scénario « %s » (fichier %s) ; calcul par p304 %s.", sc->id,
		strrchr(sc->path, '/') ? strrchr(sc->path, '/') + 1 : sc->path, P304_VERSION);
	d_item_end(d);
	d_item_begin(d);
	d_text(d, "Colonnes de la table des critères :");
	for (size_t k = 0; k < sc->ncriteria; k++)
		d_textf(d, "%s %s (%s)", k ? "," : "", sc->criteria[k].column,
			src ? src[k].label : sc->criteria[k].column);
	d_text(d, ".");
	d_item_end(d);
	for (size_t w = 0; w < res->nwarnings; w++) {
		d_item_begin(d);
		d_text(d, res->warnings[w]);
		d_item_end(d);
	}
	d_list_end(d);
}

/* ------------------------------------------------------------------ */
/* The campaign's history (--ledger, issue 22)                          */
/* ------------------------------------------------------------------ */

/* The years the note cites: N − 2 and N − 1 when they have delegated or
 * consumed amounts (oldest first); their count. */
static int hist_years(const p304_note *n, int year[2])
{
	int k = 0;

	for (int y = n->hist_year - 2; n->hist && y < n->hist_year; y++)
		if (p304_ledger_year_executed(n->hist, y))
			year[k++] = y;
	return k;
}

/* 1 when one amount of the years cited is ILLUSTRATIF. */
static int hist_illustrative(const p304_note *n, const int *year, int ny)
{
	p304_ledger_year_totals t;
	int any = 0;

	for (int k = 0; k < ny; k++) {
		p304_ledger_year_totals_of(n->hist, year[k], &t);
		any |= t.illustrative;
	}
	return any;
}

/* 85.26 -> "85,3 %"; "—" when there is nothing to divide by. */
static const char *rate_fr(char *buf, size_t size, int64_t part, int64_t whole)
{
	char *dot;

	if (whole <= 0)
		return snprintf(buf, size, "—"), buf;
	snprintf(buf, size, "%.1f" NNBSP "%%", (double)part * 100.0 / (double)whole);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

/* « registre de campagne, fichier X, enregistré le 6 décembre 2026 ». */
static void hist_source(const struct doc *d, const p304_ledger_digest *h, int illustrative)
{
	char day[64];
	int y, m, dd;
	long ymd = sscanf(h->at, "%4d-%2d-%2d", &y, &m, &dd) == 3 ? (long)y * 10000 + m * 100 + dd : -1;

	d_textf(d, "Source : registre de campagne, fichier %s", h->ledger);
	if (ymd > 0)
		d_textf(d, ", enregistré le %s", p304_date_fr(ymd, day, sizeof(day)));
	d_text(d, ".");
	if (illustrative)
		d_text(d, " « Illustratif » : montants inventés pour l'exemple (commentaire "
		       "ILLUSTRATIF au registre), pas des montants réels.");
}

/* The cited years' national totals, pre-notified to consumed, one column
 * per year (annex 4): narrow enough for Word's page. */
static void history_totals(const struct doc *d, const p304_note *n, const int *year, int ny)
{
	static const char *const label[] = { "Pré-notifié", "Notifié", "Délégué", "Consommé" };
	static const p304_stage stage[] = { P304_STAGE_PRENOTIFIED, P304_STAGE_NOTIFIED,
					    P304_STAGE_DELEGATED, P304_STAGE_CONSUMED };
	static const int width[] = { 34, 20, 20 };
	p304_ledger_year_totals t[2];
	char head_y[2][48], cell[2][64];
	const char *head[3], *row[3], *align = ny == 2 ? "lrr" : "lr";

	head[0] = "";
	for (int k = 0; k < ny; k++) {
		p304_ledger_year_totals_of(n->hist, year[k], &t[k]);
		snprintf(head_y[k], sizeof(head_y[k]), "%d%s", year[k], t[k].illustrative ? " (illustratif)" : "");
		head[k + 1] = head_y[k];
	}
	d_table_begin_w(d, "notif", align, head, width);
	for (size_t s = 0; s < 4; s++) {
		row[0] = label[s];
		for (int k = 0; k < ny; k++)
			row[k + 1] = t[k].count[stage[s]] ? eur(cell[k], sizeof(cell[k]), t[k].total[stage[s]]) : "—";
		d_table_row(d, align, row, 0);
	}
	row[0] = "Taux de consommation";
	for (int k = 0; k < ny; k++)
		row[k + 1] = rate_fr(cell[k], sizeof(cell[k]), t[k].consumed_reported, t[k].delegated_reported);
	d_table_row(d, align, row, 0);
	row[0] = "Collectivités en sous-consommation";
	for (int k = 0; k < ny; k++) {
		if (t[k].n_reported)
			snprintf(cell[k], sizeof(cell[k]), "%zu sur %zu", t[k].n_under, t[k].n_reported);
		else
			snprintf(cell[k], sizeof(cell[k]), "—");
		row[k + 1] = cell[k];
	}
	d_table_row(d, align, row, 0);
	d_table_end(d);
	d_para_begin(d, "small");
	d_text(d, "Taux : consommé rapporté au délégué des collectivités qui ont transmis leur rapport "
	       "d'exécution ; sous-consommation : consommé inférieur au délégué, parmi elles.");
	d_para_end(d);
}

/* Page 2: what was delegated and consumed in N − 1 (and N − 2), in one
 * short paragraph below the regions (page 2 stays on its page with the
 * sources box); the table is in annex 4. */
static void history(const struct doc *d, const p304_note *n, int annex)
{
	p304_ledger_year_totals t;
	int year[2], ny = hist_years(n, year);
	char a[64], b[64], c[64], r[32], w[64], v[64];

	if (!ny)
		return;
	d_para_begin(d, "small");
	d_strong(d, "Exécution des années précédentes.");
	for (int k = ny - 1; k >= 0; k--) {
		p304_ledger_year_totals_of(n->hist, year[k], &t);
		if (k < ny - 1) {
			d_textf(d, " En %d%s : %s délégués", year[k], t.illustrative ? " (illustratif)" : "",
				eur(a, sizeof(a), t.total[P304_STAGE_DELEGATED]));
			if (t.n_reported)
				d_textf(d, " ; %s consommés sur %s (%s ; %zu rapport%s d'exécution reçu%s "
					"sur %zu).", eur(b, sizeof(b), t.consumed_reported),
					eur(c, sizeof(c), t.delegated_reported),
					rate_fr(r, sizeof(r), t.consumed_reported, t.delegated_reported),
					t.n_reported, t.n_reported > 1 ? "s" : "", t.n_reported > 1 ? "s" : "",
					t.n_reported + t.n_no_report);
			else
				d_text(d, " ; aucun rapport d'exécution n'est enregistré.");
			continue;
		}
		d_textf(d, " En %d%s, %s ont été délégués à %s", year[k],
			t.illustrative ? " (montants illustratifs)" : "",
			eur(a, sizeof(a), t.total[P304_STAGE_DELEGATED]),
			count_coll(w, sizeof(w), t.n_funded));
		if (t.n_reported > 1)
			d_textf(d, " ; les rapports d'exécution de %zu d'entre elles déclarent %s consommés "
				"sur les %s qui leur ont été délégués (%s) ; %s.", t.n_reported,
				eur(b, sizeof(b), t.consumed_reported), eur(c, sizeof(c), t.delegated_reported),
				rate_fr(r, sizeof(r), t.consumed_reported, t.delegated_reported),
				count_verb(v, sizeof(v), t.n_under, "a consommé moins que sa délégation",
					   "ont consommé moins que leur délégation"));
		else if (t.n_reported)
			d_textf(d, " ; le seul rapport d'exécution reçu déclare %s consommés sur les %s "
				"délégués à cette collectivité (%s).",
				eur(b, sizeof(b), t.consumed_reported), eur(c, sizeof(c), t.delegated_reported),
				rate_fr(r, sizeof(r), t.consumed_reported, t.delegated_reported));
		else
			d_text(d, " ; aucun rapport d'exécution n'est enregistré.");
	}
	d_text(d, " ");
	hist_source(d, n->hist, hist_illustrative(n, year, ny));
	d_textf(d, " Détail : annexe %d.", annex);
	d_para_end(d);
}

/* Annex 4: delegated, consumed and rate of every collectivité of the
 * ledger in the years cited (their totals are page 2's). */
static void history_annex(const struct doc *d, const p304_note *n, int number)
{
	const p304_ledger_digest *h = n->hist;
	p304_ledger_year_totals t[2];
	int year[2], ny = hist_years(n, year);
	static const int width[] = { 5, 18, 14, 14, 8, 14, 14, 8 };
	char align[16], hb[6][48], c[6][64], title[128];
	const char *head[8], *row[8];
	size_t nh = 0;

	if (!ny)
		return;
	snprintf(title, sizeof(title), "Annexe %d — Exécution des années précédentes (registre de "
		 "campagne)", number);
	d_heading(d, 2, NULL, title);
	d_para_begin(d, "small");
	hist_source(d, h, hist_illustrative(n, year, ny));
	d_para_end(d);
	history_totals(d, n, year, ny);
	d_heading(d, 3, NULL, "Par collectivité");
	d_para_begin(d, "small");
	d_text(d, "« — » : aucun montant enregistré ; taux : consommé rapporté au délégué.");
	d_para_end(d);
	head[nh++] = "code";
	head[nh++] = "collectivité";
	for (int k = 0; k < ny; k++) {
		p304_ledger_year_totals_of(h, year[k], &t[k]);
		snprintf(hb[3 * k], sizeof(hb[0]), "délégué %d", year[k]);
		snprintf(hb[3 * k + 1], sizeof(hb[0]), "consommé %d", year[k]);
		snprintf(hb[3 * k + 2], sizeof(hb[0]), "taux %d", year[k]);
		for (int j = 0; j < 3; j++)
			head[nh++] = hb[3 * k + j];
	}
	memset(align, 'r', nh);
	align[0] = align[1] = 'l';
	align[nh] = '\0';
	d_table_begin_w(d, "full", align, head, width);
	for (size_t r = 0; r < h->nrows; r++) {
		const p304_authority *a = p304_reference_find(n->alloc->reference, h->codes[r]);
		int any = 0;

		row[0] = h->codes[r];
		row[1] = a ? a->name : "";
		for (int k = 0; k < ny; k++) {
			const p304_ledger_cell *dl = p304_ledger_digest_cell(h, r, year[k], P304_STAGE_DELEGATED);
			const p304_ledger_cell *cs = p304_ledger_digest_cell(h, r, year[k], P304_STAGE_CONSUMED);
			int hd = dl->amount_eur != P304_LEDGER_NONE, hc = cs->amount_eur != P304_LEDGER_NONE;

			any |= hd || hc;
			row[2 + 3 * k] = hd ? eur(c[3 * k], sizeof(c[0]), dl->amount_eur) : "—";
			row[3 + 3 * k] = hc ? eur(c[3 * k + 1], sizeof(c[0]), cs->amount_eur) : "—";
			row[4 + 3 * k] = hd && hc ? rate_fr(c[3 * k + 2], sizeof(c[0]), cs->amount_eur,
							  dl->amount_eur) : "—";
		}
		if (any)
			d_table_row(d, align, row, 0);
	}
	row[0] = "";
	row[1] = "Total";
	for (int k = 0; k < ny; k++) {
		row[2 + 3 * k] = eur(c[3 * k], sizeof(c[0]), t[k].total[P304_STAGE_DELEGATED]);
		row[3 + 3 * k] = eur(c[3 * k + 1], sizeof(c[0]), t[k].total[P304_STAGE_CONSUMED]);
		row[4 + 3 * k] = rate_fr(c[3 * k + 2], sizeof(c[0]), t[k].consumed_reported,
					 t[k].delegated_reported);
	}
	d_table_row(d, align, row, 1);
	d_table_end(d);
}

static const char CSS[] =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;line-height:1.3;color:#222;"
	"max-width:19cm;margin:1cm auto}"
	"h1{font-size:15pt;margin:.2em 0 .3em;line-height:1.2}"
	"h2{font-size:12pt;margin:.9em 0 .35em;border-bottom:1px solid #3b528b;color:#1f3868}"
	"h3{font-size:10.5pt;margin:.7em 0 .3em}"
	"h1,h2,h3{break-after:avoid;page-break-after:avoid}"
	".head{display:flex;justify-content:space-between;color:#444;font-size:9pt;"
	"border-bottom:2px solid #1f3868;padding-bottom:.2em}"
	".objet{margin:.2em 0 .6em;padding:.3em .6em;background:#f5f7fb;border-left:3px solid #1f3868}"
	".decision{font-weight:bold}"
	"ul.key{margin:.2em 0;padding-left:1.2em}ul.key li{margin:.15em 0}"
	"p.small{font-size:8.5pt;color:#444;margin:.2em 0 .4em}"
	"figure{margin:.4em 0;break-inside:avoid;page-break-inside:avoid;text-align:center}"
	"figure svg{width:100%;height:auto}"
	"figure.map svg{max-height:13.5cm;width:auto;max-width:100%}"
	"figure.chart svg{max-height:22cm;width:auto;max-width:100%}"
	"figcaption{font-size:8.5pt;color:#555}"
	"table{border-collapse:collapse;width:100%;font-size:8.5pt;margin:.2em 0 .5em}"
	"table.movers,table.regions,table.notif{break-inside:avoid;page-break-inside:avoid}"
	"table.notif{width:auto;min-width:50%}"
	"th,td{border-bottom:1px solid #ddd;padding:1px 5px;vertical-align:top}"
	"th{background:#dce6f1;text-align:left}th.n,td.n{text-align:right;white-space:nowrap}"
	"tr.total td{font-weight:bold;border-top:1px solid #888}"
	"table.full{font-size:7.5pt}table.full tr{break-inside:avoid}"
	"thead{display:table-header-group}"
	".box{border:1px solid #3b528b;background:#f5f7fb;padding:.2em .7em;margin-top:.6em;font-size:8.5pt;"
	"break-inside:avoid;page-break-inside:avoid}.box p{margin:.3em 0}.box ul{margin:.2em 0}"
	"@page{size:A4;margin:1.4cm 1.5cm}"
	"@media print{body{margin:0;max-width:none}"
	"section.p2,section.annex{break-before:page;page-break-before:always}}";

static p304_code write_note(const p304_note *n, struct doc *d, p304_error *err)
{
	const p304_result *res = n->alloc;
	const p304_scenario *sc = res->scenario;
	p304_source_text *src = NULL;
	char date[64], e[64], w[64];
	/* the number of the last annex, « Sources et méthode »: the
	 * campaign's history (--ledger) comes after it */
	int annexes = 2 + 2 * (n->nt != NULL) + (n->svg_bars || n->svg_compare || n->svg_reconcile);

	/* without a readable sources file the note still comes out, with the
	 * column names and "source non renseignée" */
	if (p304_sources_read(res, &src, NULL) != P304_OK)
		src = NULL;
	p304_date_fr(n->date, date, sizeof(date));
	if (!d->md) {
		d_raw(d, "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>");
		d_text(d, sc->title);
		fprintf(d->fp, "</title><style>%s</style></head><body>\n<section class=\"p1\">\n", CSS);
		d_raw(d, "<div class=\"head\"><span>Programme 304 — protection de l'enfance</span><span>");
		d_textf(d, "Le %s", date);
		d_raw(d, "</span></div>\n");
	} else {
		d_textf(d, "Programme 304 — protection de l'enfance — le %s", date);
		d_raw(d, "\n\n");
	}
	/* the headline says the figures themselves, never a title written for
	 * another envelope (issue 21: « 70 M€ » on a 72 M€ round) */
	{
		char head[300];

		char x[64];

		if (n->nt)
			snprintf(head, sizeof(head), "Notification de %s sur une enveloppe de %s (%s)",
				 eur(x, sizeof(x), n->nt->summary.notified_eur),
				 eur(e, sizeof(e), sc->envelope_eur), count_coll(w, sizeof(w), res->nrows));
		else
			snprintf(head, sizeof(head), "Répartition de %s entre %s",
				 eur(e, sizeof(e), sc->envelope_eur), count_coll(w, sizeof(w), res->nrows));
		d_heading(d, 1, NULL, head);
	}
	d_para_begin(d, "objet");
	d_strong(d, "Objet :");
	d_textf(d, " répartition de l'enveloppe de %s entre %s (scénario « ",
		eur(e, sizeof(e), sc->envelope_eur), count_coll(w, sizeof(w), res->nrows));
	/* the officer's words, not the file's id (issue 21): the id stays in
	 * the annex's « fichier » line */
	d_text(d, sc->title && sc->title[0] ? sc->title : sc->id);
	d_text(d, " »");
	if (n->cmp) {
		d_text(d, ", comparé à la référence « ");
		d_text(d, n->cmp->a_title && n->cmp->a_title[0] ? n->cmp->a_title : n->cmp->a_id);
		d_text(d, " »");
	}
	d_text(d, n->nt ? ") et notification au vu des besoins exprimés." : ").");
	d_para_end(d);
	key_figures(d, n);
	decision(d, n);
	d_figure(d, "map", n->svg_map, n->cmp ? "Montants du scénario par collectivité (en gris, les non-participants)."
					      : "Montants pré-notifiés par collectivité (en gris, les non-participants).");
	d_section(d, "p2");
	if (n->cmp)
		movers(d, n);
	if (n->nt)
		notification(d, n, "annexe 2");
	/* page 2 of a notification note holds the notification; the regions
	 * go to the annex (issue 21: two pages, then the annex) */
	if (!n->nt)
		regional(d, n, NULL);
	history(d, n, annexes + 1);
	sources_box(d, n, src);
	d_section(d, "annex");
	annex_table(d, n);
	if (n->nt) {
		notification_annex(d, n, "Annexe 2 — Notification : sans réponse et demandes supérieures");
		regional(d, n, "Annexe 3 — Par région");
	}
	if (n->svg_bars || n->svg_compare || n->svg_reconcile) {
		d_heading(d, 2, NULL, n->nt ? "Annexe 4 — Graphiques" : "Annexe 2 — Graphiques");
		d_figure(d, "chart", n->svg_bars,
			 "Montants pré-notifiés, du plus élevé au plus faible, avec le plancher et le plafond.");
		d_figure(d, "chart", n->svg_compare,
			 "Montant de chaque collectivité : référence et scénario.");
		d_figure(d, "chart", n->svg_reconcile,
			 "Montant pré-notifié, besoin exprimé et montant notifié.");
	}
	method(d, n, src, annexes);
	history_annex(d, n, annexes + 1);
	if (!d->md)
		d_raw(d, "</section>\n</body></html>\n");
	p304_sources_free(src, sc->ncriteria);
	return ferror(d->fp) ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}

p304_code p304_write_note_html(const p304_note *n, FILE *fp, p304_error *err)
{
	struct doc d = { fp, 0, 0 };

	return write_note(n, &d, err);
}

p304_code p304_write_note_md(const p304_note *n, FILE *fp, p304_error *err)
{
	struct doc d = { fp, 1, n->for_pandoc };

	return write_note(n, &d, err);
}

/* ------------------------------------------------------------------ */
/* Département sheets (p304 fiches)                                    */
/* ------------------------------------------------------------------ */

/* 1439009.634 -> "1 439 009,63 €"; signed adds "+" to positive values. */
static const char *eur_cents(char *buf, size_t size, double v, int signed_)
{
	long long c = (long long)(v * 100.0 + (v < 0 ? -0.5 : 0.5)), a = c < 0 ? -c : c;
	char e[40], *sp;

	eur(e, sizeof(e), a / 100);
	sp = strstr(e, NBSP "€");
	if (sp)
		*sp = '\0';
	snprintf(buf, size, "%s%s,%02lld" NBSP "€", c < 0 ? "-" : signed_ && c > 0 ? "+" : "", e, a % 100);
	return buf;
}

/* 12345 × 1000 -> "12 345"; 12345.5 -> "12 345,5". */
static const char *value_fr(char *buf, size_t size, int64_t milli)
{
	char e[40], *sp;

	eur(e, sizeof(e), milli / P304_VALUE_SCALE);
	if ((sp = strstr(e, NBSP "€")))
		*sp = '\0';
	if (milli % P304_VALUE_SCALE) {
		char frac[8];
		int64_t f = milli % P304_VALUE_SCALE;
		size_t l;

		snprintf(frac, sizeof(frac), "%03lld", (long long)(f < 0 ? -f : f));
		for (l = strlen(frac); l > 0 && frac[l - 1] == '0'; l--)
			frac[l - 1] = '\0';
		snprintf(buf, size, "%s,%s", e, frac);
	} else {
		snprintf(buf, size, "%s", e);
	}
	return buf;
}

static const char *pct_fr(char *buf, size_t size, double v, int decimals)
{
	char *dot;

	snprintf(buf, size, "%.*f" NNBSP "%%", decimals, v);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

/* Cell k (= year index × stages + stage) of row r. */
static const p304_ledger_cell *fiche_cell(const p304_ledger_digest *h, long r, size_t k)
{
	return p304_ledger_digest_cell(h, (size_t)r, h->year0 + (int)(k / P304_NSTAGES),
				       (p304_stage)(k % P304_NSTAGES));
}

/* The sheet's history (p304 fiches --ledger): years × stages of its
 * current amounts in the campaign ledger, then the file each came from. */
static void fiche_history(const struct doc *d, const p304_fiches *fs, const char *code)
{
	const p304_ledger_digest *h = fs->hist;
	long r = p304_ledger_digest_row(h, code);
	const char *head[P304_NSTAGES + 1], *row[P304_NSTAGES + 1];
	char align[P304_NSTAGES + 2], y[48], c[P304_NSTAGES][64];
	static const int width[P304_NSTAGES + 1] = { 14, 14, 14, 14, 14, 14, 14 };
	p304_stage stage[P304_NSTAGES];
	size_t nst = 0;
	int illus = 0;

	d_heading(d, 2, NULL, "Historique de la campagne");
	if (r < 0) {
		d_para_begin(d, NULL);
		d_textf(d, "Aucun montant pour cette collectivité au registre de campagne (fichier %s).",
			h->ledger);
		d_para_end(d);
		return;
	}
	/* the stages this collectivité has an amount of, in the cycle's order:
	 * a narrow table for Word's page */
	head[0] = "année";
	for (int s = 0; s < P304_NSTAGES; s++)
		for (int yr = h->year0; yr < h->year0 + h->nyears; yr++)
			if (p304_ledger_digest_cell(h, (size_t)r, yr, (p304_stage)s)->amount_eur != P304_LEDGER_NONE) {
				stage[nst] = (p304_stage)s;
				head[++nst] = p304_stage_label_fr((p304_stage)s);
				break;
			}
	memset(align, 'r', sizeof(align));
	align[0] = 'l';
	align[nst + 1] = '\0';
	d_table_begin_w(d, "history", align, head, width);
	for (int yr = h->year0; yr < h->year0 + h->nyears; yr++) {
		int any = 0, yillus = 0;

		for (size_t k = 0; k < nst; k++) {
			const p304_ledger_cell *cl = p304_ledger_digest_cell(h, (size_t)r, yr, stage[k]);

			any |= cl->amount_eur != P304_LEDGER_NONE;
			yillus |= cl->illustrative;
			row[k + 1] = cl->amount_eur != P304_LEDGER_NONE ? eur(c[k], sizeof(c[k]), cl->amount_eur) : "—";
		}
		if (!any)
			continue;
		snprintf(y, sizeof(y), "%d%s", yr, yillus ? " (illustratif)" : "");
		illus |= yillus;
		row[0] = y;
		d_table_row(d, align, row, 0);
	}
	d_table_end(d);
	d_para_begin(d, "small");
	d_text(d, "Origine :");
	/* each file once, in the order of its first amount (years, then
	 * stages), with every amount it gave */
	for (size_t k = 0, n = (size_t)h->nyears * P304_NSTAGES, nused = 0; k < n; k++) {
		const p304_ledger_cell *ck = fiche_cell(h, r, k);
		size_t w = 0, j;

		if (ck->amount_eur == P304_LEDGER_NONE)
			continue;
		for (j = 0; j < k; j++)
			if (fiche_cell(h, r, j)->amount_eur != P304_LEDGER_NONE &&
			    fiche_cell(h, r, j)->file == ck->file)
				break;
		if (j < k || ck->file < 0)
			continue;
		d_textf(d, "%s %s (", nused++ ? " ;" : "", h->files[ck->file]);
		for (j = k; j < n; j++) {
			const p304_ledger_cell *cj = fiche_cell(h, r, j);

			if (cj->amount_eur == P304_LEDGER_NONE || cj->file != ck->file)
				continue;
			d_textf(d, "%s%s %d", w++ ? ", " : "", p304_stage_label_fr((p304_stage)(j % P304_NSTAGES)),
				h->year0 + (int)(j / P304_NSTAGES));
		}
		d_text(d, ")");
	}
	d_text(d, ". ");
	hist_source(d, h, illus);
	d_para_end(d);
}

static void fiche_body(const struct doc *d, const p304_fiches *fs, size_t i)
{
	const p304_fiche *f = &fs->f[i];
	const p304_result *res = fs->res;
	const p304_scenario *sc = res->scenario;
	const char *st = status_words(p304_status_name(f->row->alloc.status));
	char title[300], a[64], b[64], c[64], p[48], q[48];

	snprintf(title, sizeof(title), "%s (%s)", f->row->name, f->row->code);
	d_heading(d, 1, NULL, title);
	d_para_begin(d, "objet");
	d_textf(d, "Région %s. Scénario « %s » (%s).", f->row->region_name, sc->title, sc->id);
	d_para_end(d);
	d_para_begin(d, "decision");
	d_textf(d, "Montant : %s, rang %d sur %zu ; statut : %s.", eur(a, sizeof(a), f->amount_eur),
		f->rank, fs->n, st);
	d_para_end(d);

	d_heading(d, 2, NULL, "Les indicateurs");
	{
		static const char *const head[] = { "indicateur", "valeur", "total des participants",
			"part", "pondération", "source" };
		const char *align = "lrrrrl";

		d_table_begin(d, "ind", align, head);
		for (size_t k = 0; k < sc->ncriteria; k++) {
			const p304_fiche_indicator *x = &f->ind[k];
			char v[80], t[80], s[48], w[80], lab[300], sup[1100];
			const char *row[6];

			snprintf(lab, sizeof(lab), "%s%s", x->label, x->imputed ? " (imputé)" : "");
			row[0] = lab;
			row[1] = value_fr(v, sizeof(v), x->value);
			row[2] = value_fr(t, sizeof(t), x->total);
			row[3] = pct_fr(s, sizeof(s), x->share_pct, 3);
			snprintf(w, sizeof(w), "%s" NNBSP "%%", num_fr(p, sizeof(p), x->weight_pct));
			row[4] = w;
			row[5] = x->source;
			/* issue 21: the officer's figure shows where it comes from */
			if (x->supplied) {
				snprintf(sup, sizeof(sup), "table complémentaire : %s", x->supplied);
				row[5] = sup;
			}
			d_table_row(d, align, row, 0);
		}
		d_table_end(d);
	}

	d_heading(d, 2, NULL, "Du calcul au montant");
	{
		static const char *const head[] = { "étape", "montant" };
		const char *row[2];
		char s[48], lbl[300];

		d_table_begin(d, "calc", "lr", head);
		row[0] = "Part (somme des parts × pondérations)";
		row[1] = pct_fr(s, sizeof(s), f->share_pct, 4);
		d_table_row(d, "lr", row, 0);
		snprintf(lbl, sizeof(lbl), "Montant formule (enveloppe de %s × part)", eur(c, sizeof(c), sc->envelope_eur));
		row[0] = lbl;
		row[1] = eur_cents(a, sizeof(a), f->formula_eur, 0);
		d_table_row(d, "lr", row, 0);
		if (f->row->alloc.status == P304_FLOOR)
			snprintf(lbl, sizeof(lbl), "Relevé au plancher de %s", eur(c, sizeof(c), sc->floor_eur));
		else if (f->row->alloc.status == P304_CEILING)
			snprintf(lbl, sizeof(lbl), "Ramené au plafond de %s", eur(c, sizeof(c), sc->ceiling_eur));
		else if (sc->floor_eur != P304_NO_BOUND || sc->ceiling_eur != P304_NO_BOUND)
			snprintf(lbl, sizeof(lbl), "Entre plancher et plafond : même multiple de la part "
				 "pour toutes (ce que les planchers et plafonds laissent de l'enveloppe)");
		else
			snprintf(lbl, sizeof(lbl), "Ni plancher ni plafond");
		row[0] = lbl;
		row[1] = eur_cents(b, sizeof(b), f->exact_eur, 0);
		d_table_row(d, "lr", row, 0);
		snprintf(lbl, sizeof(lbl), "Arrondi %s (plus forts restes : le total tombe juste)",
			 rounding_fr(c, sizeof(c), sc->rounding_eur));
		row[0] = lbl;
		row[1] = eur_cents(q, sizeof(q), f->rounding_eur, 1);
		d_table_row(d, "lr", row, 0);
		row[0] = "Montant";
		row[1] = eur(a, sizeof(a), f->amount_eur);
		d_table_row(d, "lr", row, 1);
		d_table_end(d);
	}

	if (fs->cmp) {
		const p304_comparison *cm = fs->cmp;
		const p304_compare_row *r = f->change;

		d_heading(d, 2, NULL, "Par rapport à la référence");
		d_para_begin(d, NULL);
		if (!r || !r->in_a) {
			d_textf(d, "Absente de la référence « %s » (%s) : elle entre avec %s.", cm->a_title, cm->a_id,
				eur(a, sizeof(a), f->amount_eur));
			d_para_end(d);
		} else {
			d_textf(d, "Référence « %s » (%s) : %s ; ce scénario : %s ; écart : %s", cm->a_title, cm->a_id,
				eur(a, sizeof(a), r->a_eur), eur(b, sizeof(b), r->b_eur),
				eur_signed(c, sizeof(c), r->b_eur - r->a_eur));
			if (r->a_eur)
				d_textf(d, " (%s)", pct_signed(p, sizeof(p), p304_compare_pct(r)));
			d_text(d, ".");
			if (r->note) {
				d_text(d, " ");
				d_text(d, r->note);
			}
			d_para_end(d);
			if (cm->decomposed && r->contrib) {
				static const char *const head[] = { "facteur", "contribution à l'écart" };
				const char *row[2];
				char fr[128];

				d_table_begin(d, "factors", "lr", head);
				for (size_t k = 0; k < cm->nfactors; k++) {
					if (!cm->differs[k])
						continue;
					row[0] = p304_factor_label_fr(cm->factors[k], fr, sizeof(fr));
					row[1] = eur_signed(a, sizeof(a), r->contrib[k]);
					d_table_row(d, "lr", row, 0);
				}
				row[0] = "Écart total";
				row[1] = eur_signed(a, sizeof(a), r->b_eur - r->a_eur);
				d_table_row(d, "lr", row, 1);
				d_table_end(d);
				d_para_begin(d, "small");
				d_text(d, "Chaque facteur est passé de la référence au scénario dans tous les ordres "
				       "possibles ; sa contribution est la moyenne de ses effets : "
				       "les contributions s'additionnent exactement à l'écart.");
				d_para_end(d);
			} else {
				d_para_begin(d, "small");
				d_text(d, "La référence est un fichier de résultat : l'écart n'est pas décomposé par facteur.");
				d_para_end(d);
			}
		}
	}
	if (fs->hist)
		fiche_history(d, fs, f->row->code);
	d_para_begin(d, "small");
	d_textf(d, "Calcul par p304 %s ; sources et méthode : voir la note du scénario.", P304_VERSION);
	d_para_end(d);
}

static void html_head(const struct doc *d, const char *title)
{
	d_raw(d, "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>");
	d_text(d, title);
	fprintf(d->fp, "</title><style>%s</style></head><body>\n<section>\n", CSS);
}

p304_code p304_write_fiche_html(const p304_fiches *fs, size_t i, FILE *fp, p304_error *err)
{
	struct doc d = { fp, 0, 0 };
	char title[300];

	snprintf(title, sizeof(title), "%s (%s)", fs->f[i].row->name, fs->f[i].row->code);
	html_head(&d, title);
	d_raw(&d, "<p class=\"small\"><a href=\"index.html\">← toutes les collectivités</a></p>\n");
	fiche_body(&d, fs, i);
	d_raw(&d, "</section>\n</body></html>\n");
	return ferror(fp) ? p304_error_set(err, P304_ERR_IO, NULL, 0, "write failed") : P304_OK;
}

p304_code p304_write_fiches_index_html(const p304_fiches *fs, FILE *fp, p304_error *err)
{
	struct doc d = { fp, 0, 0 };
	const p304_scenario *sc = fs->res->scenario;
	char a[64], b[64], rk[32];

	html_head(&d, sc->title);
	d_heading(&d, 1, NULL, "Fiches par collectivité");
	d_para_begin(&d, "objet");
	d_textf(&d, "Scénario « %s » (%s) ; enveloppe de %s entre %zu collectivités", sc->title, sc->id,
		eur(a, sizeof(a), sc->envelope_eur), fs->n);
	if (fs->cmp)
		d_textf(&d, " ; écarts par rapport à la référence « %s » (%s)", fs->cmp->a_title, fs->cmp->a_id);
	d_text(&d, ".");
	d_para_end(&d);
	fputs("<table class=\"full\"><thead><tr><th>code</th><th>collectivité</th><th>région</th>"
	      "<th class=\"n\">montant</th><th>statut</th><th class=\"n\">rang</th>", fp);
	if (fs->cmp)
		fputs("<th class=\"n\">écart</th>", fp);
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t i = 0; i < fs->n; i++) {
		const p304_fiche *f = &fs->f[i];

		/* codes are [0-9A-Z] (p304_normalize_code): safe in a file name */
		fprintf(fp, "<tr><td><a href=\"%s.html\">", f->row->code);
		d_text(&d, f->row->code);
		fputs("</a></td><td>", fp);
		d_text(&d, f->row->name);
		fputs("</td><td>", fp);
		d_text(&d, f->row->region_name);
		fprintf(fp, "</td><td class=\"n\">%s</td><td>%s</td>", eur(a, sizeof(a), f->amount_eur),
			status_words(p304_status_name(f->row->alloc.status)));
		snprintf(rk, sizeof(rk), "%d", f->rank);
		fprintf(fp, "<td class=\"n\">%s</td>", rk);
		if (fs->cmp)
			fprintf(fp, "<td class=\"n\">%s</td>", f->change && f->change->in_a
				? eur_signed(b, sizeof(b), f->change->b_eur - f->change->a_eur) : "entre");
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n</section>\n</body></html>\n", fp);
	return ferror(fp) ? p304_error_set(err, P304_ERR_IO, NULL, 0, "write failed") : P304_OK;
}

p304_code p304_write_fiches_md(const p304_fiches *fs, int for_pandoc, FILE *fp, p304_error *err)
{
	struct doc d = { fp, 1, for_pandoc };

	for (size_t i = 0; i < fs->n; i++) {
		if (i > 0)
			d_section(&d, "fiche");
		fiche_body(&d, fs, i);
	}
	return ferror(fp) ? p304_error_set(err, P304_ERR_IO, NULL, 0, "write failed") : P304_OK;
}
