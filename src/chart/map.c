/*
 * map.c - the map of France from the département outlines
 * (inputs/reference/contours.csv, built by scripts/build-outlines.py):
 * gnuplot filled polygons coloured by amount, amount per child or change,
 * overseas départements as labelled insets, Paris and its inner suburbs
 * enlarged. Each code of the result is drawn once; a code absent from the
 * result is drawn in grey in the coding of the result (67 and 68 when the
 * result has 67, 6AE otherwise). The colour scale is clipped to the 5th and
 * 95th percentiles, so one outlier does not wash out the rest, and the
 * legend says so and names the values beyond.
 */
#include <p304/chart.h>
#include <p304/io.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart_priv.h"
#include "../gettext.h"

struct ring {
	char code[8];
	size_t first, n;        /* points [first, first + n) */
	double area, x0, x1, y0, y1;
};

struct outlines {
	double (*pt)[2];
	size_t npt;
	struct ring *ring;
	size_t nring;
};

static void outlines_free(struct outlines *o)
{
	free(o->pt);
	free(o->ring);
}

static p304_code load_outlines(const char *path, struct outlines *o, p304_error *err)
{
	static const char *const names[] = { "code", "anneau", "x", "y" };
	p304_csv *csv;
	p304_code rc;
	long c[4];
	size_t nrows;
	char prev[32] = "";

	memset(o, 0, sizeof(*o));
	if ((rc = p304_csv_load(path, &csv, err)) != P304_OK)
		return rc;
	for (int i = 0; i < 4; i++)
		if ((c[i] = p304_csv_find_column(csv, names[i])) < 0) {
			p304_csv_free(csv);
			return p304_error_set(err, P304_ERR_INPUT, path, 1,
					      _("column '%s' not found, expected code,anneau,x,y"), names[i]);
		}
	nrows = p304_csv_nrows(csv);
	o->pt = calloc(nrows + 1, sizeof(*o->pt));
	o->ring = calloc(nrows + 1, sizeof(*o->ring));
	if (!o->pt || !o->ring) {
		p304_csv_free(csv);
		outlines_free(o);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	for (size_t r = 0; r < nrows; r++) {
		const char *code = p304_csv_cell(csv, r, (size_t)c[0]);
		const char *ring = p304_csv_cell(csv, r, (size_t)c[1]);
		const char *sx = p304_csv_cell(csv, r, (size_t)c[2]), *sy = p304_csv_cell(csv, r, (size_t)c[3]);
		char key[32], *ex, *ey;
		double x = strtod(sx, &ex), y = strtod(sy, &ey);

		if (ex == sx || *ex || ey == sy || *ey || !isfinite(x) || !isfinite(y) || !*code ||
		    strlen(code) >= sizeof(o->ring->code)) {
			p304_csv_free(csv);
			outlines_free(o);
			return p304_error_set(err, P304_ERR_INPUT, path, (long)r + 2,
					      _("not an outline point, expected code,anneau,x,y with x and y in km"));
		}
		snprintf(key, sizeof(key), "%s/%s", code, ring);
		if (strcmp(key, prev)) {
			struct ring *g = &o->ring[o->nring++];

			snprintf(g->code, sizeof(g->code), "%s", code);
			g->first = o->npt;
			g->x0 = g->y0 = INFINITY;
			g->x1 = g->y1 = -INFINITY;
			snprintf(prev, sizeof(prev), "%s", key);
		}
		{
			struct ring *g = &o->ring[o->nring - 1];

			o->pt[o->npt][0] = x;
			o->pt[o->npt][1] = y;
			o->npt++;
			g->n++;
			g->x0 = fmin(g->x0, x);
			g->x1 = fmax(g->x1, x);
			g->y0 = fmin(g->y0, y);
			g->y1 = fmax(g->y1, y);
		}
	}
	p304_csv_free(csv);
	for (size_t i = 0; i < o->nring; i++) {
		struct ring *g = &o->ring[i];
		double s = 0;

		for (size_t k = 0; k < g->n; k++) {
			const double *p = o->pt[g->first + k], *q = o->pt[g->first + (k + 1) % g->n];

			s += p[0] * q[1] - q[0] * p[1];
		}
		g->area = fabs(s) / 2;
	}
	return P304_OK;
}

/* Codings of the same ground: the group's current codes and its older
 * ones. A code absent from the result is drawn in grey only in the coding
 * the result uses, so that each piece of ground is drawn once. */
static const char *const groups[][4] = {
	{ "6AE", NULL, "67", "68" },
	{ "20R", NULL, "2A", "2B" },
	{ "69D", "69M", "69", NULL },
};

struct val {
	const char *code, *name;
	double v;
	int has;   /* has a value to colour */
};

static const struct val *find_val(const struct val *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].code, code))
			return &v[i];
	return NULL;
}

