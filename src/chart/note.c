/*
 * note.c - the two-page note for the minister: key figures in one
 * paragraph, the map, the bars (or the comparison and the top movers), the
 * notification when there are needs, the regional table, and a box with the
 * sources and the method. HTML (self-contained, prints on A4) and Markdown.
 */
#include <p304/chart.h>

#include <stdlib.h>
#include <string.h>

#include "../format/fileutil.h"
#include "gettext.h"

static const char *eur(char *buf, size_t size, long long v)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%lld", v < 0 ? -v : v);
	size_t o = 0;

	if (v < 0)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 8 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			/* U+202F narrow no-break space, as French typography wants */
			memcpy(buf + o, "\xE2\x80\xAF", 3);
			o += 3;
		}
		buf[o++] = digits[i];
	}
	snprintf(buf + o, size - o, "\xC2\xA0€");
	return buf;
}

static void html_text(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

static int cmp_i64(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The key figures in one paragraph (text only, caller escapes). */
static void key_figures(const p304_result *res, char *buf, size_t size)
{
	const p304_scenario *sc = res->scenario;
	size_t n = res->nrows;
	long long *v = malloc((n ? n : 1) * sizeof(long long)), med = 0;
	char e[64], lo[64], hi[64], md[64], f[64], c[64];
	size_t o;

	if (!v || n == 0) {
		snprintf(buf, size, "Aucun participant.");
		free(v);
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = res->rows[i].alloc.amount_eur;
	qsort(v, n, sizeof(*v), cmp_i64);
	med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	o = (size_t)snprintf(buf, size,
		"L'enveloppe de %s est répartie entre %zu collectivités selon %zu critère%s pondéré%s. "
		"Les montants pré-notifiés vont de %s à %s (médiane %s).",
		eur(e, sizeof(e), sc->envelope_eur), n, sc->ncriteria, sc->ncriteria > 1 ? "s" : "",
		sc->ncriteria > 1 ? "s" : "", eur(lo, sizeof(lo), v[0]), eur(hi, sizeof(hi), v[n - 1]),
		eur(md, sizeof(md), med));
	if (sc->floor_eur != P304_NO_BOUND || sc->ceiling_eur != P304_NO_BOUND)
		o += (size_t)snprintf(buf + o, size - o, " %zu collectivité%s au plancher (%s), %zu au plafond (%s).",
			res->summary.n_floor, res->summary.n_floor > 1 ? "s sont" : " est",
			sc->floor_eur == P304_NO_BOUND ? "aucun" : eur(f, sizeof(f), sc->floor_eur),
			res->summary.n_ceiling,
			sc->ceiling_eur == P304_NO_BOUND ? "aucun" : eur(c, sizeof(c), sc->ceiling_eur));
	else
		o += (size_t)snprintf(buf + o, size - o, " Ni plancher ni plafond.");
	if (res->summary.unallocated_eur)
		snprintf(buf + o, size - o, " L'arrondi laisse %s non répartis.",
			 eur(e, sizeof(e), res->summary.unallocated_eur));
	free(v);
}

/* "aucune ne gagne", "1 gagne", "27 gagnent": counts read as French. */
static const char *count_verb(char *buf, size_t size, size_t n, const char *one, const char *many)
{
	if (n == 0)
		snprintf(buf, size, "aucune ne %s", one);
	else
		snprintf(buf, size, "%zu %s", n, n == 1 ? one : many);
	return buf;
}

static void compare_figures(const p304_comparison *c, char *buf, size_t size)
{
	char a[64], b[64], d[64], w[48], l[48], u[48];

	snprintf(buf, size, "Par rapport à « %s » (%s), le total passe de %s à %s (%s%s). "
		 "Parmi les %zu collectivités présentes dans les deux scénarios, %s, %s et %s ; "
		 "%zu entrent (absentes du premier) et %zu sortent.",
		 c->b_title, c->b_id, eur(a, sizeof(a), c->a_total), eur(b, sizeof(b), c->b_total),
		 c->b_total >= c->a_total ? "+" : "", eur(d, sizeof(d), c->b_total - c->a_total),
		 c->winners + c->losers + c->unchanged,
		 count_verb(w, sizeof(w), c->winners, "gagne", "gagnent"),
		 count_verb(l, sizeof(l), c->losers, "perd", "perdent"),
		 count_verb(u, sizeof(u), c->unchanged, "est inchangée", "sont inchangées"),
		 c->entering, c->leaving);
}

static void notif_figures(const p304_notification *nt, char *buf, size_t size)
{
	const p304_recon_summary *s = &nt->summary;
	char a[64], b[64], c[64], d[64];

	snprintf(buf, size, "Besoins exprimés : %s (%zu réponses, %zu sans réponse, %zu hors délai). "
		 "Crédits disponibles : %s ; montants notifiés : %s ; reliquat : %s.",
		 eur(a, sizeof(a), s->needs_eur), s->n_answered, s->n_no_answer, s->n_late,
		 eur(b, sizeof(b), nt->available_eur), eur(c, sizeof(c), s->notified_eur),
		 eur(d, sizeof(d), s->unallocated_eur));
}

/* The top movers of a comparison: up to 5 rises then 5 falls. */
static size_t movers(const p304_comparison *c, const p304_compare_row **out)
{
	size_t n = 0;
	const p304_compare_row **all = malloc((c->nrows ? c->nrows : 1) * sizeof(*all));
	size_t m = 0;

	if (!all)
		return 0;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].in_a && c->rows[i].in_b && c->rows[i].a_eur != c->rows[i].b_eur)
			all[m++] = &c->rows[i];
	for (size_t i = 1; i < m; i++)
		for (size_t j = i; j > 0 && (all[j]->b_eur - all[j]->a_eur) > (all[j - 1]->b_eur - all[j - 1]->a_eur); j--) {
			const p304_compare_row *t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	for (size_t i = 0; i < m && i < 5 && all[i]->b_eur > all[i]->a_eur; i++)
		out[n++] = all[i];
	for (size_t i = 0; i < m && i < 5 && all[m - 1 - i]->b_eur < all[m - 1 - i]->a_eur; i++)
		out[n++] = all[m - 1 - i];
	free(all);
	return n;
}

static const char *main_factor(const p304_comparison *c, const p304_compare_row *r,
			       char *buf, size_t size)
{
	const char *f = p304_compare_main_factor(c, r);

	return f ? p304_factor_label_fr(f, buf, size) : "";
}

/* 28.5 -> "28,5" (decimal comma, no locale). */
static const char *pct_fr(char *buf, size_t size, double v)
{
	char *dot;

	snprintf(buf, size, "%g", v);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
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

static void embed_svg(FILE *fp, const char *path, const char *caption)
{
	char *svg = NULL, *start;
	size_t len;

	if (!path || p304_read_file(path, &svg, &len, NULL) != P304_OK)
		return;
	/* the <svg> element only: the XML prologue may not stand inside HTML */
	start = strstr(svg, "<svg");
	fputs("<figure>", fp);
	if (start)
		fputs(start, fp);
	fputs("<figcaption>", fp);
	html_text(fp, caption);
	fputs("</figcaption></figure>\n", fp);
	free(svg);
}

static p304_region_total *regions(const p304_note *n, size_t *count)
{
	const p304_result *res = n->alloc;
	p304_region_total *t = calloc(res->nrows ? res->nrows : 1, sizeof(*t));
	int64_t *a = malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t));
	int64_t *b = n->nt ? malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t)) : NULL;

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

