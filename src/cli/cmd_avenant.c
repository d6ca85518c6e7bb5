/*
 * cmd_avenant.c - `p304 avenant CURRENT --consumed CONSO.csv [--rule R]
 * [--rate PCT] [-o DIR] [-q]`: next year's amounts of a multi-year contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_usage usage = {
	"avenant", N_("CURRENT --consumed CONSO.csv\n--ledger FILE --year N [--record]"),
	N_("Next year's amounts of a multi-year contract (2020-2022, 2025-2027): the\n"
	"amount is confirmed each year by an amendment, and may be reduced after\n"
	"under-consumption (reprise de crédits).\n"),
	N_("Writes DIR/avenant.json, DIR/avenant.csv and DIR/manifest.json.\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 5 file error.\n")
};

struct ctx {
	const p304_avenant_result *av;
	const char *const *argv;
};

static p304_code write_manifest(const void *c, FILE *fp, p304_error *err)
{
	const struct ctx *x = c;

	return p304_write_inputs_manifest(x->av->inputs, x->av->ninputs, x->argv,
					  cli_set_files(), fp, err);
}

int cmd_avenant(int argc, char **argv)
{
	const char *current = NULL, *consumed = NULL, *outdir = NULL, *rate_text = "100";
	p304_avenant_rule rule = P304_AVENANT_STABLE;
	p304_avenant_result *av = NULL;
	char *defdir = NULL, a[48], b[48], c[48];
	int quiet = 0, code = EXIT_INTERNAL, record = 0, year = 0;
	const char *ledger = NULL, *year_text = NULL;
	int64_t rate;
	const char **margv = NULL;
	p304_error err;

	p304_error_clear(&err);
	{
		const char *rule_text = NULL;
		const struct cli_option opts[] = {
			{ "CURRENT", NULL, NULL, NULL, NULL,
			  N_("this year's amounts: notification.json or repartition.json written by p304, "
			     "or a CSV code;montant_eur") },
			{ "--consumed", _("a file"), &consumed, NULL, N_("F"),
			  N_("what each authority consumed: CSV code;consomme_eur (an authority missing "
			     "from it keeps its amount: no_report)") },
			{ "--rule", _("stable or reduce-unconsumed"), &rule_text, NULL, N_("R"),
			  N_("stable (default): amounts confirmed;\n"
			     "reduce-unconsumed: amount − rate × (amount − consumed)") },
			{ "--rate", _("a percentage"), &rate_text, NULL, N_("PCT"),
			  N_("share of the unconsumed part taken back (default 100)") },
			{ "--ledger", _("a file"), &ledger, NULL, N_("FILE"),
			  N_("the campaign ledger instead of CURRENT and --consumed: the amounts delegated "
			     "and consumed in year N give those of N+1") },
			{ "--year", _("a year"), &year_text, NULL, N_("N"), N_("the year N of --ledger") },
			{ "--record", NULL, NULL, &record, NULL,
			  N_("records them in the ledger (stage avenant, year N+1)") },
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("output folder (default: outputs/<id>-avenant/)") },
				{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &current, 1,
					   _("one file of current amounts"), &nop);

		if (rc >= 0)
			return rc;
		if (!rule_text || !strcmp(rule_text, "stable"))
			rule = P304_AVENANT_STABLE;
		else if (!strcmp(rule_text, "reduce-unconsumed"))
			rule = P304_AVENANT_REDUCE_UNCONSUMED;
		else
			return cli_usage_error("avenant", _("--rule takes stable or "
					       "reduce-unconsumed, not '%s'"), rule_text);
	}
	if ((ledger || record) && (!ledger || current || consumed))
		return cli_usage_error("avenant", _("--ledger replaces CURRENT and --consumed; "
				       "--record needs --ledger"));
	if (ledger && (code = cli_ledger_year("avenant", year_text, &year)) >= 0)
		return code;
	code = EXIT_INTERNAL;
	if (!current && !ledger)
		return cli_usage_error("avenant", _("missing CURRENT (notification.json, repartition.json or CSV)"));
	if (!consumed && !ledger)
		return cli_usage_error("avenant", _("missing --consumed CONSO.csv"));
	if (p304_parse_decimal(rate_text, strlen(rate_text), 2, 10000, &rate, NULL, 0) != 0)
		return cli_usage_error("avenant", _("--rate takes a percentage from 0 to 100 "
				       "(at most 2 decimals), not '%s'"), rate_text);
	if (ledger) {
		int rc = cli_ledger_avenant(ledger, year, rule, (int)rate, &av);

		if (rc >= 0)
			return rc;
	} else if (p304_run_avenant(current, consumed, cli_default_reference(), rule, (int)rate,
				    &av, &err) != P304_OK)
		return cli_fail(&err);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/%s", av->id) < 0)
			goto out;
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)))
		goto out;
	{
		struct ctx x = { av, margv };
		struct cli_file files[] = {
			cli_file("avenant.json", x.av),
			cli_file("avenant.csv", x.av),
			{ "manifest.json", write_manifest, &x },
		};

		if (cli_write_files(av->inputs, av->ninputs, outdir, files, 3, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet) {
		printf(_("Avenant (%s)\n"), av->id);
		printf(_("  this year's amounts  %s (%zu authorities)\n"),
		       cli_eur(a, sizeof(a), av->current_eur), av->nlines);
		printf(_("  declared consumption %s (%zu without a report)\n"),
		       cli_eur(b, sizeof(b), av->consumed_eur), av->n_no_report);
		printf(Q_("  taken back           %s (%zu amount reduced)\n",
			  "  taken back           %s (%zu amounts reduced)\n", av->n_reduced),
		       cli_eur(c, sizeof(c), av->reduction_eur), av->n_reduced);
		printf(_("  amendment's amounts  %s\n"), cli_eur(a, sizeof(a), av->next_eur));
		printf(_("  written in           %s/ (avenant.json, avenant.csv, manifest.json)\n"), outdir);
	}
	code = record ? cli_ledger_record(ledger, year, outdir, NULL, quiet) : EXIT_OK;
out:
	free(margv);
	free(defdir);
	p304_avenant_result_free(av);
	return code;
}
