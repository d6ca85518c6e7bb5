/*
 * cmd_compare.c - `p304 compare A B [-o DIR] [-q]`: what changes between two
 * scenarios (or results), and why, exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* xgettext:no-c-format */
static const char usage[] =
	N_("usage: p304 compare A B [-o DIR] [-q] [--xlsx]\n"
	"\n"
	"Compares two scenarios (or two result files of p304: repartition.json,\n"
	"notification.json) authority by authority: amounts, difference in € and %,\n"
	"status and rank on each side, winners and losers, who enters and leaves.\n"
	"Codings are joined through the reference list (67 + 68 against the CEA).\n"
	"For two scenarios, each difference is split exactly between the factors\n"
	"that differ (envelope, participants, weights, each criterion's data,\n"
	"bounds, rounding) by the Shapley value (docs/compare.md).\n"
	"\n"
	"  -o DIR     output folder (default: outputs/compare-<A>-vs-<B>/)\n"
	"  -q         print nothing on stdout\n"
	"  --xlsx     also write comparaison.xlsx\n"
	"\n"
	"Writes DIR/comparaison.json, DIR/comparaison.csv and DIR/manifest.json.\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible, 5 file error.\n");

static p304_code write_json(const void *ctx, FILE *fp, p304_error *err)
{
	return p304_write_comparison_json(ctx, fp, err);
}

static p304_code write_csv(const void *ctx, FILE *fp, p304_error *err)
{
	return p304_write_comparison_csv(ctx, fp, err);
}

static p304_code write_xlsx(const void *ctx, FILE *fp, p304_error *err)
{
	return p304_write_xlsx_comparison(ctx, fp, err);
}

struct mctx {
	const p304_comparison *c;
	const char *const *argv;
};

static p304_code write_manifest(const void *ctx, FILE *fp, p304_error *err)
{
	const struct mctx *m = ctx;

	return p304_write_inputs_manifest(m->c->inputs, m->c->ninputs, m->argv, fp, err);
}

static int by_delta(const void *x, const void *y)
{
	const p304_compare_row *a = *(const p304_compare_row *const *)x;
	const p304_compare_row *b = *(const p304_compare_row *const *)y;
	int64_t da = a->b_eur - a->a_eur, db = b->b_eur - b->a_eur;

	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(a->code, b->code);
}

/* The factor that explains most of a row's change. */
static void print_mover(const p304_comparison *c, const p304_compare_row *r)
{
	const char *f = p304_compare_main_factor(c, r);
	char d[48], fr[96];

	printf("    %-4s %-30.30s %s%s", r->code, r->name, r->b_eur > r->a_eur ? "+" : "",
	       cli_eur(d, sizeof(d), r->b_eur - r->a_eur));
	if (f)
		printf(_("  mostly: %s"), p304_factor_label_fr(f, fr, sizeof(fr)));
	printf("\n");
}

static void summary(const p304_comparison *c)
{
	const p304_compare_row **sorted = malloc((c->nrows ? c->nrows : 1) * sizeof(*sorted));
	size_t n = 0;
	char a[48], b[48];

	printf("A : %s (%s)\nB : %s (%s)\n", c->a_title, c->a_id, c->b_title, c->b_id);
	printf(_("  total A / B          %s / %s\n"), cli_eur(a, sizeof(a), c->a_total),
	       cli_eur(b, sizeof(b), c->b_total));
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
	}
	if (!sorted)
		return;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].in_a && c->rows[i].in_b)
			sorted[n++] = &c->rows[i];
	qsort(sorted, n, sizeof(*sorted), by_delta);
	/* sorted by change, largest rise first: five rises, then five falls */
	printf(n && sorted[0]->b_eur > sorted[0]->a_eur ? _("  largest rises\n") : _("  largest rises: none\n"));
	for (size_t i = 0; i < n && i < 5 && sorted[i]->b_eur > sorted[i]->a_eur; i++)
		print_mover(c, sorted[i]);
	printf(n && sorted[n - 1]->b_eur < sorted[n - 1]->a_eur ? _("  largest falls\n") :
	       _("  largest falls: none\n"));
	for (size_t i = 0; i < n && i < 5 && sorted[n - 1 - i]->b_eur < sorted[n - 1 - i]->a_eur; i++)
		print_mover(c, sorted[n - 1 - i]);
	free(sorted);
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
	int quiet = 0, xlsx = 0, code = EXIT_INTERNAL;
	p304_comparison *c = NULL;
	p304_error err;

	p304_error_clear(&err);
	{
		const char *ab[2] = { NULL, NULL };
		const struct cli_option opts[] = {
			{ "-q|--quiet", NULL, NULL, &quiet },
			{ "-o|--output", _("a directory"), &outdir, NULL },
			{ "--xlsx", NULL, NULL, &xlsx },
			{ NULL, NULL, NULL, NULL }
		};
		size_t nop;
		int rc = cli_parse_options("compare", usage, argc, argv, opts, ab, 2,
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
			{ "comparaison.json", write_json, c },
			{ "comparaison.csv", write_csv, c },
			{ "manifest.json", write_manifest, &m },
			{ "comparaison.xlsx", write_xlsx, c },
		};

		if (cli_write_files(c->inputs, c->ninputs, outdir, files, xlsx ? 4 : 3, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet) {
		summary(c);
		printf(_("  written in           %s/ (comparaison.json, comparaison.csv, manifest.json)\n"),
		       outdir);
	}
	code = EXIT_OK;
out:
	free(margv);
	free(defdir);
	p304_comparison_free(c);
	return code;
}
