/*
 * charts.c - the gnuplot scripts of p304's charts, from the result files
 * (repartition.json, notification.json, comparaison.json, sweep.json). One
 * sober style: colour-blind-safe palettes (viridis, RdBu), French numbers
 * (decimal comma, M€), a caption with the scenario title and the sources.
 */
#include <p304/chart.h>
#include <p304/io.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

#include "chart_priv.h"
#include "../gettext.h"
#include "../format/fileutil.h"
#include "gettext.h"

#define BLUE "#3b528b"
#define ORANGE "#d95f02"
#define UP "#2166ac"
#define DOWN "#b2182b"
#define GREY "#bbbbbb"
#define ENTER "#5e3c99" /* entrants: purple, apart from the RdBu pair */

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
			char *p = realloc(b->s, cap);

			if (!p) {
				b->oom = 1;
				return;
			}
			b->s = p;
			b->cap = cap;
		}
	}
}

static const char *const kind_names[P304_CHART_NKINDS] = {
	"bars", "map", "compare", "waterfall", "reconcile", "sweep", "tiles", "tornado"
};

int p304_chart_kind_parse(const char *name)
{
	for (int i = 0; i < P304_CHART_NKINDS; i++)
		if (!strcmp(name, kind_names[i]))
			return i;
	return -1;
}

const char *p304_chart_kind_name(p304_chart_kind kind)
{
	return (unsigned)kind < P304_CHART_NKINDS ? kind_names[kind] : "chart";
}

/* 1835000 -> "1 835 000 €" (narrow spaces would be nicer, plain ones print
 * everywhere). */
const char *ch_eur(char *buf, size_t size, double v)
{
	long long x = llround(fabs(v));

	return p304_format_eur(buf, size, v < 0 ? -(int64_t)x : (int64_t)x, " ", " €");
}

/* "+1 835 000 €", "-20 000 €", "0 €" */
const char *ch_eur_signed(char *buf, size_t size, double v)
{
	char t[64];

	snprintf(buf, size, "%s%s", llround(v) > 0 ? "+" : "", ch_eur(t, sizeof(t), v));
	return buf;
}

