/*
 * sweep_run.c - `p304 sweep` from a scenario: the base allocation, the main
 * sweep, and a tornado of one-factor sweeps (which factor moves the amounts
 * most); sweep.json and sweep.csv.
 */
#include <p304/workflow.h>

#include <cjson/cJSON.h>
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/writeutil.h"
#include "gettext.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct base_problem {
	p304_problem p;
	const char **codes;
	int64_t *values;
	long double weights[64];
};

static p304_code make_problem(const p304_result *res, struct base_problem *bp, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	size_t n = res->nrows, k = sc->ncriteria;

	if (k > 16)
		return p304_error_set(err, P304_ERR_INPUT, sc->path, 0,
				      _("a sweep handles at most 16 criteria"));
	bp->codes = calloc(n ? n : 1, sizeof(char *));
	bp->values = calloc((n ? n : 1) * k, sizeof(int64_t));
	if (!bp->codes || !bp->values)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t i = 0; i < n; i++) {
		bp->codes[i] = res->rows[i].code;
		memcpy(bp->values + i * k, res->rows[i].criteria, k * sizeof(int64_t));
	}
	for (size_t c = 0; c < k; c++)
		bp->weights[c] = (long double)sc->criteria[c].weight_pct / 100.0L;
	bp->p = (p304_problem){ .n = n, .k = k, .codes = bp->codes, .values = bp->values,
		.weights = bp->weights, .envelope_eur = sc->envelope_eur, .floor_eur = sc->floor_eur,
		.ceiling_eur = sc->ceiling_eur, .unit_eur = sc->rounding_eur };
	return P304_OK;
}

static void spec_from(const p304_sweep_options *o, const struct base_problem *bp,
		      unsigned vary, size_t samples, p304_sweep_spec *sp)
{
	*sp = (p304_sweep_spec){ .base = &bp->p, .samples = samples, .seed = o->seed, .vary = vary,
		.weight_points = o->weight_points, .data_pct = o->data_pct,
		.floor_min = o->floor_min, .floor_max = o->floor_max,
		.ceiling_min = o->ceiling_min, .ceiling_max = o->ceiling_max,
		.threads = o->threads };
}

static int by_spread(const void *a, const void *b)
{
	const p304_tornado *x = a, *y = b;

	if (x->spread_eur != y->spread_eur)
		return x->spread_eur > y->spread_eur ? -1 : 1;
	return strcmp(x->factor, y->factor);
}

struct sweep_call {
	const char *default_reference;
	const p304_sweep_options *opt;
	p304_sweep_result **out;
};

static p304_code sweep_files(p304_catalogue *cat, const char *const *paths, void *ctx,
			     p304_error *err)
{
	const struct sweep_call *c = ctx;

	return p304_run_sweep_in(cat, paths[0], c->default_reference, c->opt, c->out, err);
}

p304_code p304_run_sweep(const char *scenario_path, const char *default_reference,
			 const p304_sweep_options *opt, p304_sweep_result **out,
			 p304_error *err)
{
	struct sweep_call c = { default_reference, opt, out };

	*out = NULL;
	return p304_run_on_files(&scenario_path, 1, sweep_files, &c, err);
}

