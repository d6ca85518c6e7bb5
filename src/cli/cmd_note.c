/*
 * cmd_note.c - `p304 note SCENARIO [--compare OTHER] [--needs NEEDS] [-o DIR]`:
 * everything that goes into the minister's note, in one folder: note.html
 * (self-contained), note.md, the charts (SVG), the workbook and the result.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p304/chart.h>
#include <p304/ledger.h>

#include "cli.h"
#include "gettext.h"

static const struct cli_usage usage = {
	"note", N_("SCENARIO.json"),
	N_("Writes the note for the minister on SCENARIO: DIR/note.html (self-contained,\n"
	"prints on two A4 pages from a browser, then an annex), DIR/note.md, and\n"
	"DIR/note.docx and note.odt to finish in Word or LibreOffice (made by pandoc\n"
	"when it is installed). Page 1: date, title, object, key figures, the decision\n"
	"asked, the map; page 2: the largest movers by euro and by percentage\n"
	"(--compare), the notification (--needs: who did not answer and who asked\n"
	"more than offered, counted, with the largest), the regional table (with\n"
	"--needs, in the annex) and the sources; annex: every authority's amount,\n"
	"the notification's full lists, the charts, the sources and the method.\n"
	"With --compare, every change reads from REFERENCE to SCENARIO.\n"
	"Also writes the charts (.svg and .png), repartition.xlsx/.json/.csv and\n"
	"manifest.json.\n"),
	N_("Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible, 5 file error.\n")
};

/* One file of the note, already made in memory (p304_note_make). */
static p304_code w_part(const void *ctx, FILE *fp, p304_error *err)
{
	const p304_note_file *f = ctx;

	return fwrite(f->data, 1, f->len, fp) == f->len ? P304_OK
		: p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
}

static p304_code w_json(const void *c, FILE *fp, p304_error *e) { return p304_write_result_json(c, fp, e); }
static p304_code w_csv(const void *c, FILE *fp, p304_error *e) { return p304_write_result_csv(c, fp, e); }
static p304_code w_xlsx(const void *c, FILE *fp, p304_error *e) { return p304_write_xlsx_allocation(c, fp, e); }

struct mctx {
	const p304_input_file *in;
	size_t n;
	const char *const *argv;
};

static p304_code w_manifest(const void *c, FILE *fp, p304_error *e)
{
	const struct mctx *m = c;

	return p304_write_inputs_manifest(m->in, m->n, m->argv, cli_set_files(), fp, e);
}