/* 1835000 -> "1,84" (M€, decimal comma). */
const char *ch_meur(char *buf, size_t size, double v)
{
	char *dot;

	snprintf(buf, size, "%.2f", v / 1e6);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

/* 12.34 -> "+12,3 %" (decimal comma, no-break space before %). */
const char *ch_pct(char *buf, size_t size, double v, int decimals, int sign)
{
	char *dot;

	/* a decimal tie rounds away from zero, as the page does (format.js):
	 * 448,15 % is +448,2 % in the chart and in the table (issue 21), not
	 * the binary 448.1499… that printf rounds down */
	v += v * 1e-12;
	snprintf(buf, size, sign && v > 0 ? "+%.*f\xC2\xA0%%" : "%.*f\xC2\xA0%%", decimals, v);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

double ch_jnum(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const char *ch_jstr(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* What a reader meets for an authority: its name ("Val-d'Oise"), the code
 * only when the result has no name. */
const char *ch_name(const cJSON *row)
{
	const char *name = ch_jstr(row, "name", NULL);

	return name && *name ? name : ch_jstr(row, "code", "?");
}

/* A criterion's column in words ("ménages pauvres"); an unknown column
 * with its underscores as spaces. */
const char *ch_column_words(const char *col, char *buf, size_t size)
{
	static const char *const words[][2] = {
		{ "enfants_0_19", "enfants de 0 à 19 ans" },
		{ "menages_pauvres", "ménages pauvres" },
		{ "enfants_ase", "enfants accueillis à l'ASE" },
		{ "mesures_jeunes_majeurs", "mesures jeunes majeurs" },
		{ "enfants_0_6", "enfants de 0 à 6 ans" },
		{ "beneficiaires_asf", "bénéficiaires de l'ASF" },
		{ "beneficiaires_aeeh", "bénéficiaires de l'AEEH" },
		{ "indicateur_igb_cnsa", "indicateur IGB de la CNSA" },
	};
	size_t o = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(col, words[i][0])) {
			snprintf(buf, size, "%s", words[i][1]);
			return buf;
		}
	for (; *col && o + 1 < size; col++)
		buf[o++] = *col == '_' ? ' ' : *col;
	buf[o] = '\0';
	return buf;
}

/* A factor of a comparison or a sweep in words: « données : ménages
 * pauvres », « enveloppe », « plancher et plafond ». */
const char *ch_factor_words(const char *factor, char *buf, size_t size)
{
	char col[128];

	if (!strncmp(factor, "data:", 5)) {
		snprintf(buf, size, "données : %s", ch_column_words(factor + 5, col, sizeof(col)));
		return buf;
	}
	return p304_factor_label_fr(factor, buf, size);
}

/* A title wider than the chart is cut at spaces into lines of about `per`
 * characters (UTF-8 characters, not bytes), written as the gnuplot string
 * expression 'line 1'."\n".'line 2' so that each piece stays quoted. BR
 * forces a line break (the texts from files have no control characters
 * left: see ch_clean). */
void ch_quote_wrapped(struct sbuf *b, const char *t, size_t per)
{
	size_t len = strlen(t), start = 0;

	while (start < len) {
		size_t i = start, chars = 0, cut = len;
		char *piece;

		for (; i < len; i++) {
			if (((unsigned char)t[i] & 0xC0) == 0x80)
				continue;
			if (t[i] == BR[0]) {
				cut = i;
				break;
			}
			/* last space seen past half a line, but not inside an
			 * amount ("4 500 000 €" stays on one line) nor inside
			 * French quotes' spaces */
			if (t[i] == ' ' && chars >= per / 2 &&
			    !(i > 0 && isdigit((unsigned char)t[i - 1]) &&
			      (isdigit((unsigned char)t[i + 1]) || !strncmp(t + i + 1, "€", 3))) &&
			    !(i >= 2 && !strncmp(t + i - 2, "«", 2)) && strncmp(t + i + 1, "»", 2) != 0)
				cut = i;
			if (++chars > per && cut != len)
				break;
		}
		if (i == len)
			cut = len;
		piece = strndup(t + start, cut - start);
		if (start > 0)
			sb_printf(b, ".\"\\n\".");
		sb_quote(b, piece ? piece : "");
		free(piece);
		start = cut + (cut < len);
	}
	if (len == 0)
		sb_quote(b, "");
}

/* A text from a file with its control characters as spaces (so that only
 * the chart's own BR breaks a line), into buf. */
const char *ch_clean(char *buf, size_t size, const char *t)
{
	size_t o = 0;

	for (; t && *t && o + 1 < size; t++)
		buf[o++] = (unsigned char)*t < 0x20 || *t == 0x7f ? ' ' : *t;
	buf[o] = '\0';
	return buf;
}

/* The decimals that print a tick's value / unit exactly (2,5 M€ needs one, 5 M€ none: with
 * none, printf wrote 2.5 M as "2 M€" and 7.5 M as "8 M€", evenly spaced
 * ticks labelled 0, 2, 5, 8, 10 — the fresh-eyes officer's notification
 * chart, 2026-12-06). */
static int tic_decimals(double v, double unit)
{
	int dec = 0;

	for (double x = fabs(v) / unit; dec < 3 && fabs(x - round(x)) > 1e-6; x *= 10)
		dec++;
	return dec;
}

/* Nice steps for an axis of euros from lo to hi, labelled in French
 * ("1,5 M€", "250 000 €", "+20 000 €"): `set {axis}tics (...)`. */
void ch_eur_tics(struct sbuf *b, const char *axis, double lo, double hi, int sign)
{
	double span = hi - lo, raw, mag, f, step;
	int n = 0;

	if (!(span > 0))
		span = fabs(hi) > 0 ? fabs(hi) : 1;
	raw = span / 4.5;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	step = (f < 1.5 ? 1 : f < 2.2 ? 2 : f < 3.5 ? 2.5 : f < 7 ? 5 : 10) * mag;
	sb_printf(b, "set %stics (", axis);
	for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-6 && n < 40; v += step, n++) {
		char t[64], tt[128], *dot;
		double x = fabs(v) < step * 1e-6 ? 0 : v;

		if (fmax(fabs(lo), fabs(hi)) >= 1e6) {
			int dec = tic_decimals(x, 1e6);

			snprintf(t, sizeof(t), sign && x > 0 ? "+%.*f M€" : "%.*f M€", dec, x / 1e6);
		} else if (fmax(fabs(lo), fabs(hi)) >= 2e4) {
			/* "250 k€": whole amounts would run into each other */
			int dec = tic_decimals(x, 1e3);

			snprintf(t, sizeof(t), sign && x > 0 ? "+%.*f k€" : "%.*f k€", dec, x / 1e3);
		} else if (sign) {
			ch_eur_signed(t, sizeof(t), x);
		} else {
			ch_eur(t, sizeof(t), x);
		}
		if ((dot = strchr(t, '.')))
			*dot = ',';
		if (x == 0)
			snprintf(t, sizeof(t), "0");
		sb_printf(b, "%s", n ? ", " : "");
		sb_quote(b, ch_tic_text(tt, sizeof(tt), t));
		sb_printf(b, " %.6f", x);
	}
	sb_printf(b, ")\n");
}

void ch_preamble(struct sbuf *b, const p304_chart_request *req, const char *output,
		 const char *title, const cJSON *root, int width, int height)
{
	const cJSON *crit = cJSON_GetObjectItemCaseSensitive(root, "criteria"), *c;
	struct sbuf cap = { 0 };

	if (req->format == P304_FORMAT_PNG)
		sb_printf(b, "set terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,10'\n", width, height);
	else if (req->format == P304_FORMAT_SVG)
		sb_printf(b, "set terminal svg size %d,%d dynamic noenhanced font 'DejaVu Sans,10'\n", width, height);
	else
		sb_printf(b, "set terminal pdfcairo size %.1fcm,%.1fcm noenhanced font 'DejaVu Sans,9'\n",
			  width / 47.0, height / 47.0);
	sb_printf(b, "set encoding utf8\nset output ");
	sb_quote(b, output);
	sb_printf(b, "\nset decimalsign ','\nset border 3\nset tics nomirror\n"
		     "set grid ytics lc rgb '#e0e0e0'\nset key top right noenhanced\n"
		     "set bmargin 9\nset title ");
	ch_quote_wrapped(b, title, (size_t)width / 13);
	sb_printf(b, " noenhanced font ',12'\n");
	/* caption: the sources of every criterion, then the request's line */
	cJSON_ArrayForEach(c, crit) {
		const char *src = ch_jstr(c, "source", NULL);
		char words[128];

		if (src)
			sb_printf(&cap, "%s%s : %s", cap.len ? " ; " : "Sources : ",
				  ch_column_words(ch_jstr(c, "column", ""), words, sizeof(words)), src);
	}
	if (req->caption)
		sb_printf(&cap, "%s%s", cap.len ? " — " : "", req->caption);
	if (cap.s) {
		/* wrapped at spaces into lines of at most ~`per` characters */
		size_t per = (size_t)width / 7, start = 0, line = 0, nlines = 0;
		double step = 11.0 / height;

		for (size_t i = 0; i <= cap.len; i++)
			if (i - start >= per || i == cap.len) {
				size_t cut = i;

				while (i < cap.len && cut > start && cap.s[cut] != ' ')
					cut--;
				if (cut == start)
					cut = i;
				nlines++;
				start = cut + (cut < cap.len);
				i = start;
			}
		start = 0;
		for (size_t i = 0; i <= cap.len && line < nlines; i++) {
			if (i - start >= per || i == cap.len) {
				size_t cut = i;
				char save;

				while (i < cap.len && cut > start && cap.s[cut] != ' ')
					cut--;
				if (cut == start)
					cut = i;
				save = cap.s[cut];
				cap.s[cut] = '\0';
				sb_printf(b, "set label %zu ", 90 - line);
				sb_quote(b, cap.s + start);
				sb_printf(b, " at screen 0.01,%.4f left font ',7' tc rgb '#555555' noenhanced\n",
					  0.015 + step * (double)(nlines - 1 - line));
				cap.s[cut] = save;
				line++;
				start = cut + (cut < cap.len);
				i = start;
			}
		}
		free(cap.s);
	}
}

/* ------------------------------------------------------------------ */

/* Longest name, in characters. */
static size_t longest_name(const cJSON *const *rows, size_t n)
{
	size_t best = 0;

	for (size_t i = 0; i < n; i++) {
		size_t c = 0;

		for (const char *p = ch_name(rows[i]); *p; p++)
			c += ((unsigned char)*p & 0xC0) != 0x80;
		best = c > best ? c : best;
	}
	return best;
}

/* Rows of a result as an array (caller frees), NULL when out of memory. */
static const cJSON **row_array(const cJSON *rows, size_t *n)
{
	const cJSON **a = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*a)), *r;

	*n = 0;
	if (a)
		cJSON_ArrayForEach(r, rows)
			a[(*n)++] = r;
	return a;
}