p304_code p304_run_sweep_in(p304_catalogue *cat, const char *scenario_path,
			    const char *default_reference,
			    const p304_sweep_options *opt, p304_sweep_result **out,
			    p304_error *err)
{
	p304_sweep_result *sw = calloc(1, sizeof(*sw));
	struct base_problem bp = { 0 };
	p304_sweep_stat *tmp = NULL;
	p304_sweep_summary ts;
	p304_sweep_spec sp;
	unsigned vary = 0;
	size_t n, k, nf = 0;
	double t0;
	p304_code rc;

	*out = NULL;
	if (!sw)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	sw->opt = *opt;
	if ((rc = p304_run_allocation_in(cat, scenario_path,
					  &(p304_alloc_options){ .default_reference = default_reference }, &sw->base,
					  err)) != P304_OK ||
	    (rc = make_problem(sw->base, &bp, err)) != P304_OK)
		goto fail;
	n = sw->base->nrows;
	k = sw->base->scenario->ncriteria;
	if (opt->vary_weights)
		vary |= P304_VARY_WEIGHTS;
	if (opt->vary_data)
		vary |= P304_VARY_DATA;
	if (opt->floor_min != P304_NO_BOUND) {
		if (sw->base->scenario->floor_eur == P304_NO_BOUND) {
			rc = p304_error_set(err, P304_ERR_USAGE, scenario_path, 0,
				_("--floor varies the floor, but the scenario has none"));
			goto fail;
		}
		vary |= P304_VARY_FLOOR;
	}
	if (opt->ceiling_min != P304_NO_BOUND) {
		if (sw->base->scenario->ceiling_eur == P304_NO_BOUND) {
			rc = p304_error_set(err, P304_ERR_USAGE, scenario_path, 0,
				_("--ceiling varies the ceiling, but the scenario has none"));
			goto fail;
		}
		vary |= P304_VARY_CEILING;
	}
	sw->stats = calloc(n ? n : 1, sizeof(*sw->stats));
	tmp = calloc(n ? n : 1, sizeof(*tmp));
	sw->tornado = calloc(k + 3, sizeof(*sw->tornado));
	if (!sw->stats || !tmp || !sw->tornado) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto fail;
	}
	spec_from(opt, &bp, vary, opt->samples, &sp);
	sp.progress = opt->progress;
	sp.progress_ctx = opt->progress_ctx;
	t0 = now();
	if ((rc = p304_sweep(&sp, sw->stats, &sw->summary, err)) != P304_OK)
		goto fail;
	sw->seconds = now() - t0;
	/* Tornado: one factor at a time, a smaller sweep each. */
	for (size_t f = 0; f < k + 3; f++) {
		unsigned v = f == 0 ? P304_VARY_WEIGHTS : f <= k ? P304_VARY_COLUMN(f - 1)
			   : f == k + 1 ? P304_VARY_FLOOR : P304_VARY_CEILING;
		char name[160];
		int64_t spread = 0;

		if ((f == 0 && !(vary & P304_VARY_WEIGHTS)) || (f >= 1 && f <= k && !(vary & P304_VARY_DATA)) ||
		    (f == k + 1 && !(vary & P304_VARY_FLOOR)) || (f == k + 2 && !(vary & P304_VARY_CEILING)))
			continue;
		spec_from(opt, &bp, v, opt->samples < 2000 ? opt->samples : 2000, &sp);
		if ((rc = p304_sweep(&sp, tmp, &ts, err)) != P304_OK)
			goto fail;
		for (size_t i = 0; i < n; i++)
			spread += tmp[i].p95_eur - tmp[i].p5_eur;
		if (f == 0)
			snprintf(name, sizeof(name), "weights");
		else if (f <= k)
			snprintf(name, sizeof(name), "data:%s", sw->base->scenario->criteria[f - 1].column);
		else
			snprintf(name, sizeof(name), f == k + 1 ? "floor" : "ceiling");
		if (!(sw->tornado[nf].factor = strdup(name))) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto fail;
		}
		sw->tornado[nf++].spread_eur = spread / (int64_t)(n ? n : 1);
	}
	sw->ntornado = nf;
	qsort(sw->tornado, nf, sizeof(*sw->tornado), by_spread);
	free(bp.codes);
	free(bp.values);
	free(tmp);
	*out = sw;
	return P304_OK;
fail:
	free(bp.codes);
	free(bp.values);
	free(tmp);
	p304_sweep_result_free(sw);
	return rc;
}

void p304_sweep_result_free(p304_sweep_result *sw)
{
	if (!sw)
		return;
	for (size_t i = 0; i < sw->ntornado; i++)
		free(sw->tornado[i].factor);
	free(sw->tornado);
	free(sw->stats);
	p304_result_free(sw->base);
	free(sw);
}

static cJSON *pct(size_t part, size_t whole)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.2f", whole ? 100.0 * (double)part / (double)whole : 0.0);
	return cJSON_CreateRaw(buf);
}