static const char CSS[] =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10.5pt;color:#222;max-width:20cm;margin:1cm auto}"
	"h1{font-size:16pt;margin:0 0 .2em}h2{font-size:12pt;margin:1.2em 0 .4em;border-bottom:1px solid #3b528b}"
	"p.meta{color:#666;font-size:9pt;margin-top:0}"
	"figure{margin:.6em 0;page-break-inside:avoid}figure svg{width:100%;height:auto}"
	"figcaption{font-size:8.5pt;color:#555}"
	"table{border-collapse:collapse;width:100%;font-size:9pt;page-break-inside:avoid}"
	"th,td{border-bottom:1px solid #ddd;padding:2px 6px}th{background:#dce6f1;text-align:left}"
	"td.n{text-align:right;white-space:nowrap}"
	".box{border:1px solid #3b528b;background:#f5f7fb;padding:.5em .8em;margin-top:1em;font-size:9pt;page-break-inside:avoid}"
	"@page{size:A4;margin:1.5cm}@media print{body{margin:0}}";

p304_code p304_write_note_html(const p304_note *n, FILE *fp, p304_error *err)
{
	const p304_result *res = n->alloc;
	const p304_scenario *sc = res->scenario;
	char text[2048], a[64], b[64], pbuf[32], fbuf[96];
	p304_region_total *t;
	size_t nt = 0;

	fputs("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>", fp);
	html_text(fp, sc->title);
	fprintf(fp, "</title><style>%s</style></head><body>\n<h1>", CSS);
	html_text(fp, sc->title);
	fputs("</h1>\n<p class=\"meta\">Note établie avec p304 " P304_VERSION " — scénario <code>", fp);
	html_text(fp, sc->id);
	fputs("</code></p>\n<h2>Chiffres clés</h2>\n<p>", fp);
	key_figures(res, text, sizeof(text));
	html_text(fp, text);
	if (n->cmp) {
		fputs(" ", fp);
		compare_figures(n->cmp, text, sizeof(text));
		html_text(fp, text);
	}
	if (n->nt) {
		fputs(" ", fp);
		notif_figures(n->nt, text, sizeof(text));
		html_text(fp, text);
	}
	fputs("</p>\n", fp);
	embed_svg(fp, n->svg_map, "Montants pré-notifiés par collectivité (carte en tuiles ; en gris, les non-participants).");
	embed_svg(fp, n->svg_bars, "Montants pré-notifiés, du plus élevé au plus faible, avec le plancher et le plafond.");
	if (n->cmp) {
		const p304_compare_row *mv[10];
		size_t m = movers(n->cmp, mv);

		fputs("<h2>Comparaison</h2>\n", fp);
		embed_svg(fp, n->svg_compare, "Montant de chaque collectivité dans les deux scénarios.");
		fputs("<table><tr><th>code</th><th>collectivité</th><th>A</th><th>B</th><th>écart</th>"
		      "<th>principal facteur</th></tr>\n", fp);
		for (size_t i = 0; i < m; i++) {
			fprintf(fp, "<tr><td>%s</td><td>", mv[i]->code);
			html_text(fp, mv[i]->name);
			fprintf(fp, "</td><td class=\"n\">%s</td>", eur(a, sizeof(a), mv[i]->a_eur));
			fprintf(fp, "<td class=\"n\">%s</td>", eur(b, sizeof(b), mv[i]->b_eur));
			fprintf(fp, "<td class=\"n\">%s%s</td><td>", mv[i]->b_eur > mv[i]->a_eur ? "+" : "",
				eur(a, sizeof(a), mv[i]->b_eur - mv[i]->a_eur));
			html_text(fp, main_factor(n->cmp, mv[i], fbuf, sizeof(fbuf)));
			fputs("</td></tr>\n", fp);
		}
		fputs("</table>\n", fp);
	}
	if (n->nt) {
		fputs("<h2>Notification</h2>\n", fp);
		embed_svg(fp, n->svg_reconcile, "Montant pré-notifié, besoin exprimé et montant notifié.");
	}
	fputs("<h2>Par région</h2>\n<table><tr><th>région</th><th>collectivités</th><th>pré-notifié</th>", fp);
	if (n->nt)
		fputs("<th>notifié</th>", fp);
	fputs("</tr>\n", fp);
	t = regions(n, &nt);
	for (size_t i = 0; t && i < nt; i++) {
		fputs("<tr><td>", fp);
		html_text(fp, t[i].name);
		fprintf(fp, "</td><td class=\"n\">%zu</td><td class=\"n\">%s</td>", t[i].n,
			eur(a, sizeof(a), t[i].amount[0]));
		if (n->nt)
			fprintf(fp, "<td class=\"n\">%s</td>", eur(b, sizeof(b), t[i].amount[1]));
		fputs("</tr>\n", fp);
	}
	fprintf(fp, "<tr><th>Total</th><th class=\"n\">%zu</th><th class=\"n\">%s</th>%s%s%s</tr>\n</table>\n",
		res->nrows, eur(a, sizeof(a), res->summary.allocated_eur), n->nt ? "<th class=\"n\">" : "",
		n->nt ? eur(b, sizeof(b), n->nt->summary.notified_eur) : "", n->nt ? "</th>" : "");
	free(t);
	fputs("<div class=\"box\"><strong>Sources et méthode.</strong><ul>\n", fp);
	for (size_t k = 0; k < sc->ncriteria; k++) {
		fputs("<li>", fp);
		html_text(fp, sc->criteria[k].column);
		fprintf(fp, " (%s %%) : ", pct_fr(pbuf, sizeof(pbuf), sc->criteria[k].weight_pct));
		html_text(fp, res->sources && res->sources[k] ? res->sources[k] : "source non renseignée");
		fputs("</li>\n", fp);
	}
	fprintf(fp, "<li>Part de chaque collectivité : somme, critère par critère, de sa valeur rapportée au total "
		"des participants, multipliée par la pondération. Entre plancher et plafond, chacune reçoit le "
		"même multiple de sa part, de sorte que le total soit l'enveloppe ; arrondi %s par les plus "
		"forts restes (le tableau tombe juste).</li>\n", rounding_fr(a, sizeof(a), sc->rounding_eur));
	for (size_t w = 0; w < res->nwarnings; w++) {
		fputs("<li>", fp);
		html_text(fp, res->warnings[w]);
		fputs("</li>\n", fp);
	}
	fputs("</ul></div>\n</body></html>\n", fp);
	return ferror(fp) ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

p304_code p304_write_note_md(const p304_note *n, FILE *fp, p304_error *err)
{
	const p304_result *res = n->alloc;
	const p304_scenario *sc = res->scenario;
	char text[2048], a[64], b[64], pbuf[32], fbuf[96];
	p304_region_total *t;
	size_t nt = 0;

	fprintf(fp, "# %s\n\n*Note établie avec p304 %s — scénario `%s`*\n\n## Chiffres clés\n\n",
		sc->title, P304_VERSION, sc->id);
	key_figures(res, text, sizeof(text));
	fputs(text, fp);
	if (n->cmp) {
		compare_figures(n->cmp, text, sizeof(text));
		fprintf(fp, " %s", text);
	}
	if (n->nt) {
		notif_figures(n->nt, text, sizeof(text));
		fprintf(fp, " %s", text);
	}
	fputs("\n\n", fp);
	if (n->svg_map)
		fprintf(fp, "![Carte des montants pré-notifiés](%s)\n\n", base(n->svg_map));
	if (n->svg_bars)
		fprintf(fp, "![Montants pré-notifiés](%s)\n\n", base(n->svg_bars));
	if (n->cmp) {
		const p304_compare_row *mv[10];
		size_t m = movers(n->cmp, mv);

		fputs("## Comparaison\n\n", fp);
		if (n->svg_compare)
			fprintf(fp, "![Comparaison](%s)\n\n", base(n->svg_compare));
		fputs("| code | collectivité | A | B | écart | principal facteur |\n|---|---|---:|---:|---:|---|\n", fp);
		for (size_t i = 0; i < m; i++)
			fprintf(fp, "| %s | %s | %s | %s | %s%s | %s |\n", mv[i]->code, mv[i]->name,
				eur(a, sizeof(a), mv[i]->a_eur), eur(b, sizeof(b), mv[i]->b_eur),
				mv[i]->b_eur > mv[i]->a_eur ? "+" : "",
				eur(text, sizeof(text), mv[i]->b_eur - mv[i]->a_eur), main_factor(n->cmp, mv[i], fbuf, sizeof(fbuf)));
		fputs("\n", fp);
	}
	if (n->nt && n->svg_reconcile)
		fprintf(fp, "## Notification\n\n![Notification](%s)\n\n", base(n->svg_reconcile));
	fprintf(fp, "## Par région\n\n| région | collectivités | pré-notifié |%s\n|---|---:|---:|%s\n",
		n->nt ? " notifié |" : "", n->nt ? "---:|" : "");
	t = regions(n, &nt);
	for (size_t i = 0; t && i < nt; i++) {
		fprintf(fp, "| %s | %zu | %s |", t[i].name, t[i].n, eur(a, sizeof(a), t[i].amount[0]));
		if (n->nt)
			fprintf(fp, " %s |", eur(b, sizeof(b), t[i].amount[1]));
		fputs("\n", fp);
	}
	free(t);
	fprintf(fp, "| **Total** | %zu | %s |", res->nrows, eur(a, sizeof(a), res->summary.allocated_eur));
	if (n->nt)
		fprintf(fp, " %s |", eur(b, sizeof(b), n->nt->summary.notified_eur));
	fputs("\n\n## Sources et méthode\n\n", fp);
	for (size_t k = 0; k < sc->ncriteria; k++)
		fprintf(fp, "- %s (%s %%) : %s\n", sc->criteria[k].column,
			pct_fr(pbuf, sizeof(pbuf), sc->criteria[k].weight_pct),
			res->sources && res->sources[k] ? res->sources[k] : "source non renseignée");
	fprintf(fp, "- Part de chaque collectivité : somme, critère par critère, de sa valeur rapportée au total "
		"des participants, multipliée par la pondération ; entre plancher et plafond, chacune reçoit le "
		"même multiple de sa part ; arrondi %s par les plus forts restes.\n",
		rounding_fr(a, sizeof(a), sc->rounding_eur));
	for (size_t w = 0; w < res->nwarnings; w++)
		fprintf(fp, "- %s\n", res->warnings[w]);
	return ferror(fp) ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