/* Largest first by the field named by ctx (qsort_r: charts may be drawn
 * from several threads of the server), ties by name. */
static int by_field_desc(const void *x, const void *y, void *ctx)
{
	const cJSON *rx = *(const cJSON *const *)x, *ry = *(const cJSON *const *)y;
	double a = ch_jnum(rx, ctx, 0), b = ch_jnum(ry, ctx, 0);

	/* equal amounts (the floor) in the order of their names */
	return a > b ? -1 : a < b ? 1 : strcmp(ch_name(rx), ch_name(ry));
}

/* Horizontal bars (name on the left, largest on top) when more than
 * HORIZONTAL rows: 99 names rotated under vertical bars cannot be read. */
#define HORIZONTAL 30

static p304_code bars(struct sbuf *b, const p304_chart_request *req, const char *out,
		      const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
	const char *field = rows && rows->child &&
		cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur") ? "notified_eur" : "amount_eur";
	size_t n = 0;
	const cJSON **sorted;
	double floor_eur = ch_jnum(root, "floor_eur", NAN), ceil_eur = ch_jnum(root, "ceiling_eur", NAN), top;
	char t1[64], t2[96], title[1200], clean[1000];
	int horizontal, far_ceiling = 0;

	if (!cJSON_IsArray(rows) || cJSON_GetArraySize(rows) == 0)
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
			_("no rows: 'bars' draws repartition.json or notification.json"));
	if (!(sorted = row_array(rows, &n)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	qsort_r(sorted, n, sizeof(*sorted), by_field_desc, (void *)field);
	top = fmax(ch_jnum(sorted[0], field, 0), 1);
	/* a ceiling far above every amount would squeeze the bars: it is
	 * named in the key, not drawn */
	if (!isnan(ceil_eur) && ceil_eur <= top * 1.3)
		top = fmax(top, ceil_eur);
	else if (!isnan(ceil_eur))
		far_ceiling = 1;
	horizontal = n > HORIZONTAL;
	snprintf(title, sizeof(title), "%s" BR "montant %s par département (%zu participant%s)",
		 ch_clean(clean, sizeof(clean), ch_jstr(root, "title", "p304")),
		 !strcmp(field, "notified_eur") ? "notifié" : "pré-notifié", n, n > 1 ? "s" : "");
	if (horizontal)
		ch_preamble(b, req, out, title, root, 1100, 260 + 17 * (int)n);
	else
		ch_preamble(b, req, out, title, root, 1400, 900);
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < n; i++) {
		sb_token(b, ch_name(sorted[i]));
		sb_printf(b, " %.0f ", ch_jnum(sorted[i], field, 0));
		sb_token(b, ch_eur(t1, sizeof(t1), ch_jnum(sorted[i], field, 0)));
		sb_printf(b, "\n");
	}
	sb_printf(b, "EOD\nset style fill solid 0.85 noborder\n");
	if (horizontal) {
		sb_printf(b, "set grid noytics xtics\nset ytics scale 0 font ',8' noenhanced\n"
			     "set yrange [%zu-0.4:-0.6]\nset xrange [0:%.0f]\nset key bottom right\n",
			  n, top * 1.16);
		ch_eur_tics(b, "x", 0, top * 1.16, 0);
	} else {
		sb_printf(b, "set xtics rotate by 90 right scale 0 font ',8' noenhanced\n"
			     "set bmargin %d\nset yrange [0:%.0f]\nset xrange [-1:%zu]\n",
			  9 + (int)(longest_name(sorted, n) * 0.45), top * 1.2, n);
		ch_eur_tics(b, "y", 0, top * 1.2, 0);
	}
	/* floor and ceiling as lines across the bars */
	for (int k = 0; k < 2; k++) {
		double v = k ? ceil_eur : floor_eur;

		if (isnan(v) || (k && far_ceiling))
			continue;
		if (horizontal)
			sb_printf(b, "set arrow %d from %.0f, graph 0 to %.0f, graph 1 nohead dt %d lw 2 lc rgb '%s' front\n",
				  k + 1, v, v, k ? 4 : 2, k ? DOWN : ORANGE);
		else
			sb_printf(b, "set arrow %d from graph 0, first %.0f to graph 1, first %.0f nohead dt %d lw 2 "
				     "lc rgb '%s' front\n", k + 1, v, v, k ? 4 : 2, k ? DOWN : ORANGE);
	}
	if (horizontal)
		sb_printf(b, "plot $D using ($2/2):0:($2/2):(0.38):ytic(1) with boxxyerror lc rgb '%s' title %s, "
			     "$D using 2:0:3 with labels left offset 0.5,0 font ',7' notitle",
			  BLUE, !strcmp(field, "notified_eur") ? "'montant notifié'" : "'montant pré-notifié'");
	else
		sb_printf(b, "set boxwidth 0.75\nplot $D using 0:2:xtic(1) with boxes lc rgb '%s' title %s, "
			     "$D using 0:2:3 with labels rotate by 90 left offset 0,0.5 font ',7' notitle",
			  BLUE, !strcmp(field, "notified_eur") ? "'montant notifié'" : "'montant pré-notifié'");
	for (int k = 0; k < 2; k++) {
		double v = k ? ceil_eur : floor_eur;

		if (isnan(v))
			continue;
		sb_printf(b, ", NaN with lines dt %d lw 2 lc rgb '%s' title ", k ? 4 : 2, k && far_ceiling ? "#ffffff" : k ? DOWN : ORANGE);
		snprintf(t2, sizeof(t2), "%s %s%s", k ? "plafond" : "plancher", ch_eur(t1, sizeof(t1), v),
			 k && far_ceiling ? " (loin au-dessus de tous les montants)" : "");
		sb_quote(b, t2);
	}
	sb_printf(b, "\n");
	free(sorted);
	return P304_OK;
}

/* Tiles: code -> positions (a code may have several tiles). */
struct tile {
	char code[16];
	double x, y, hw;
};

