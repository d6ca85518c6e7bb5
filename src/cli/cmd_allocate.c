/*
 * cmd_allocate.c - `p304 allocate SCENARIO [-o DIR] [-q] [--by region]`: the
 * pre-notified amounts, written as one output set (repartition.json,
 * repartition.csv, manifest.json, and par-region.csv with --by region) and
 * summarised on the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_usage usage = {
	"allocate", N_("SCENARIO.json"),
	N_("Computes the pre-notified amount of every participant of the scenario:\n"
	"shares of the weighted criteria, floor and ceiling (amounts proportional\n"
	"to the shares between the bounds), rounding to 'rounding_eur' by largest\n"
	"remainder so that the table adds up exactly.\n"),
	N_("Writes DIR/repartition.json (for programs), DIR/repartition.xlsx (for\n"
	"Excel: codes such as 01 stay text), DIR/repartition.csv (for\n"
	"Excel: ';', decimal comma, UTF-8 with BOM) and DIR/manifest.json (tool\n"
	"version, time, SHA-256 of every input). The set is written to a temporary\n"
	"folder and put in place at the end: never half a set. A DIR that exists\n"
	"and was not written by p304 is refused.\n"
	"\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible bounds, 5 file error.\n")
};

struct regions_ctx {
	p304_region_total *t;
	size_t n;
};

static const char *const region_labels[] = { "montant pré-notifié (€)" };

static p304_code write_regions(const void *ctx, FILE *fp, p304_error *err)
{
	const struct regions_ctx *r = ctx;

	return p304_write_regions_csv(r->t, r->n, region_labels, 1, fp, err);
}

int cmd_allocate(int argc, char **argv)
{
	const char *scenario = NULL, *outdir = NULL, *complement = NULL;
	char *defdir = NULL;
	int quiet = 0, by_region = 0, xlsx = 0, no_xlsx = 0, code = EXIT_INTERNAL;
	p304_result *res = NULL;
	int64_t *amounts = NULL;
	struct regions_ctx reg = { NULL, 0 };
	struct cli_file files[4];
	size_t nfiles = 2;
	const char **margv = NULL;
	p304_error err;

	p304_error_clear(&err);
	{
		const char *by = NULL;
		const struct cli_option opts[] = {
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("write the output set there (default: outputs/<id>/)") },
			{ "-q|--quiet", NULL, NULL, &quiet, NULL,
			  N_("print nothing on stdout (errors still go to stderr)") },
			{ "--by", _("'region'"), &by, NULL, N_("region"),
			  N_("also total the amounts by region (par-region.csv)") },
			{ "--no-xlsx", NULL, NULL, &no_xlsx, NULL,
			  N_("do not write repartition.xlsx (sheets Paramètres, Répartition, "
			     "Par région; written by default)") },
			{ "--complement", _("a CSV file"), &complement, NULL, N_("FILE.csv"),
			  N_("figures the criteria table lacks, with their sources (code;critere;valeur;source), "
			     "instead of the scenario's \"complement\"") },
			{ "--xlsx", NULL, NULL, &xlsx, NULL, NULL }, /* the default; kept for old scripts */
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &scenario, 1,
					   _("one scenario at a time"), &nop);

		if (rc >= 0)
			return rc;
		if (by && strcmp(by, "region") != 0)
			return cli_usage_error("allocate", _("--by takes 'region'"));
		by_region = by != NULL;
	}
	if (!scenario)
		return cli_usage_error("allocate", _("missing SCENARIO.json"));
	if (p304_run_allocation(scenario, &(p304_alloc_options){
				.default_reference = cli_default_reference(),
				.complement = complement }, &res, &err) != P304_OK)
		return cli_fail(&err);
	cli_print_warnings(res);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/%s", res->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	files[0] = cli_file("repartition.json", res);
	files[1] = cli_file("repartition.csv", res);
	if (by_region) {
		amounts = malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t));
		reg.t = calloc(res->nrows ? res->nrows : 1, sizeof(*reg.t));
		if (!amounts || !reg.t)
			goto out;
		for (size_t i = 0; i < res->nrows; i++)
			amounts[i] = res->rows[i].alloc.amount_eur;
		reg.n = p304_region_totals(res->rows, res->nrows, amounts, NULL, reg.t);
		files[nfiles++] = (struct cli_file){ "par-region.csv", write_regions, &reg };
	}
	xlsx = !no_xlsx;
	if (xlsx)
		files[nfiles++] = cli_file("repartition.xlsx", res);
	margv = cli_argv_with_output(argc, argv, outdir);
	if (!margv)
		goto out;
	if (cli_write_set(res, outdir, margv, files, nfiles, &err) != P304_OK) {
		code = cli_fail(&err);
		goto out;
	}
	if (!quiet) {
		cli_print_summary(stdout, res);
		if (by_region)
			cli_print_regions(stdout, reg.t, reg.n, region_labels, 1);
		printf(_("  written in           %s/ (repartition.json, repartition.csv, %s%smanifest.json)\n"),
		       outdir, by_region ? "par-region.csv, " : "", xlsx ? "repartition.xlsx, " : "");
	}
	code = EXIT_OK;
out:
	free(margv);
	free(defdir);
	free(amounts);
	free(reg.t);
	p304_result_free(res);
	return code;
}
