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

int p304_chart_kind_parse(const char *name)
{
	static const char *const names[] = { "bars", "map", "compare", "waterfall", "reconcile", "sweep" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* 1835000 -> "1 835 000 €" (narrow spaces would be nicer, plain ones print
 * everywhere). */
static const char *eur(char *buf, size_t size, double v)
{
	char digits[32];
	long long x = llround(fabs(v));
	int len = snprintf(digits, sizeof(digits), "%lld", x);
	size_t o = 0;

	if (v < 0 && x)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 6 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = digits[i];
	}
	snprintf(buf + o, size - o, " €");
	return buf;
}

/* 1835000 -> "1,84" (M€, decimal comma). */
static const char *meur(char *buf, size_t size, double v)
{
	char *dot;

	snprintf(buf, size, "%.2f", v / 1e6);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
	return buf;
}

static double jnum(const cJSON *o, const char *k, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static const char *jstr(const cJSON *o, const char *k, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* A title wider than the chart is cut at spaces into lines of about `per`
 * characters (UTF-8 characters, not bytes), written as the gnuplot string
 * expression 'line 1'."\n".'line 2' so that each piece stays quoted. */
static void quote_wrapped(struct sbuf *b, const char *t, size_t per)
{
	size_t len = strlen(t), start = 0;

	while (start < len) {
		size_t i = start, chars = 0, cut = len;
		char *piece;

		for (; i < len; i++) {
			if (((unsigned char)t[i] & 0xC0) == 0x80)
				continue;
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

static void preamble(struct sbuf *b, const p304_chart_request *req, const char *output,
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
	quote_wrapped(b, title, (size_t)width / 11);
	sb_printf(b, " noenhanced font ',13'\n");
	/* caption: the sources of every criterion, then the request's line */
	cJSON_ArrayForEach(c, crit) {
		const char *src = jstr(c, "source", NULL);

		if (src)
			sb_printf(&cap, "%s%s : %s", cap.len ? " ; " : "Sources : ", jstr(c, "column", ""), src);
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

static p304_code bars(struct sbuf *b, const p304_chart_request *req, const char *out,
		      const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r;
	const char *field = rows && rows->child &&
		cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur") ? "notified_eur" : "amount_eur";
	size_t n = (size_t)cJSON_GetArraySize(rows), k = 0;
	const cJSON **sorted;
	double floor_eur = jnum(root, "floor_eur", NAN), ceil_eur = jnum(root, "ceiling_eur", NAN);
	char t1[64], t2[64];

	if (!cJSON_IsArray(rows) || n == 0)
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
			_("no rows: 'bars' draws repartition.json or notification.json"));
	sorted = calloc(n, sizeof(*sorted));
	if (!sorted)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_ArrayForEach(r, rows)
		sorted[k++] = r;
	/* sorted by amount, largest first (insertion sort: ~100 rows) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && jnum(sorted[j], field, 0) > jnum(sorted[j - 1], field, 0); j--) {
			const cJSON *t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	preamble(b, req, out, jstr(root, "title", "p304"), root, 1400, 800);
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < n; i++) {
		sb_token(b, jstr(sorted[i], "code", "?"));
		sb_printf(b, " %.6f ", jnum(sorted[i], field, 0) / 1e6);
		sb_token(b, meur(t1, sizeof(t1), jnum(sorted[i], field, 0)));
		sb_printf(b, "\n");
	}
	sb_printf(b, "EOD\nset style fill solid 0.85 border lc rgb '#ffffff'\nset boxwidth 0.75\n"
		     "set offsets 0,0,graph 0.08,0\n"
		     "set xtics rotate by 90 right font ',%d' noenhanced\nset ylabel 'montant (M€)'\n"
		     "set format y '%%.1f'\nset yrange [0:*]\nset xrange [-1:%zu]\n"
		     "plot $D using 0:2:xtic(1) with boxes lc rgb '%s' title %s",
		     n > 60 ? 6 : 8, n, BLUE, !strcmp(field, "notified_eur") ? "'montant notifié'"
									 : "'montant pré-notifié'");
	if (!isnan(floor_eur)) {
		sb_printf(b, ", %.6f with lines dt 2 lw 2 lc rgb '%s' title ", floor_eur / 1e6, ORANGE);
		snprintf(t2, sizeof(t2), "plancher %s", eur(t1, sizeof(t1), floor_eur));
		sb_quote(b, t2);
	}
	if (!isnan(ceil_eur)) {
		sb_printf(b, ", %.6f with lines dt 4 lw 2 lc rgb '%s' title ", ceil_eur / 1e6, DOWN);
		snprintf(t2, sizeof(t2), "plafond %s", eur(t1, sizeof(t1), ceil_eur));
		sb_quote(b, t2);
	}
	if (n <= 40)
		sb_printf(b, ", $D using 0:2:3 with labels rotate by 90 left offset 0,0.5 font ',7' notitle");
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

static p304_code map(struct sbuf *b, const p304_chart_request *req, const char *out,
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
			 jstr(root, "a_title", ""), jstr(root, "b_title", ""));
	else
		snprintf(title, sizeof(title), "%s — %s", jstr(root, "title", "p304"),
			 per_child ? "montant par enfant de 0 à 19 ans (€)" : "montant (M€)");
	if (!(drawn = calloc(nt ? nt : 1, 1))) {
		free(tiles);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	preamble(b, req, out, title, root, 1100, 1050);
	sb_printf(b, "$T << EOD\n");
	cJSON_ArrayForEach(r, rows) {
		const char *code = jstr(r, "code", "");
		double v;

		if (change) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "delta_pct");

			if (!cJSON_IsNumber(p))
				continue;
			v = p->valuedouble;
		} else if (per_child) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "criteria");
			double kids = jnum(c, "enfants_0_19", 0);

			if (kids <= 0)
				continue;
			v = jnum(r, field, 0) / kids;
		} else {
			v = jnum(r, field, 0) / 1e6;
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

static int by_delta(const void *x, const void *y)
{
	const cJSON *a = *(const cJSON *const *)x, *b = *(const cJSON *const *)y;
	double da = jnum(a, "delta_eur", 0), db = jnum(b, "delta_eur", 0);

	return da < db ? -1 : da > db;
}

static p304_code compare(struct sbuf *b, const p304_chart_request *req, const char *out,
			 const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r;
	const cJSON **s;
	size_t n = 0;
	char title[600];

	if (!cJSON_GetObjectItemCaseSensitive(root, "b") || !cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("'compare' draws a comparaison.json"));
	s = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*s));
	if (!s)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_ArrayForEach(r, rows)
		s[n++] = r;
	qsort(s, n, sizeof(*s), by_delta);
	snprintf(title, sizeof(title), "A : %s — B : %s", jstr(root, "a_title", ""), jstr(root, "b_title", ""));
	preamble(b, req, out, title, root, 1100, 480 + 16 * (int)n);
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < n; i++) {
		double delta = jnum(s[i], "delta_eur", 0);
		/* 1 up, 2 down, 3 unchanged, 4 enters (absent from A), 5 leaves:
		 * an entrant is not "up from 0", it is drawn apart */
		int cat = !strcmp(jstr(s[i], "status_a", ""), "absent") ? 4 :
			  !strcmp(jstr(s[i], "status_b", ""), "absent") ? 5 :
			  delta > 0 ? 1 : delta < 0 ? 2 : 3;

		sb_token(b, jstr(s[i], "code", "?"));
		sb_printf(b, " %.6f %.6f %d\n", jnum(s[i], "a_eur", 0) / 1e6,
			  jnum(s[i], "b_eur", 0) / 1e6, cat);
	}
	sb_printf(b, "EOD\nset ytics font ',7' noenhanced\nset yrange [-1:%zu]\nset xlabel 'montant (M€)'\n"
		     "set format x '%%.1f'\nset grid xtics\nset key outside right top\n"
		     "set linetype 1 lc rgb '%s'\nset linetype 2 lc rgb '%s'\nset linetype 3 lc rgb '#999999'\n"
		     "plot $D using ($4<4?$2:NaN):0:($3-$2):(0):4:ytic(1) with vectors nohead lw 2 lc variable notitle, "
		     "$D using ($4!=4?$2:NaN):0 with points pt 7 ps 0.8 lc rgb '%s' title 'A', "
		     "$D using ($4<4?$3:NaN):0:4 with points pt 7 ps 0.9 lc variable notitle, "
		     "NaN with points pt 7 lc rgb '%s' title 'B en hausse', "
		     "NaN with points pt 7 lc rgb '%s' title 'B en baisse', "
		     "$D using ($4==4?$3:NaN):0 with points pt 13 ps 1.0 lc rgb '%s' title 'B, absent de A (entre)', "
		     "$D using ($4==5?$2:NaN):0 with points pt 2 ps 1.0 lc rgb '%s' title 'A, absent de B (sort)'\n",
		  n, UP, DOWN, GREY, UP, DOWN, ENTER, DOWN);
	free(s);
	return P304_OK;
}

static p304_code waterfall(struct sbuf *b, const p304_chart_request *req, const char *out,
			   const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r, *row = NULL, *f;
	const cJSON *factors = cJSON_GetObjectItemCaseSensitive(root, "factors");
	double level, a, bb;
	char title[600], t1[160];
	int i = 0;

	if (!req->code)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("'waterfall' needs --code CODE"));
	if (!cJSON_IsArray(factors) || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "decomposed")))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("'waterfall' draws a comparaison.json of two scenarios (decomposed)"));
	cJSON_ArrayForEach(r, rows)
		if (!strcmp(jstr(r, "code", ""), req->code))
			row = r;
	if (!row)
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("no authority '%s' in the comparison"), req->code);
	a = jnum(row, "a_eur", 0);
	bb = jnum(row, "b_eur", 0);
	snprintf(title, sizeof(title), "%s (%s) : de A à B, facteur par facteur", jstr(row, "name", ""),
		 req->code);
	preamble(b, req, out, title, root, 1100, 700);
	sb_printf(b, "$D << EOD\n");
	sb_printf(b, "\"A\" 0 %.6f 0 ", a / 1e6);
	sb_token(b, eur(t1, sizeof(t1), a));
	sb_printf(b, "\n");
	level = a;
	cJSON_ArrayForEach(f, factors) {
		double c = jnum(cJSON_GetObjectItemCaseSensitive(row, "contrib_eur"), f->valuestring, 0);

		i++;
		sb_token(b, p304_factor_label_fr(f->valuestring, t1, sizeof(t1)));
		sb_printf(b, " %.6f %.6f %d ", level / 1e6, (level + c) / 1e6, c >= 0 ? 1 : 2);
		snprintf(title, sizeof(title), "%s%s", c > 0 ? "+" : "", eur(t1, sizeof(t1), c));
		sb_token(b, title);
		sb_printf(b, "\n");
		level += c;
	}
	sb_printf(b, "\"B\" 0 %.6f 0 ", bb / 1e6);
	sb_token(b, eur(t1, sizeof(t1), bb));
	sb_printf(b, "\nEOD\nset style fill solid 0.85 noborder\nset xtics noenhanced%s\n"
		     "set ylabel 'montant (M€)'\nset format y '%%.2f'\nset xrange [-0.6:%d.6]\n"
		     "set linetype 1 lc rgb '%s'\nset linetype 2 lc rgb '%s'\nset linetype 3 lc rgb '#777777'\n"
		     "plot $D using 0:(($2+$3)/2):(0.35):(abs($3-$2)/2):($4==0?3:$4):xtic(1) "
		     "with boxxyerror lc variable notitle, "
		     "$D using 0:($2>$3?$2:$3):5 with labels offset 0,0.8 font ',8' notitle\n",
		  /* beyond five bars the factor names ("données enfants_ase")
		   * would run into each other: slant them */
		  i + 2 > 5 ? " rotate by 25 right" : "", i + 1, UP, DOWN);
	return P304_OK;
}

static p304_code reconcile(struct sbuf *b, const p304_chart_request *req, const char *out,
			   const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r;
	char title[600], t1[64];
	size_t n = 0;

	if (!cJSON_GetObjectItemCaseSensitive(root, "policy") || !cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("'reconcile' draws a notification.json"));
	snprintf(title, sizeof(title), "%s — notification (reliquat : %s)", jstr(root, "title", ""),
		 eur(t1, sizeof(t1), jnum(root, "unallocated_eur", 0)));
	preamble(b, req, out, title, root, 1400, 800);
	sb_printf(b, "$D << EOD\n");
	cJSON_ArrayForEach(r, rows) {
		sb_token(b, jstr(r, "code", "?"));
		const char *why = jstr(r, "reason", "");

		sb_printf(b, " %.6f %.6f %.6f ", jnum(r, "prenotified_eur", 0) / 1e6,
			  jnum(r, "need_eur", 0) / 1e6, jnum(r, "notified_eur", 0) / 1e6);
		/* a missing bar must not look like a need of 0: say why */
		sb_token(b, !strcmp(why, "no_answer") ? "sans réponse" : !strcmp(why, "late") ? "hors délai" : "");
		sb_printf(b, "\n");
		n++;
	}
	sb_printf(b, "EOD\nset style fill solid 0.85 noborder\nset xtics rotate by 90 right font ',8' noenhanced\n"
		     "set ylabel 'montant (M€)'\nset format y '%%.1f'\nset yrange [0:*]\nset xrange [-1:%zu]\n"
		     "set offsets 0,0,graph 0.06,0\n"
		     "plot $D using ($0-0.27):2:(0.25) with boxes lc rgb '%s' title 'pré-notifié', "
		     "$D using 0:3:(0.25):xtic(1) with boxes lc rgb '%s' title 'besoin exprimé', "
		     "$D using ($0+0.27):4:(0.25) with boxes lc rgb '%s' title 'notifié', "
		     "$D using 0:2:5 with labels rotate by 90 left offset 0,0.6 font ',8' notitle\n",
		  n, GREY, ORANGE, BLUE);
	return P304_OK;
}

static int by_median(const void *x, const void *y)
{
	double a = jnum(*(const cJSON *const *)x, "median_eur", 0), b = jnum(*(const cJSON *const *)y, "median_eur", 0);

	return a > b ? -1 : a < b;
}

static p304_code sweep(struct sbuf *b, const p304_chart_request *req, const char *out,
		       const cJSON *root, p304_error *err)
{
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows"), *r;
	const cJSON **s;
	char title[600];
	size_t n = 0;

	if (!cJSON_GetObjectItemCaseSensitive(root, "tornado") || !cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0, _("'sweep' draws a sweep.json"));
	s = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*s));
	if (!s)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_ArrayForEach(r, rows)
		s[n++] = r;
	qsort(s, n, sizeof(*s), by_median);
	snprintf(title, sizeof(title), "%s — sensibilité (%.0f variantes)", jstr(root, "title", ""),
		 jnum(root, "samples", 0));
	preamble(b, req, out, title, root, 1400, 800);
	sb_printf(b, "$D << EOD\n");
	for (size_t i = 0; i < n; i++) {
		sb_token(b, jstr(s[i], "code", "?"));
		sb_printf(b, " %.6f %.6f %.6f %.6f %.6f %.6f\n", jnum(s[i], "min_eur", 0) / 1e6,
			  jnum(s[i], "p5_eur", 0) / 1e6, jnum(s[i], "median_eur", 0) / 1e6,
			  jnum(s[i], "p95_eur", 0) / 1e6, jnum(s[i], "max_eur", 0) / 1e6,
			  jnum(s[i], "base_eur", 0) / 1e6);
	}
	sb_printf(b, "EOD\nset xtics rotate by 90 right font ',7' noenhanced\nset ylabel 'montant (M€)'\n"
		     "set format y '%%.1f'\nset xrange [-1:%zu]\nset offsets 0, 0, graph 0.05, graph 0.05\nset style fill solid 0.5 noborder\n"
		     "plot $D using 0:4:2:6:xtic(1) with yerrorbars pt -1 lc rgb '%s' title 'min - max', "
		     "$D using 0:(($3+$5)/2):(0.35):(($5-$3)/2) with boxxyerror lc rgb '%s' title 'bande 5 - 95 %%', "
		     "$D using 0:4 with points pt 7 ps 0.6 lc rgb '%s' title 'médiane', "
		     "$D using 0:7 with points pt 2 ps 0.8 lc rgb '%s' title 'scénario'\n",
		  n, GREY, "#8da0cb", BLUE, ORANGE);
	free(s);
	return P304_OK;
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
	root = cJSON_ParseWithOpts(text, NULL, 1);
	free(text);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("not a result of p304 (expected a JSON object)"));
	}
	switch (req->kind) {
	case P304_CHART_BARS: rc = bars(&b, req, output, root, err); break;
	case P304_CHART_MAP: rc = map(&b, req, output, root, err); break;
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