static int grey_absent(const struct val *v, size_t n, const char *code)
{
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		int is_new = 0, is_old = 0, old_in = 0;

		for (int k = 0; k < 4; k++) {
			if (!groups[g][k])
				continue;
			if (!strcmp(groups[g][k], code))
				*(k < 2 ? &is_new : &is_old) = 1;
			if (k >= 2 && find_val(v, n, groups[g][k]))
				old_in = 1;
		}
		if (is_new)
			return !old_in;
		if (is_old)
			return old_in;
	}
	return 1;
}

/* Colour scales: ColorBrewer Blues (sequential) and RdBu (diverging),
 * readable in print and by colour-blind readers. */
static const char *const blues[] = { "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594" };
static const char *const rdbu[] = { "#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac" };
#define NSTOP 7
#define GREY_FILL 0xdddddd

static unsigned colour(const char *const *stops, double t)
{
	double pos = fmin(fmax(t, 0), 1) * (NSTOP - 1);
	int i = (int)floor(pos);
	unsigned a, b, out = 0;

	if (i >= NSTOP - 1)
		i = NSTOP - 2;
	pos -= i;
	a = (unsigned)strtoul(stops[i] + 1, NULL, 16);
	b = (unsigned)strtoul(stops[i + 1] + 1, NULL, 16);
	for (int s = 16; s >= 0; s -= 8) {
		double ca = (a >> s) & 0xff, cb = (b >> s) & 0xff;

		out |= (unsigned)lround(ca + (cb - ca) * pos) << s;
	}
	return out;
}

static int by_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static double percentile(const double *sorted, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)floor(pos);

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - (double)i);
}

/* A value as the legend writes it. */
static const char *fmt_value(char *buf, size_t size, double v, int change, int per_child)
{
	if (change)
		return ch_pct(buf, size, v, fabs(v) < 10 ? 1 : 0, 1);
	if (per_child) {
		char *dot;

		snprintf(buf, size, "%.2f €", v);
		if ((dot = strchr(buf, '.')))
			*dot = ',';
		return buf;
	}
	return ch_eur(buf, size, v);
}

struct draw {
	size_t ring;
	unsigned rgb;
	int inset;   /* 1: the enlarged Paris inset */
};

static int by_area(const void *x, const void *y, void *ctx)
{
	const struct draw *a = x, *b = y;
	const struct outlines *o = ctx;
	double da = o->ring[a->ring].area, db = o->ring[b->ring].area;

	if (a->inset != b->inset)
		return a->inset - b->inset;
	return da > db ? -1 : da < db ? 1 : (a->ring > b->ring) - (a->ring < b->ring);
}

/* The enlarged inset of Paris and its inner suburbs, in the empty
 * north-east corner (Belgium, Germany). */
static const char *const paris[] = { "75", "92", "93", "94" };
#define PARIS_X 1140.0
#define PARIS_Y 7025.0
#define PARIS_SCALE 4.0
#define MIN_STEP 1.2     /* km of the drawing */

static const char *const overseas[][2] = {
	{ "971", "Guadeloupe" }, { "972", "Martinique" }, { "973", "Guyane" },
	{ "974", "La Réunion" }, { "976", "Mayotte" },
};

/* One map being drawn: what it shows, the values, the rings to fill. */
struct map {
	int change, per_child;
	const char *field;             /* the amount read from each row */
	const char *const *stops;      /* the colour scale */
	struct outlines o;
	struct val *vals;              /* one per row of the result */
	double *sorted;                /* the values present, sorted */
	struct draw *dr;               /* rings to fill, the Paris inset's twice */
	size_t nv, nhas, nd;
	double lo, hi;                 /* the colour scale's robust bounds */
	double px0, px1, py0, py1;     /* the Paris inset's extent */
};

