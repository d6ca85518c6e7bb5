/*
 * main.c - p304's entry point: finds the subcommand in the table and runs it.
 * Adding a command is one cmd_*.c file and one line here (git's commands[]).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "allocate", cmd_allocate, N_("compute the pre-notified amounts of a scenario") },
	{ "avenant", cmd_avenant, N_("next year's amounts of a multi-year contract (stable or reduced)") },
	{ "chart", cmd_chart, N_("draw a result with gnuplot (bars, map, compare, waterfall, ...)") },
	{ "check-plan", cmd_check_plan, N_("check an action plan against the objectives each envelope funds") },
	{ "compare", cmd_compare, N_("compare two scenarios and explain every change exactly") },
	{ "fiches", cmd_fiches, N_("one sheet per participant: why it got its amount, its change by factor") },
	{ "ledger", cmd_ledger, N_("the campaign's memory: record, import, history, view, caps, backup") },
	{ "note", cmd_note, N_("the minister's note: HTML and Markdown, charts, workbook") },
	{ "reconcile", cmd_reconcile, N_("from pre-notified amounts and expressed needs to the notification") },
	{ "serve", cmd_serve, N_("the workbench in a browser: a local server and its JSON API") },
	{ "sweep", cmd_sweep, N_("sensitivity: thousands of variants around a scenario") },
	{ "validate", cmd_validate, N_("check a scenario and its input files, write nothing") },
	{ "verify", cmd_verify, N_("recompute an output set from its manifest and compare") },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_help(FILE *fp)
{
	fprintf(fp,
		_("usage: p304 [--version] [--help] <command> [<args>]\n"
		"\n"
		"Simulates the allocation of the programme 304 envelope (child-protection\n"
		"contractualisation) between départements: weighted criteria, floor and\n"
		"ceiling, amounts rounded so that the table adds up to the euro.\n"
		"\n"
		"commands:\n"));
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "   %-10s %s\n", commands[i].name, _(commands[i].summary));
	fprintf(fp,
		_("\n"
		"'p304 <command> --help' describes a command. Exit codes: 0 success,\n"
		"1 internal error, 2 usage error, 3 input error, 4 infeasible bounds,\n"
		"5 file cannot be read or written, 6 verify found differences,\n"
		"7 gnuplot missing (docs/exit-codes.md).\n"));
}

int main(int argc, char **argv)
{
	p304_i18n_init();
	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 && argc > 2) {
		/* `p304 help allocate` is `p304 allocate --help` */
		char *args[] = { argv[2], "--help", NULL };

		for (size_t i = 0; i < NCOMMANDS; i++)
			if (strcmp(argv[2], commands[i].name) == 0)
				return commands[i].run(2, args);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("p304 %s\n", P304_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, _("p304: '%s' is not a p304 command; try 'p304 --help'\n"), argv[1]);
	return EXIT_USAGE;
}
