/*
 * cmd_sweep.c - `p304 sweep SCENARIO --samples N [options]`: how much each
 * authority's amount moves when weights, figures and bounds move a little.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_usage usage = {
	"sweep", N_("SCENARIO.json --samples N"),
	N_("Draws N variants around the scenario (the first is the scenario itself)\n"
	"and reports, per authority, the minimum, 5th percentile, median, 95th\n"
	"percentile and maximum of its amount and how often it sits at the floor\n"
	"or the ceiling; then a tornado: which factor moves the amounts most.\n"),
	N_("Writes DIR/sweep.json, DIR/sweep.csv and DIR/manifest.json. A progress bar\n"
	"with rate and remaining time goes to stderr when it is a terminal.\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible scenario, 5 file error.\n")
};

struct bar {
	double start;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress(void *ctx, size_t done, size_t total)
{
	struct bar *b = ctx;
	double el = now() - b->start, rate = el > 0 ? (double)done / el : 0;
	int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;

	fputc('\r', stderr);
	fprintf(stderr, _("  [%.*s%*s] %3d %%  %10.0f variants/s  left %4.0f s "), fill,
		"##############################", width - fill, "",
		total ? (int)(100.0 * (double)done / (double)total) : 100, rate,
		rate > 0 ? (double)(total - done) / rate : 0.0);
	if (done >= total)
		fputc('\n', stderr);
}

static int parse_range(const char *s, int64_t *lo, int64_t *hi)
{
	const char *colon = strchr(s, ':');

	if (!colon)
		return -1;
	return p304_parse_decimal(s, (size_t)(colon - s), 0, P304_MAX_EUR, lo, NULL, 0) ||
	       p304_parse_decimal(colon + 1, strlen(colon + 1), 0, P304_MAX_EUR, hi, NULL, 0) ||
	       *hi < *lo ? -1 : 0;
}

static int parse_real(const char *s, double *out, double max)
{
	int64_t v;

	if (p304_parse_decimal(s, strlen(s), 3, -1, &v, NULL, 0) != 0 || (double)v / 1000.0 > max)
		return -1;
	*out = (double)v / 1000.0;
	return 0;
}

struct ctx {
	const p304_sweep_result *sw;
	const char *const *argv;
};

static p304_code write_manifest(const void *c, FILE *fp, p304_error *err)
{
	const struct ctx *x = c;

	return p304_write_manifest(x->sw->base, x->argv, cli_set_files(), fp, err);
}

/* The five widest 5-95 % bands, in euros or relative to the amount. */
static void widest_bands(const p304_sweep_result *sw, int relative)
{
	size_t n = sw->base->nrows, *idx = malloc((n ? n : 1) * sizeof(size_t));
	char a[48], b[48], p[32];

	if (!idx)
		return;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	/* selection of the five largest: n is a few hundred at most */
	for (size_t k = 0; k < n && k < 5; k++)
		for (size_t j = k + 1; j < n; j++) {
			const p304_sweep_stat *x = &sw->stats[idx[j]], *y = &sw->stats[idx[k]];
			double vx = relative ? p304_sweep_relative_band(x) : (double)(x->p95_eur - x->p5_eur);
			double vy = relative ? p304_sweep_relative_band(y) : (double)(y->p95_eur - y->p5_eur);

			if (vx > vy) {
				size_t t = idx[j];

				idx[j] = idx[k];
				idx[k] = t;
			}
		}
	/* xgettext:no-c-format */
	printf("%s\n", relative ? _("  widest 5-95 % bands (in % of the amount)")
			       : _("  widest 5-95 % bands (in €)"));
	for (size_t k = 0; k < n && k < 5; k++) {
		const p304_sweep_stat *s = &sw->stats[idx[k]];

		snprintf(p, sizeof(p), "%.1f %%", p304_sweep_relative_band(s));
		for (char *q = p; *q; q++)
			if (*q == '.')
				*q = ',';
		printf(_("    %-4s %-30.30s %s to %s (%s)\n"), sw->base->rows[idx[k]].code,
		       cli_text(sw->base->rows[idx[k]].name), cli_eur(a, sizeof(a), s->p5_eur),
		       cli_eur(b, sizeof(b), s->p95_eur), p);
	}
	free(idx);
}

