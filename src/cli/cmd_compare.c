/*
 * cmd_compare.c - `p304 compare A B [-o DIR] [-q]`: what changes between two
 * scenarios (or results), and why, exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_usage usage = {
	"compare", N_("REFERENCE SCENARIO"),
	N_("Compares two scenarios (or two result files of p304: repartition.json,\n"
	"notification.json) authority by authority. A, the first file, is the\n"
	"reference; B, the second, the scenario: every change reads from A to B\n"
	"(écart = B − A). Amounts, difference in € and %, status and rank on each\n"
	"side, winners and losers, who enters and leaves, the largest movers by €\n"
	"and by %. Codings are joined through the reference list (67 + 68 against\n"
	"the CEA). For two scenarios, each difference is split exactly between the\n"
	"factors that differ (envelope, participants, weights, each criterion's\n"
	"data, bounds, rounding) by the Shapley value (docs/compare.md).\n"),
	N_("Writes DIR/comparaison.json, DIR/comparaison.csv and DIR/comparaison.xlsx\n"
	"(rows sorted by change, largest rise first) and DIR/manifest.json.\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible, 5 file error.\n")
};

struct mctx {
	const p304_comparison *c;
	const char *const *argv;
};

static p304_code write_manifest(const void *ctx, FILE *fp, p304_error *err)
{
	const struct mctx *m = ctx;

	return p304_write_inputs_manifest(m->c->inputs, m->c->ninputs, m->argv,
					  cli_set_files(), fp, err);
}

/* "    62   Pas-de-Calais   -3 170 161 € (-70,4 %)  surtout : participants" */
static void print_mover(const p304_comparison *c, const p304_compare_row *r)
{
	const char *f = p304_compare_main_factor(c, r);
	char d[48], fr[96], p[32];
	double pc = p304_compare_pct(r);

	snprintf(p, sizeof(p), "%+.1f %%", pc);
	for (char *q = p; *q; q++)
		if (*q == '.')
			*q = ',';
	printf("    %-4s %-30.30s %s%s (%s)", cli_text(r->code), cli_text(r->name), r->b_eur > r->a_eur ? "+" : "",
	       cli_eur(d, sizeof(d), r->b_eur - r->a_eur), r->a_eur ? p : "-");
	if (f)
		printf(_("  mostly: %s"), p304_factor_label_fr(f, fr, sizeof(fr)));
	printf("\n");
}

static void movers(const p304_comparison *c, int by_pct)
{
	const p304_compare_row *mv[10];
	size_t nrises, n = p304_compare_movers(c, by_pct, 5, mv, &nrises);

	if (nrises)
		printf(by_pct ? _("  largest rises in %%\n") : _("  largest rises in €\n"));
	else
		printf(by_pct ? _("  largest rises in %%: none\n") : _("  largest rises in €: none\n"));
	for (size_t i = 0; i < nrises; i++)
		print_mover(c, mv[i]);
	if (n > nrises)
		printf(by_pct ? _("  largest falls in %%\n") : _("  largest falls in €\n"));
	else
		printf(by_pct ? _("  largest falls in %%: none\n") : _("  largest falls in €: none\n"));
	for (size_t i = nrises; i < n; i++)
		print_mover(c, mv[i]);
}

