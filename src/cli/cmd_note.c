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

#include "cli.h"
#include "gettext.h"

/* xgettext:no-c-format */
static const char usage[] =
	N_("usage: p304 note SCENARIO.json [--compare REFERENCE.json] [--needs NEEDS.csv]\n"
	"                 [--date DATE] [-o DIR] [-q]\n"
	"\n"
	"Writes the note for the minister on SCENARIO: DIR/note.html (self-contained,\n"
	"prints on two A4 pages from a browser, then an annex), DIR/note.md, and\n"
	"DIR/note.docx and note.odt to finish in Word or LibreOffice (made by pandoc\n"
	"when it is installed). Page 1: date, title, object, key figures, the decision\n"
	"asked, the map; page 2: the largest movers by euro and by percentage\n"
	"(--compare), the notification (--needs), the regional table and the sources;\n"
	"annex: every authority's amount, the charts, the sources and the method.\n"
	"With --compare, every change reads from REFERENCE to SCENARIO.\n"
	"Also writes the charts (.svg and .png), repartition.xlsx/.json/.csv and\n"
	"manifest.json.\n"
	"\n"
	"  --compare REFERENCE  the scenario (or result) the changes are measured from\n"
	"  --needs NEEDS.csv    the needs expressed, for the notification\n"
	"  --date DATE          the date of the note (default: today; 2026-12-01)\n"
	"  -o DIR               output folder (default: outputs/note-<id>/)\n"
	"  --no-allocation-warnings  do not repeat the allocation's warnings\n"
	"                       (imputed values, exclusions) shown by p304 allocate\n"
	"\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible, 5 file error.\n");

struct copy_ctx {
	char path[PATH_MAX];
};