static p304_code load_tiles(const char *path, struct tile **out, size_t *n, p304_error *err)
{
	p304_csv *csv;
	p304_code rc;
	long c[4];
	const char *names[] = { "code", "x", "y", "demi_largeur" };

	if (!path)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("no tile table for the map"));
	if ((rc = p304_csv_load(path, &csv, err)) != P304_OK)
		return rc;
	for (int i = 0; i < 4; i++)
		if ((c[i] = p304_csv_find_column(csv, names[i])) < 0) {
			p304_csv_free(csv);
			return p304_error_set(err, P304_ERR_INPUT, path, 1, _("column '%s' not found"), names[i]);
		}
	*out = calloc(p304_csv_nrows(csv) + 1, sizeof(**out));
	if (!*out) {
		p304_csv_free(csv);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	*n = 0;
	for (size_t r = 0; r < p304_csv_nrows(csv); r++) {
		struct tile *t = &(*out)[(*n)++];

		snprintf(t->code, sizeof(t->code), "%s", p304_csv_cell(csv, r, (size_t)c[0]));
		t->x = strtod(p304_csv_cell(csv, r, (size_t)c[1]), NULL);
		t->y = strtod(p304_csv_cell(csv, r, (size_t)c[2]), NULL);
		t->hw = strtod(p304_csv_cell(csv, r, (size_t)c[3]), NULL);
	}
	p304_csv_free(csv);
	return P304_OK;
}

static p304_code tiles(struct sbuf *b, const p304_chart_request *req, const char *out,
		     const cJSON *root, p304_error *err)
{
	const char *mode = req->map_value ? req->map_value : "amount";
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r;
	int change = !strcmp(mode, "change"), per_child = !strcmp(mode, "per_child");
	const char *field = cJSON_GetObjectItemCaseSensitive(root, "b") ? "b_eur"
		: rows && rows->child && cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur")
		? "notified_eur" : "amount_eur";
	struct tile *tiles = NULL;
	unsigned char *drawn = NULL;
	size_t nt = 0;
	double lo = INFINITY, hi = -INFINITY;
	char title[600];
	p304_code rc;

	if (!change && !per_child && strcmp(mode, "amount"))
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
				      _("--value takes amount, per_child or change, not '%s'"), mode);
	if (change && !cJSON_GetObjectItemCaseSensitive(root, "b"))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("--value change draws a comparaison.json"));
	if ((rc = load_tiles(req->tiles_path, &tiles, &nt, err)) != P304_OK)
		return rc;
	if (change)
		snprintf(title, sizeof(title), "Évolution (%%) de « %s » à « %s »",
			 ch_jstr(root, "a_title", ""), ch_jstr(root, "b_title", ""));
	else
		snprintf(title, sizeof(title), "%s — %s", ch_jstr(root, "title", "p304"),
			 per_child ? "montant par enfant de 0 à 19 ans (€)" : "montant (M€)");
	if (!(drawn = calloc(nt ? nt : 1, 1))) {
		free(tiles);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	ch_preamble(b, req, out, title, root, 1100, 1050);
	sb_printf(b, "$T << EOD\n");
	cJSON_ArrayForEach(r, rows) {
		const char *code = ch_jstr(r, "code", "");
		double v;

		if (change) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "delta_pct");

			if (!cJSON_IsNumber(p))
				continue;
			v = p->valuedouble;
		} else if (per_child) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "criteria");
			double kids = ch_jnum(c, "enfants_0_19", 0);

			if (kids <= 0)
				continue;
			v = ch_jnum(r, field, 0) / kids;
		} else {
			v = ch_jnum(r, field, 0) / 1e6;
		}
		for (size_t i = 0; i < nt; i++) {
			if (strcmp(tiles[i].code, code))
				continue;
			sb_token(b, code);
			sb_printf(b, " %g %g %g %.6f\n", tiles[i].x, -tiles[i].y, tiles[i].hw, v);
			drawn[i] = 1;
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	}
	sb_printf(b, "EOD\n");
	if (per_child && isinf(lo)) {
		free(tiles);
		free(drawn);
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
			_("--value per_child needs the criterion 'enfants_0_19' in the result's rows"));
	}
	/* every tile without a value in grey, so the map keeps the shape of
	 * France: not in the result, or no value (an entrant has no change in
	 * %, an authority without its count of children no amount per child) */
	sb_printf(b, "$G << EOD\n");
	for (size_t i = 0; i < nt; i++) {
		int seen = drawn[i];

		/* skip old codings covered by a drawn tile (2A under 20R, 69 under 69D) */
		for (size_t j = 0; j < nt && !seen; j++)
			if (j != i && drawn[j] && tiles[j].x == tiles[i].x && tiles[j].y == tiles[i].y)
				seen = 1;
		if (!seen && tiles[i].hw > 0.3 && strlen(tiles[i].code) <= 3 && strcmp(tiles[i].code, "20R") &&
		    strcmp(tiles[i].code, "6AE"))
			sb_printf(b, "\"%s\" %g %g %g\n", tiles[i].code, tiles[i].x, -tiles[i].y, tiles[i].hw);
	}
	free(drawn);
	sb_printf(b, "EOD\nunset border\nunset tics\nunset grid\nset size ratio -1\n"
		     "set lmargin 2\nset rmargin 12\nset key bottom right\n");
	if (change) {
		double m = fmax(fabs(lo), fabs(hi));

		if (m == 0 || isinf(m))
			m = 1;
		sb_printf(b, "set palette defined (-1 '%s', 0 '#f7f7f7', 1 '%s')\nset cbrange [%g:%g]\n"
			     "set cblabel 'évolution (%%)'\n", DOWN, UP, -m, m);
	} else {
		sb_printf(b, "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', "
			     "0.75 '#5ec962', 1 '#fde725')\nset cblabel %s\n",
			  per_child ? "'€ par enfant'" : "'M€'");
	}
	/* white codes on the dark half of the palette, black on the light */
	sb_printf(b, "set format cb '%%.%df'\nset cbtics\nset label 98 'Outre-mer' at 0.5,-13.4 left font ',9'\n"
		     "set title font ',11'\nMID = %.6f\n"
		     "plot $G using 2:3:4:(0.46) with boxxyerror fs solid 1.0 noborder lc rgb '#eeeeee' title '%s', "
		     "$T using 2:3:4:(0.46):5 with boxxyerror fs solid 1.0 noborder lc palette notitle, "
		     "$T using 2:($5<MID?$3:NaN):1 with labels font ',7' tc rgb 'white' notitle, "
		     "$T using 2:($5>=MID?$3:NaN):1 with labels font ',7' tc rgb 'black' notitle, "
		     "$G using 2:3:1 with labels font ',7' tc rgb '#999999' notitle\n",
		  per_child ? 1 : change ? 0 : 1, change ? -1e300 : (lo + hi) / 2,
		  change ? "en gris : absente de A ou de B" : per_child ? "en gris : sans valeur"
		  : "en gris : non participante");
	free(tiles);
	return P304_OK;
}