/* The outline table: --contours, else contours.csv beside the tiles. */
static p304_code outline_path(const p304_chart_request *req, char *path, size_t size,
			      p304_error *err)
{
	if (req->contours_path) {
		snprintf(path, size, "%s", req->contours_path);
	} else if (req->tiles_path) {
		const char *slash = strrchr(req->tiles_path, '/');

		snprintf(path, size, "%.*scontours.csv",
			 slash ? (int)(slash - req->tiles_path + 1) : 0, req->tiles_path);
	} else {
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("no outline table for the map"));
	}
	return P304_OK;
}

/* Each row's value: its change in %, its amount per child, or its amount. */
static void read_rows(struct map *m, const cJSON *rows)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, rows) {
		struct val *v = &m->vals[m->nv++];

		v->code = ch_jstr(r, "code", "");
		v->name = ch_name(r);
		if (m->change) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "delta_pct");

			v->has = cJSON_IsNumber(p);
			v->v = v->has ? p->valuedouble : 0;
		} else if (m->per_child) {
			double kids = ch_jnum(cJSON_GetObjectItemCaseSensitive(r, "criteria"), "enfants_0_19", 0);

			v->has = kids > 0;
			v->v = v->has ? ch_jnum(r, m->field, 0) / kids : 0;
		} else {
			v->has = 1;
			v->v = ch_jnum(r, m->field, 0);
		}
		if (v->has)
			m->sorted[m->nhas++] = v->v;
	}
}

/* Robust bounds: the 5th and 95th percentiles (all values below 10);
 * symmetric around 0 for a change. */
static void scale_bounds(struct map *m)
{
	if (m->nhas) {
		qsort(m->sorted, m->nhas, sizeof(*m->sorted), by_double);
		m->lo = m->nhas >= 10 ? percentile(m->sorted, m->nhas, 0.05) : m->sorted[0];
		m->hi = m->nhas >= 10 ? percentile(m->sorted, m->nhas, 0.95) : m->sorted[m->nhas - 1];
	}
	if (m->change) {
		double a = fmax(fabs(m->lo), fabs(m->hi));

		m->lo = -(a > 0 ? a : 1);
		m->hi = a > 0 ? a : 1;
	} else if (!(m->hi > m->lo)) {
		double d = fabs(m->hi) > 0 ? fabs(m->hi) * 0.05 : 1;

		m->lo -= d;
		m->hi += d;
	}
}

/* What to draw, and in which colour; Paris and its inner suburbs again,
 * enlarged; largest rings first (the inset last). */
static void choose_rings(struct map *m)
{
	const struct outlines *o = &m->o;

	for (size_t i = 0; i < o->nring; i++) {
		const struct val *v = find_val(m->vals, m->nv, o->ring[i].code);

		if (!v && !grey_absent(m->vals, m->nv, o->ring[i].code))
			continue;
		m->dr[m->nd].ring = i;
		m->dr[m->nd].rgb = v && v->has ? colour(m->stops, (v->v - m->lo) / (m->hi - m->lo))
					       : GREY_FILL;
		m->nd++;
	}
	for (size_t i = 0, n = m->nd; i < n; i++)
		for (size_t k = 0; k < sizeof(paris) / sizeof(paris[0]); k++)
			if (!strcmp(o->ring[m->dr[i].ring].code, paris[k])) {
				const struct ring *g = &o->ring[m->dr[i].ring];

				m->dr[m->nd] = m->dr[i];
				m->dr[m->nd++].inset = 1;
				m->px0 = fmin(m->px0, g->x0);
				m->px1 = fmax(m->px1, g->x1);
				m->py0 = fmin(m->py0, g->y0);
				m->py1 = fmax(m->py1, g->y1);
			}
	qsort_r(m->dr, m->nd, sizeof(*m->dr), by_area, &m->o);
}