int cmd_sweep(int argc, char **argv)
{
	const char *scenario = NULL, *outdir = NULL, **margv = NULL;
	char *defdir = NULL, a[48];
	int quiet = 0, code = EXIT_INTERNAL;
	p304_sweep_options o = { .samples = 0, .seed = 1, .vary_weights = 1, .vary_data = 1,
		.weight_points = 2.0, .data_pct = 5.0, .floor_min = P304_NO_BOUND,
		.floor_max = P304_NO_BOUND, .ceiling_min = P304_NO_BOUND,
		.ceiling_max = P304_NO_BOUND, .threads = 1 };
	p304_sweep_result *sw = NULL;
	struct bar bar = { now() };
	p304_error err;
	int64_t v;

	p304_error_clear(&err);
	{
		const char *samples = NULL, *seed = NULL, *threads = NULL, *weights = NULL;
		const char *data = NULL, *floor_range = NULL, *ceiling_range = NULL;
		const struct cli_option opts[] = {
			{ "--samples", _("a number"), &samples, NULL, N_("N"), N_("number of variants (required)") },
			{ "--weights", _("points"), &weights, NULL, N_("PTS"),
			  N_("each weight moves by up to ±PTS points, renormalised to 100 % "
			     "(default 2; 0 keeps the weights)") },
			{ "--data", _("a percentage"), &data, NULL, N_("PCT"),
			  N_("each figure moves by up to ±PCT % (default 5; 0 keeps them)") },
			{ "--floor", _("MIN:MAX"), &floor_range, NULL, N_("MIN:MAX"),
			  N_("floor drawn in [MIN, MAX] euros (default: the scenario's)") },
			{ "--ceiling", _("MIN:MAX"), &ceiling_range, NULL, N_("MIN:MAX"),
			  N_("ceiling drawn in [MIN, MAX] euros") },
			{ "--seed", _("a number"), &seed, NULL, N_("S"),
			  N_("random seed (default 1): same seed, same results") },
			{ "--threads", _("a number"), &threads, NULL, N_("T"),
			  N_("worker threads (default 1); results do not depend on T") },
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("output folder (default: outputs/<id>-sweep/)") },
				{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &scenario, 1,
					   _("one scenario at a time"), &nop);

		if (rc >= 0)
			return rc;
		if (samples && (p304_parse_decimal(samples, strlen(samples), 0, 100000000, &v, NULL, 0) || v < 1))
			return cli_usage_error("sweep", _("--samples takes 1 to 100000000"));
		o.samples = samples ? (size_t)v : 0;
		if (seed && p304_parse_decimal(seed, strlen(seed), 0, -1, &v, NULL, 0))
			return cli_usage_error("sweep", _("--seed takes a whole number"));
		if (seed)
			o.seed = (uint64_t)v;
		if (threads && (p304_parse_decimal(threads, strlen(threads), 0, 64, &v, NULL, 0) || v < 1))
			return cli_usage_error("sweep", _("--threads takes 1 to 64"));
		if (threads)
			o.threads = (int)v;
		if (weights && parse_real(weights, &o.weight_points, 100.0))
			return cli_usage_error("sweep", _("--weights takes points from 0 to 100"));
		o.vary_weights = o.weight_points > 0;
		if (data && parse_real(data, &o.data_pct, 100.0))
			return cli_usage_error("sweep", _("--data takes a percentage from 0 to 100"));
		o.vary_data = o.data_pct > 0;
		if (floor_range && parse_range(floor_range, &o.floor_min, &o.floor_max))
			return cli_usage_error("sweep", _("--floor takes MIN:MAX in whole euros"));
		if (ceiling_range && parse_range(ceiling_range, &o.ceiling_min, &o.ceiling_max))
			return cli_usage_error("sweep", _("--ceiling takes MIN:MAX in whole euros"));
	}
	if (!scenario)
		return cli_usage_error("sweep", _("missing SCENARIO.json"));
	if (!o.samples)
		return cli_usage_error("sweep", _("missing --samples N"));
	if (isatty(2)) {
		o.progress = progress;
		o.progress_ctx = &bar;
	}
	if (p304_run_sweep(scenario, cli_default_reference(), &o, &sw, &err) != P304_OK)
		return cli_fail(&err);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/%s-sweep", sw->base->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)))
		goto out;
	{
		struct ctx x = { sw, margv };
		struct cli_file files[] = {
			cli_file("sweep.json", x.sw),
			cli_file("sweep.csv", x.sw),
			{ "manifest.json", write_manifest, &x },
		};

		if (cli_write_files(sw->base->inputs, sw->base->ninputs, outdir, files, 3, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet) {
		size_t widest = 0;

		printf(_("%s (%s) — sensitivity\n"), cli_text(sw->base->scenario->title),
		       cli_text(sw->base->scenario->id));
		printf(_("  variants             %zu (seed %llu, %zu infeasible)\n"), o.samples,
		       (unsigned long long)o.seed, sw->summary.infeasible);
		{
			char varied[600];

			printf(_("  what varies          %s\n"), p304_sweep_varied_fr(sw, varied, sizeof(varied)));
		}
		(void)widest;
		widest_bands(sw, 0);
		widest_bands(sw, 1);
		/* xgettext:no-c-format */
		printf("%s\n", _("  factors (mean width of the 5-95 % band)"));
		for (size_t i = 0; i < sw->ntornado; i++) {
			char fr[96];
			size_t cols = 0;

			/* pad by characters, not bytes: "données" has a 2-byte é */
			p304_factor_label_fr(sw->tornado[i].factor, fr, sizeof(fr));
			for (const char *q = fr; *q; q++)
				cols += ((unsigned char)*q & 0xC0) != 0x80;
			printf("    %s%*s %s\n", fr, cols < 32 ? (int)(32 - cols) : 0, "",
			       cli_eur(a, sizeof(a), sw->tornado[i].spread_eur));
		}
		printf(_("  written in           %s/ (sweep.json, sweep.csv, manifest.json)\n"), outdir);
	}
	code = EXIT_OK;
out:
	free(margv);
	free(defdir);
	p304_sweep_result_free(sw);
	return code;
}