static int by_delta_desc(const void *x, const void *y)
{
	double a = ch_jnum(*(const cJSON *const *)x, "delta_eur", 0);
	double b = ch_jnum(*(const cJSON *const *)y, "delta_eur", 0);

	return a > b ? -1 : a < b;
}

/* The largest rises and falls from A (the reference) to B, named, in
 * euros; entrants and leavers counted apart (they do not rise from 0). */
#define TOP_N 12

static p304_code compare(struct sbuf *b, const p304_chart_request *req, const char *out,
			 const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
	const cJSON **s, **up, **down;
	size_t n = 0, nup = 0, ndown = 0, nin = 0, nout = 0, nsame = 0, shown_up, shown_down;
	double lo = 0, hi = 0;
	char title[2400], t1[600], t2[600], lab[1300];

	if (!cJSON_GetObjectItemCaseSensitive(root, "b") || !cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("'compare' draws a comparaison.json"));
	s = row_array(rows, &n);
	up = calloc(n + 1, sizeof(*up));
	down = calloc(n + 1, sizeof(*down));
	if (!s || !up || !down) {
		free(s);
		free(up);
		free(down);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	qsort(s, n, sizeof(*s), by_delta_desc);
	for (size_t i = 0; i < n; i++) {
		double d = ch_jnum(s[i], "delta_eur", 0);

		if (!strcmp(ch_jstr(s[i], "status_a", ""), "absent"))
			nin++;
		else if (!strcmp(ch_jstr(s[i], "status_b", ""), "absent"))
			nout++;
		else if (d > 0)
			up[nup++] = s[i];
		else if (d < 0)
			down[ndown++] = s[i];
		else
			nsame++;
	}
	shown_up = nup < TOP_N ? nup : TOP_N;
	shown_down = ndown < TOP_N ? ndown : TOP_N;
	{
		size_t len;

		snprintf(title, sizeof(title), "De « %s » (A, référence) à « %s » (B)" BR "%zu en hausse, %zu en baisse, %zu inchangé%s",
			 ch_clean(t1, sizeof(t1), ch_jstr(root, "a_title", "A")),
			 ch_clean(t2, sizeof(t2), ch_jstr(root, "b_title", "B")), nup, ndown, nsame, nsame > 1 ? "s" : "");
		len = strlen(title);
		if (nin)
			snprintf(title + len, sizeof(title) - len, " ; %zu entre%s (absent%s de A)",
				 nin, nin > 1 ? "nt" : "", nin > 1 ? "s" : "");
		len = strlen(title);
		if (nout)
			snprintf(title + len, sizeof(title) - len, " ; %zu sort%s (absent%s de B)",
				 nout, nout > 1 ? "ent" : "", nout > 1 ? "s" : "");
		len = strlen(title);
		if (shown_up + shown_down)
			snprintf(title + len, sizeof(title) - len, BR "%s%s%s, en euros",
				 shown_up == nup && shown_down == ndown ? "toutes les hausses et baisses" : "",
				 shown_up == nup && shown_down == ndown ? "" : "les plus fortes hausses et baisses",
				 shown_up == nup && shown_down == ndown ? "" : " (au plus 12 de chaque côté)");
	}
	ch_preamble(b, req, out, title, root, 1100, 360 + 28 * (int)(shown_up + shown_down ? shown_up + shown_down : 2));
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < shown_up + shown_down; i++) {
		/* rises from the largest down, then falls down to the largest */
		const cJSON *r = i < shown_up ? up[i] : down[ndown - shown_down + (i - shown_up)];
		double d = ch_jnum(r, "delta_eur", 0), pct = ch_jnum(r, "delta_pct", NAN);

		lo = fmin(lo, d);
		hi = fmax(hi, d);
		sb_token(b, ch_name(r));
		sb_printf(b, " %.0f ", d);
		ch_eur_signed(t1, sizeof(t1), d);
		if (!isnan(pct))
			snprintf(lab, sizeof(lab), "%s (%s)", t1, ch_pct(t2, sizeof(t2), pct, 1, 1));
		else
			snprintf(lab, sizeof(lab), "%s", t1);
		sb_token(b, lab);
		sb_printf(b, "\n");
	}
	sb_printf(b, "EOD\n");
	if (shown_up + shown_down == 0) {
		sb_printf(b, "unset border\nunset tics\nunset grid\nset label 1 ");
		sb_quote(b, "aucune hausse ni baisse entre des participants de A et de B");
		sb_printf(b, " at graph 0.5, graph 0.5 center\nplot [0:1][0:1] NaN notitle\n");
	} else {
		double pad = fmax(hi - lo, 1) * 0.42;
		double x0 = lo < 0 ? lo - pad : 0, x1 = hi > 0 ? hi + pad : 0;

		if (x1 - x0 <= 0)
			x1 = 1;
		sb_printf(b, "set style fill solid 0.85 noborder\nset grid noytics xtics\n"
			     "set ytics scale 0 font ',9' noenhanced\nset yrange [%zu-0.4:-0.6]\nset xrange [%.0f:%.0f]\n"
			     "set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '#555555' front\n"
			     "set key %s\nset linetype 1 lc rgb '%s'\nset linetype 2 lc rgb '%s'\n",
			  shown_up + shown_down, x0, x1, lo < 0 ? "top left" : "bottom right", UP, DOWN);
		ch_eur_tics(b, "x", x0 < 0 ? lo : 0, hi > 0 ? hi : 0, 1);
		/* a labels plot whose every point is undefined crashes gnuplot
		 * 5.4: each side only when it has rows */
		sb_printf(b, "plot $D using ($2/2):0:(abs($2)/2):(0.36):($2>0?1:2):ytic(1) with boxxyerror lc variable notitle");
		if (shown_up)
			sb_printf(b, ", $D using ($2>0?$2:NaN):0:3 with labels left offset 0.5,0 font ',8' notitle");
		if (shown_down)
			sb_printf(b, ", $D using ($2<0?$2:NaN):0:3 with labels right offset -0.5,0 font ',8' notitle");
		sb_printf(b, ", NaN with boxes lc rgb '%s' title 'hausse de A à B', "
			     "NaN with boxes lc rgb '%s' title 'baisse de A à B'\n", UP, DOWN);
	}
	free(s);
	free(up);
	free(down);
	return P304_OK;
}