p304_code p304_write_sweep_json(const p304_sweep_result *sw, FILE *fp, p304_error *err)
{
	const p304_sweep_options *o = &sw->opt;
	size_t feasible = sw->summary.done - sw->summary.infeasible;
	cJSON *root = cJSON_CreateObject(), *op, *rows, *tor;
	char buf[64];

	if (!root)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_AddStringToObject(root, "id", sw->base->scenario->id);
	cJSON_AddStringToObject(root, "title", sw->base->scenario->title);
	cJSON_AddItemToObject(root, "samples", wu_int((int64_t)o->samples));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)o->seed);
	cJSON_AddItemToObject(root, "seed", cJSON_CreateRaw(buf));
	{
		char varied[600];

		cJSON_AddStringToObject(root, "varied", p304_sweep_varied_fr(sw, varied, sizeof(varied)));
	}
	op = cJSON_AddObjectToObject(root, "options");
	if (op) {
		snprintf(buf, sizeof(buf), "%.4g", o->vary_weights ? o->weight_points : 0.0);
		cJSON_AddItemToObject(op, "weight_points", cJSON_CreateRaw(buf));
		snprintf(buf, sizeof(buf), "%.4g", o->vary_data ? o->data_pct : 0.0);
		cJSON_AddItemToObject(op, "data_pct", cJSON_CreateRaw(buf));
		cJSON_AddItemToObject(op, "floor_min_eur", o->floor_min == P304_NO_BOUND ? cJSON_CreateNull() : wu_int(o->floor_min));
		cJSON_AddItemToObject(op, "floor_max_eur", o->floor_min == P304_NO_BOUND ? cJSON_CreateNull() : wu_int(o->floor_max));
		cJSON_AddItemToObject(op, "ceiling_min_eur", o->ceiling_min == P304_NO_BOUND ? cJSON_CreateNull() : wu_int(o->ceiling_min));
		cJSON_AddItemToObject(op, "ceiling_max_eur", o->ceiling_min == P304_NO_BOUND ? cJSON_CreateNull() : wu_int(o->ceiling_max));
	}
	cJSON_AddItemToObject(root, "criteria", wu_criteria(sw->base->scenario, sw->base->sources));
	cJSON_AddItemToObject(root, "infeasible", wu_int((int64_t)sw->summary.infeasible));
	cJSON_AddItemToObject(root, "stored", wu_int((int64_t)sw->summary.stored));
	rows = cJSON_AddArrayToObject(root, "rows");
	for (size_t i = 0; rows && i < sw->base->nrows; i++) {
		const p304_sweep_stat *s = &sw->stats[i];
		cJSON *r = cJSON_CreateObject();

		if (!r || !cJSON_AddItemToArray(rows, r))
			break;
		cJSON_AddStringToObject(r, "code", sw->base->rows[i].code);
		cJSON_AddStringToObject(r, "name", sw->base->rows[i].name);
		cJSON_AddItemToObject(r, "base_eur", wu_int(s->base_eur));
		cJSON_AddItemToObject(r, "min_eur", wu_int(s->min_eur));
		cJSON_AddItemToObject(r, "p5_eur", wu_int(s->p5_eur));
		cJSON_AddItemToObject(r, "median_eur", wu_int(s->median_eur));
		cJSON_AddItemToObject(r, "p95_eur", wu_int(s->p95_eur));
		cJSON_AddItemToObject(r, "max_eur", wu_int(s->max_eur));
		cJSON_AddItemToObject(r, "at_floor_pct", pct(s->at_floor, feasible));
		cJSON_AddItemToObject(r, "at_ceiling_pct", pct(s->at_ceiling, feasible));
	}
	tor = cJSON_AddArrayToObject(root, "tornado");
	for (size_t i = 0; tor && i < sw->ntornado; i++) {
		cJSON *t = cJSON_CreateObject();

		if (!t || !cJSON_AddItemToArray(tor, t))
			break;
		cJSON_AddStringToObject(t, "factor", sw->tornado[i].factor);
		cJSON_AddItemToObject(t, "spread_eur", wu_int(sw->tornado[i].spread_eur));
	}
	return wu_print_json(root, fp, err);
}

/* 1234567 -> "1 234 567 €" (plain spaces: a CSV cell and a terminal). */
static const char *eur_plain(char *buf, size_t size, int64_t v)
{
	return p304_format_eur(buf, size, v, " ", " €");
}

static void decimal_fr(char *buf, size_t size, double v)
{
	char *dot;

	snprintf(buf, size, "%g", v);
	if ((dot = strchr(buf, '.')))
		*dot = ',';
}

