/*
 * cmd_reconcile.c - `p304 reconcile SCENARIO --needs NEEDS.csv [--caps
 * CAPS.csv] [-o DIR] [-q] [--by region]`: from the pre-notified amounts to
 * the notification, with the scenario's policy, written as one output set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_usage usage = {
	"reconcile", N_("SCENARIO.json (--needs NEEDS.csv | --plan PLAN.csv)"),
	N_("Computes the notification: each participant's expressed need (NEEDS.csv:\n"
	"code;besoin_eur[;date_reception]), capped by the amount delegated before\n"
	"(CAPS.csv, 2024 rule) and by its pre-notified amount, then fitted to the\n"
	"credits available with the scenario's \"reconciliation\" policy:\n"
	"missing_answer (renounce|keep), surplus (none|criteria|unmet_need),\n"
	"shortfall (proportional), deadline (late answers count as missing).\n"),
	N_("Writes DIR/notification.json, DIR/notification.xlsx, DIR/notification.csv\n"
	"and DIR/manifest.json.\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible bounds, 5 file error.\n")
};

static const char *const region_labels[] = {
	"montant pré-notifié (€)", "montant notifié (€)"
};

struct regions_ctx {
	p304_region_total *t;
	size_t n;
};

static p304_code write_regions(const void *ctx, FILE *fp, p304_error *err)
{
	const struct regions_ctx *r = ctx;

	return p304_write_regions_csv(r->t, r->n, region_labels, 2, fp, err);
}

static void print_summary(const p304_notification *nt)
{
	const p304_recon_summary *s = &nt->summary;
	const p304_result *res = nt->alloc;
	char a[48], b[48], w1[64], w2[64];

	printf(_("%s (%s) — notification\n"), cli_text(res->scenario->title),
	       cli_text(res->scenario->id));
	printf(_("  pre-notified         %s (%zu participants)\n"),
	       cli_eur(a, sizeof(a), res->summary.allocated_eur), res->nrows);
	printf(_("  expressed needs      %s (%s, %zu without an answer%s%s, %zu late)\n"),
	       cli_eur(a, sizeof(a), s->needs_eur),
	       cli_count(w1, sizeof(w1), s->n_answered, "answer", "answers"), s->n_no_answer,
	       nt->n_absent ? _(" of which ") : "",
	       nt->n_absent ? cli_count(w2, sizeof(w2), nt->n_absent, "absent from the file",
					"absent from the file") : "",
	       s->n_late);
	printf(_("  available credits    %s\n"), cli_eur(a, sizeof(a), nt->available_eur));
	printf(_("  granted              %s (%s)\n"), cli_eur(a, sizeof(a), s->granted_eur),
	       cli_count(w1, sizeof(w1), s->n_capped, "capped request", "capped requests"));
	printf(_("  notified             %s (%s, %s%s%s)\n"),
	       cli_eur(a, sizeof(a), s->notified_eur),
	       cli_count(w1, sizeof(w1), s->n_topped_up, "topped up", "topped up"),
	       cli_count(w2, sizeof(w2), s->n_reduced, "reduced", "reduced"),
	       s->n_reduced ? _(", rate ") : "",
	       s->n_reduced ? cli_decimal(b, sizeof(b), s->rate * 100.0L, 4) : "");
	printf(_("  remainder            %s\n"), cli_eur(a, sizeof(a), s->unallocated_eur));
	/* by name, from the inputs (a kept or reduced row no longer has the
	 * reason no_answer, but it did not answer either) */
	for (int late = 0; late <= 1; late++) {
		char list[1200];

		if (p304_notification_missing_text(nt, late, list, sizeof(list)) > 0)
			printf(late ? _("  late                 %s\n") : _("  without an answer    %s\n"),
			       cli_text(list));
	}
}

/* Participants the needs file does not mention: one warning naming them
 * all, before the summary. */
static void warn_absent(const p304_notification *nt)
{
	const p304_result *res = nt->alloc;
	const char *path = "";
	char list[1200], msg[1600];
	size_t o = 0;

	if (nt->n_absent == 0)
		return;
	for (size_t k = 0; k < res->ninputs; k++)
		if (strcmp(res->inputs[k].role, "needs") == 0)
			path = res->inputs[k].path;
	list[0] = '\0';
	for (size_t i = 0; i < res->nrows && o < sizeof(list); i++)
		if (nt->absent[i])
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s %s", o ? ", " : "",
					      res->rows[i].code, res->rows[i].name);
	if (res->scenario->recon.missing == P304_MISSING_KEEP)
		snprintf(msg, sizeof(msg),
			 Q_("%s: %zu participant is not in the file, counted as not answering "
			    "(keeps its pre-notified amount): %s",
			    "%s: %zu participants are not in the file, counted as not answering "
			    "(they keep their pre-notified amounts): %s", nt->n_absent),
			 path, nt->n_absent, list);
	else
		snprintf(msg, sizeof(msg),
			 Q_("%s: %zu participant is not in the file, counted as not answering "
			    "(renounces the credits): %s",
			    "%s: %zu participants are not in the file, counted as not answering "
			    "(they renounce the credits): %s", nt->n_absent),
			 path, nt->n_absent, list);
	fprintf(stderr, _("p304: warning: %s\n"), cli_text(msg));
}