static p304_code waterfall(struct sbuf *b, const p304_chart_request *req, const char *out,
			   const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *row = NULL, *f;
	const cJSON *factors = cJSON_GetObjectItemCaseSensitive(root, "factors");
	double level, a, bb, top, low;
	char title[2400], t1[600], t2[700], ea[64], eb[64], ed[64];
	int i = 0, nf = cJSON_GetArraySize(factors);

	if (!req->code)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("'waterfall' needs --code CODE"));
	if (!cJSON_IsArray(factors) || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "decomposed")))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("'waterfall' draws a comparaison.json of two scenarios (decomposed)"));
	cJSON_ArrayForEach(r, rows)
		if (!strcmp(ch_jstr(r, "code", ""), req->code))
			row = r;
	if (!row)
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("no authority '%s' in the comparison"), req->code);
	a = ch_jnum(row, "a_eur", 0);
	bb = ch_jnum(row, "b_eur", 0);
	{
		char ta[600], tb[600];

		/* the page's words: « référence » and « scénario », never A/B
		 * (issue 21) */
		snprintf(title, sizeof(title), "%s (%.40s) : de la référence au scénario, facteur par facteur, %s → %s (%s)"
			 BR "Référence : %s" BR "Scénario : %s",
			 ch_clean(t1, sizeof(t1), ch_name(row)), req->code, ch_eur(ea, sizeof(ea), a),
			 ch_eur(eb, sizeof(eb), bb), ch_eur_signed(ed, sizeof(ed), bb - a),
			 ch_clean(ta, sizeof(ta), ch_jstr(root, "a_title", "")),
			 ch_clean(tb, sizeof(tb), ch_jstr(root, "b_title", "")));
	}
	ch_preamble(b, req, out, title, root, 1100, 760);
	sb_printf(b, "$D << EOD\n");
	sb_printf(b, "0 %.0f 0 ", a);
	sb_token(b, ch_eur(t1, sizeof(t1), a));
	sb_printf(b, "\n");
	level = top = a;
	low = fmin(a, 0);
	cJSON_ArrayForEach(f, factors) {
		double c = cJSON_IsString(f) ? ch_jnum(cJSON_GetObjectItemCaseSensitive(row, "contrib_eur"),
						       f->valuestring, 0) : 0;

		i++;
		sb_printf(b, "%.0f %.0f %d ", level, level + c, c >= 0 ? 1 : 2);
		sb_token(b, ch_eur_signed(t1, sizeof(t1), c));
		sb_printf(b, "\n");
		level += c;
		top = fmax(top, level);
		low = fmin(low, level);
	}
	sb_printf(b, "0 %.0f 0 ", bb);
	sb_token(b, ch_eur(t1, sizeof(t1), bb));
	top = fmax(top, bb);
	/* the factors in words, the two ends named by their titles, under
	 * the bars; room above the highest bar for its figure, so that no
	 * label runs into the title */
	sb_printf(b, "\nEOD\nset style fill solid 0.85 noborder\nset xtics scale 0 font ',8' (");
	sb_quote(b, "Référence");
	sb_printf(b, " 0");
	i = 0;
	cJSON_ArrayForEach(f, factors) {
		sb_printf(b, ", ");
		ch_quote_wrapped(b, ch_tic_text(t2, sizeof(t2), cJSON_IsString(f) ? ch_factor_words(f->valuestring, t1,
				 sizeof(t1)) : "?"), nf > 4 ? 17 : 22);
		sb_printf(b, " %d", ++i);
	}
	sb_printf(b, ", 'Scénario'");
	sb_printf(b, " %d)\nset bmargin 12\nset xrange [-0.6:%d.6]\nset yrange [%.0f:%.0f]\n"
		     "set linetype 1 lc rgb '%s'\nset linetype 2 lc rgb '%s'\nset linetype 3 lc rgb '#777777'\n",
		  i + 1, i + 1, low, top * 1.12, UP, DOWN);
	ch_eur_tics(b, "y", low, top * 1.12, 0);
	sb_printf(b, "plot $D using 0:(($1+$2)/2):(0.35):(abs($2-$1)/2):($3==0?3:$3) "
		     "with boxxyerror lc variable notitle, "
		     "$D using 0:($1>$2?$1:$2):4 with labels offset 0,0.8 font ',9' notitle\n");
	return P304_OK;
}