static p304_code copy_file(const void *ctx, FILE *fp, p304_error *err)
{
	const struct copy_ctx *c = ctx;
	FILE *in = fopen(c->path, "rb");
	char buf[65536];
	size_t n;
	int bad = 0;

	if (!in)
		return p304_error_set(err, P304_ERR_IO, c->path, 0, _("cannot read"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad |= fwrite(buf, 1, n, fp) != n;
	fclose(in);
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}

static p304_code w_html(const void *c, FILE *fp, p304_error *e) { return p304_write_note_html(c, fp, e); }
static p304_code w_md(const void *c, FILE *fp, p304_error *e) { return p304_write_note_md(c, fp, e); }
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

/* Writes a result file into the scratch folder for the chart reader. */
static int dump(const char *path, p304_code (*w)(const void *, FILE *, p304_error *),
		const void *obj, p304_error *err)
{
	FILE *fp = fopen(path, "wb");
	p304_code rc;

	if (!fp) {
		p304_error_set(err, P304_ERR_IO, path, 0, _("cannot write"));
		return -1;
	}
	rc = w(obj, fp, err);
	return fclose(fp) != 0 || rc != P304_OK ? -1 : 0;
}

static p304_code w_cmp(const void *c, FILE *fp, p304_error *e) { return p304_write_comparison_json(c, fp, e); }
static p304_code w_nt(const void *c, FILE *fp, p304_error *e) { return p304_write_notification_json(c, fp, e); }

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

/* Noon UTC of that day, for pandoc's SOURCE_DATE_EPOCH. */
static long date_epoch(long d)
{
	struct tm tm = { .tm_year = (int)(d / 10000) - 1900, .tm_mon = (int)(d / 100 % 100) - 1,
			 .tm_mday = (int)(d % 100), .tm_hour = 12 };

	return (long)timegm(&tm);
}

#define NCHARTS 4

int cmd_note(int argc, char **argv)
{
	const char *scenario = NULL, *other = NULL, *needs = NULL, *outdir = NULL, **margv = NULL;
	const char *date_opt = NULL, **rec_argv = NULL;
	char *defdir = NULL, scratch[] = "/tmp/p304-note-XXXXXX", tiles[PATH_MAX];
	char jres[PATH_MAX], jcmp[PATH_MAX], jnt[PATH_MAX], mdp[PATH_MAX], datebuf[48];
	struct copy_ctx svg[NCHARTS], png[NCHARTS], docx, odt;
	static const char *const svg_names[NCHARTS] = { "map.svg", "bars.svg", "compare.svg", "reconcile.svg" };
	static const char *const png_names[NCHARTS] = { "map.png", "bars.png", "compare.png", "reconcile.png" };
	const char *svg_path[NCHARTS] = { NULL, NULL, NULL, NULL };
	int have_png[NCHARTS] = { 0, 0, 0, 0 }, have_docx = 0, have_odt = 0;
	p304_result *res = NULL;
	p304_comparison *cmp = NULL;
	p304_notification *nt = NULL;
	p304_input_file *inputs = NULL;
	size_t ninputs = 0;
	long date;
	int quiet = 0, code = EXIT_INTERNAL, have_scratch = 0, no_alloc_warnings = 0;
	p304_error err;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "-q|--quiet", NULL, NULL, &quiet },
			{ "-o|--output", _("a directory"), &outdir, NULL },
			{ "--compare", _("a scenario"), &other, NULL },
			{ "--needs", _("a file"), &needs, NULL },
			{ "--date", _("a date"), &date_opt, NULL },
			{ "--no-allocation-warnings", NULL, NULL, &no_alloc_warnings },
			{ NULL, NULL, NULL, NULL }
		};
		size_t nop;
		int rc = cli_parse_options("note", usage, argc, argv, opts, &scenario, 1,
					   _("one scenario at a time"), &nop);

		if (rc >= 0)
			return rc;
	}
	if (!scenario)
		return cli_usage_error("note", _("missing SCENARIO.json"));
	if ((date = note_date(date_opt)) <= 0)
		return cli_usage_error("note", _("--date '%s' is not a date, expected 2026-12-01 or 01/12/2026"),
				       date_opt);
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
	/* the inputs of every part, for the manifest */
	inputs = calloc(res->ninputs + (cmp ? cmp->ninputs : 0) + (nt ? nt->alloc->ninputs : 0) + 1,
			sizeof(*inputs));
	if (!inputs)
		goto out;
	for (size_t i = 0; i < res->ninputs; i++)
		inputs[ninputs++] = res->inputs[i];
	for (size_t i = 0; cmp && i < cmp->ninputs; i++)
		if (!strncmp(cmp->inputs[i].role, "A:", 2))
			inputs[ninputs++] = cmp->inputs[i];
	for (size_t i = 0; nt && i < nt->alloc->ninputs; i++)
		if (!strcmp(nt->alloc->inputs[i].role, "needs"))
			inputs[ninputs++] = nt->alloc->inputs[i];
	/* results and charts in a scratch folder */
	if (!mkdtemp(scratch)) {
		fprintf(stderr, _("p304: cannot create a scratch folder\n"));
		code = EXIT_IO;
		goto out;
	}
	have_scratch = 1;
	snprintf(jres, sizeof(jres), "%s/repartition.json", scratch);
	snprintf(jcmp, sizeof(jcmp), "%s/comparaison.json", scratch);
	snprintf(jnt, sizeof(jnt), "%s/notification.json", scratch);
	snprintf(mdp, sizeof(mdp), "%s/note-pandoc.md", scratch);
	snprintf(docx.path, sizeof(docx.path), "%s/note.docx", scratch);
	snprintf(odt.path, sizeof(odt.path), "%s/note.odt", scratch);
	if (dump(jres, w_json, res, &err) || (cmp && dump(jcmp, w_cmp, cmp, &err)) ||
	    (nt && dump(jnt, w_nt, nt, &err))) {
		code = cli_fail(&err);
		goto out;
	}
	cli_tiles_path(tiles, sizeof(tiles));
	for (int k = 0; k < NCHARTS; k++) {
		p304_chart_request req = { .format = P304_FORMAT_SVG, .tiles_path = tiles };

		if ((k == 2 && !cmp) || (k == 3 && !nt))
			continue;
		req.kind = k == 0 ? P304_CHART_MAP : k == 1 ? P304_CHART_BARS
			 : k == 2 ? P304_CHART_COMPARE : P304_CHART_RECONCILE;
		req.result_path = k == 2 ? jcmp : k == 3 ? jnt : jres;
		snprintf(svg[k].path, sizeof(svg[k].path), "%s/%s", scratch, svg_names[k]);
		snprintf(png[k].path, sizeof(png[k].path), "%s/%s", scratch, png_names[k]);
		req.out_path = svg[k].path;
		if (p304_chart_render(&req, &err) != P304_OK) {
			if (err.code != P304_ERR_DEPENDENCY) {
				code = cli_fail(&err);
				goto out;
			}
			/* without gnuplot the note is still written, without figures */
			fprintf(stderr, _("p304: warning: %s; the note has no charts\n"), err.message);
			break;
		}
		svg_path[k] = svg[k].path;
		/* the same chart as PNG, for the Markdown and the .docx */
		req.format = P304_FORMAT_PNG;
		req.out_path = png[k].path;
		if (p304_chart_render(&req, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
		have_png[k] = 1;
	}
	if (!outdir) {
		if (asprintf(&defdir, "outputs/note-%s", res->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)))
		goto out;
	rec_argv = margv;
	if (!date_opt) {
		/* the manifest records the date, so `p304 verify` rewrites the
		 * same note on another day */
		size_t n = 0;

		while (margv[n])
			n++;
		if (!(rec_argv = calloc(n + 3, sizeof(*rec_argv))))
			goto out;
		memcpy(rec_argv, margv, n * sizeof(*rec_argv));
		snprintf(datebuf, sizeof(datebuf), "%04ld-%02ld-%02ld", date / 10000, date / 100 % 100,
			 date % 100);
		rec_argv[n] = "--date";
		rec_argv[n + 1] = datebuf;
	}
	{
		p304_note note = { res, cmp, nt, svg_path[0], svg_path[1], svg_path[2], svg_path[3], date, 1 };
		struct mctx m = { inputs, ninputs, rec_argv };
		struct cli_file files[20];
		size_t nf = 0;
		FILE *fp;
		p304_code prc;

		/* note.docx and note.odt: pandoc on the Markdown, PNG charts */
		if (!(fp = fopen(mdp, "wb"))) {
			fprintf(stderr, _("p304: %s: cannot write\n"), mdp);
			code = EXIT_IO;
			goto out;
		}
		prc = p304_write_note_md(&note, fp, &err);
		if (fclose(fp) != 0 || prc != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
		prc = p304_pandoc_convert(mdp, docx.path, scratch, date_epoch(date), &err);
		if (prc == P304_OK)
			have_docx = 1;
		if (prc == P304_OK &&
		    (prc = p304_pandoc_convert(mdp, odt.path, scratch, date_epoch(date), &err)) == P304_OK)
			have_odt = 1;
		if (prc == P304_ERR_DEPENDENCY) {
			fprintf(stderr, _("p304: warning: %s; note.docx and note.odt are not written\n"),
				err.message);
		} else if (prc != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
		note.for_pandoc = 0;
		files[nf++] = (struct cli_file){ "note.html", w_html, &note };
		files[nf++] = (struct cli_file){ "note.md", w_md, &note };
		if (have_docx)
			files[nf++] = (struct cli_file){ "note.docx", copy_file, &docx };
		if (have_odt)
			files[nf++] = (struct cli_file){ "note.odt", copy_file, &odt };
		for (int k = 0; k < NCHARTS; k++) {
			if (svg_path[k])
				files[nf++] = (struct cli_file){ svg_names[k], copy_file, &svg[k] };
			if (have_png[k])
				files[nf++] = (struct cli_file){ png_names[k], copy_file, &png[k] };
		}
		files[nf++] = (struct cli_file){ "repartition.xlsx", w_xlsx, res };
		files[nf++] = (struct cli_file){ "repartition.json", w_json, res };
		files[nf++] = (struct cli_file){ "repartition.csv", w_csv, res };
		files[nf++] = (struct cli_file){ "manifest.json", w_manifest, &m };
		if (cli_write_files(inputs, ninputs, outdir, files, nf, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet) {
		printf(_("%s/note.html\n%s/note.md\n"), outdir, outdir);
		if (have_docx)
			printf(_("%s/note.docx\n"), outdir);
		if (have_odt)
			printf(_("%s/note.odt\n"), outdir);
	}
	code = EXIT_OK;
out:
	if (have_scratch) {
		for (int k = 0; k < NCHARTS; k++) {
			if (svg_path[k])
				unlink(svg[k].path);
			if (have_png[k])
				unlink(png[k].path);
		}
		unlink(jres);
		unlink(jcmp);
		unlink(jnt);
		unlink(mdp);
		unlink(docx.path);
		unlink(odt.path);
		rmdir(scratch);
	}
	if (rec_argv != margv)
		free(rec_argv);
	free(margv);
	free(defdir);
	free(inputs);
	p304_result_free(res);
	p304_comparison_free(cmp);
	p304_notification_free(nt);
	return code;
}
