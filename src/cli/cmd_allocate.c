/*
 * cmd_allocate.c - `p304 allocate SCENARIO [-o DIR] [-q]`: the pre-notified
 * amounts, written as one output set (repartition.json, repartition.csv,
 * manifest.json) and summarised on the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"usage: p304 allocate SCENARIO.json [-o DIR] [-q]\n"
	"\n"
	"Computes the pre-notified amount of every participant of the scenario:\n"
	"shares of the weighted criteria, floor and ceiling (amounts proportional\n"
	"to the shares between the bounds), rounding to 'rounding_eur' by largest\n"
	"remainder so that the table adds up exactly.\n"
	"\n"
	"  -o DIR     write the output set there (default: outputs/<id>/)\n"
	"  -q         print nothing on stdout (errors still go to stderr)\n"
	"  -h, --help this text\n"
	"\n"
	"Writes DIR/repartition.json (for programs), DIR/repartition.csv (for\n"
	"Excel: ';', decimal comma, UTF-8 with BOM) and DIR/manifest.json (tool\n"
	"version, time, SHA-256 of every input). The set is written to a temporary\n"
	"folder and put in place at the end: never half a set. A DIR that exists\n"
	"and was not written by p304 is refused.\n"
	"\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible bounds, 5 file error.\n";

static int write_set(const p304_result *res, const char *dir, const char *command,
		     p304_error *err)
{
	static const char *const names[] = { "repartition.json", "repartition.csv", "manifest.json" };
	const char **inputs = calloc(res->ninputs ? res->ninputs : 1, sizeof(char *));
	p304_outset *set = NULL;
	p304_code rc;

	if (!inputs)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < res->ninputs; i++)
		inputs[i] = res->inputs[i].path;
	rc = p304_outset_begin(dir, inputs, res->ninputs, &set, err);
	free(inputs);
	if (rc != P304_OK)
		return rc;
	for (size_t i = 0; i < 3 && rc == P304_OK; i++) {
		FILE *fp = p304_outset_open(set, names[i], err);

		if (!fp) {
			rc = err->code;
			break;
		}
		if (i == 0)
			rc = p304_write_result_json(res, fp, err);
		else if (i == 1)
			rc = p304_write_result_csv(res, fp, err);
		else
			rc = p304_write_manifest(res, command, fp, err);
		if (fclose(fp) != 0 && rc == P304_OK)
			rc = p304_error_set(err, P304_ERR_IO, dir, 0, "write failed");
	}
	if (rc != P304_OK) {
		p304_outset_abort(set);
		return rc;
	}
	return p304_outset_commit(set, err);
}

int cmd_allocate(int argc, char **argv)
{
	const char *scenario = NULL, *outdir = NULL;
	char *defdir = NULL, command[1024];
	int quiet = 0, code;
	p304_result *res = NULL;
	p304_error err;

	p304_error_clear(&err);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc)
				return cli_usage_error("allocate", "-o needs a directory");
			outdir = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("allocate", "unknown option '%s'", argv[i]);
		} else if (!scenario) {
			scenario = argv[i];
		} else {
			return cli_usage_error("allocate", "one scenario at a time ('%s' is extra)",
					       argv[i]);
		}
	}
	if (!scenario)
		return cli_usage_error("allocate", "missing SCENARIO.json");
	if (p304_run_allocation(scenario, cli_default_reference(), &res, &err) != P304_OK)
		return cli_fail(&err);
	cli_print_warnings(res);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/%s", res->scenario->id) < 0) {
			p304_result_free(res);
			return EXIT_INTERNAL;
		}
		outdir = defdir;
	}
	snprintf(command, sizeof(command), "p304 allocate %s -o %s", scenario, outdir);
	if (write_set(res, outdir, command, &err) != P304_OK) {
		code = cli_fail(&err);
		goto out;
	}
	if (!quiet) {
		cli_print_summary(stdout, res);
		printf("  écrit dans           %s/ (repartition.json, repartition.csv, manifest.json)\n",
		       outdir);
	}
	code = EXIT_OK;
out:
	free(defdir);
	p304_result_free(res);
	return code;
}