static p304_code reconcile(struct sbuf *b, const p304_chart_request *req, const char *out,
			   const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
	const cJSON **s;
	char title[1400], t1[1000], t2[64];
	size_t n = 0;
	double top = 1;

	if (!cJSON_GetObjectItemCaseSensitive(root, "policy") || !cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("'reconcile' draws a notification.json"));
	if (!(s = row_array(rows, &n)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	qsort_r(s, n, sizeof(*s), by_field_desc, (void *)"prenotified_eur");
	snprintf(title, sizeof(title), "%s" BR "notification : besoin exprimé et montant notifié (reliquat : %s)",
		 ch_clean(t1, sizeof(t1), ch_jstr(root, "title", "")),
		 ch_eur(t2, sizeof(t2), ch_jnum(root, "unallocated_eur", 0)));
	ch_preamble(b, req, out, title, root, 1100, 280 + (n > HORIZONTAL ? 17 : 26) * (int)(n ? n : 1));
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < n; i++) {
		const char *why = ch_jstr(s[i], "reason", "");
		double pre = ch_jnum(s[i], "prenotified_eur", 0), need = ch_jnum(s[i], "need_eur", NAN),
		       nt = ch_jnum(s[i], "notified_eur", 0);

		top = fmax(top, fmax(pre, fmax(nt, isnan(need) ? 0 : need)));
		sb_token(b, ch_name(s[i]));
		if (isnan(need))
			sb_printf(b, " %.0f NaN %.0f ", pre, nt);
		else
			sb_printf(b, " %.0f %.0f %.0f ", pre, need, nt);
		/* a missing need must not look like a need of 0: say why */
		sb_token(b, !strcmp(why, "no_answer") ? "sans réponse" : !strcmp(why, "late") ? "hors délai" : "");
		sb_printf(b, "\n");
	}
	sb_printf(b, "EOD\nset style fill solid 0.85 noborder\nset grid noytics xtics\n"
		     "set ytics scale 0 font ',8' noenhanced\nset yrange [%zu-0.4:-0.6]\nset xrange [0:%.0f]\n"
		     "set key bottom right\n", n, top * 1.2);
	ch_eur_tics(b, "x", 0, top * 1.2, 0);
	sb_printf(b, "plot $D using ($2/2):0:($2/2):(0.42):ytic(1) with boxxyerror fs solid 0.5 lc rgb '%s' title 'pré-notifié', "
		     "$D using ($4/2):0:($4/2):(0.2) with boxxyerror lc rgb '%s' title 'notifié', "
		     "$D using 3:0:(%.0f):(0.42) with boxxyerror lc rgb '%s' title 'besoin exprimé', "
		     "$D using 2:0:5 with labels left offset 0.6,0 font ',7' tc rgb '#555555' notitle\n",
		  GREY, BLUE, top * 0.003, ORANGE);
	free(s);
	return P304_OK;
}

/* What the sweep varied, in words: "pondérations ± 2 points, données ± 5 %,
 * plancher tiré entre 400 000 € et 800 000 € ; 500 variantes". */
static void sweep_sizes(char *buf, size_t size, const cJSON *root)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "options");
	double w = ch_jnum(o, "weight_points", 0), d = ch_jnum(o, "data_pct", 0);
	char a[64], c[64], num[32];
	size_t len = 0;

	buf[0] = '\0';
	if (w > 0) {
		snprintf(num, sizeof(num), "%g", w);
		if (strchr(num, '.'))
			*strchr(num, '.') = ',';
		len += (size_t)snprintf(buf + len, size - len, "pondérations ± %s point%s", num, w > 1 ? "s" : "");
	}
	if (d > 0 && len < size) {
		snprintf(num, sizeof(num), "%g", d);
		if (strchr(num, '.'))
			*strchr(num, '.') = ',';
		len += (size_t)snprintf(buf + len, size - len, "%sdonnées ± %s\xC2\xA0%%", len ? ", " : "", num);
	}
	for (int k = 0; k < 2 && len < size; k++) {
		double lo = ch_jnum(o, k ? "ceiling_min_eur" : "floor_min_eur", NAN);
		double hi = ch_jnum(o, k ? "ceiling_max_eur" : "floor_max_eur", NAN);

		if (!isnan(lo) && !isnan(hi))
			len += (size_t)snprintf(buf + len, size - len, "%s%s tiré entre %s et %s", len ? ", " : "",
						k ? "plafond" : "plancher", ch_eur(a, sizeof(a), lo), ch_eur(c, sizeof(c), hi));
	}
	if (len < size)
		snprintf(buf + len, size - len, "%s%.0f variantes", len ? " ; " : "", ch_jnum(root, "samples", 0));
}

static p304_code sweep(struct sbuf *b, const p304_chart_request *req, const char *out,
		       const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
	const cJSON **s;
	char title[1600], t1[1000], sizes[400];
	size_t n = 0;
	double top = 1;

	if (!cJSON_GetObjectItemCaseSensitive(root, "tornado") || !cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0, _("'sweep' draws a sweep.json"));
	if (!(s = row_array(rows, &n)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	qsort_r(s, n, sizeof(*s), by_field_desc, (void *)"median_eur");
	sweep_sizes(sizes, sizeof(sizes), root);
	snprintf(title, sizeof(title), "%s" BR "sensibilité des montants : %s",
		 ch_clean(t1, sizeof(t1), ch_jstr(root, "title", "")), sizes);
	ch_preamble(b, req, out, title, root, 1100, 280 + (n > HORIZONTAL ? 17 : 26) * (int)(n ? n : 1));
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < n; i++) {
		top = fmax(top, fmax(ch_jnum(s[i], "max_eur", 0), ch_jnum(s[i], "base_eur", 0)));
		sb_token(b, ch_name(s[i]));
		sb_printf(b, " %.0f %.0f %.0f %.0f %.0f %.0f\n", ch_jnum(s[i], "min_eur", 0),
			  ch_jnum(s[i], "p5_eur", 0), ch_jnum(s[i], "median_eur", 0), ch_jnum(s[i], "p95_eur", 0),
			  ch_jnum(s[i], "max_eur", 0), ch_jnum(s[i], "base_eur", 0));
	}
	/* amounts are never negative: the axis starts at 0; a band narrower
	 * than two pixels is drawn two pixels wide, so that it shows */
	sb_printf(b, "EOD\nset grid noytics xtics\nset ytics scale 0 font ',8' noenhanced\n"
		     "set yrange [%zu-0.4:-0.6]\nset xrange [0:%.0f]\nset key bottom right\n"
		     "set style fill solid 0.8 noborder\nMINW = %.0f\n",
		  n, top * 1.05, top * 1.05 / 900);
	ch_eur_tics(b, "x", 0, top * 1.05, 0);
	sb_printf(b, "plot $D using 4:0:2:6:ytic(1) with xerrorbars pt 7 ps 0 lw 1 lc rgb '%s' title 'min – max', "
		     "$D using (($3+$5)/2):0:(($5-$3)/2>MINW?($5-$3)/2:MINW):(0.34) with boxxyerror lc rgb '%s' "
		     "title 'bande 5 – 95 %%', "
		     "$D using 4:0 with points pt 7 ps 0.45 lc rgb '%s' title 'médiane', "
		     "$D using 7:0 with points pt 2 ps 0.7 lc rgb '%s' title 'scénario'\n",
		  "#999999", "#8da0cb", BLUE, ORANGE);
	free(s);
	return P304_OK;
}

/* Tornado: the factors of a sweep ranked by how much each, varied alone,
 * moves the amounts (mean width of the 5-95 % bands). */
static p304_code tornado(struct sbuf *b, const p304_chart_request *req, const char *out,
			 const cJSON *root, p304_error *err)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "tornado"), *f;
	char title[1600], t1[1000], sizes[400];
	int n = cJSON_GetArraySize(t), i = 0;
	double top = 1;

	if (!cJSON_IsArray(t) || !cJSON_GetObjectItemCaseSensitive(root, "rows"))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0, "'tornado' draws a sweep.json");
	if (n == 0)
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("the sweep varied nothing: its tornado is empty"));
	sweep_sizes(sizes, sizeof(sizes), root);
	snprintf(title, sizeof(title), "%s" BR "ce qui fait le plus varier les montants : chaque facteur seul" BR "%s",
		 ch_clean(t1, sizeof(t1), ch_jstr(root, "title", "")), sizes);
	ch_preamble(b, req, out, title, root, 1000, 330 + 44 * n);
	sb_printf(b, "$D << EOD\n");
	cJSON_ArrayForEach(f, t) {
		double v = ch_jnum(f, "spread_eur", 0);

		top = fmax(top, v);
		sb_token(b, ch_factor_words(ch_jstr(f, "factor", "?"), t1, sizeof(t1)));
		sb_printf(b, " %.0f ", v);
		sb_token(b, ch_eur(t1, sizeof(t1), v));
		sb_printf(b, "\n");
		i++;
	}
	sb_printf(b, "EOD\nset style fill solid 0.85 noborder\nset grid noytics xtics\n"
		     "set ytics scale 0 font ',10' noenhanced\nset yrange [%d-0.4:-0.6]\nset xrange [0:%.0f]\n"
		     "set xlabel 'écart moyen entre le montant bas et le montant haut d’un département (5e – 95e centile)'\n",
		  i, top * 1.25);
	ch_eur_tics(b, "x", 0, top * 1.25, 0);
	sb_printf(b, "plot $D using ($2/2):0:($2/2):(0.36):ytic(1) with boxxyerror lc rgb '%s' notitle, "
		     "$D using 2:0:3 with labels left offset 0.6,0 font ',9' notitle\n", BLUE);
	return P304_OK;
}