static void summary(const p304_comparison *c)
{
	char a[48], b[48], d[48];

	printf(_("A (reference): %s (%s)\nB (scenario):  %s (%s)\n"), cli_text(c->a_title), cli_text(c->a_id),
	       cli_text(c->b_title), cli_text(c->b_id));
	printf(_("  total A -> B         %s -> %s (change B - A: %s%s)\n"), cli_eur(a, sizeof(a), c->a_total),
	       cli_eur(b, sizeof(b), c->b_total), c->b_total > c->a_total ? "+" : "",
	       cli_eur(d, sizeof(d), c->b_total - c->a_total));
	printf(_("  winners / losers / unchanged  %zu / %zu / %zu; entering %zu, leaving %zu\n"),
	       c->winners, c->losers, c->unchanged, c->entering, c->leaving);
	if (c->decomposed) {
		const char *sep = " ";
		char fr[96];

		printf(_("  factors that differ:"));
		for (size_t k = 0; k < c->nfactors; k++)
			if (c->differs[k]) {
				printf("%s%s", sep, p304_factor_label_fr(c->factors[k], fr, sizeof(fr)));
				sep = ", ";
			}
		printf("\n");
		/* each factor's share of the total change: they add up exactly */
		for (size_t k = 0; k < c->nfactors; k++) {
			int64_t t = 0;

			if (!c->differs[k])
				continue;
			for (size_t i = 0; i < c->nrows; i++)
				t += c->rows[i].contrib[k];
			printf(_("    of which %-24s %s%s\n"), p304_factor_label_fr(c->factors[k], fr, sizeof(fr)),
			       t > 0 ? "+" : "", cli_eur(d, sizeof(d), t));
		}
	}
	movers(c, 0);
	movers(c, 1);
	{
		size_t scen = 0;

		/* the scenarios' own warnings are in comparaison.json */
		for (size_t i = 0; i < c->nnotes; i++) {
			if (!strncmp(c->notes[i], "A : ", 4) || !strncmp(c->notes[i], "B : ", 4))
				scen++;
			else
				printf(_("  note: %s\n"), c->notes[i]);
		}
		if (scen)
			printf(Q_("  note: %zu warning of the scenarios (imputations, exclusions) "
				  "in comparaison.json\n",
				  "  note: %zu warnings of the scenarios (imputations, exclusions) "
				  "in comparaison.json\n", scen), scen);
	}
}

int cmd_compare(int argc, char **argv)
{
	const char *pa = NULL, *pb = NULL, *outdir = NULL, **margv = NULL;
	char *defdir = NULL;
	int quiet = 0, xlsx = 0, no_xlsx = 0, code = EXIT_INTERNAL;
	p304_comparison *c = NULL;
	p304_error err;

	p304_error_clear(&err);
	{
		const char *ab[2] = { NULL, NULL };
		const struct cli_option opts[] = {
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("output folder (default: outputs/compare-<A>-vs-<B>/)") },
				{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
			{ "--no-xlsx", NULL, NULL, &no_xlsx, NULL,
			  N_("do not write comparaison.xlsx (written by default)") },
			{ "--xlsx", NULL, NULL, &xlsx, NULL, NULL }, /* the default; kept for old scripts */
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, ab, 2,
					   _("two files, A and B"), &nop);

		if (rc >= 0)
			return rc;
		pa = ab[0];
		pb = ab[1];
	}
	if (!pb)
		return cli_usage_error("compare", _("needs two files, A and B"));
	if (p304_run_compare(pa, pb, cli_default_reference(), &c, &err) != P304_OK)
		return cli_fail(&err);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/compare-%s-vs-%s", c->a_id, c->b_id) < 0)
			goto out;
		for (char *p = defdir + strlen("outputs/"); *p; p++)
			if (*p == '/')
				*p = '_';
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)))
		goto out;
	{
		struct mctx m = { c, margv };
		struct cli_file files[] = {
			cli_file("comparaison.json", c),
			cli_file("comparaison.csv", c),
			{ "manifest.json", write_manifest, &m },
			cli_file("comparaison.xlsx", c),
		};

		xlsx = !no_xlsx;
		if (cli_write_files(c->inputs, c->ninputs, outdir, files, xlsx ? 4 : 3, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet) {
		summary(c);
		printf(_("  written in           %s/ (comparaison.json, comparaison.csv, %smanifest.json)\n"),
		       outdir, xlsx ? "comparaison.xlsx, " : "");
	}
	code = EXIT_OK;
out:
	free(margv);
	free(defdir);
	p304_comparison_free(c);
	return code;
}
