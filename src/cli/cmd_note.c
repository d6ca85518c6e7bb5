/*
 * cmd_note.c - `p304 note SCENARIO [--compare OTHER] [--needs NEEDS] [-o DIR]`:
 * everything that goes into the minister's note, in one folder: note.html
 * (self-contained), note.md, the charts (SVG), the workbook and the result.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p304/chart.h>

#include "cli.h"

/* xgettext:no-c-format */
static const char usage[] =
	N_("usage: p304 note SCENARIO.json [--compare OTHER.json] [--needs NEEDS.csv] [-o DIR] [-q]\n"
	"\n"
	"Writes the material of a two-page note: DIR/note.html (self-contained:\n"
	"charts as inline SVG, CSS inline, prints on A4 from a browser), DIR/note.md,\n"
	"the charts (map.svg, bars.svg, compare.svg, reconcile.svg), the workbook\n"
	"repartition.xlsx, repartition.json/.csv and manifest.json. The note gives\n"
	"the key figures, the tile map, the amounts, the comparison with OTHER and its\n"
	"largest movers (--compare), the notification (--needs), the regional table,\n"
	"and the sources and method.\n"
	"\n"
	"  -o DIR     output folder (default: outputs/note-<id>/)\n"
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

	return p304_write_inputs_manifest(m->in, m->n, m->argv, fp, e);
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

int cmd_note(int argc, char **argv)
{
	const char *scenario = NULL, *other = NULL, *needs = NULL, *outdir = NULL, **margv = NULL;
	char *defdir = NULL, scratch[] = "/tmp/p304-note-XXXXXX", tiles[PATH_MAX];
	char jres[PATH_MAX], jcmp[PATH_MAX], jnt[PATH_MAX];
	struct copy_ctx svg[4];
	static const char *const svg_names[4] = { "map.svg", "bars.svg", "compare.svg", "reconcile.svg" };
	const char *svg_path[4] = { NULL, NULL, NULL, NULL };
	p304_result *res = NULL;
	p304_comparison *cmp = NULL;
	p304_notification *nt = NULL;
	p304_input_file *inputs = NULL;
	size_t ninputs = 0;
	int quiet = 0, code = EXIT_INTERNAL, have_scratch = 0;
	p304_error err;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "-q|--quiet", NULL, NULL, &quiet },
			{ "-o|--output", _("a directory"), &outdir, NULL },
			{ "--compare", _("a scenario"), &other, NULL },
			{ "--needs", _("a file"), &needs, NULL },
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
	if (p304_run_allocation(scenario, cli_default_reference(), &res, &err) != P304_OK ||
	    (other && p304_run_compare(scenario, other, cli_default_reference(), &cmp, &err) != P304_OK) ||
	    (needs && p304_run_reconcile(scenario, cli_default_reference(), needs, NULL, &nt, &err) != P304_OK)) {
		code = cli_fail(&err);
		goto out;
	}
	cli_print_warnings(res);
	/* the inputs of every part, for the manifest */
	inputs = calloc(res->ninputs + (cmp ? cmp->ninputs : 0) + (nt ? nt->alloc->ninputs : 0) + 1,
			sizeof(*inputs));
	if (!inputs)
		goto out;
	for (size_t i = 0; i < res->ninputs; i++)
		inputs[ninputs++] = res->inputs[i];
	for (size_t i = 0; cmp && i < cmp->ninputs; i++)
		if (!strncmp(cmp->inputs[i].role, "B:", 2))
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
	if (dump(jres, w_json, res, &err) || (cmp && dump(jcmp, w_cmp, cmp, &err)) ||
	    (nt && dump(jnt, w_nt, nt, &err))) {
		code = cli_fail(&err);
		goto out;
	}
	cli_tiles_path(tiles, sizeof(tiles));
	for (int k = 0; k < 4; k++) {
		p304_chart_request req = { .format = P304_FORMAT_SVG, .tiles_path = tiles };

		if ((k == 2 && !cmp) || (k == 3 && !nt))
			continue;
		req.kind = k == 0 ? P304_CHART_MAP : k == 1 ? P304_CHART_BARS
			 : k == 2 ? P304_CHART_COMPARE : P304_CHART_RECONCILE;
		req.result_path = k == 2 ? jcmp : k == 3 ? jnt : jres;
		snprintf(svg[k].path, sizeof(svg[k].path), "%s/%s", scratch, svg_names[k]);
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
	}
	if (!outdir) {
		if (asprintf(&defdir, "outputs/note-%s", res->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)))
		goto out;
	{
		p304_note note = { res, cmp, nt, svg_path[0], svg_path[1], svg_path[2], svg_path[3] };
		struct mctx m = { inputs, ninputs, margv };
		struct cli_file files[10];
		size_t nf = 0;

		files[nf++] = (struct cli_file){ "note.html", w_html, &note };
		files[nf++] = (struct cli_file){ "note.md", w_md, &note };
		for (int k = 0; k < 4; k++)
			if (svg_path[k])
				files[nf++] = (struct cli_file){ svg_names[k], copy_file, &svg[k] };
		files[nf++] = (struct cli_file){ "repartition.xlsx", w_xlsx, res };
		files[nf++] = (struct cli_file){ "repartition.json", w_json, res };
		files[nf++] = (struct cli_file){ "repartition.csv", w_csv, res };
		files[nf++] = (struct cli_file){ "manifest.json", w_manifest, &m };
		if (cli_write_files(inputs, ninputs, outdir, files, nf, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet)
		printf(_("%s/note.html\n%s/note.md\n"), outdir, outdir);
	code = EXIT_OK;
out:
	if (have_scratch) {
		for (int k = 0; k < 4; k++)
			if (svg_path[k])
				unlink(svg[k].path);
		unlink(jres);
		unlink(jcmp);
		unlink(jnt);
		rmdir(scratch);
	}
	free(margv);
	free(defdir);
	free(inputs);
	p304_result_free(res);
	p304_comparison_free(cmp);
	p304_notification_free(nt);
	return code;
}