/* The rings' points, with their colours, as the data block $P. */
static void write_rings(struct sbuf *b, const struct map *m)
{
	const struct outlines *o = &m->o;

	sb_printf(b, "$P << EOD\n");
	for (size_t i = 0; i < m->nd; i++) {
		const struct ring *g = &o->ring[m->dr[i].ring];
		double lx = INFINITY, ly = INFINITY;

		for (size_t k = 0; k <= g->n; k++) {
			const double *p = o->pt[g->first + k % g->n];
			double x = p[0], y = p[1];

			if (m->dr[i].inset) {
				x = PARIS_X + (x - (m->px0 + m->px1) / 2) * PARIS_SCALE;
				y = PARIS_Y + (y - (m->py0 + m->py1) / 2) * PARIS_SCALE;
			}
			/* a point less than a pixel (about 1.5 km) from the last
			 * one drawn adds nothing but weight to an SVG; the white
			 * borders hide the hair-thin seams this may leave */
			if (k > 0 && k < g->n && hypot(x - lx, y - ly) < MIN_STEP)
				continue;
			sb_printf(b, "%.1f %.1f %u\n", x, y, m->dr[i].rgb);
			lx = x;
			ly = y;
		}
		sb_printf(b, "\n");
	}
	sb_printf(b, "EOD\n");
}

/* Frames and names of the insets (overseas, Paris). */
static void write_insets(struct sbuf *b, const struct map *m)
{
	const struct outlines *o = &m->o;
	int obj = 1, lab = 1;

	for (size_t k = 0; k < sizeof(overseas) / sizeof(overseas[0]); k++) {
		double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
		const struct val *v = find_val(m->vals, m->nv, overseas[k][0]);

		for (size_t i = 0; i < o->nring; i++)
			if (!strcmp(o->ring[i].code, overseas[k][0])) {
				x0 = fmin(x0, o->ring[i].x0);
				x1 = fmax(x1, o->ring[i].x1);
				y0 = fmin(y0, o->ring[i].y0);
				y1 = fmax(y1, o->ring[i].y1);
			}
		if (isinf(x0))
			continue;
		sb_printf(b, "set object %d rect from %.1f,%.1f to %.1f,%.1f fs empty border lc rgb '#bbbbbb' lw 1\n",
			  obj++, (x0 + x1) / 2 - 85, (y0 + y1) / 2 - 80, (x0 + x1) / 2 + 85, (y0 + y1) / 2 + 95);
		sb_printf(b, "set label %d ", lab++);
		sb_quote(b, v ? v->name : overseas[k][1]);
		sb_printf(b, " at %.1f,%.1f center font ',8' tc rgb '#444444'\n", (x0 + x1) / 2,
			  (y0 + y1) / 2 + 84);
	}
	if (!isinf(m->px0)) {
		double hw = (m->px1 - m->px0) / 2 * PARIS_SCALE + 12,
		       hh = (m->py1 - m->py0) / 2 * PARIS_SCALE + 12;

		sb_printf(b, "set object %d rect from %.1f,%.1f to %.1f,%.1f fs empty border lc rgb '#bbbbbb' lw 1\n",
			  obj++, PARIS_X - hw, PARIS_Y - hh, PARIS_X + hw, PARIS_Y + hh + 22);
		sb_printf(b, "set label %d 'Paris et petite couronne' at %.1f,%.1f center font ',8' tc rgb '#444444'\n",
			  lab++, PARIS_X, PARIS_Y + hh + 11);
	}
}

/* The note under the map when the colour scale is clipped: how many values
 * lie beyond its robust bounds, the four most extreme named. "" when none. */