const char *p304_sweep_varied_fr(const p304_sweep_result *sw, char *buf, size_t size)
{
	const p304_sweep_options *o = &sw->opt;
	size_t n = 0;
	char a[48], b[48], x[32];

	buf[0] = '\0';
	if (o->vary_weights) {
		decimal_fr(x, sizeof(x), o->weight_points);
		n += (size_t)snprintf(buf + n, size - n, "pondérations ± %s point%s (ramenées à 100 %%)", x,
				      o->weight_points > 1 ? "s" : "");
	}
	if (o->vary_data && n < size) {
		decimal_fr(x, sizeof(x), o->data_pct);
		n += (size_t)snprintf(buf + n, size - n, "%sdonnées ± %s %%", n ? ", " : "", x);
	}
	if (o->floor_min != P304_NO_BOUND && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%splancher de %s à %s", n ? ", " : "",
				      eur_plain(a, sizeof(a), o->floor_min), eur_plain(b, sizeof(b), o->floor_max));
	if (o->ceiling_min != P304_NO_BOUND && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%splafond de %s à %s", n ? ", " : "",
				      eur_plain(a, sizeof(a), o->ceiling_min), eur_plain(b, sizeof(b), o->ceiling_max));
	if (n == 0)
		snprintf(buf, size, "rien (le scénario seul)");
	return buf;
}

double p304_sweep_relative_band(const p304_sweep_stat *s)
{
	return s->base_eur ? (double)(s->p95_eur - s->p5_eur) * 100.0 / (double)s->base_eur : 0.0;
}

p304_code p304_write_sweep_csv(const p304_sweep_result *sw, FILE *fp, p304_error *err)
{
	static const char *const head[] = {
		"code", "collectivité", "montant du scénario (€)", "minimum (€)", "5e centile (€)",
		"médiane (€)", "95e centile (€)", "maximum (€)", "au plancher (% des variantes)",
		"au plafond (% des variantes)", "largeur de la bande 5-95 % (€)",
		"largeur relative (% du montant)"
	};
	size_t feasible = sw->summary.done - sw->summary.infeasible;
	char buf[64], varied[600], line[700];
	int bad = fputs("\xEF\xBB\xBF", fp) < 0;

	for (size_t i = 0; i < 12; i++)
		bad |= wu_field(fp, head[i], i == 0);
	bad |= fputs("\r\n", fp) < 0;
	for (size_t i = 0; i < sw->base->nrows; i++) {
		const p304_sweep_stat *s = &sw->stats[i];
		int64_t v[6] = { s->base_eur, s->min_eur, s->p5_eur, s->median_eur, s->p95_eur, s->max_eur };

		bad |= wu_field(fp, sw->base->rows[i].code, 1) | wu_field(fp, sw->base->rows[i].name, 0);
		for (int q = 0; q < 6; q++) {
			snprintf(buf, sizeof(buf), "%lld", (long long)v[q]);
			bad |= wu_field(fp, buf, 0);
		}
		snprintf(buf, sizeof(buf), "%.2f", feasible ? 100.0 * (double)s->at_floor / (double)feasible : 0.0);
		*strchr(buf, '.') = ',';
		bad |= wu_field(fp, buf, 0);
		snprintf(buf, sizeof(buf), "%.2f", feasible ? 100.0 * (double)s->at_ceiling / (double)feasible : 0.0);
		*strchr(buf, '.') = ',';
		bad |= wu_field(fp, buf, 0);
		snprintf(buf, sizeof(buf), "%lld", (long long)(s->p95_eur - s->p5_eur));
		bad |= wu_field(fp, buf, 0);
		snprintf(buf, sizeof(buf), "%.2f", p304_sweep_relative_band(s));
		*strchr(buf, '.') = ',';
		bad |= wu_field(fp, buf, 0);
		bad |= fputs("\r\n", fp) < 0;
	}
	bad |= fputs("\r\n", fp) < 0;
	snprintf(buf, sizeof(buf), "%zu variantes (graine %llu), %zu irréalisables", sw->opt.samples,
		 (unsigned long long)sw->opt.seed, sw->summary.infeasible);
	bad |= wu_field(fp, buf, 1) | (fputs("\r\n", fp) < 0);
	snprintf(line, sizeof(line), "ce qui varie : %s", p304_sweep_varied_fr(sw, varied, sizeof(varied)));
	bad |= wu_field(fp, line, 1) | (fputs("\r\n", fp) < 0);
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