int cmd_reconcile(int argc, char **argv)
{
	const char *scenario = NULL, *outdir = NULL, *needs = NULL, *caps = NULL, *plan = NULL;
	char *defdir = NULL;
	int quiet = 0, by_region = 0, xlsx = 0, no_xlsx = 0, code = EXIT_INTERNAL;
	int no_alloc_warnings = 0, record = 0, year = 0;
	const char *ledger = NULL, *year_text = NULL;
	p304_notification *nt = NULL;
	int64_t *pre = NULL, *notified = NULL;
	struct regions_ctx reg = { NULL, 0 };
	struct cli_file files[4];
	size_t nfiles = 2;
	const char **margv = NULL;
	p304_error err;

	p304_error_clear(&err);
	{
		const char *by = NULL;
		const struct cli_option opts[] = {
			{ "--needs", _("a file"), &needs, NULL, N_("NEEDS.csv"), N_("the expressed needs") },
			{ "--plan", _("a file"), &plan, NULL, N_("PLAN.csv"),
			  N_("or the action plan (code;objectif;enveloppe;montant_eur): the need is "
			     "the sum of the participant's P304 lines") },
			{ "--caps", _("a file"), &caps, NULL, N_("CAPS.csv"),
			  N_("caps: the first non-empty of the scenario's caps_columns") },
			{ "--ledger", _("a file"), &ledger, NULL, N_("FILE"),
			  N_("caps from the campaign ledger by the 2024 rule (delegated in N-1, "
			     "else N-2; N given by --year)") },
			{ "--year", _("a year"), &year_text, NULL, N_("N"), N_("the campaign year N of --ledger") },
			{ "--record", NULL, NULL, &record, NULL, N_("records the notification in the ledger") },
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("output folder (default: outputs/<id>-notification/)") },
				{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
			{ "--by", _("'region'"), &by, NULL, N_("region"), N_("also total by region (par-region.csv)") },
			{ "--no-xlsx", NULL, NULL, &no_xlsx, NULL,
			  N_("do not write notification.xlsx (written by default)") },
			{ "--xlsx", NULL, NULL, &xlsx, NULL, NULL }, /* the default; kept for old scripts */
			{ "--no-allocation-warnings", NULL, NULL, &no_alloc_warnings, NULL,
			  N_("do not repeat the allocation's warnings (imputed values, exclusions) "
			     "already shown by p304 allocate") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &scenario, 1,
					   _("one scenario at a time"), &nop);

		if (rc >= 0)
			return rc;
		if (by && strcmp(by, "region") != 0)
			return cli_usage_error("reconcile", _("--by takes 'region'"));
		by_region = by != NULL;
	}
	if (!scenario)
		return cli_usage_error("reconcile", _("missing SCENARIO.json"));
	if (!needs == !plan)
		return cli_usage_error("reconcile", needs ? _("--needs and --plan exclude each other")
						      : _("missing --needs NEEDS.csv (or --plan PLAN.csv)"));
	if (ledger || record) {
		int rc = -1;

		if (!ledger || caps || plan)
			return cli_usage_error("reconcile", _("--ledger goes with --needs, not with "
					       "--caps or --plan; --record needs --ledger"));
		if ((rc = cli_ledger_year("reconcile", year_text, &year)) >= 0 ||
		    cli_ledger_reconcile(scenario, needs, ledger, year, quiet, &nt, &rc) != P304_OK)
			return rc;
	} else if ((needs ? p304_run_reconcile(scenario, cli_default_reference(), needs, caps, &nt, &err)
		   : p304_run_reconcile_plan(scenario, cli_default_reference(), plan, caps, &nt, &err))
	    != P304_OK)
		return cli_fail(&err);
	if (!no_alloc_warnings)
		cli_print_warnings(nt->alloc);
	warn_absent(nt);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/%s-notification", nt->alloc->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	files[0] = cli_file("notification.json", nt);
	files[1] = cli_file("notification.csv", nt);
	if (by_region) {
		size_t n = nt->alloc->nrows;

		pre = malloc((n ? n : 1) * sizeof(int64_t));
		notified = malloc((n ? n : 1) * sizeof(int64_t));
		reg.t = calloc(n ? n : 1, sizeof(*reg.t));
		if (!pre || !notified || !reg.t)
			goto out;
		for (size_t i = 0; i < n; i++) {
			pre[i] = nt->alloc->rows[i].alloc.amount_eur;
			notified[i] = nt->rows[i].notified_eur;
		}
		reg.n = p304_region_totals(nt->alloc->rows, n, pre, notified, reg.t);
		files[nfiles++] = (struct cli_file){ "par-region.csv", write_regions, &reg };
	}
	xlsx = !no_xlsx;
	if (xlsx)
		files[nfiles++] = cli_file("notification.xlsx", nt);
	margv = cli_argv_with_output(argc, argv, outdir);
	if (!margv)
		goto out;
	if (cli_write_set(nt->alloc, outdir, margv, files, nfiles, &err) != P304_OK) {
		code = cli_fail(&err);
		goto out;
	}
	if (!quiet) {
		print_summary(nt);
		if (by_region)
			cli_print_regions(stdout, reg.t, reg.n, region_labels, 2);
		printf(_("  written in           %s/ (notification.json, notification.csv, %s%smanifest.json)\n"),
		       outdir, by_region ? "par-region.csv, " : "", xlsx ? "notification.xlsx, " : "");
	}
	code = record ? cli_ledger_record(ledger, year, outdir, NULL, quiet) : EXIT_OK;
out:
	free(margv);
	free(defdir);
	free(pre);
	free(notified);
	free(reg.t);
	p304_notification_free(nt);
	return code;
}