static void clipped_note(struct map *m, char *note, size_t size)
{
	char t1[600], t2[600];
	size_t nabove = 0, nbelow = 0, len;
	int listed = 0;

	note[0] = '\0';
	for (size_t i = 0; i < m->nv; i++)
		if (m->vals[i].has) {
			nabove += m->vals[i].v > m->hi + 1e-9 * fabs(m->hi);
			nbelow += m->vals[i].v < m->lo - 1e-9 * fabs(m->lo);
		}
	if (!(nabove + nbelow))
		return;
	snprintf(note, size, "Échelle des couleurs bornée %s (de %s à %s) : %zu valeur%s au-delà "
		 "%s la couleur de la borne",
		 m->change ? "aux centiles 5 et 95 des écarts" : "aux 5e et 95e centiles",
		 fmt_value(t1, sizeof(t1), m->lo, m->change, m->per_child),
		 fmt_value(t2, sizeof(t2), m->hi, m->change, m->per_child),
		 nabove + nbelow, nabove + nbelow > 1 ? "s" : "", nabove + nbelow > 1 ? "prennent" : "prend");
	for (int pass = 0; pass < 4; pass++) {
		struct val *best = NULL;
		double bd = 0;

		for (size_t i = 0; i < m->nv; i++) {
			const struct val *v = &m->vals[i];
			double d = v->has != 1 ? 0 : v->v > m->hi ? v->v - m->hi
				 : v->v < m->lo ? m->lo - v->v : 0;

			if (d > bd) {
				bd = d;
				best = &m->vals[i];
			}
		}
		if (!best)
			break;
		len = strlen(note);
		snprintf(note + len, size - len, "%s%s (%s)", listed ? ", " : ", dont ", best->name,
			 fmt_value(t1, sizeof(t1), best->v, m->change, m->per_child));
		best->has = -1;  /* listed */
		listed++;
	}
	for (size_t i = 0; i < m->nv; i++)
		if (m->vals[i].has < 0)
			m->vals[i].has = 1;
	len = strlen(note);
	snprintf(note + len, size - len, "%s", nabove + nbelow > (size_t)listed ? "…" : ".");
}

/* A few round values on the colour box, in French (change, per child). */
static void write_round_tics(struct sbuf *b, const struct map *m)
{
	char t1[600], t2[600];
	double span = m->hi - m->lo, raw = span / 5, mag = pow(10, floor(log10(raw))), f = raw / mag,
	       step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7 ? 5 : 10) * mag;
	int n = 0;

	sb_printf(b, "set cbtics (");
	for (double v = ceil(m->lo / step - 1e-9) * step; v <= m->hi + step * 1e-6 && n < 30;
	     v += step, n++) {
		double x = fabs(v) < step * 1e-6 ? 0 : v;

		if (m->change)
			ch_pct(t1, sizeof(t1), x, step < 1 ? 1 : 0, 1);
		else
			snprintf(t1, sizeof(t1), step < 1 ? "%.1f €" : "%.0f €", x);
		if (strchr(t1, '.'))
			*strchr(t1, '.') = ',';
		sb_printf(b, "%s", n ? ", " : "");
		sb_quote(b, ch_tic_text(t2, sizeof(t2), t1));
		sb_printf(b, " %.6f", x);
	}
	sb_printf(b, ")\n");
}

/* The frame, the legend (a colour scale in French figures, clipped to
 * robust bounds, and what lies beyond) and the plot command. */
static void write_legend_and_plot(struct sbuf *b, const struct map *m, const char *note)
{
	sb_printf(b, "unset border\nunset tics\nunset grid\nset size ratio -1\n"
		     "set xrange [-135:1265]\nset yrange [6030:7150]\n"
		     "set lmargin 1\nset rmargin 16\nset bmargin %d\n"
		     "set key bottom center horizontal samplen 1.5 font ',9'\n",
		  note[0] ? 10 : 8);
	if (note[0]) {
		sb_printf(b, "set label 97 ");
		ch_quote_wrapped(b, note, 130);
		sb_printf(b, " at graph 0.02, graph -0.005 left font ',8' tc rgb '#333333'\n");
	}
	sb_printf(b, "set palette defined (");
	for (int i = 0; i < NSTOP; i++)
		sb_printf(b, "%s%d '%s'", i ? ", " : "", i, m->stops[i]);
	sb_printf(b, ")\nset cbrange [%.6f:%.6f]\nset colorbox user origin graph 1.0, graph 0.25 size 0.025, graph 0.5\n"
		     "set label 96 ",
		  m->lo, m->hi);
	ch_quote_wrapped(b, m->change ? "écart de B" BR "par rapport à A" BR "(couleurs bornées" BR "aux centiles 5-95)"
			 : m->per_child ? "€ par enfant" BR "de 0 à 19 ans" BR "(couleurs bornées" BR "aux centiles 5-95)"
			 : "montant" BR "(couleurs bornées" BR "aux centiles 5-95)", 40);
	sb_printf(b, " at graph 0.975, graph 0.83 left font ',8'\n");
	if (m->change || m->per_child)
		write_round_tics(b, m);
	else
		ch_eur_tics(b, "cb", m->lo, m->hi, 0);
	sb_printf(b, "set cbtics font ',8' scale 0.5\n"
		     "plot $P using 1:2:3 with filledcurves closed fc rgb variable fs solid 1.0 noborder notitle, "
		     "$P using 1:2 with lines lc rgb '#ffffff' lw 0.6 notitle, "
		     "NaN with boxes fs solid 1.0 lc rgb '#dddddd' title ");
	sb_quote(b, m->change ? "en gris : absente de A ou de B (entre ou sort)"
		 : m->per_child ? "en gris : sans valeur (non participante ou effectif inconnu)"
		 : "en gris : non participante");
	/* a palette element, outside the drawing, so that the colour box shows */
	sb_printf(b, ", '+' using (-1e9):(-1e9):(%.6f) with points lc palette pt 7 ps 0 notitle\n", m->lo);
}