/* A result drawn must be one a workbook reader would accept (issue 19): UTF-8
 * text with no character XML forbids (an SVG chart is XML: U+FFFF in a title
 * made it unreadable), and for the amounts of a repartition or notification,
 * each code once (2 and 02 drawn as two bars) and rows that add up to the
 * file's total when it states one. */
static p304_code check_result(const char *path, const char *text, size_t len, const cJSON *root,
			      p304_chart_kind kind, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *t;
	const char *field;
	long line;
	unsigned byte;
	size_t n = 0;
	double sum = 0;
	char (*codes)[16];
	p304_code rc = P304_OK;

	if (p304_utf8_check(text, len, &line, &byte) != 0)
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("byte 0x%02X is not UTF-8 text: a result of p304 is UTF-8; it was saved "
			  "in another encoding, expected the file as p304 wrote it"), byte);
	if ((rc = p304_json_text_check(path, text, len, root, err)) != P304_OK)
		return rc;
	if ((kind != P304_CHART_BARS && kind != P304_CHART_MAP && kind != P304_CHART_TILES) ||
	    !cJSON_IsArray(rows))
		return P304_OK;
	field = rows->child && cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur")
		? "notified_eur" : "amount_eur";
	if (!(codes = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*codes))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_ArrayForEach(r, rows) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "code");
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, field);

		if (cJSON_IsString(c) && p304_normalize_code(c->valuestring, strlen(c->valuestring),
							     codes[n], sizeof(codes[n])) == 0) {
			for (size_t i = 0; i < n && rc == P304_OK; i++)
				if (!strcmp(codes[i], codes[n]))
					rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
						_("duplicate code '%s' (rows %zu and %zu)"), codes[n], i + 1, n + 1);
		}
		if (rc != P304_OK)
			break;
		sum += cJSON_IsNumber(a) ? a->valuedouble : 0;
		n++;
	}
	t = cJSON_GetObjectItemCaseSensitive(root, strcmp(field, "notified_eur") ? "allocated_eur" : "notified_eur");
	if (rc == P304_OK && cJSON_IsNumber(t) && sum != t->valuedouble) {
		char b1[40], b2[40];

		/* llround, not a cast: a hand-edited total may be out of range */
		p304_format_eur(b1, sizeof(b1), llround(sum), " ", "");
		p304_format_eur(b2, sizeof(b2), llround(t->valuedouble), " ", "");
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("the rows add up to %s € but \"%s\" is %s €: the file was edited, expected "
			  "rows that add up to its total"), b1, t->string, b2);
	}
	free(codes);
	return rc;
}

p304_code p304_chart_script(const p304_chart_request *req, const char *output,
			    char **script, p304_error *err)
{
	struct sbuf b = { 0 };
	char *text = NULL;
	size_t len;
	cJSON *root;
	p304_code rc;

	*script = NULL;
	if ((rc = p304_read_file(req->result_path, &text, &len, err)) != P304_OK)
		return rc;
	root = strlen(text) == len ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;
	if (!root || !cJSON_IsObject(root)) {
		free(text);
		cJSON_Delete(root);
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("not a result of p304 (expected a JSON object)"));
	}
	rc = check_result(req->result_path, text, len, root, req->kind, err);
	free(text);
	if (rc != P304_OK) {
		cJSON_Delete(root);
		return rc;
	}
	switch (req->kind) {
	case P304_CHART_BARS: rc = bars(&b, req, output, root, err); break;
	case P304_CHART_MAP: rc = ch_map(&b, req, output, root, err); break;
	case P304_CHART_TILES: rc = tiles(&b, req, output, root, err); break;
	case P304_CHART_TORNADO: rc = tornado(&b, req, output, root, err); break;
	case P304_CHART_COMPARE: rc = compare(&b, req, output, root, err); break;
	case P304_CHART_WATERFALL: rc = waterfall(&b, req, output, root, err); break;
	case P304_CHART_RECONCILE: rc = reconcile(&b, req, output, root, err); break;
	case P304_CHART_SWEEP: rc = sweep(&b, req, output, root, err); break;
	default: rc = p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("unknown chart kind"));
	}
	cJSON_Delete(root);
	if (rc == P304_OK && b.oom)
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if (rc != P304_OK) {
		free(b.s);
		return rc;
	}
	*script = b.s;
	return P304_OK;
}
