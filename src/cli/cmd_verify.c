/*
 * cmd_verify.c - `p304 verify DIR`: reproducibility of a published set. The
 * work (manifest, inputs' SHA-256, the rerun into a scratch folder, the
 * comparison) is p304_verify_set (src/workflow/verify.c); this prints it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <p304/verify.h>

#include "cli.h"

static const struct cli_usage usage = {
	"verify", N_("DIR"),
	N_("Checks that an output set of p304 can be reproduced: reads DIR/manifest.json,\n"
	"checks the SHA-256 of every input it lists, reruns the recorded command in\n"
	"the recorded working directory into a scratch folder, and compares byte\n"
	"for byte every file the command writes (a chart or a note added to the\n"
	"folder is not compared) and the manifest's list of files. Prints the\n"
	"command it replays, then 'identical', or exactly which inputs changed and\n"
	"which files and rows differ. Only allocate, reconcile, compare, sweep (up\n"
	"to 1000000 samples), avenant and note are replayed, with the options they\n"
	"accept; a recomputation is stopped after 120 s (P304_VERIFY_SECONDS); the\n"
	"scratch folder is the only output, removed even when verify is stopped.\n"),
	N_("Exit codes: 0 identical, 2 usage, 3 not a p304 set or a command verify\n"
	"does not replay, 5 file error,\n"
	"6 differences found (changed input or different result).\n")
};

int cmd_verify(int argc, char **argv)
{
	const char *dir = NULL;
	char self[PATH_MAX];
	ssize_t len;
	p304_verify_report rep;
	p304_error err;
	int quiet = 0, code, rc;

	{
		const struct cli_option opts[] = {
			{ "-q|--quiet", NULL, NULL, &quiet, NULL,
			  N_("print only the notes and the differences") },
			CLI_OPT_END
		};
		size_t nop;

		if ((rc = cli_parse_options(&usage, argc, argv, opts, &dir, 1,
					    _("one folder at a time"), &nop)) >= 0)
			return rc;
	}
	if (!dir)
		return cli_usage_error("verify", _("missing DIR (an output folder of p304)"));
	/* the resolved path (under valgrind /proc/self/exe is valgrind) */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return EXIT_INTERNAL;
	self[len] = '\0';
	p304_error_clear(&err);
	if (p304_verify_set(dir, self, &rep, &err) != P304_OK) {
		code = cli_fail(&err);
		p304_verify_report_release(&rep);
		return code;
	}
	for (size_t i = 0; i < rep.nnotes; i++)
		printf(_("  note: %s\n"), cli_text(rep.notes[i]));
	if (!quiet) {
		printf("%s: %s\n", cli_text(dir), cli_text(rep.command));
		/* what verify ran, to rerun it by hand (issue 19) */
		if (rep.replayed)
			printf(_("  replayed: %s\n"), cli_text(rep.replayed));
	}
	for (size_t i = 0; i < rep.nlines; i++)
		printf("  %s\n", cli_text(rep.lines[i]));
	if (rep.nlines == 0) {
		if (!quiet)
			printf(_("  identical: %zu files recomputed from %zu inputs\n"), rep.nfiles,
			       rep.ninputs);
		code = EXIT_OK;
	} else {
		printf(Q_("  %zu difference\n", "  %zu differences\n", rep.nlines), rep.nlines);
		code = EXIT_DIFFERS;
	}
	p304_verify_report_release(&rep);
	return code;
}