/* The date of the note: --date (2026-12-01 or 01/12/2026), else today. */
static long note_date(const char *opt)
{
	time_t now = time(NULL);
	struct tm tm;

	if (opt)
		return p304_parse_date(opt);
	localtime_r(&now, &tm);
	return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The inputs of every part, for the manifest (malloc'd, caller frees). */
static p304_input_file *note_inputs(const p304_result *res, const p304_comparison *cmp,
				    const p304_notification *nt, const p304_input_file *ledger,
				    size_t *n)
{
	p304_input_file *in = calloc(res->ninputs + (cmp ? cmp->ninputs : 0) +
				     (nt ? nt->alloc->ninputs : 0) + 2, sizeof(*in));

	*n = 0;
	if (!in)
		return NULL;
	for (size_t i = 0; i < res->ninputs; i++)
		in[(*n)++] = res->inputs[i];
	for (size_t i = 0; cmp && i < cmp->ninputs; i++)
		if (!strncmp(cmp->inputs[i].role, "A:", 2))
			in[(*n)++] = cmp->inputs[i];
	for (size_t i = 0; nt && i < nt->alloc->ninputs; i++)
		if (!strcmp(nt->alloc->inputs[i].role, "needs"))
			in[(*n)++] = nt->alloc->inputs[i];
	if (ledger)
		in[(*n)++] = *ledger;
	return in;
}

/* The command recorded in the manifest, with the date made explicit so
 * that `p304 verify` rewrites the same note on another day. */
static const char **recorded_argv(const char **margv, const char *date_opt, long date,
				  char *datebuf, size_t size)
{
	const char **rec;
	size_t n = 0;

	if (date_opt)
		return margv;
	while (margv[n])
		n++;
	if (!(rec = calloc(n + 3, sizeof(*rec))))
		return NULL;
	memcpy(rec, margv, n * sizeof(*rec));
	snprintf(datebuf, size, "%04ld-%02ld-%02ld", date / 10000, date / 100 % 100, date % 100);
	rec[n] = "--date";
	rec[n + 1] = datebuf;
	return rec;
}

int cmd_note(int argc, char **argv)
{
	const char *scenario = NULL, *other = NULL, *needs = NULL, *outdir = NULL, **margv = NULL;
	const char *date_opt = NULL, **rec_argv = NULL, *ledger = NULL, *year_text = NULL;
	p304_ledger_digest *hist = NULL;
	p304_input_file ledger_in = { 0 };
	int year = 0;
	char *defdir = NULL, tiles[PATH_MAX], datebuf[48];
	p304_result *res = NULL;
	p304_comparison *cmp = NULL;
	p304_notification *nt = NULL;
	p304_input_file *inputs = NULL;
	p304_note_files nf = { .n = 0 };
	size_t ninputs = 0;
	long date;
	int quiet = 0, code = EXIT_INTERNAL, no_alloc_warnings = 0;
	p304_error err;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "--compare", _("a scenario"), &other, NULL, N_("REFERENCE.json"),
			  N_("the scenario (or result) the changes are measured from") },
			{ "--needs", _("a file"), &needs, NULL, N_("NEEDS.csv"),
			  N_("the needs expressed, for the notification") },
			{ "--date", _("a date"), &date_opt, NULL, N_("DATE"),
			  N_("the date of the note (default: today; 2026-12-01)") },
			{ "--ledger", _("a file"), &ledger, NULL, N_("LEDGER"),
			  N_("the campaign ledger: page 2 cites what was delegated and consumed in "
			     "N-1 (and N-2), the last annex each authority's") },
			{ "--year", _("a year"), &year_text, NULL, N_("N"),
			  N_("the campaign year N (default: the year in the scenario's id or title, "
			     "else the note's date)") },
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("output folder (default: outputs/note-<id>/)") },
			{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
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
	}
	if (!scenario)
		return cli_usage_error("note", _("missing SCENARIO.json"));
	if ((date = note_date(date_opt)) <= 0)
		return cli_usage_error("note", _("--date '%s' is not a date, expected 2026-12-01 or 01/12/2026"),
				       date_opt);
	if (year_text && !ledger)
		return cli_usage_error("note", _("--year goes with --ledger"));
	if (year_text && (code = cli_ledger_year("note", year_text, &year)) >= 0)
		return code;
	code = EXIT_INTERNAL;
	/* The comparison reads from OTHER (the reference, side A) to SCENARIO
	 * (side B), as `p304 compare OTHER SCENARIO` does. */
	if (p304_run_allocation(scenario, &(p304_alloc_options){ .default_reference = cli_default_reference() }, &res, &err) != P304_OK ||
	    (other && p304_run_compare(other, scenario, cli_default_reference(), &cmp, &err) != P304_OK) ||
	    (needs && p304_run_reconcile(scenario, cli_default_reference(), needs, NULL, &nt, &err) != P304_OK)) {
		code = cli_fail(&err);
		goto out;
	}
	if (!no_alloc_warnings)
		cli_print_warnings(res);
	/* the campaign year: --year, else the scenario's, else the note's */
	if (ledger && !year && !(year = p304_campaign_year(res->scenario->id, res->scenario->title)))
		year = (int)(date / 10000);
	if (ledger && (code = cli_ledger_digest(ledger, year - 2, year - 1, &hist, &ledger_in)) >= 0)
		goto out;
	code = EXIT_INTERNAL;
	if (!(inputs = note_inputs(res, cmp, nt, ledger ? &ledger_in : NULL, &ninputs)))
		goto out;
	cli_tiles_path(tiles, sizeof(tiles));
	{
		p304_note_request rq = { res, cmp, nt, date, tiles,
			P304_NOTE_HTML | P304_NOTE_MD | P304_NOTE_DOCX | P304_NOTE_ODT |
			P304_NOTE_CHARTS | P304_NOTE_PNG, hist, year };

		if (p304_note_make(&rq, &nf, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	/* without gnuplot or pandoc the note is still written, without what
	 * needs them */
	if (nf.no_charts[0])
		fprintf(stderr, _("p304: warning: %s; the note has no charts\n"), nf.no_charts);
	if (nf.no_office[0])
		fprintf(stderr, _("p304: warning: %s; note.docx and note.odt are not written\n"),
			nf.no_office);
	if (!outdir) {
		if (asprintf(&defdir, "outputs/note-%s", res->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)) ||
	    !(rec_argv = recorded_argv(margv, date_opt, date, datebuf, sizeof(datebuf))))
		goto out;
	{
		struct mctx m = { inputs, ninputs, rec_argv };
		struct cli_file files[24];
		size_t n = 0;

		for (size_t i = 0; i < nf.n; i++)
			files[n++] = (struct cli_file){ nf.file[i].name, w_part, &nf.file[i] };
		files[n++] = (struct cli_file){ "repartition.xlsx", w_xlsx, res };
		files[n++] = (struct cli_file){ "repartition.json", w_json, res };
		files[n++] = (struct cli_file){ "repartition.csv", w_csv, res };
		files[n++] = (struct cli_file){ "manifest.json", w_manifest, &m };
		if (cli_write_files(inputs, ninputs, outdir, files, n, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet) {
		printf(_("%s/note.html\n%s/note.md\n"), outdir, outdir);
		if (p304_note_files_find(&nf, "note.docx"))
			printf(_("%s/note.docx\n"), outdir);
		if (p304_note_files_find(&nf, "note.odt"))
			printf(_("%s/note.odt\n"), outdir);
	}
	code = EXIT_OK;
out:
	if (rec_argv != margv)
		free(rec_argv);
	free(margv);
	free(defdir);
	free(inputs);
	p304_note_files_free(&nf);
	p304_ledger_digest_free(hist);
	p304_result_free(res);
	p304_comparison_free(cmp);
	p304_notification_free(nt);
	return code;
}
