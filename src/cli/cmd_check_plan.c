/*
 * cmd_check_plan.c - `p304 check-plan PLAN.csv (--framework 2020|2025 |
 * --scenario S.json)`: reports the lines of an action plan whose objective
 * the named envelope may not fund, unknown objectives, and mandatory
 * objectives missing, one message per problem. Writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_usage usage = {
	"check-plan", N_("PLAN.csv (--framework 2020|2025 | --scenario S.json)"),
	N_("Checks an action plan (code;objectif;enveloppe;montant_eur, one line per\n"
	"action; enveloppe P304, FIR or ONDAM) against the objectives each\n"
	"envelope may fund:\n"
	"  2020 (circular of 20/02/2020): P304 6-8, 10-12, 14-26; FIR 1-5, 13;\n"
	"       ONDAM 9, 24; the 11 fundamental objectives 1-11 in every plan;\n"
	"  2025 (instruction 2025/60): FIR 1-5; P304 6-11; ONDAM 12-14;\n"
	"       1-4, 6, 7 mandatory and at least one of 12-14.\n"),
	N_("Exit codes: 0 no problem, 2 usage, 3 problems found or input error,\n"
	"5 file error.\n")
};

int cmd_check_plan(int argc, char **argv)
{
	const char *path = NULL, *fw_text = NULL, *scenario = NULL, *refpath;
	p304_framework fw = P304_FRAMEWORK_NONE;
	p304_scenario *sc = NULL;
	p304_reference *ref = NULL;
	p304_plan *plan = NULL;
	p304_finding *found = NULL;
	size_t nfound = 0;
	int quiet = 0, code;
	p304_error err;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "--framework", _("2020 or 2025"), &fw_text, NULL, N_("Y"), N_("2020 or 2025") },
			{ "--scenario", _("a file"), &scenario, NULL, N_("F"),
			  N_("take the framework (\"framework\") and reference list of F") },
			{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print only the problems") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &path, 1,
					   _("one plan at a time"), &nop);

		if (rc >= 0)
			return rc;
	}
	if (!path)
		return cli_usage_error("check-plan", _("missing PLAN.csv"));
	if (fw_text) {
		if (!strcmp(fw_text, "2020"))
			fw = P304_FRAMEWORK_2020;
		else if (!strcmp(fw_text, "2025"))
			fw = P304_FRAMEWORK_2025;
		else
			return cli_usage_error("check-plan", _("--framework takes 2020 or 2025, not '%s'"),
					       fw_text);
	}
	refpath = cli_default_reference();
	if (scenario) {
		if (p304_scenario_load(scenario, refpath, &sc, &err) != P304_OK)
			return cli_fail(&err);
		refpath = sc->reference_path;
		if (fw == P304_FRAMEWORK_NONE)
			fw = sc->framework;
	}
	if (fw == P304_FRAMEWORK_NONE) {
		p304_scenario_free(sc);
		return cli_usage_error("check-plan", _("no framework: give --framework 2020|2025 "
				       "or a scenario with \"framework\""));
	}
	if (p304_reference_load(refpath, &ref, &err) != P304_OK ||
	    p304_plan_load(path, ref, &plan, &err) != P304_OK ||
	    p304_plan_check(plan, fw, &found, &nfound, &err) != P304_OK) {
		code = cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < nfound; i++) {
		if (found[i].line > 0)
			fprintf(stderr, _("p304: %s:%ld: %s\n"), cli_text(path), found[i].line,
				cli_text(found[i].message));
		else
			fprintf(stderr, _("p304: %s: %s\n"), cli_text(path), cli_text(found[i].message));
	}
	if (!quiet)
		printf(_("%s: %zu lines, framework %s: %s\n"), path, plan->nlines,
		       fw == P304_FRAMEWORK_2020 ? "2020" : "2025",
		       nfound ? _("problems found (see above)") : _("no problem"));
	code = nfound ? EXIT_INPUT : EXIT_OK;
out:
	free(found);
	p304_plan_free(plan);
	p304_reference_free(ref);
	p304_scenario_free(sc);
	return code;
}
