/*
 * cmd_validate.c - `p304 validate SCENARIO`: reads and checks every input of
 * a scenario exactly as `allocate` would, including feasibility of the
 * bounds, and writes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_usage usage = {
	"validate", N_("SCENARIO.json"),
	N_("Checks the scenario, the reference list, the criteria table (every used\n"
	"cell), the participants and the feasibility of the floor and ceiling,\n"
	"exactly as 'p304 allocate' does, and writes no file. Each problem is\n"
	"reported as file:line: message.\n"),
	N_("Exit codes: 0 valid, 2 usage, 3 input error, 4 infeasible bounds, 5 file error.\n")
};

int cmd_validate(int argc, char **argv)
{
	const char *scenario = NULL;
	int quiet = 0;
	p304_result *res = NULL;
	p304_error err;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "-q|--quiet", NULL, NULL, &quiet, NULL,
			  N_("print nothing on stdout when the inputs are valid") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &scenario, 1,
					   _("one scenario at a time"), &nop);

		if (rc >= 0)
			return rc;
	}
	if (!scenario)
		return cli_usage_error("validate", _("missing SCENARIO.json"));
	if (p304_run_allocation(scenario, &(p304_alloc_options){ .default_reference = cli_default_reference() }, &res, &err) != P304_OK)
		return cli_fail(&err);
	cli_print_warnings(res);
	if (!quiet) {
		printf(_("%s: valid (%zu participants, %zu criteria, %zu input files)\n"),
		       scenario, res->nrows, res->scenario->ncriteria, res->ninputs);
		for (size_t i = 0; i < res->ninputs; i++)
			printf("  %-12s %s\n", res->inputs[i].role, res->inputs[i].path);
	}
	p304_result_free(res);
	return EXIT_OK;
}