p304_code ch_map(struct sbuf *b, const p304_chart_request *req, const char *out,
		 const cJSON *root, p304_error *err)
{
	const char *mode = req->map_value ? req->map_value : "amount";
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "rows");
	struct map m = {
		.change = !strcmp(mode, "change"), .per_child = !strcmp(mode, "per_child"),
		.field = cJSON_GetObjectItemCaseSensitive(root, "b") ? "b_eur"
			: rows && rows->child && cJSON_GetObjectItemCaseSensitive(rows->child, "notified_eur")
			? "notified_eur" : "amount_eur",
		.px0 = INFINITY, .px1 = -INFINITY, .py0 = INFINITY, .py1 = -INFINITY,
	};
	char path[4096], title[1400], t1[600], t2[600], note[1600];
	p304_code rc;

	m.stops = m.change ? rdbu : blues;
	if (!m.change && !m.per_child && strcmp(mode, "amount"))
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
				      "--value takes amount, per_child or change, not '%s'", mode);
	if (m.change && !cJSON_GetObjectItemCaseSensitive(root, "b"))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      "--value change draws a comparaison.json");
	if (!cJSON_IsArray(rows))
		return p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
				      _("no rows: 'map' draws a result of p304"));
	if ((rc = outline_path(req, path, sizeof(path), err)) != P304_OK ||
	    (rc = load_outlines(path, &m.o, err)) != P304_OK)
		return rc;
	m.vals = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*m.vals));
	m.sorted = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*m.sorted));
	m.dr = calloc(m.o.nring * 2 + 1, sizeof(*m.dr));
	if (!m.vals || !m.sorted || !m.dr) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto done;
	}
	read_rows(&m, rows);
	if (m.per_child && m.nhas == 0) {
		rc = p304_error_set(err, P304_ERR_INPUT, req->result_path, 0,
			"--value per_child needs the criterion 'enfants_0_19' in the result's rows");
		goto done;
	}
	scale_bounds(&m);
	choose_rings(&m);
	if (m.change)
		snprintf(title, sizeof(title), "Évolution (%%) de « %s » (référence) à « %s »",
			 ch_clean(t1, sizeof(t1), ch_jstr(root, "a_title", "A")),
			 ch_clean(t2, sizeof(t2), ch_jstr(root, "b_title", "B")));
	else
		snprintf(title, sizeof(title), "%s" BR "%s", ch_clean(t1, sizeof(t1), ch_jstr(root, "title", "p304")),
			 m.per_child ? "montant par enfant de 0 à 19 ans"
			 /* a notification's map shows what is notified, not the
			  * pre-notified amount the same words meant (issue 21) */
			 : !strcmp(m.field, "notified_eur") ? "montant notifié par département"
			 : "montant par département");
	ch_preamble(b, req, out, title, root, 1100, 1000);
	write_rings(b, &m);
	write_insets(b, &m);
	clipped_note(&m, note, sizeof(note));
	write_legend_and_plot(b, &m, note);
	rc = P304_OK;
done:
	free(m.vals);
	free(m.sorted);
	free(m.dr);
	outlines_free(&m.o);
	return rc;
}
